/**
 * The tidy tables the report reads: runs.csv (one row per negotiation run and seat) and
 * results.csv (one row per experiment), as typed rows, with a small RFC 4180 CSV reader
 * and writer. Empty cells are null. Column lists are the contract with src/grid's
 * collect (tmp/GRID_CONTRACT.md); a file missing a column is refused with the fix.
 * No I/O here.
 */
import { UserError } from '../errors.ts';

export const RUN_COLUMNS = [
  'experiment_id', 'weak_model', 'strong_model', 'pair', 'competition_level', 'random_seed', 'run_index',
  'pair_index', 'seats_swapped', 'seat', 'agent', 'model', 'role', 'cosine_similarity', 'consensus', 'round',
  'utility', 'raw_utility', 'share', 'welfare', 'exploitation_index', 'nash_utility', 'pareto_optimal',
  'repairs', 'voided', 'calls', 'input_tokens', 'output_tokens', 'reasoning_tokens', 'cost_usd', 'status',
  'cache_read_tokens', 'cache_write_tokens', 'value_entropy',
] as const;

export const RESULT_COLUMNS = [
  'experiment_id', 'weak_model', 'strong_model', 'competition_level', 'random_seed', 'num_runs', 'status',
  'exit_code', 'duration_s', 'runs_completed', 'agreement_rate', 'mean_round', 'weak_utility', 'strong_utility',
  'advantage', 'repairs', 'voided', 'calls', 'cost_usd', 'error', 'result_file',
  'input_tokens', 'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_write_tokens',
] as const;

/**
 * Columns appended after a table's first release: a table written before them (an older
 * collect) lacks them and reads them as their default instead of being refused.
 */
const LATER_RUN_COLUMNS: Partial<Record<(typeof RUN_COLUMNS)[number], unknown>> = {
  cache_read_tokens: 0, cache_write_tokens: 0, value_entropy: null,
};
const LATER_RESULT_COLUMNS: Partial<Record<(typeof RESULT_COLUMNS)[number], unknown>> = {
  input_tokens: null, output_tokens: null, reasoning_tokens: null, cache_read_tokens: null, cache_write_tokens: null,
};

export interface RunRow {
  experiment_id: number;
  weak_model: string;
  strong_model: string;
  pair: string;
  competition_level: number;
  random_seed: number;
  run_index: number;
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
  calls: number;
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
  /** status of the experiment the run belongs to */
  status: string;
  /** input tokens read from the provider's prompt cache (part of input_tokens); 0 in tables from before they were counted */
  cache_read_tokens: number;
  /** input tokens written to the prompt cache (part of input_tokens) */
  cache_write_tokens: number;
  /** mean Shannon entropy (bits) of the run's value vectors; null in tables from before it was written */
  value_entropy: number | null;
}

export type ExperimentStatus = 'SUCCESS' | 'FAILED' | 'TIMEOUT' | 'RUNNING' | 'INCOMPLETE' | 'NOT_STARTED';

export interface ResultRow {
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
}

type Kind = 'int' | 'num' | 'str' | 'bool';

const RUN_KINDS: Record<(typeof RUN_COLUMNS)[number], [Kind, boolean]> = {
  // [kind, nullable]
  experiment_id: ['int', false], weak_model: ['str', false], strong_model: ['str', false], pair: ['str', false],
  competition_level: ['num', false], random_seed: ['int', false], run_index: ['int', false], pair_index: ['int', false],
  seats_swapped: ['bool', false], seat: ['int', false], agent: ['str', false], model: ['str', false], role: ['str', true],
  cosine_similarity: ['num', false], consensus: ['bool', false], round: ['int', true], utility: ['num', false],
  raw_utility: ['num', false], share: ['num', true], welfare: ['num', false], exploitation_index: ['num', true],
  nash_utility: ['num', true], pareto_optimal: ['bool', true], repairs: ['int', false], voided: ['int', false],
  calls: ['int', false], input_tokens: ['int', false], output_tokens: ['int', false], reasoning_tokens: ['int', false],
  cost_usd: ['num', false], status: ['str', false], cache_read_tokens: ['int', false], cache_write_tokens: ['int', false],
  value_entropy: ['num', true],
};

const RESULT_KINDS: Record<(typeof RESULT_COLUMNS)[number], [Kind, boolean]> = {
  experiment_id: ['int', false], weak_model: ['str', false], strong_model: ['str', false], competition_level: ['num', false],
  random_seed: ['int', true], num_runs: ['int', true], status: ['str', false], exit_code: ['int', true],
  duration_s: ['num', true], runs_completed: ['int', true], agreement_rate: ['num', true], mean_round: ['num', true],
  weak_utility: ['num', true], strong_utility: ['num', true], advantage: ['num', true], repairs: ['int', true],
  voided: ['int', true], calls: ['int', true], cost_usd: ['num', true], error: ['str', true], result_file: ['str', true],
  input_tokens: ['int', true], output_tokens: ['int', true], reasoning_tokens: ['int', true], cache_read_tokens: ['int', true],
  cache_write_tokens: ['int', true],
};

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;   // BOM
  let quoted = false;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false; i++; continue;
      }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') i++;
    if (c === '\n' || c === '\r') { row.push(field); rows.push(row); row = []; field = ''; i++; continue; }
    field += c; i++;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text with a header row; null/undefined become empty cells. */
export function toCsv<T extends object>(columns: readonly (keyof T & string)[], rows: readonly T[]): string {
  let out = columns.join(',') + '\n';
  for (const r of rows) out += columns.map((c) => csvCell(r[c])).join(',') + '\n';
  return out;
}

function convert(kind: Kind, nullable: boolean, raw: string, where: () => string): unknown {
  if (raw === '') {
    if (nullable) return null;
    if (kind === 'str') return '';
    throw new UserError(`${where()} is empty but must hold a value; re-run \`bargain collect\` to rewrite the table`);
  }
  switch (kind) {
    case 'str': return raw;
    case 'bool':
      if (raw === 'true' || raw === 'True' || raw === '1') return true;
      if (raw === 'false' || raw === 'False' || raw === '0') return false;
      break;
    case 'int': case 'num': {
      const x = Number(raw);
      if (Number.isFinite(x) && (kind === 'num' || Number.isInteger(x))) return x;
      break;
    }
  }
  throw new UserError(`${where()} holds "${raw.slice(0, 40)}", not a ${kind === 'bool' ? 'true/false' : kind === 'int' ? 'whole number' : 'number'}; re-run \`bargain collect\` to rewrite the table`);
}

function readTable<T>(text: string, name: string, kinds: Record<string, [Kind, boolean]>, later: Record<string, unknown> = {}): T[] {
  const rows = parseCsv(text).filter((r) => !(r.length === 1 && r[0] === ''));
  if (rows.length === 0) throw new UserError(`${name} is empty (no header); re-run \`bargain collect\` to rewrite it`);
  const header = rows[0].map((h) => h.trim());
  const index = new Map(header.map((h, k) => [h, k]));
  const missing = Object.keys(kinds).filter((c) => !index.has(c) && !(c in later));
  if (missing.length) {
    throw new UserError(`${name} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; re-run \`bargain collect\` to rewrite it`);
  }
  const out: T[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cells = rows[r];
    const obj: Record<string, unknown> = {};
    for (const [col, [kind, nullable]] of Object.entries(kinds)) {
      if (!index.has(col)) { obj[col] = later[col]; continue; }
      obj[col] = convert(kind, nullable, cells[index.get(col)!] ?? '', () => `${name} line ${r + 1}, column ${col},`);
    }
    out.push(obj as T);
  }
  return out;
}

export function parseRunsCsv(text: string, name = 'runs.csv'): RunRow[] {
  return readTable<RunRow>(text, name, RUN_KINDS, LATER_RUN_COLUMNS);
}

export function parseResultsCsv(text: string, name = 'results.csv'): ResultRow[] {
  return readTable<ResultRow>(text, name, RESULT_KINDS, LATER_RESULT_COLUMNS);
}
