/**
 * One experiment's page (report/experiments/N.html): every run as a timeline read from
 * the transcript — each round's discussion, proposals with the allocation item by item,
 * vote tallies, the outcome and utilities — with private notes, votes, raw outputs,
 * repairs and model calls (prompts, tokens, cost) behind toggles. Everything from the
 * transcript or result is escaped (esc); unknown event types are shown as escaped JSON.
 * Pure: takes loaded documents, returns HTML.
 */
import type { TranscriptEvent } from '../protocol/events.ts';
import type { RunDocument } from '../protocol/series.ts';
import type { ExperimentConfigFile } from './load.ts';
import type { ResultFile } from '../results/index.ts';
import { esc, int, num, page, table, toggleButton, usd } from './html.ts';
import { servedModelWarnings } from '../results/index.ts';

export interface ExperimentPageInput {
  id: number;
  result: ResultFile;
  config: ExperimentConfigFile | null;
  events: TranscriptEvent[];
  transcriptNote?: string;
  prev?: number | null;
  next?: number | null;
  gridTitle: string;
}

type Ev<T extends TranscriptEvent['type']> = Extract<TranscriptEvent, { type: T }>;
type Call = Record<string, unknown>;

interface Seat {
  agent: string;
  model: string;
  role: string | null;
  seat: number;
}

const n0 = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

function who(agent: string, seats: Map<string, Seat>): string {
  const s = seats.get(agent);
  return `<span class="who">${esc(agent)}${s ? ` <span class="model">(${esc(s.model)}${s.role ? `, ${esc(s.role)}` : ''})</span>` : ''}</span>`;
}

function seatClass(agent: string, seats: Map<string, Seat>): string {
  const s = seats.get(agent);
  return s ? `seat-${s.seat}` : '';
}

function allocationTable(
  allocation: Record<string, number[]>,
  items: readonly string[],
  prefs: number[][] | null,
  agents: string[],
): string {
  const owner = new Map<number, string>();
  for (const [a, its] of Object.entries(allocation)) for (const j of its ?? []) owner.set(j, a);
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
function agreementTable(
  agreement: readonly number[],
  issues: readonly string[],
  weights: number[][] | null,
  positions: number[][] | null,
  agents: string[],
): string {
  const points = (s: number, k: number) => {
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
function contributionsTable(
  pledges: readonly (readonly number[])[],
  projects: readonly string[],
  valuations: number[][] | null,
  costs: readonly number[] | null,
  agents: string[],
): string {
  const m = projects.length;
  const total = (j: number) => Math.round(pledges.reduce((t, x) => t + Math.round((x[j] ?? 0) * 100), 0)) / 100;
  const funded = (j: number) => costs !== null && total(j) >= costs[j];
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

function callsBlock(calls: Call[]): string {
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
        `${n0(cache_read_tokens) || n0(cache_write_tokens) ? ` (input: ${int(n0(cache_read_tokens))} cache read, ${int(n0(cache_write_tokens))} cache write)` : ''} · ${usd(n0(cost_usd))}${typeof ms === 'number' ? ` · ${int(ms)} ms` : ''}` +
        `${rest.cached === true ? ' · from cache' : ''}${typeof rest.finish_reason === 'string' ? ` · finish: ${esc(rest.finish_reason)}` : ''}` +
        (rest.served_model_mismatch === true
          ? ` · <span class="void served-model">answered by ${esc(rest.served_model_id)}, not the requested ${esc(rest.model_id ?? model)}</span>`
          : '');
      // prompts may be recorded as deltas: the first messages_base messages equal this agent's previous prompt
      const base = typeof messages_base === 'number' && messages_base > 0 ? messages_base : 0;
      const list = Array.isArray(messages) ? messages : [];
      const prompt =
        list.length || base
          ? `<details class="calls prompt"><summary>Prompt (${base + list.length} message${base + list.length === 1 ? '' : 's'}${base ? `; the first ${base} as in this agent's previous call, the new ones shown` : ''})</summary>${list
              .map((m) => {
                const mm = m as { role?: unknown; content?: unknown };
                const content = typeof mm.content === 'string' ? mm.content : JSON.stringify(mm.content, null, 2);
                return `<div class="small"><b>${esc(mm.role ?? 'message')}</b></div><pre>${esc(content)}</pre>`;
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

function turnsBlock(turns: Ev<'turn'>[], seats: Map<string, Seat>): string {
  if (!turns.length) return '';
  let tin = 0,
    tout = 0,
    cost = 0,
    ncalls = 0;
  for (const t of turns)
    for (const c of (t.calls ?? []) as Call[]) {
      ncalls++;
      tin += n0(c.input_tokens);
      tout += n0(c.output_tokens);
      cost += n0(c.cost_usd);
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
        `${t.valid ? 'valid' : `<span class="void">invalid: ${esc(t.error ?? '')}</span>`}${typeof t.ms === 'number' ? ` · ${num(t.ms, 0)} ms` : ''}`;
      return (
        `<div class="turn ${seatClass(t.agent, seats)}"><div class="small">${head}</div>` +
        (t.repair_error ? `<div class="small muted">shown the error: ${esc(t.repair_error)}</div>` : '') +
        `<pre>${esc(t.text)}</pre>${t.calls?.length ? callsBlock(t.calls as Call[]) : ''}</div>`
      );
    })
    .join('');
  return `<details class="calls"><summary>${summary}</summary>${body}</details>`;
}

function runSummary(run: RunDocument, items: readonly string[]): string {
  const agents = run.agents.map((a) => a.agent);
  const seatsTable = table(run.agents, [
    { head: 'Seat', cell: (a) => esc(a.agent) },
    { head: 'Model', cell: (a) => esc(a.model) },
    { head: 'Role', cell: (a) => esc(a.role ?? '–') },
    ...items.map((name, j) => ({
      head: name,
      num: true,
      cell: (a: RunDocument['agents'][number]) =>
        run.positions
          ? `${esc(run.positions[a.seat]?.[j] ?? '–')}% / ${esc(run.preferences[a.seat]?.[j] ?? '–')}`
          : esc(run.preferences[a.seat]?.[j] ?? '–'),
    })),
  ]);
  const outcome =
    run.consensus && run.contributions
      ? `<div class="outcome"><b>Agreement in round ${esc(run.round)}.</b>${contributionsTable(run.contributions, items, run.preferences, run.costs ?? null, agents)}</div>`
      : run.consensus && run.agreement
        ? `<div class="outcome"><b>Agreement in round ${esc(run.round)}.</b>${agreementTable(run.agreement, items, run.preferences, run.positions ?? null, agents)}</div>`
        : run.consensus && run.allocation
          ? `<div class="outcome"><b>Agreement in round ${esc(run.round)}.</b>${allocationTable(run.allocation, items, run.preferences, agents)}</div>`
          : '<div class="outcome none"><b>No agreement</b>: every agent gets 0.</div>';
  const utilities = table(run.agents, [
    { head: 'Seat', cell: (a) => esc(a.agent) },
    { head: 'Model', cell: (a) => esc(a.model) },
    { head: 'Utility (discounted)', num: true, cell: (a) => num(a.utility) },
    { head: 'Raw utility', num: true, cell: (a) => num(a.raw_utility, 0) },
    { head: 'Share of welfare', num: true, cell: (a) => num(a.share, 3) },
    { head: 'Nash-point utility', num: true, cell: (a) => num(a.nash_utility, 2) },
    { head: 'Exploitation index', num: true, cell: (a) => num(a.exploitation_index, 3) },
    { head: 'Repairs', num: true, cell: (a) => int(a.repairs) },
    { head: 'Voided', num: true, cell: (a) => int(a.voided) },
    { head: 'Calls', num: true, cell: (a) => int(a.calls) },
    {
      head: 'Tokens in / out / reasoning',
      num: true,
      cell: (a) => `${int(a.input_tokens)} / ${int(a.output_tokens)} / ${int(a.reasoning_tokens)}`,
    },
    {
      head: 'Input cache read / write',
      num: true,
      title: 'prompt-cache tokens, parts of the input tokens',
      cell: (a) => `${int(a.cache_read_tokens ?? 0)} / ${int(a.cache_write_tokens ?? 0)}`,
    },
    { head: 'Cost', num: true, cell: (a) => usd(a.cost_usd) },
  ]);
  const drawLine = run.budgets
    ? `Cosine similarity of the valuations (α) ${num(run.cosine_similarity, 3)}; budgets ${esc(run.budgets.join(' / '))}; project costs ${esc((run.costs ?? []).join(', '))}; efficiency ${num(run.efficiency ?? null, 3)}, provision rate ${num(run.provision_rate ?? null, 2)}, coordination failures ${esc(run.coordination_failures ?? '–')}, distance from the Lindahl shares ${num(run.lindahl_distance ?? null, 2)}; the baseline (“Nash-point utility” column) is the Lindahl utility on the welfare-optimal set`
    : run.positions
      ? `Cosine similarity of the issue weights (θ) ${num(run.cosine_similarity, 3)}; rank correlation of the ideal positions ${num(run.rank_correlation ?? null, 3)}; distance of the agreement from the Nash agreement ${num(run.distance_from_nash ?? null, 1)} points`
      : `Cosine similarity of the value vectors ${num(run.cosine_similarity, 3)}`;
  return `<h4>Seats and private ${run.positions ? 'positions / weights' : 'values'}</h4>${seatsTable}
<p class="small muted">${drawLine}; welfare ${num(run.welfare, 0)}; Pareto optimal: ${run.pareto_optimal === null ? 'not checked' : run.pareto_optimal ? 'yes' : 'no'}${run.tie_break ? `; tie between proposals ${esc(run.tie_break.join(', '))} broken by the seeded generator` : ''}.</p>
<h4>Outcome</h4>${outcome}${utilities}`;
}

function timeline(
  events: TranscriptEvent[],
  fallbackItems: readonly string[],
  seats: Map<string, Seat>,
  prefs: number[][] | null,
): string {
  const start = events.find((e): e is Ev<'run_start'> => e.type === 'run_start');
  const items = start?.items ?? start?.issues ?? start?.projects ?? fallbackItems;
  const agents = start ? start.seats.map((s) => s.agent) : [...seats.keys()];
  const values = start?.preferences ?? prefs;
  const positions = start?.positions ?? null;
  const costs = start?.costs ?? null;
  const rounds = new Map<number, TranscriptEvent[]>();
  for (const e of events) {
    if (e.type === 'run_start') continue;
    let l = rounds.get(e.round);
    if (!l) rounds.set(e.round, (l = []));
    l.push(e);
  }
  const out: string[] = [];
  for (const [round, evs] of [...rounds.entries()].sort((a, b) => a[0] - b[0])) {
    const parts: string[] = [];
    const turns = evs.filter((e): e is Ev<'turn'> => e.type === 'turn');
    for (const e of evs) {
      switch (e.type) {
        case 'round_start':
        case 'turn':
          break;
        case 'message':
          parts.push(
            `<div class="msg ${seatClass(e.agent, seats)}">${who(e.agent, seats)} <span class="muted small">says</span><p class="text">${esc(e.text)}</p></div>`,
          );
          break;
        case 'message_void':
          parts.push(
            `<p class="void ${seatClass(e.agent, seats)}">No usable message from ${esc(e.agent)}: ${esc(e.reason)}</p>`,
          );
          break;
        case 'note':
          parts.push(
            `<details class="private note"><summary>Private ${esc(e.phase)} note of ${esc(e.agent)}</summary><div class="${seatClass(e.agent, seats)}">${who(e.agent, seats)}<p class="text">${esc(e.text)}</p></div></details>`,
          );
          break;
        case 'proposal':
          if (e.contributions) {
            // a co-funding pledge: private to its author until the joint proposal is made
            const own = agents.map((a) => (a === e.agent ? e.contributions! : []));
            parts.push(
              `<details class="private note"><summary>Private pledge of ${esc(e.agent)}</summary><div class="${seatClass(e.agent, seats)}">${who(e.agent, seats)}: ${esc(e.contributions.join(', '))}${contributionsTable(own, items, values, costs, agents)}</div></details>`,
            );
            break;
          }
          parts.push(
            `<div class="proposal ${seatClass(e.agent, seats)}"><b>Proposal ${esc(e.proposal)}</b> by ${who(e.agent, seats)}${e.agreement ? agreementTable(e.agreement, items, values, positions, agents) : allocationTable(e.allocation!, items, values, agents)}</div>`,
          );
          break;
        case 'joint_proposal': {
          const view = e.joint as { pledged?: number[]; funded?: boolean[] };
          const rows = items
            .map(
              (name, j) =>
                `<tr><td>${esc(name)}</td><td class="num">${esc(costs?.[j] ?? '–')}</td><td class="num">${esc(view.pledged?.[j] ?? '–')}</td><td>${view.funded?.[j] ? '<b>funded</b>' : 'no'}</td></tr>`,
            )
            .join('');
          parts.push(
            `<div class="proposal"><b>Joint proposal ${esc(e.proposal)}</b> (every agent's pledge together; the agents see these totals)<div class="scroll"><table class="alloc"><tr><th>Project</th><th class="num">Cost</th><th class="num">Pledged</th><th>Funded</th></tr>${rows}</table></div></div>`,
          );
          break;
        }
        case 'proposal_void':
          parts.push(
            `<p class="void ${seatClass(e.agent, seats)}">No valid proposal from ${esc(e.agent)}: ${esc(e.reason)}</p>`,
          );
          break;
        case 'vote':
          parts.push(
            `<details class="private vote"><summary>Private votes of ${esc(e.agent)}</summary><p>${
              e.voided || !e.votes
                ? '<span class="void">vote voided after repairs: counts as reject on every proposal</span>'
                : e.votes.map((v, k) => `proposal ${k + 1}: ${v ? 'accept' : 'reject'}`).join(' · ')
            }</p></details>`,
          );
          break;
        case 'tally': {
          if (!e.results.length) {
            parts.push('<p class="void">No proposals to vote on this round.</p>');
            break;
          }
          const rows = e.results
            .map(
              (r) =>
                `<tr><td>Proposal ${esc(r.proposal)}</td><td>${esc(r.from)}</td><td class="num">${esc(r.accepts)}</td><td class="num">${esc(r.rejects)}</td><td>${r.passed ? '<span class="passed">passed</span>' : 'failed'}</td></tr>`,
            )
            .join('');
          parts.push(
            `<h4>Vote tally</h4><div class="scroll"><table><thead><tr><th>Proposal</th><th>By</th><th class="num">Accept</th><th class="num">Reject</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table></div>` +
              `<p>${e.winner === null ? 'No proposal passed.' : `<span class="passed">Proposal ${esc(e.winner)} wins.</span>`}${e.tie_between ? ` Tie between proposals ${esc(e.tie_between.join(', '))}, broken by the seeded generator.` : ''}</p>`,
          );
          break;
        }
        case 'run_end':
          parts.push(
            e.consensus
              ? `<div class="outcome"><b>Deal in round ${esc(e.agreement_round)}.</b> Utilities: ${e.utilities.map((u, s) => `${esc(agents[s] ?? `seat ${s}`)} ${num(u)} (raw ${esc(e.raw_utilities[s])})`).join(' · ')}</div>`
              : '<div class="outcome none"><b>No agreement after the last round</b>: everyone gets 0.</div>',
          );
          break;
        default:
          parts.push(
            `<details class="calls"><summary>Event ${esc((e as { type: string }).type)}</summary><pre>${esc(JSON.stringify(e, null, 2))}</pre></details>`,
          );
      }
    }
    parts.push(turnsBlock(turns, seats));
    out.push(`<section class="round"><h4>Round ${esc(round)}</h4>${parts.join('\n')}</section>`);
  }
  return out.join('\n');
}

/** "62.5% (1,500 of 2,400 input tokens read from the prompt cache; 300 written)", from the seats (older results: 0). */
function cachedInput(r: ResultFile): string {
  let read = 0,
    write = 0;
  for (const run of r.runs)
    for (const a of run.agents) {
      read += n0(a.cache_read_tokens);
      write += n0(a.cache_write_tokens);
    }
  const input = n0(r.input_tokens);
  return `${input ? `${num((100 * read) / input, 1)}%` : '–'} (${int(read)} of ${int(input)} input tokens read from the prompt cache; ${int(write)} written)`;
}

export function experimentPage(p: ExperimentPageInput): string {
  const r = p.result;
  const cfg = p.config;
  const start = p.events.find((e) => e.type === 'run_start') as Ev<'run_start'> | undefined;
  const items =
    start?.items ??
    start?.issues ??
    start?.projects ??
    Array.from({ length: cfg?.num_items ?? r.runs[0]?.preferences[0]?.length ?? 0 }, (_, j) => `Item ${j}`);
  const byRun = new Map<number, TranscriptEvent[]>();
  for (const e of p.events) {
    let l = byRun.get(e.run);
    if (!l) byRun.set(e.run, (l = []));
    l.push(e);
  }
  const runIds = [...new Set([...r.runs.map((x) => x.run_index), ...byRun.keys()])].sort((a, b) => a - b);
  const nav = [
    '<a href="../index.html">← Report</a>',
    p.prev !== null && p.prev !== undefined ? `<a href="${esc(p.prev)}.html">← Experiment ${esc(p.prev)}</a>` : '',
    p.next !== null && p.next !== undefined ? `<a href="${esc(p.next)}.html">Experiment ${esc(p.next)} →</a>` : '',
    ...runIds.map((k) => `<a href="#run-${esc(k)}">Run ${esc(k)}</a>`),
  ]
    .filter(Boolean)
    .join('');
  const facts = [
    ['Status', `<span class="status-${esc(r.status)}">${esc(r.status)}</span>`],
    ['Weak model', esc(r.weak_model)],
    ['Strong model', esc(r.strong_model)],
    ...(r.game === 'cofunding'
      ? [
          ['Game', 'co-funding'],
          ['α (cosine of the valuations)', esc(r.competition_level)],
          ['σ (total budget ÷ total cost)', esc(r.sigma ?? '–')],
        ]
      : []),
    ...(r.game === 'treaty'
      ? [
          ['Game', 'diplomatic treaty'],
          ['θ (cosine of the issue weights)', esc(r.competition_level)],
          ['ρ (rank correlation of positions)', esc(r.rho ?? '–')],
        ]
      : r.game === 'cofunding'
        ? []
        : [['Competition level', esc(r.competition_level)]]),
    ['Seed', esc(r.random_seed)],
    ['Runs', `${esc(r.runs.length)} of ${esc(r.num_runs)} completed`],
    r.game === 'cofunding'
      ? [
          'Projects / rounds / γ',
          `${esc(r.num_projects ?? '–')} / ${esc(cfg?.max_rounds ?? '–')} / ${esc(cfg?.gamma_discount ?? '–')}`,
        ]
      : r.game === 'treaty'
        ? [
            'Issues / rounds / γ',
            `${esc(r.num_issues ?? '–')} / ${esc(cfg?.max_rounds ?? '–')} / ${esc(cfg?.gamma_discount ?? '–')}`,
          ]
        : [
            'Items / rounds / γ',
            cfg
              ? `${esc(cfg.num_items ?? '–')} / ${esc(cfg.max_rounds ?? '–')} / ${esc(cfg.gamma_discount ?? '–')}`
              : '–',
          ],
    ['Duration', r.duration_s === undefined ? '–' : `${num(r.duration_s, 1)} s`],
    ['Calls', int(r.calls ?? 0)],
    [
      'Tokens in / out / reasoning',
      `${int(r.input_tokens ?? 0)} / ${int(r.output_tokens ?? 0)} / ${int(r.reasoning_tokens ?? 0)}`,
    ],
    ['Cached input', cachedInput(r)],
    ['Cost', usd(r.cost_usd ?? 0)],
    ['Finished', esc(r.timestamp ?? '–')],
  ];
  const notices: string[] = [];
  if (r.error) notices.push(`<div class="notice bad"><b>${esc(r.status)}</b>: ${esc(r.error)}</div>`);
  for (const w of servedModelWarnings(r.served_models))
    notices.push(`<div class="notice bad served-model"><b>Another model answered</b>: ${esc(w)}</div>`);
  if (r.runs.length < r.num_runs)
    notices.push(
      `<div class="notice">${esc(r.num_runs - r.runs.length)} of ${esc(r.num_runs)} runs did not complete; the runs below are those finished before the experiment stopped. Re-run it with <code>bargain retry</code>.</div>`,
    );
  if (p.transcriptNote) notices.push(`<div class="notice">Transcript: ${esc(p.transcriptNote)}</div>`);
  const seatsOf = (runIdx: number): Map<string, Seat> => {
    const m = new Map<string, Seat>();
    const start = byRun.get(runIdx)?.find((e): e is Ev<'run_start'> => e.type === 'run_start');
    if (start)
      for (const s of start.seats) m.set(s.agent, { agent: s.agent, model: s.model, role: s.role, seat: s.seat });
    else
      for (const a of r.runs.find((x) => x.run_index === runIdx)?.agents ?? [])
        m.set(a.agent, { agent: a.agent, model: a.model, role: a.role, seat: a.seat });
    return m;
  };
  const runs = runIds
    .map((k) => {
      const doc = r.runs.find((x) => x.run_index === k);
      const evs = byRun.get(k) ?? [];
      const seats = seatsOf(k);
      const title = `Run ${k}${doc ? ` (pair ${doc.pair_index}${doc.seats_swapped ? ', seats swapped' : ''})` : ''}`;
      return (
        `<section class="run" id="run-${esc(k)}"><h3>${esc(title)}</h3>` +
        (doc
          ? runSummary(doc, items)
          : '<div class="notice">This run has transcript events but no result: it did not finish.</div>') +
        `<h4>Timeline</h4>${evs.length ? timeline(evs, items, seats, doc?.preferences ?? null) : '<p class="muted">No transcript events for this run.</p>'}</section>`
      );
    })
    .join('\n');
  const body = `<nav class="top">${nav}</nav>
<h1>Experiment ${esc(p.id)}: ${esc(r.weak_model)} (weak) vs ${esc(r.strong_model)} (strong), ${r.game === 'treaty' ? `treaty, θ ${esc(r.competition_level)}, ρ ${esc(r.rho ?? '–')}` : r.game === 'cofunding' ? `co-funding, α ${esc(r.competition_level)}, σ ${esc(r.sigma ?? '–')}` : `level ${esc(r.competition_level)}`}</h1>
<p class="muted">${esc(p.gridTitle)} · items: ${items.map((x, j) => `${esc(j)}=${esc(x)}`).join(', ')}</p>
${notices.join('\n')}
<div class="scroll"><table><tbody>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table></div>
<div class="toolbar">${toggleButton('private', 'private notes and votes')}${toggleButton('calls', 'raw outputs, prompts and calls')}</div>
${runs || '<p class="muted">No runs completed.</p>'}
`;
  return page(`Experiment ${p.id} · ${r.weak_model} vs ${r.strong_model} · level ${r.competition_level}`, body);
}
