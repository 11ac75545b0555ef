/**
 * An experiment page's run timelines, drawn in the browser when a run's "Timeline" is opened
 * (report/experiments/N.html; src/report/experiment-page.ts puts this file in the page's one
 * script and each run's transcript lines in an inert JSON data block). Each round's discussion,
 * proposals with the allocation / issues / projects tabled, votes and tallies, the outcome, and
 * behind toggles the private notes and votes, raw outputs, repairs and model calls (prompts,
 * tokens, cost); unknown events as JSON. Every string from the transcript is untrusted (model
 * text): it goes through esc before it meets markup. The tables also serve the run summaries
 * the server renders (timeline-script.ts evaluates this same source with node:vm): one home.
 *
 * A plain script, not a module: `BargainTimeline` is its API; the DOM glue at the end runs only
 * where `document` exists. No eval, no network, no inline handlers (the page's CSP allows this
 * script by its hash and nothing else).
 */
var BargainTimeline = (() => {
  'use strict';

  const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  /** Escapes text for element content and quoted attribute values (html.ts esc). */
  const esc = (x) => String(x ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
  const finite = (x) => typeof x === 'number' && Number.isFinite(x);
  const n0 = (x) => (finite(x) ? x : 0);
  /** html.ts num / int / usd, for values read from JSON (anything not a finite number shows as –) */
  const num = (x, digits = 2) => {
    if (!finite(x)) return '–';
    const s = x.toFixed(digits);
    return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
  };
  const int = (x) => (finite(x) ? Math.round(x).toLocaleString('en-US') : '–');
  const usd = (x) => (!finite(x) ? '–' : x === 0 ? '$0' : x < 1 ? `$${x.toFixed(4)}` : `$${x.toFixed(2)}`);
  const list = (x) => (Array.isArray(x) ? x : []);

  const who = (agent, seats) => {
    const s = seats.get(agent);
    return `<span class="who">${esc(agent)}${s ? ` <span class="model">(${esc(s.model)}${s.role ? `, ${esc(s.role)}` : ''})</span>` : ''}</span>`;
  };
  const seatClass = (agent, seats) => {
    const s = seats.get(agent);
    return s ? `seat-${esc(s.seat)}` : '';
  };

  /** An allocation item by item: who gets it, each seat's value (bold for the receiver) and raw utilities. */
  function allocationTable(allocation, items, prefs, agents) {
    const owner = new Map();
    for (const [a, its] of Object.entries(allocation ?? {})) for (const j of list(its)) owner.set(j, a);
    const head = `<tr><th>Item</th><th>Goes to</th>${agents.map((a) => `<th class="num">Value to ${esc(a)}</th>`).join('')}</tr>`;
    const rows = items
      .map((name, j) => {
        const o = owner.get(j);
        return `<tr><td>${esc(name)}</td><td>${o ? esc(o) : '<span class="void">nobody</span>'}</td>${agents
          .map((a, s) => {
            const v = prefs?.[s]?.[j];
            return `<td class="num">${v === undefined ? '–' : o === a ? `<b>${esc(v)}</b>` : esc(v)}</td>`;
          })
          .join('')}</tr>`;
      })
      .join('');
    const totals = prefs
      ? `<tr><th colspan="2">Raw utility (sum of own values of items received)</th>${agents
          .map(
            (a, s) =>
              `<th class="num">${esc(items.reduce((t, _n, j) => t + (owner.get(j) === a ? n0(prefs[s]?.[j]) : 0), 0))}</th>`,
          )
          .join('')}</tr>`
      : '';
    return `<div class="scroll"><table class="alloc">${head}${rows}${totals}</table></div>`;
  }

  /**
   * A treaty agreement issue by issue: the agreed rate, each seat's ideal position and weight,
   * and each seat's points on the issue (w · (1 − |p − a| / 100)), with the raw utilities.
   */
  function agreementTable(agreement, issues, weights, positions, agents) {
    const points = (s, k) => {
      const w = weights?.[s]?.[k],
        p = positions?.[s]?.[k];
      return w === undefined || p === undefined ? null : (w * (100 - Math.abs(p - agreement[k]))) / 100;
    };
    const head = `<tr><th>Issue</th><th class="num">Agreed</th>${agents
      .map((a) => `<th class="num">${esc(a)}: ideal / weight</th><th class="num">${esc(a)}: points</th>`)
      .join('')}</tr>`;
    const rows = agreement
      .map(
        (x, k) =>
          `<tr><td>${esc(issues[k] ?? `Issue ${k}`)}</td><td class="num"><b>${esc(x)}%</b></td>${agents
            .map((_a, s) => {
              const pt = points(s, k);
              return `<td class="num">${esc(positions?.[s]?.[k] ?? '–')}% / ${esc(weights?.[s]?.[k] ?? '–')}</td><td class="num">${pt === null ? '–' : num(pt, 2)}</td>`;
            })
            .join('')}</tr>`,
      )
      .join('');
    const totals =
      weights && positions
        ? `<tr><th colspan="2">Raw utility (sum of points)</th>${agents
            .map(
              (_a, s) =>
                `<th></th><th class="num">${num(
                  agreement.reduce((t, _x, k) => t + (points(s, k) ?? 0), 0),
                  2,
                )}</th>`,
            )
            .join('')}</tr>`
        : '';
    return `<div class="scroll"><table class="alloc">${head}${rows}${totals}</table></div>`;
  }

  /**
   * A co-funding joint proposal or agreement project by project: cost, each seat's pledge and
   * valuation, the total and whether it is funded, and each seat's points (v − x on funded projects).
   */
  function contributionsTable(pledges, projects, valuations, costs, agents) {
    const m = projects.length;
    const total = (j) => Math.round(pledges.reduce((t, x) => t + Math.round((x?.[j] ?? 0) * 100), 0)) / 100;
    const funded = (j) => costs !== null && costs !== undefined && total(j) >= costs[j];
    const head = `<tr><th>Project</th><th class="num">Cost</th>${agents
      .map((a) => `<th class="num">${esc(a)}: pledge / value</th>`)
      .join('')}<th class="num">Pledged</th><th>Funded</th></tr>`;
    const rows = Array.from({ length: m }, (_, j) => {
      const cells = agents
        .map((_a, s) => `<td class="num">${esc(pledges[s]?.[j] ?? '–')} / ${esc(valuations?.[s]?.[j] ?? '–')}</td>`)
        .join('');
      return `<tr><td>${esc(projects[j])}</td><td class="num">${esc(costs?.[j] ?? '–')}</td>${cells}<td class="num">${num(total(j), 2)}</td><td>${funded(j) ? '<b>funded</b>' : 'no'}</td></tr>`;
    }).join('');
    const points = valuations
      ? `<tr><th colspan="2">Raw utility (value − pledge on funded projects)</th>${agents
          .map((_a, s) => {
            let u = 0;
            for (let j = 0; j < m; j++) if (funded(j)) u += (valuations[s]?.[j] ?? 0) - (pledges[s]?.[j] ?? 0);
            return `<th class="num">${num(u, 2)}</th>`;
          })
          .join('')}<th colspan="2"></th></tr>`
      : '';
    return `<div class="scroll"><table class="alloc">${head}${rows}${points}</table></div>`;
  }

  function callsBlock(calls) {
    return calls
      .map((c, k) => {
        const {
          messages,
          messages_base,
          model,
          route,
          input_tokens,
          output_tokens,
          reasoning_tokens,
          cache_read_tokens,
          cache_write_tokens,
          cost_usd,
          ...rest
        } = c;
        const ms = rest.ms ?? rest.latency_ms;
        delete rest.ms;
        delete rest.latency_ms;
        const line =
          `Call ${k + 1}: ${esc(model ?? '?')}${route ? ` via ${esc(route)}` : ''} · in ${int(n0(input_tokens))} / out ${int(n0(output_tokens))}` +
          `${n0(reasoning_tokens) ? ` / reasoning ${int(n0(reasoning_tokens))}` : ''} tokens` +
          `${n0(cache_read_tokens) || n0(cache_write_tokens) ? ` (input: ${int(n0(cache_read_tokens))} cache read, ${int(n0(cache_write_tokens))} cache write)` : ''} · ${usd(n0(cost_usd))}${finite(ms) ? ` · ${int(ms)} ms` : ''}` +
          `${rest.cached === true ? ' · from cache' : ''}${typeof rest.finish_reason === 'string' ? ` · finish: ${esc(rest.finish_reason)}` : ''}` +
          (rest.served_model_mismatch === true
            ? ` · <span class="void served-model">answered by ${esc(rest.served_model_id)}, not the requested ${esc(rest.model_id ?? model)}</span>`
            : '');
        // prompts may be recorded as deltas: the first messages_base messages equal this agent's previous prompt
        const base = finite(messages_base) && messages_base > 0 ? messages_base : 0;
        const msgs = list(messages);
        const count = base + msgs.length;
        const prompt =
          msgs.length || base
            ? `<details class="calls prompt"><summary>Prompt (${esc(count)} message${count === 1 ? '' : 's'}${base ? `; the first ${esc(base)} as in this agent's previous call, the new ones shown` : ''})</summary>${msgs
                .map((m) => {
                  const content = typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content, null, 2);
                  return `<div class="small"><b>${esc(m?.role ?? 'message')}</b></div><pre>${esc(content)}</pre>`;
                })
                .join('')}</details>`
            : '';
        const other = Object.keys(rest).length
          ? `<details class="calls"><summary>Other call fields</summary><pre>${esc(JSON.stringify(rest, null, 2))}</pre></details>`
          : '';
        return `<div class="call small">${line}${prompt}${other}</div>`;
      })
      .join('');
  }

  function turnsBlock(turns, seats) {
    if (!turns.length) return '';
    let tin = 0,
      tout = 0,
      cost = 0,
      ncalls = 0;
    for (const t of turns)
      for (const c of list(t.calls)) {
        ncalls++;
        tin += n0(c?.input_tokens);
        tout += n0(c?.output_tokens);
        cost += n0(c?.cost_usd);
      }
    const bad = turns.filter((t) => !t.valid).length;
    const summary =
      `Raw outputs and model calls: ${turns.length} turn${turns.length === 1 ? '' : 's'}` +
      (bad ? `, ${bad} invalid` : '') +
      (ncalls
        ? `, ${ncalls} call${ncalls === 1 ? '' : 's'}, ${int(tin)} in / ${int(tout)} out tokens, ${usd(cost)}`
        : '');
    const body = turns
      .map((t) => {
        const head =
          `${who(t.agent, seats)} · ${esc(t.phase)}${t.attempt ? ` · repair attempt ${esc(t.attempt)}` : ''} · ` +
          `${t.valid ? 'valid' : `<span class="void">invalid: ${esc(t.error ?? '')}</span>`}${finite(t.ms) ? ` · ${num(t.ms, 0)} ms` : ''}`;
        return (
          `<div class="turn ${seatClass(t.agent, seats)}"><div class="small">${head}</div>` +
          (t.repair_error ? `<div class="small muted">shown the error: ${esc(t.repair_error)}</div>` : '') +
          `<pre>${esc(t.text)}</pre>${list(t.calls).length ? callsBlock(t.calls) : ''}</div>`
        );
      })
      .join('');
    return `<details class="calls"><summary>${summary}</summary>${body}</details>`;
  }

  /** An event this page does not know (or could not draw), as escaped JSON. */
  const unknownEvent = (e) =>
    `<details class="calls"><summary>Event ${esc(e.type)}</summary><pre>${esc(JSON.stringify(e, null, 2))}</pre></details>`;

  /** One event of a round as HTML ('' for round_start and turn: turns go to the round's raw-output block). */
  function eventHtml(e, g) {
    const { seats, agents, items, values, positions, costs } = g;
    switch (e.type) {
      case 'round_start':
      case 'turn':
        return '';
      case 'message':
        return `<div class="msg ${seatClass(e.agent, seats)}">${who(e.agent, seats)} <span class="muted small">says</span><p class="text">${esc(e.text)}</p></div>`;
      case 'message_void':
        return `<p class="void ${seatClass(e.agent, seats)}">No usable message from ${esc(e.agent)}: ${esc(e.reason)}</p>`;
      case 'note':
        return `<details class="private note"><summary>Private ${esc(e.phase)} note of ${esc(e.agent)}</summary><div class="${seatClass(e.agent, seats)}">${who(e.agent, seats)}<p class="text">${esc(e.text)}</p></div></details>`;
      case 'proposal': {
        if (e.contributions) {
          // a co-funding pledge: private to its author until the joint proposal is made
          const own = agents.map((a) => (a === e.agent ? e.contributions : []));
          return `<details class="private note"><summary>Private pledge of ${esc(e.agent)}</summary><div class="${seatClass(e.agent, seats)}">${who(e.agent, seats)}: ${esc(list(e.contributions).join(', '))}${contributionsTable(own, items, values, costs, agents)}</div></details>`;
        }
        return `<div class="proposal ${seatClass(e.agent, seats)}"><b>Proposal ${esc(e.proposal)}</b> by ${who(e.agent, seats)}${e.agreement ? agreementTable(e.agreement, items, values, positions, agents) : allocationTable(e.allocation, items, values, agents)}</div>`;
      }
      case 'joint_proposal': {
        const view = e.joint ?? {};
        const rows = items
          .map(
            (name, j) =>
              `<tr><td>${esc(name)}</td><td class="num">${esc(costs?.[j] ?? '–')}</td><td class="num">${esc(view.pledged?.[j] ?? '–')}</td><td>${view.funded?.[j] ? '<b>funded</b>' : 'no'}</td></tr>`,
          )
          .join('');
        return `<div class="proposal"><b>Joint proposal ${esc(e.proposal)}</b> (every agent's pledge together; the agents see these totals)<div class="scroll"><table class="alloc"><tr><th>Project</th><th class="num">Cost</th><th class="num">Pledged</th><th>Funded</th></tr>${rows}</table></div></div>`;
      }
      case 'proposal_void':
        return `<p class="void ${seatClass(e.agent, seats)}">No valid proposal from ${esc(e.agent)}: ${esc(e.reason)}</p>`;
      case 'vote':
        return `<details class="private vote"><summary>Private votes of ${esc(e.agent)}</summary><p>${
          e.voided || !e.votes
            ? '<span class="void">vote voided after repairs: counts as reject on every proposal</span>'
            : e.votes.map((v, k) => `proposal ${k + 1}: ${v ? 'accept' : 'reject'}`).join(' · ')
        }</p></details>`;
      case 'tally': {
        if (!list(e.results).length) return '<p class="void">No proposals to vote on this round.</p>';
        const rows = e.results
          .map(
            (r) =>
              `<tr><td>Proposal ${esc(r.proposal)}</td><td>${esc(r.from)}</td><td class="num">${esc(r.accepts)}</td><td class="num">${esc(r.rejects)}</td><td>${r.passed ? '<span class="passed">passed</span>' : 'failed'}</td></tr>`,
          )
          .join('');
        return (
          `<h4>Vote tally</h4><div class="scroll"><table><thead><tr><th>Proposal</th><th>By</th><th class="num">Accept</th><th class="num">Reject</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table></div>` +
          `<p>${e.winner === null || e.winner === undefined ? 'No proposal passed.' : `<span class="passed">Proposal ${esc(e.winner)} wins.</span>`}${e.tie_between ? ` Tie between proposals ${esc(list(e.tie_between).join(', '))}, broken by the seeded generator.` : ''}</p>`
        );
      }
      case 'run_end':
        return e.consensus
          ? `<div class="outcome"><b>Deal in round ${esc(e.agreement_round)}.</b> Utilities: ${e.utilities.map((u, s) => `${esc(agents[s] ?? `seat ${s}`)} ${num(u)} (raw ${esc(list(e.raw_utilities)[s])})`).join(' · ')}</div>`
          : '<div class="outcome none"><b>No agreement after the last round</b>: everyone gets 0.</div>';
      default:
        return unknownEvent(e);
    }
  }

  /**
   * One run's timeline, round by round. `ctx` stands in for a run without a run_start event:
   * its items, seats ({agent, model, role, seat}) and values, from the result document.
   */
  function timeline(events, ctx) {
    const start = events.find((e) => e.type === 'run_start');
    const seats = new Map();
    for (const s of list(start ? start.seats : ctx.seats)) seats.set(s?.agent, s);
    const g = {
      seats,
      items: list(start?.items ?? start?.issues ?? start?.projects ?? ctx.items),
      agents: [...seats.keys()],
      values: start?.preferences ?? ctx.preferences ?? null,
      positions: start?.positions ?? null,
      costs: start?.costs ?? null,
    };
    const rounds = new Map();
    for (const e of events) {
      if (e.type === 'run_start') continue;
      let l = rounds.get(e.round);
      if (!l) rounds.set(e.round, (l = []));
      l.push(e);
    }
    const out = [];
    for (const [round, evs] of [...rounds.entries()].sort((a, b) => n0(a[0]) - n0(b[0]))) {
      const parts = evs.map((e) => {
        // a malformed event is shown as it is rather than losing the rest of the timeline
        try {
          return eventHtml(e, g);
        } catch {
          return unknownEvent(e);
        }
      });
      const turns = evs.filter((e) => e.type === 'turn');
      let raw;
      try {
        raw = turnsBlock(turns, seats);
      } catch {
        raw = turns.map(unknownEvent).join('');
      }
      parts.push(raw);
      out.push(`<section class="round"><h4>Round ${esc(round)}</h4>${parts.filter(Boolean).join('\n')}</section>`);
    }
    return out.join('\n');
  }

  /**
   * A run's data block → its transcript lines (JSONL text). The block is a JSON string: the lines
   * gzip-compressed and base64-encoded (a tenth of the bytes to write and load); unpacked by the
   * browser's own DecompressionStream, so asynchronous.
   */
  async function unpack(block) {
    const bytes = Uint8Array.from(atob(JSON.parse(block)), (c) => c.charCodeAt(0));
    return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
  }

  /** Transcript lines (JSONL text) → events; unreadable lines and non-events are counted. */
  function parseLines(text) {
    const events = [];
    let bad = 0;
    for (const line of String(text ?? '').split('\n')) {
      if (!line.trim()) continue;
      let e;
      try {
        e = JSON.parse(line);
      } catch {
        bad++;
        continue;
      }
      if (e && typeof e === 'object' && typeof e.type === 'string') events.push(e);
      else bad++;
    }
    return { events, bad };
  }

  /** A run's timeline from its transcript lines, as an HTML string. Pure. */
  function renderRun(text, ctx) {
    const { events, bad } = parseLines(text);
    return (
      (bad ? `<div class="notice">${bad} unreadable line(s) of this run's transcript skipped.</div>` : '') +
      (events.length ? timeline(events, ctx ?? {}) : '<p class="muted">No readable transcript events for this run.</p>')
    );
  }

  return {
    esc,
    num,
    int,
    usd,
    allocationTable,
    agreementTable,
    contributionsTable,
    timeline,
    unpack,
    parseLines,
    renderRun,
  };
})();

// DOM glue: draw a run's timeline the first time its <details class="timeline"> opens; data-drawn
// marks it done (tests wait for it).
if (typeof document !== 'undefined') {
  (() => {
    'use strict';
    const T = BargainTimeline;
    const ctxEl = document.getElementById('timeline-context');
    const ctx = ctxEl ? JSON.parse(ctxEl.textContent) : { runs: {} };
    const started = new WeakSet();
    const draw = async (d) => {
      if (!d.open || started.has(d)) return;
      started.add(d);
      const run = d.getAttribute('data-run');
      const data = document.getElementById(`transcript-run-${run}`);
      const body = d.querySelector('.timeline-body');
      try {
        body.innerHTML = T.renderRun(data ? await T.unpack(data.textContent) : '', {
          items: ctx.items,
          ...(ctx.runs?.[run] ?? {}),
        });
      } catch (err) {
        body.innerHTML = `<div class="notice bad">This timeline could not be drawn: ${T.esc(err && err.message)}</div>`;
        throw err;
      } finally {
        d.setAttribute('data-drawn', '');
      }
      // the page's "Show …" buttons hold for timelines drawn after they were pressed
      for (const b of document.querySelectorAll('button[data-toggle][aria-pressed="true"]'))
        for (const x of body.querySelectorAll(`details.${b.getAttribute('data-toggle')}`)) x.open = true;
    };
    for (const d of document.querySelectorAll('details.timeline[data-run]')) {
      d.addEventListener('toggle', () => draw(d));
      draw(d); // opened before the script ran (e.g. restored by the browser)
    }
  })();
}
