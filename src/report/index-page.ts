/**
 * The report's front page (report/index.html): headline numbers, what is missing or
 * failed, the plots (inline SVG), the aggregate tables with 95% intervals, the seat
 * effect and scaling fits, and a link per experiment to its page. Pure: values in, HTML out.
 *
 * Which tables are inline: those with one row per level, pair, model or fit (they grow
 * with one axis of the grid). Those with one row per experiment or per cell — the
 * experiments, failures, missing, by cell and by strong model and level — grow with the
 * product of the axes: their rows are in index-data.js beside the page (indexData), shown
 * paged and filterable by the page's script (data-table.ts), so the page stays small.
 */
import { METRICS, SEAT_METRICS, type Aggregates, type Group, type MetricKey, type SeatGroup } from './aggregate.ts';
import type { RenderedChart } from './render.ts';
import { esc, int, num, page, pct, table, usd } from './html.ts';
import {
  DATA_TABLE_SCRIPT,
  dataRows,
  dataScript,
  dataTableShell,
  idRanges,
  staticTable,
  statValue,
  type DataColumn,
  type TableData,
} from './data-table.ts';
import type { Stat } from './stats.ts';
import type { Spend } from '../protocol/series.ts';
import { modelTotals, type ModelTotals, type ResultRow, type RunRow } from '../results/index.ts';

/** The data file beside index.html (a script: file:// pages cannot fetch JSON). */
export const INDEX_DATA_FILE = 'index-data.js';
/** The index page's one script. */
export const INDEX_SCRIPT = DATA_TABLE_SCRIPT;

/** The grid's calls, tokens and dollars (cache reads and writes are parts of input_tokens). */
export type Totals = Required<Spend>;

export interface IndexPageInput {
  title: string;
  resultsDir: string;
  /** also the build stamp that ties index.html to its index-data.js */
  generatedAt: string;
  agg: Aggregates;
  charts: RenderedChart[];
  results: ResultRow[];
  /** calls, tokens and dollars per model (modelCosts of runs.csv), summed before the rows are let go */
  costs?: ModelCost[];
  totals: Totals;
  /** experiments that have a page */
  pages: Set<number>;
  scores: Record<string, number | undefined>;
  warnings: string[];
  files: { label: string; href: string }[];
  /** one line per model another model answered for (grid/served-models.ts) */
  servedWarnings?: string[];
}

const DIGITS: Record<MetricKey, number> = {
  advantage: 1,
  strong_utility: 1,
  weak_utility: 1,
  strong_share: 3,
  strong_exploitation: 3,
  weak_exploitation: 3,
  agreement_rate: 2,
  rounds_to_agreement: 2,
  repairs: 2,
  voided: 2,
};

function statCell(s: Stat, digits: number): string {
  if (s.mean === null) return '<span class="muted">–</span>';
  return `${num(s.mean, digits)} <span class="ci">[${num(s.lo, digits)}, ${num(s.hi, digits)}]</span>`;
}

const stat = (s: Stat, digits: number) =>
  statValue(s.mean === null ? null : num(s.mean, digits), num(s.lo, digits), num(s.hi, digits));

type GroupKey = 'weak' | 'strong' | 'level';

function groupCols(keys: GroupKey[]): DataColumn<Group>[] {
  return [
    ...keys.map((k) => ({
      head: k === 'weak' ? 'Weak model' : k === 'strong' ? 'Strong model' : 'Level',
      kind: k === 'level' ? ('n' as const) : ('t' as const),
      cell: (g: Group) => String(g[k] ?? ''),
    })),
    { head: 'Runs', kind: 'n', cell: (g) => int(g.runs) },
    ...METRICS.map((m) => ({
      head: m.label,
      title: m.unit,
      kind: 's' as const,
      cell: (g: Group) => stat(g.stats[m.key], DIGITS[m.key]),
    })),
  ];
}

const runsDone = (r: ResultRow) => `${int(r.runs_completed)} / ${int(r.num_runs)}`;
const pairLabel = (r: ResultRow) => `${r.weak_model} vs ${r.strong_model}`;

const EXPERIMENT_COLS: DataColumn<ResultRow>[] = [
  { head: 'Experiment', kind: 'x', cell: (r) => r.experiment_id },
  { head: 'Weak model', kind: 't', cell: (r) => r.weak_model },
  { head: 'Strong model', kind: 't', cell: (r) => r.strong_model },
  { head: 'Level', kind: 'n', cell: (r) => String(r.competition_level) },
  { head: 'Status', kind: 'u', cell: (r) => String(r.status) },
  { head: 'Runs', kind: 'n', cell: runsDone },
  { head: 'Agreement', kind: 'n', cell: (r) => num(r.agreement_rate, 2) },
  { head: 'Mean round', kind: 'n', cell: (r) => num(r.mean_round, 1) },
  { head: 'Weak utility', kind: 'n', cell: (r) => num(r.weak_utility, 1) },
  { head: 'Strong utility', kind: 'n', cell: (r) => num(r.strong_utility, 1) },
  { head: 'Advantage', kind: 'n', cell: (r) => num(r.advantage, 1) },
  { head: 'Repairs / voided', kind: 'n', cell: (r) => `${int(r.repairs)} / ${int(r.voided)}` },
  { head: 'Cost', kind: 'n', cell: (r) => usd(r.cost_usd) },
];

const FAILURE_COLS: DataColumn<ResultRow>[] = [
  { head: 'Experiment', kind: 'x', cell: (r) => r.experiment_id },
  { head: 'Pair', kind: 't', cell: pairLabel },
  { head: 'Level', kind: 'n', cell: (r) => String(r.competition_level) },
  { head: 'Status', kind: 'u', cell: (r) => String(r.status) },
  { head: 'Runs completed', kind: 'n', cell: runsDone },
  { head: 'Reason', kind: 't', cell: (r) => r.error ?? 'no reason recorded' },
];

const MISSING_COLS: DataColumn<ResultRow>[] = [
  { head: 'Experiment', kind: 'x', cell: (r) => r.experiment_id },
  { head: 'Pair', kind: 't', cell: pairLabel },
  { head: 'Level', kind: 'n', cell: (r) => String(r.competition_level) },
  { head: 'Status', kind: 'u', cell: (r) => String(r.status) },
  { head: 'Note', kind: 't', cell: (r) => r.error ?? '' },
];

const isFailed = (r: ResultRow) => r.status === 'FAILED' || r.status === 'TIMEOUT';
const isMissing = (r: ResultRow) => r.status === 'RUNNING' || r.status === 'INCOMPLETE' || r.status === 'NOT_STARTED';

/** The paged tables: element id (and key in the data file), columns, rows. */
function pagedTables(p: IndexPageInput) {
  const cells = groupCols(['weak', 'strong', 'level']);
  const strongLevel = groupCols(['strong', 'level']);
  return {
    experiments: { id: 'experiments-table', cols: EXPERIMENT_COLS, rows: p.results },
    failures: { id: 'failures-table', cols: FAILURE_COLS, rows: p.results.filter(isFailed) },
    missing: { id: 'missing-table', cols: MISSING_COLS, rows: p.results.filter(isMissing) },
    cells: { id: 'cells-table', cols: cells, rows: p.agg.by_cell },
    strongLevel: { id: 'strong-level-table', cols: strongLevel, rows: p.agg.by_strong_level },
  };
}

/** report/index-data.js: the paged tables' rows, compact, and which experiments have a page. */
export function indexData(p: IndexPageInput): string {
  const tables: TableData['tables'] = {};
  for (const t of Object.values(pagedTables(p)))
    tables[t.id] = dataRows<ResultRow | Group>(t.rows, t.cols as DataColumn<ResultRow | Group>[]);
  return dataScript({ build: p.generatedAt, pages: idRanges(p.pages), tables });
}

function seatTable(groups: SeatGroup[], label: (g: SeatGroup) => string): string {
  return table(groups, [
    { head: 'Group', cell: (g) => esc(label(g)) },
    { head: 'Seat-swapped pairs', num: true, cell: (g) => int(g.pairs) },
    ...SEAT_METRICS.map((m) => ({
      head: m.label,
      title: m.unit,
      num: true,
      cell: (g: SeatGroup) => statCell(g.stats[m.key], 1),
    })),
  ]);
}

/** How the values are drawn, and their concentration per level: a confound of every level effect. */
function levelConstruction(agg: Aggregates): string {
  const rows = agg.entropy_by_level;
  const recorded = rows.some((r) => r.mean !== null);
  return `<p id="level-construction"><b>Level construction.</b> Each agent values the items with non-negative integers summing to 100. For a competition level c below 1, random starting vectors are refined by a stochastic local search that moves units between one agent's items until every pairwise cosine similarity of the value vectors is within ±0.01 of c for two agents (±0.05 for more). At level 1.0 every agent gets an identical copy of one vector that the same search drew near 1 (at 0.95), so the cosine is exactly 1 and the values have the shape of the levels just below, not of a raw random draw.</p>
<p id="nash-rule"><b>Nash point and exploitation index.</b> U_NBS is the Nash bargaining solution over allocations with disagreement point 0: among all allocations maximising the product of the agents' raw utilities, the mean of their distinct utility vectors. Ties are common (at level 1.0 the mirrored splits tie in most draws); averaging over every maximiser keeps the point seat-neutral (swapping the seats mirrors it exactly, 50/50 in the mirrored case) instead of resting on an arbitrary pick. With a positive maximum every maximiser is Pareto optimal; the mean may itself not be an achievable allocation (it is the even lottery over the maximisers). When no allocation gives every agent a positive utility (maximum product 0, e.g. one valued item), the Nash point is undefined: such runs have an empty <code>nash_utility</code> and exploitation index and leave the exploitation statistics (counted per level below). The exploitation index is (U − U_NBS) / U_NBS on raw utilities, for runs with a deal.</p>
<h3 id="value-entropy">Value entropy by level</h3>
<p class="small muted">A stated confound: the value entropy of a vector is the Shannon entropy in bits of values ÷ 100 (0 = everything on one item; log₂ m = even over m items), averaged over the agents of a run and then over runs. Concentration changes with the level (low levels give more concentrated values), so a level effect mixes similarity of the values with their concentration.</p>
${
  recorded
    ? table(
        rows,
        [
          { head: 'Level', num: true, cell: (r) => esc(r.level) },
          { head: 'Runs', num: true, cell: (r) => int(r.runs) },
          {
            head: 'Mean value entropy (bits)',
            num: true,
            cell: (r) => (r.mean === null ? '<span class="muted">–</span>' : num(r.mean, 3)),
          },
          { head: 'Runs without a Nash point', num: true, cell: (r) => int(r.no_nash) },
        ],
        { id: 'entropy-table' },
      )
    : '<p class="muted">Not recorded in these tables (runs.csv predates its value_entropy column); re-run <code>bargain collect</code> to add it.</p>'
}`;
}

function card(k: string, v: string, sub = ''): string {
  return `<div class="card"><div class="k">${esc(k)}</div><div class="v">${v}</div>${sub ? `<div class="small muted">${sub}</div>` : ''}</div>`;
}

function figure(c: RenderedChart): string {
  if (!c.svg) {
    return `<figure id="plot-${esc(c.id)}"><h3>${esc(c.title)}</h3><div class="notice">No plot: ${esc(c.empty ?? 'nothing to show')}.</div><figcaption>${esc(c.caption)}</figcaption></figure>`;
  }
  return `<figure id="plot-${esc(c.id)}" class="plot">${c.svg}<figcaption>${esc(c.caption)} <a href="plots/${esc(c.id)}.png">PNG</a> · <a href="plots/${esc(c.id)}.svg">SVG</a></figcaption></figure>`;
}

/** Calls, tokens and dollars per model, summed over runs.csv's seats (scripted models have none and are left out). */
export type ModelCost = ModelTotals & { model: string };

export function modelCosts(runs: readonly RunRow[]): ModelCost[] {
  return Object.entries(modelTotals(runs))
    .map(([model, t]) => ({ model, ...t }))
    .filter((c) => c.calls > 0)
    .sort((a, b) => b.cost_usd - a.cost_usd || a.model.localeCompare(b.model));
}

function costSection(rows: readonly ModelCost[]): string {
  return `<h2 id="cost">Cost by model</h2>
<p class="small muted">Over every completed run and seat (runs.csv). Cached input: the share of input tokens read from the provider's prompt cache (billed at the cached price); cache writes are input tokens stored in the cache (Anthropic bills them at its cache-write price). Both are parts of the input tokens.</p>
${
  rows.length
    ? table(
        rows,
        [
          { head: 'Model', cell: (c) => esc(c.model) },
          { head: 'Seats', num: true, cell: (c) => int(c.seats) },
          { head: 'Calls', num: true, cell: (c) => int(c.calls) },
          { head: 'Input tokens', num: true, cell: (c) => int(c.input_tokens) },
          {
            head: 'Cached input',
            num: true,
            title: 'cache-read tokens ÷ input tokens',
            cell: (c) =>
              `${pct(c.input_tokens ? c.cache_read_tokens / c.input_tokens : null)} <span class="ci">${int(c.cache_read_tokens)}</span>`,
          },
          { head: 'Cache writes', num: true, cell: (c) => int(c.cache_write_tokens) },
          { head: 'Output tokens', num: true, cell: (c) => int(c.output_tokens) },
          { head: 'Of which reasoning', num: true, cell: (c) => int(c.reasoning_tokens) },
          { head: 'Cost', num: true, cell: (c) => usd(c.cost_usd) },
        ],
        { id: 'cost-table' },
      )
    : '<p class="muted">No model calls recorded (scripted agents only, or nothing ran yet).</p>'
}`;
}

export function indexPage(p: IndexPageInput): string {
  const { agg, results } = p;
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const total = results.length;
  const success = count('SUCCESS');
  const failed = results.filter(isFailed);
  const missing = results.filter(isMissing);
  const planned = results.reduce((t, r) => t + (r.num_runs ?? 0), 0);
  const o = agg.overall.stats;
  const statusLine = ['SUCCESS', 'FAILED', 'TIMEOUT', 'RUNNING', 'INCOMPLETE', 'NOT_STARTED']
    .filter((s) => count(s) > 0)
    .map((s) => `${count(s)} ${s.toLowerCase().replace('_', ' ')}`)
    .join(' · ');

  const cards = [
    card('Experiments', int(total), esc(statusLine)),
    card('Runs completed', int(agg.runs), `of ${int(planned)} planned`),
    card('Success rate', pct(total ? success / total : null), `${int(success)} of ${int(total)} experiments`),
    card(
      'Agreement rate',
      pct(o.agreement_rate.mean),
      `95% CI [${pct(o.agreement_rate.lo)}, ${pct(o.agreement_rate.hi)}]`,
    ),
    card(
      'Mean advantage',
      num(o.advantage.mean, 1),
      `strong − weak, utility points; 95% CI [${num(o.advantage.lo, 1)}, ${num(o.advantage.hi, 1)}]`,
    ),
    card('Model calls', int(p.totals.calls)),
    card(
      'Tokens',
      int(p.totals.input_tokens + p.totals.output_tokens + p.totals.reasoning_tokens),
      `${int(p.totals.input_tokens)} in · ${int(p.totals.output_tokens)} out · ${int(p.totals.reasoning_tokens)} reasoning`,
    ),
    card(
      'Cached input',
      pct(p.totals.input_tokens ? p.totals.cache_read_tokens / p.totals.input_tokens : null),
      `${int(p.totals.cache_read_tokens)} of ${int(p.totals.input_tokens)} input tokens read from the prompt cache · ${int(p.totals.cache_write_tokens)} written`,
    ),
    card('Cost', usd(p.totals.cost_usd)),
  ].join('');

  const notices: string[] = [];
  if (!agg.runs)
    notices.push(
      '<div class="notice bad">No completed runs yet: the plots and tables below are empty. Run <code>bargain run</code>, then <code>bargain collect</code>.</div>',
    );
  if (missing.length) {
    notices.push(
      `<div class="notice"><b>${int(missing.length)} of ${int(total)} experiments have no result yet</b> (${count('RUNNING') ? `${count('RUNNING')} running, ` : ''}${count('INCOMPLETE')} incomplete, ${count('NOT_STARTED')} not started): ` +
        `every number and plot below leaves them out. <a href="#missing">Which ones</a>. Resume with <code>bargain run --results-dir ${esc(p.resultsDir)}</code>.</div>`,
    );
  }
  if (failed.length) {
    notices.push(
      `<div class="notice bad"><b>${int(failed.length)} experiment${failed.length === 1 ? '' : 's'} failed</b> (${count('FAILED')} failed, ${count('TIMEOUT')} timed out); ` +
        `runs they completed before failing are included. <a href="#failures">Reasons</a>. Re-run with <code>bargain retry --results-dir ${esc(p.resultsDir)}</code>.</div>`,
    );
  }
  if (agg.skipped.runs)
    notices.push(
      `<div class="notice">${int(agg.skipped.runs)} run(s) left out of the aggregates: ${esc(agg.skipped.reasons.join('; '))}.</div>`,
    );
  for (const w of p.servedWarnings ?? [])
    notices.push(`<div class="notice bad served-model"><b>Another model answered</b>: ${esc(w)}</div>`);
  for (const w of p.warnings) notices.push(`<div class="notice">${esc(w)}</div>`);
  if (!notices.length)
    notices.push('<div class="notice ok">Every experiment of the grid completed successfully.</div>');

  const sc = agg.scaling;
  const scoreRows = [
    ...agg.weak_models.map((m) => ({ m, role: 'weak' })),
    ...agg.strong_models.map((m) => ({ m, role: 'strong' })),
  ];
  const scaling = `<h2 id="scaling">Scaling: advantage vs capability gap</h2>
${sc.unscored_models.length ? `<div class="notice">Left out of the scaling plot and fits (no capability score): ${esc(sc.unscored_models.join(', '))}. Add a <code>capability</code> score to the model registry to include them.</div>` : ''}
${table(sc.fits, [
  { head: 'Levels', cell: (f) => (f.level === null ? 'all (pooled)' : esc(f.level)) },
  { head: 'Cells', num: true, cell: (f) => int(f.cells) },
  {
    head: 'Slope per 100 score points',
    num: true,
    title: 'advantage (utility points) per 100 points of capability gap; OLS over cell means, 95% t interval',
    cell: (f) =>
      f.fit
        ? `${num(f.fit.slope * 100, 2)} <span class="ci">[${num(f.fit.lo * 100, 2)}, ${num(f.fit.hi * 100, 2)}]</span>`
        : `<span class="muted">${esc(f.reason ?? '')}</span>`,
  },
  { head: 'Intercept', num: true, cell: (f) => num(f.fit?.intercept ?? null, 2) },
  { head: 'R²', num: true, cell: (f) => num(f.fit?.r2 ?? null, 3) },
])}
<details><summary>Capability scores used</summary>${table(scoreRows, [
    { head: 'Model', cell: (r) => esc(r.m) },
    { head: 'Role', cell: (r) => esc(r.role) },
    {
      head: 'Score',
      num: true,
      cell: (r) => (typeof p.scores[r.m] === 'number' ? num(p.scores[r.m]!, 0) : '<span class="muted">none</span>'),
    },
  ])}</details>`;

  const shell = (t: { id: string; cols: DataColumn<never>[]; rows: readonly unknown[] }, filterLabel: string) =>
    dataTableShell(t.id, t.cols, { rows: t.rows.length, build: p.generatedAt, filterLabel });
  const paged = pagedTables(p);
  const failures = `<h2 id="failures">Failures</h2>${
    failed.length ? shell(paged.failures, 'Filter failures (model, level, reason …)') : '<p class="muted">None.</p>'
  }`;
  const missingSec = `<h2 id="missing">Missing</h2>${
    missing.length
      ? `<p>RUNNING: a process runs it now (it holds the experiment's lease). INCOMPLETE: a log exists but no result (interrupted). NOT_STARTED: never run.</p>` +
        shell(paged.missing, 'Filter missing experiments (model, level, status …)')
      : '<p class="muted">Nothing: every experiment has a result.</p>'
  }`;

  const experiments = `<h2 id="experiments">Experiments</h2>
${shell(paged.experiments, 'Filter experiments (model, level, status …)')}`;

  const b = agg.bootstrap;
  const body = `<nav class="top"><a href="#headline">Headline</a><a href="#plots">Plots</a><a href="#scaling">Scaling</a><a href="#tables">Tables</a><a href="#seat">Seat effect</a><a href="#cost">Cost</a><a href="#failures">Failures (${failed.length})</a><a href="#missing">Missing (${missing.length})</a><a href="#experiments">Experiments</a><a href="#method">Method</a></nav>
<h1>${esc(p.title)}</h1>
<p class="muted">Results directory <code>${esc(p.resultsDir)}</code> · generated ${esc(p.generatedAt)} · ${esc(new Set(results.map((r) => r.weak_model)).size)} weak × ${esc(new Set(results.map((r) => r.strong_model)).size)} strong models × ${esc(new Set(results.map((r) => r.competition_level)).size)} competition level(s)</p>${
    results.some((r) => r.game === 'treaty')
      ? `<p class="notice game-note">Diplomatic treaty: ${esc(results.filter((r) => r.game === 'treaty').length)} experiment(s). Their level is θ, the cosine similarity of the agents' issue weights (the treaty's competition level); ρ, the rank correlation of their ideal positions (${esc([...new Set(results.filter((r) => r.game === 'treaty').map((r) => r.rho))].join(', '))}), is the second axis. The Nash point is the Nash bargaining solution over agreement vectors.</p>`
      : ''
  }${
    results.some((r) => r.game === 'cofunding')
      ? `<p class="notice game-note">Co-funding: ${esc(results.filter((r) => r.game === 'cofunding').length)} experiment(s). Their level is α, the cosine similarity of the agents' valuations of the projects (co-funding's competition level); σ, the total budget over the total cost (${esc([...new Set(results.filter((r) => r.game === 'cofunding').map((r) => r.sigma))].join(', '))}), is the second axis. The baseline of the exploitation index is Lindahl shares on the welfare-optimal set of projects.</p>`
      : ''
  }
<section id="headline"><div class="cards">${cards}</div>${notices.join('\n')}</section>
<h2 id="plots">Plots</h2>
${p.charts.map(figure).join('\n')}
${scaling}
<h2 id="tables">Aggregates</h2>
<p class="small muted">Each cell: mean <span class="ci">[95% CI]</span>. Utilities in utility points (of 100, discounted by γ per round); advantage is strong − weak per run, then averaged. Share and exploitation index over runs with a deal. Hover a column head for its unit.</p>
<h3>By competition level</h3>${staticTable(agg.by_level, groupCols(['level']))}
<h3>By pair (weak, strong)</h3>${staticTable(agg.by_pair, groupCols(['weak', 'strong']))}
<h3>By strong model and level</h3>${shell(paged.strongLevel, 'Filter by strong model or level')}
<details><summary>By cell (weak, strong, level): ${int(agg.by_cell.length)} rows</summary>
${shell(paged.cells, 'Filter cells (model, level …)')}</details>
<h3>Overall</h3>${staticTable([agg.overall], groupCols([]))}
<h2 id="seat">Seat effect</h2>
<p class="small muted">Over complete seat-swapped pairs (runs 2k and 2k+1: same preferences, seats reversed). First-seat advantage = seat 1's utility − seat 2's, averaged over the two runs, so model strength cancels; ${int(agg.seat_effect.unpaired_runs)} run(s) without their partner are left out.</p>
${seatTable([agg.seat_effect.overall, ...agg.seat_effect.by_level], (g) => (g.level === null ? 'all' : `level ${g.level}`))}
<details><summary>By pair</summary>${seatTable(agg.seat_effect.by_pair, (g) => `${g.weak} vs ${g.strong}`)}</details>
${costSection(p.costs ?? [])}
${failures}
${missingSec}
${experiments}
<h2 id="method">Method and files</h2>
${levelConstruction(agg)}
<p>95% intervals are percentile bootstraps with ${int(b.resamples)} resamples of whole runs (of seat-swapped pairs for the seat effect), seeded (seed ${esc(b.seed)}) per group, so the same data give the same numbers on every run. Scaling slopes are ordinary least squares over the (weak, strong, level) cell means with a t-based 95% interval.</p>
<ul>${p.files.map((f) => `<li><a href="${esc(f.href)}">${esc(f.label)}</a></li>`).join('')}</ul>
`;
  return page(p.title, body, { script: INDEX_SCRIPT, dataScripts: [INDEX_DATA_FILE] });
}
