/**
 * One experiment's page (report/experiments/N.html): the header, facts and notices, and each
 * run's summary (seats and values, outcome, utilities) from the result document, rendered here.
 * Each run's timeline is drawn in the browser when its "Timeline" opens (timeline.js, the page's
 * script) from the run's transcript lines, embedded as inert data: gzip + base64, a fifth to a
 * tenth of the text, unpacked by the browser. The transcript is not parsed here: a scan of each
 * line's leading fields groups the lines by run (a line that does not start as the harness
 * writes it is parsed to place it, or counted as unreadable).
 * Everything from the transcript or result is escaped (esc here, esc in timeline.js).
 * Pure: takes loaded documents, returns HTML.
 */
import type { RunDocument } from '../protocol/series.ts';
import type { ExperimentConfigFile } from './load.ts';
import type { ResultFile } from '../results/index.ts';
import { esc, int, jsonBlock, num, page, SCRIPT, table, toggleButton, usd } from './html.ts';
import { servedModelWarnings } from '../results/index.ts';
import { loadTimeline, packLines, TIMELINE_SOURCE, type RunContext } from './timeline-script.ts';

export interface ExperimentPageInput {
  id: number;
  result: ResultFile;
  config: ExperimentConfigFile | null;
  /** the transcript's JSONL text as read (null: not read; transcriptNote says why) */
  transcript: string | null;
  /** shown as a notice (e.g. why the transcript could not be read) */
  transcriptNote?: string;
  prev?: number | null;
  next?: number | null;
  gridTitle: string;
}

/** The experiment pages' one script: the report's toggles and filters, then the timeline renderer. */
export const EXPERIMENT_SCRIPT = `${SCRIPT}\n${TIMELINE_SOURCE}`;

/** The renderer's tables, shared with the run summaries below. */
const { allocationTable, agreementTable, contributionsTable } = loadTimeline();

export interface TranscriptLines {
  /** each run's lines, in transcript order */
  runs: Map<number, string[]>;
  /** the first run_start event (the page's item names) */
  start: { items?: string[]; issues?: string[]; projects?: string[] } | null;
  /** lines that are not JSON events with a run index */
  bad: number;
}

// how the harness writes every event: {"v":1,"seq":…,"run":…,"type":"…",…}
const LEAD = /^\{"v":\d+,"seq":\d+,"run":(\d+),"type":"([a-z_]+)",/;

/**
 * Groups a transcript's lines by run without parsing them: the run index and type come from
 * the line's leading fields; only the first run_start and lines that do not start as written
 * are parsed. A line that starts well but is broken later is left to the page (timeline.js
 * counts it when the run is drawn).
 */
export function transcriptLines(text: string): TranscriptLines {
  const runs = new Map<number, string[]>();
  let start: TranscriptLines['start'] = null;
  let bad = 0;
  const add = (run: number, line: string) => {
    let l = runs.get(run);
    if (!l) runs.set(run, (l = []));
    l.push(line);
  };
  for (const line of text.split('\n')) {
    const m = LEAD.exec(line);
    if (m && (m[2] !== 'run_start' || start) && line.trimEnd().endsWith('}')) {
      add(Number(m[1]), line);
      continue;
    }
    if (!m && !line.trim()) continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      bad++;
      continue;
    }
    const ev = e as { type?: unknown; run?: unknown } | null;
    if (!ev || typeof ev !== 'object' || typeof ev.type !== 'string' || !Number.isInteger(ev.run)) {
      bad++;
      continue;
    }
    if (ev.type === 'run_start' && !start) start = ev as TranscriptLines['start'];
    add(ev.run as number, line);
  }
  return { runs, start, bad };
}

const n0 = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

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
  const t = transcriptLines(p.transcript ?? '');
  const start = t.start;
  const items =
    start?.items ??
    start?.issues ??
    start?.projects ??
    Array.from({ length: cfg?.num_items ?? r.runs[0]?.preferences[0]?.length ?? 0 }, (_, j) => `Item ${j}`);
  const runIds = [...new Set([...r.runs.map((x) => x.run_index), ...t.runs.keys()])].sort((a, b) => a - b);
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
  if (t.bad) notices.push(`<div class="notice">Transcript: ${esc(t.bad)} unreadable line(s) skipped</div>`);
  // what a run without a run_start event is drawn with: the page's items, the result's seats and values
  const context: { items: readonly string[]; runs: Record<number, RunContext> } = { items, runs: {} };
  const runs = runIds
    .map((k) => {
      const doc = r.runs.find((x) => x.run_index === k);
      const lines = t.runs.get(k);
      if (doc)
        context.runs[k] = {
          seats: doc.agents.map((a) => ({ agent: a.agent, model: a.model, role: a.role, seat: a.seat })),
          preferences: doc.preferences,
        };
      const title = `Run ${k}${doc ? ` (pair ${doc.pair_index}${doc.seats_swapped ? ', seats swapped' : ''})` : ''}`;
      return (
        `<section class="run" id="run-${esc(k)}"><h3>${esc(title)}</h3>` +
        (doc
          ? runSummary(doc, items)
          : '<div class="notice">This run has transcript events but no result: it did not finish.</div>') +
        (lines
          ? `<details class="timeline" data-run="${esc(k)}"><summary><b>Timeline</b> <span class="muted small">(${esc(lines.length)} transcript events: rounds, talk, proposals, votes, model calls)</span></summary><div class="timeline-body"><p class="muted">The timeline is drawn by the page's script when opened.</p></div></details>`
          : '<h4>Timeline</h4><p class="muted">No transcript events for this run.</p>') +
        '</section>'
      );
    })
    .join('\n');
  // the transcript as data, one block per run: its lines as read, packed (timeline.js unpacks them)
  const data = [
    jsonBlock('timeline-context', JSON.stringify(context)),
    ...runIds.flatMap((k) => {
      const lines = t.runs.get(k);
      return lines ? [jsonBlock(`transcript-run-${k}`, packLines(lines.join('\n')))] : [];
    }),
  ].join('\n');
  const body = `<nav class="top">${nav}</nav>
<h1>Experiment ${esc(p.id)}: ${esc(r.weak_model)} (weak) vs ${esc(r.strong_model)} (strong), ${r.game === 'treaty' ? `treaty, θ ${esc(r.competition_level)}, ρ ${esc(r.rho ?? '–')}` : r.game === 'cofunding' ? `co-funding, α ${esc(r.competition_level)}, σ ${esc(r.sigma ?? '–')}` : `level ${esc(r.competition_level)}`}</h1>
<p class="muted">${esc(p.gridTitle)} · items: ${items.map((x, j) => `${esc(j)}=${esc(x)}`).join(', ')}</p>
${notices.join('\n')}
<div class="scroll"><table><tbody>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table></div>
<div class="toolbar">${toggleButton('timeline', 'all timelines')}${toggleButton('private', 'private notes and votes')}${toggleButton('calls', 'raw outputs, prompts and calls')}</div>
${runs || '<p class="muted">No runs completed.</p>'}
${data}
`;
  return page(`Experiment ${p.id} · ${r.weak_model} vs ${r.strong_model} · level ${r.competition_level}`, body, {
    script: EXPERIMENT_SCRIPT,
  });
}
