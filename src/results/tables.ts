/**
 * The tidy tables of a results directory: runs.csv (one row per negotiation run and seat)
 * and results.csv (one row per experiment). Each column is declared once here with its
 * kind; collect writes rows built here and the report reads them back through the same
 * declarations. Columns are only ever appended (scripts read them by position); a table
 * written before a later column reads it as that column's default instead of being refused.
 * Empty cells are null. No I/O.
 */
import { UserError } from '../errors.ts';
import { GAMES, meanValueEntropy, type GameName } from '../game/index.ts';
import { csvRows, toCsv } from './csv.ts';
import type { ExperimentConfig } from './config.ts';
import type { ExperimentStatus, ResultFile } from './document.ts';
import type { Spend } from '../protocol/series.ts';
import { seatSum } from './totals.ts';

export type Kind = 'int' | 'num' | 'str' | 'bool';
/** [name, kind, nullable, default in tables written before the column existed] */
type ColumnSpec = readonly [name: string, kind: Kind, nullable: boolean, later?: { value: unknown }];
const later = (value: unknown) => ({ value });

const RUN_TABLE = [
  ['experiment_id', 'int', false],
  ['weak_model', 'str', false],
  ['strong_model', 'str', false],
  ['pair', 'str', false],
  ['competition_level', 'num', false],
  ['random_seed', 'int', false],
  ['run_index', 'int', false],
  ['pair_index', 'int', false],
  ['seats_swapped', 'bool', false],
  ['seat', 'int', false],
  ['agent', 'str', false],
  ['model', 'str', false],
  ['role', 'str', true],
  ['cosine_similarity', 'num', false],
  ['consensus', 'bool', false],
  ['round', 'int', true],
  ['utility', 'num', false],
  ['raw_utility', 'num', false],
  ['share', 'num', true],
  ['welfare', 'num', false],
  ['exploitation_index', 'num', true],
  ['nash_utility', 'num', true],
  ['pareto_optimal', 'bool', true],
  ['repairs', 'int', false],
  ['voided', 'int', false],
  ['calls', 'int', false],
  ['input_tokens', 'int', false],
  ['output_tokens', 'int', false],
  ['reasoning_tokens', 'int', false],
  ['cost_usd', 'num', false],
  ['status', 'str', false],
  // appended: prompt-cache reads and writes, parts of input_tokens
  ['cache_read_tokens', 'int', false, later(0)],
  ['cache_write_tokens', 'int', false, later(0)],
  // appended: the run's value entropy (mean bits over agents), a confound of the competition level
  ['value_entropy', 'num', true, later(null)],
] as const satisfies readonly ColumnSpec[];

const RESULT_TABLE = [
  ['experiment_id', 'int', false],
  ['weak_model', 'str', false],
  ['strong_model', 'str', false],
  ['competition_level', 'num', false],
  ['random_seed', 'int', true],
  ['num_runs', 'int', true],
  ['status', 'str', false],
  ['exit_code', 'int', true],
  ['duration_s', 'num', true],
  ['runs_completed', 'int', true],
  ['agreement_rate', 'num', true],
  ['mean_round', 'num', true],
  ['weak_utility', 'num', true],
  ['strong_utility', 'num', true],
  ['advantage', 'num', true],
  ['repairs', 'int', true],
  ['voided', 'int', true],
  ['calls', 'int', true],
  ['cost_usd', 'num', true],
  ['error', 'str', true],
  ['result_file', 'str', true],
  // appended: the experiment's tokens; cache reads and writes are parts of input_tokens
  ['input_tokens', 'int', true, later(null)],
  ['output_tokens', 'int', true, later(null)],
  ['reasoning_tokens', 'int', true, later(null)],
  ['cache_read_tokens', 'int', true, later(null)],
  ['cache_write_tokens', 'int', true, later(null)],
] as const satisfies readonly ColumnSpec[];

export const RUN_COLUMNS = RUN_TABLE.map((c) => c[0]);
export const RESULT_COLUMNS = RESULT_TABLE.map((c) => c[0]);

/**
 * The game columns, appended to both tables only when they hold a game other than item
 * allocation (so item-allocation tables are as before): the game, the treaty's ρ, and in
 * runs.csv every game's own metric columns (named by the game: Game.runColumns), empty in
 * other games' rows. Read back, a table without them is item allocation.
 */
const GAME_METRIC_TABLE: readonly ColumnSpec[] = Object.values(GAMES).flatMap((g) =>
  g.runColumns.map((c) => [c.name, c.kind, true, later(null)] as const),
);
const GAME_RUN_TABLE: readonly ColumnSpec[] = [
  ['game', 'str', false, later('item-allocation')],
  ['rho', 'num', true, later(null)],
  ...GAME_METRIC_TABLE,
  // appended with the co-funding game
  ['sigma', 'num', true, later(null)],
];
const GAME_RESULT_TABLE: readonly ColumnSpec[] = [
  ['game', 'str', false, later('item-allocation')],
  ['rho', 'num', true, later(null)],
  ['num_issues', 'int', true, later(null)],
  // appended with the co-funding game
  ['sigma', 'num', true, later(null)],
  ['num_projects', 'int', true, later(null)],
];
export const GAME_RUN_COLUMNS = GAME_RUN_TABLE.map((c) => c[0]);
export const GAME_RESULT_COLUMNS = GAME_RESULT_TABLE.map((c) => c[0]);

/** The game fields of a row: absent in item-allocation tables. */
export interface GameFields {
  game?: GameName;
  /** treaty: the rank correlation of positions (a level parameter) */
  rho?: number | null;
  /** co-funding: total budget ÷ total cost (a level parameter) */
  sigma?: number | null;
}

/** One seat of one run; its spend columns are the seat's (cache reads and writes 0 in tables from before they were counted). */
export interface RunRow extends Required<Spend>, GameFields {
  experiment_id: number;
  weak_model: string;
  strong_model: string;
  pair: string;
  competition_level: number;
  random_seed: number;
  run_index: number;
  /** the preference draw (seat-swapped pair when n = 2) */
  pair_index: number;
  seats_swapped: boolean;
  /** 0-based */
  seat: number;
  agent: string;
  model: string;
  /** 'weak' | 'strong' in a grid */
  role: string | null;
  cosine_similarity: number;
  consensus: boolean;
  /** agreement round; null without agreement */
  round: number | null;
  /** discounted */
  utility: number;
  raw_utility: number;
  /** raw / welfare; null without a deal */
  share: number | null;
  welfare: number;
  exploitation_index: number | null;
  nash_utility: number | null;
  pareto_optimal: boolean | null;
  repairs: number;
  voided: number;
  /** status of the experiment the run belongs to */
  status: string;
  /** mean Shannon entropy (bits) of the run's value vectors; null in tables from before it was written */
  value_entropy: number | null;
  /** the game's own per-run metrics (Game.runColumns), by column name */
  game_metrics?: Record<string, number | boolean | string | null>;
}

export interface ResultRow extends GameFields {
  experiment_id: number;
  weak_model: string;
  strong_model: string;
  competition_level: number;
  random_seed: number | null;
  num_runs: number | null;
  status: ExperimentStatus | string;
  exit_code: number | null;
  duration_s: number | null;
  runs_completed: number | null;
  agreement_rate: number | null;
  mean_round: number | null;
  weak_utility: number | null;
  strong_utility: number | null;
  advantage: number | null;
  repairs: number | null;
  voided: number | null;
  calls: number | null;
  cost_usd: number | null;
  error: string | null;
  /** relative to the results directory; null when there is no result file */
  result_file: string | null;
  /** the experiment's tokens over every run and seat; null without a result (or in tables from before they were written) */
  input_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  /** treaty: the number of issues */
  num_issues?: number | null;
  /** co-funding: the number of projects */
  num_projects?: number | null;
}

// the declarations and the row types name the same columns, in both directions
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const runColumnsMatch: Same<
  (typeof RUN_COLUMNS)[number],
  Exclude<keyof RunRow, keyof GameFields | 'game_metrics'>
> = true;
const resultColumnsMatch: Same<
  (typeof RESULT_COLUMNS)[number],
  Exclude<keyof ResultRow, keyof GameFields | 'num_issues' | 'num_projects'>
> = true;
void runColumnsMatch;
void resultColumnsMatch;

// ---------- writing ----------

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const r4 = (x: number | null) => (x === null ? null : Math.round(x * 1e4) / 1e4);

/** As recorded; a result written before the field existed gets it from its preferences (the same definition). */
function valueEntropyOf(run: ResultFile['runs'][number]): number {
  return run.value_entropy ?? Math.round(meanValueEntropy(run.preferences) * 1e6) / 1e6;
}

type RowConfig = Pick<
  ExperimentConfig,
  'experiment_id' | 'weak_model' | 'strong_model' | 'competition_level' | 'random_seed' | 'game' | 'rho' | 'sigma'
>;

/** A game other than item allocation: its rows carry the game fields. */
const otherGame = (c: { game?: GameName }): boolean => c.game !== undefined && c.game !== 'item-allocation';

/** runs.csv rows of one experiment's result: one per run and seat. */
export function runRows(c: RowConfig, r: Pick<ResultFile, 'runs' | 'status'>): RunRow[] {
  const rows: RunRow[] = [];
  for (const run of r.runs) {
    for (const a of run.agents) {
      rows.push({
        experiment_id: c.experiment_id,
        weak_model: c.weak_model,
        strong_model: c.strong_model,
        pair: `${c.weak_model}_vs_${c.strong_model}`,
        competition_level: c.competition_level,
        random_seed: c.random_seed,
        run_index: run.run_index,
        pair_index: run.pair_index,
        seats_swapped: run.seats_swapped,
        seat: a.seat,
        agent: a.agent,
        model: a.model,
        role: a.role,
        cosine_similarity: run.cosine_similarity,
        consensus: run.consensus,
        round: run.round,
        utility: a.utility,
        raw_utility: a.raw_utility,
        share: a.share,
        welfare: run.welfare,
        exploitation_index: a.exploitation_index,
        nash_utility: a.nash_utility,
        pareto_optimal: run.pareto_optimal,
        repairs: a.repairs,
        voided: a.voided,
        calls: a.calls,
        input_tokens: a.input_tokens,
        output_tokens: a.output_tokens,
        reasoning_tokens: a.reasoning_tokens,
        cost_usd: a.cost_usd,
        status: r.status,
        cache_read_tokens: a.cache_read_tokens ?? 0,
        cache_write_tokens: a.cache_write_tokens ?? 0,
        value_entropy: valueEntropyOf(run),
        ...(otherGame(c)
          ? {
              game: c.game,
              rho: c.rho ?? null,
              sigma: c.sigma ?? null,
              game_metrics: Object.fromEntries(
                GAMES[c.game!].runColumns.map((col) => [
                  col.name,
                  ((col.perSeat ? a : run) as unknown as Record<string, unknown>)[col.name] ?? null,
                ]),
              ) as RunRow['game_metrics'],
            }
          : {}),
      });
    }
  }
  return rows;
}

/** Outcome statistics over results: agreement, mean agreement round, each side's mean (discounted) utility. */
export function outcomeStats(results: readonly Pick<ResultFile, 'runs'>[]) {
  const runs = results.flatMap((r) => r.runs);
  const side = (role: string) => runs.flatMap((run) => run.agents.filter((a) => a.role === role).map((a) => a.utility));
  const agreed = runs.filter((r) => r.consensus);
  const weak = mean(side('weak')),
    strong = mean(side('strong'));
  return {
    runs: runs.length,
    agreement_rate: r4(runs.length ? agreed.length / runs.length : null),
    mean_round: r4(mean(agreed.map((r) => r.round!))),
    weak_utility: r4(weak),
    strong_utility: r4(strong),
    advantage: r4(weak === null || strong === null ? null : strong - weak),
  };
}

export interface ExperimentOutcome {
  config: Pick<
    ExperimentConfig,
    'experiment_id' | 'weak_model' | 'strong_model' | 'competition_level' | 'random_seed' | 'num_runs'
  > &
    Partial<Pick<ExperimentConfig, 'game' | 'rho' | 'num_issues' | 'sigma' | 'num_projects'>>;
  status: ExperimentStatus | string;
  result: ResultFile | null;
  /** why the experiment has no result (INCOMPLETE, RUNNING) */
  note?: string;
  /** the result file's path relative to the results directory */
  resultFile: string;
}

/** The results.csv row of one experiment, with or without a result. */
export function resultRow({ config: c, status, result: r, note, resultFile }: ExperimentOutcome): ResultRow {
  const o = r ? outcomeStats([r]) : null;
  return {
    experiment_id: c.experiment_id,
    weak_model: c.weak_model,
    strong_model: c.strong_model,
    competition_level: c.competition_level,
    random_seed: c.random_seed,
    num_runs: c.num_runs,
    status,
    exit_code: r?.exit_code ?? null,
    duration_s: r?.duration_s ?? null,
    runs_completed: r?.runs_completed ?? 0,
    agreement_rate: o?.agreement_rate ?? null,
    mean_round: o?.mean_round ?? null,
    weak_utility: o?.weak_utility ?? null,
    strong_utility: o?.strong_utility ?? null,
    advantage: o?.advantage ?? null,
    repairs: r ? seatSum(r, 'repairs') : null,
    voided: r ? seatSum(r, 'voided') : null,
    calls: r?.calls ?? null,
    cost_usd: r?.cost_usd ?? null,
    error: r?.error ?? note ?? null,
    result_file: r ? resultFile : null,
    input_tokens: r ? seatSum(r, 'input_tokens') : null,
    output_tokens: r ? seatSum(r, 'output_tokens') : null,
    reasoning_tokens: r ? seatSum(r, 'reasoning_tokens') : null,
    cache_read_tokens: r ? seatSum(r, 'cache_read_tokens') : null,
    cache_write_tokens: r ? seatSum(r, 'cache_write_tokens') : null,
    ...(otherGame(c)
      ? {
          game: c.game,
          rho: c.rho ?? null,
          num_issues: c.num_issues ?? null,
          sigma: c.sigma ?? null,
          num_projects: c.num_projects ?? null,
        }
      : {}),
  };
}

const withGame = <T extends GameFields>(rows: readonly T[]) => rows.some((r) => otherGame(r));
const flat = (r: RunRow) => ({ ...r, game: r.game ?? 'item-allocation', ...r.game_metrics });

export const runsCsv = (rows: readonly RunRow[]): string =>
  withGame(rows) ? toCsv([...RUN_COLUMNS, ...GAME_RUN_COLUMNS] as never, rows.map(flat)) : toCsv(RUN_COLUMNS, rows);
export const resultsCsv = (rows: readonly ResultRow[]): string =>
  withGame(rows)
    ? toCsv(
        [...RESULT_COLUMNS, ...GAME_RESULT_COLUMNS] as never,
        rows.map((r) => ({ ...r, game: r.game ?? 'item-allocation' })),
      )
    : toCsv(RESULT_COLUMNS, rows);

// ---------- reading ----------

function convert(kind: Kind, nullable: boolean, raw: string, where: () => string): unknown {
  if (raw === '') {
    if (nullable) return null;
    if (kind === 'str') return '';
    throw new UserError(`${where()} is empty but must hold a value; re-run \`bargain collect\` to rewrite the table`);
  }
  switch (kind) {
    case 'str':
      return raw;
    case 'bool':
      if (raw === 'true' || raw === 'True' || raw === '1') return true;
      if (raw === 'false' || raw === 'False' || raw === '0') return false;
      break;
    case 'int':
    case 'num': {
      const x = Number(raw);
      if (Number.isFinite(x) && (kind === 'num' || Number.isInteger(x))) return x;
      break;
    }
  }
  throw new UserError(
    `${where()} holds "${raw.slice(0, 40)}", not a ${kind === 'bool' ? 'true/false' : kind === 'int' ? 'whole number' : 'number'}; re-run \`bargain collect\` to rewrite the table`,
  );
}

function readTable<T>(text: string, name: string, table: readonly ColumnSpec[]): T[] {
  // row by row: the text's fields never all exist at once as strings
  const rows = csvRows(text);
  let first = rows.next();
  while (!first.done && isBlank(first.value)) first = rows.next();
  if (first.done) throw new UserError(`${name} is empty (no header); re-run \`bargain collect\` to rewrite it`);
  const header = first.value.map((h) => h.trim());
  const index = new Map(header.map((h, k) => [h, k]));
  const missing = table.filter(([col, , , old]) => !index.has(col) && !old).map(([col]) => col);
  if (missing.length) {
    throw new UserError(
      `${name} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; re-run \`bargain collect\` to rewrite it`,
    );
  }
  const out: T[] = [];
  // Every row starts as a copy of one template holding every column: rows share one shape.
  // Built up key by key, a column that is sometimes null, sometimes a number would move each
  // row to a slow dictionary (2.4 KB a row instead of under 1 KB at 34 columns).
  const template: Record<string, unknown> = Object.fromEntries(table.map(([col]) => [col, null]));
  let r = 0;
  for (const cells of rows) {
    if (isBlank(cells)) continue;
    r++;
    const obj: Record<string, unknown> = { ...template };
    for (const [col, kind, nullable, old] of table) {
      const k = index.get(col);
      obj[col] =
        k === undefined
          ? old!.value
          : convert(kind, nullable, cells[k] ?? '', () => `${name} line ${r + 1}, column ${col},`);
    }
    out.push(obj as T);
  }
  return out;
}

const isBlank = (r: string[]) => r.length === 1 && r[0] === '';

/** Whether a table's header holds the game columns. */
const hasGameColumns = (text: string): boolean => /^[^\n]*(^|,)game(,|\r?\n|$)/.test(text.replace(/^\uFEFF/, ''));

export function parseRunsCsv(text: string, name = 'runs.csv'): RunRow[] {
  if (!hasGameColumns(text)) return readTable<RunRow>(text, name, RUN_TABLE);
  const metricNames = new Set(GAME_METRIC_TABLE.map((c) => c[0]));
  return readTable<Record<string, unknown>>(text, name, [...RUN_TABLE, ...GAME_RUN_TABLE]).map((row) => {
    const out: Record<string, unknown> = {},
      metrics: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) (metricNames.has(k) ? metrics : out)[k] = v;
    if (GAMES[out.game as GameName] === undefined) {
      throw new UserError(`${name} names an unknown game "${out.game}"; re-run \`bargain collect\` to rewrite it`);
    }
    const own = new Set(GAMES[out.game as GameName].runColumns.map((c) => c.name));
    out.game_metrics = Object.fromEntries(Object.entries(metrics).filter(([k]) => own.has(k)));
    return out as unknown as RunRow;
  });
}

export function parseResultsCsv(text: string, name = 'results.csv'): ResultRow[] {
  return readTable<ResultRow>(
    text,
    name,
    hasGameColumns(text) ? [...RESULT_TABLE, ...GAME_RESULT_TABLE] : RESULT_TABLE,
  );
}
