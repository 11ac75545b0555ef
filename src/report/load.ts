/**
 * Reads what the report needs from a results directory (DESIGN §4; the contract is
 * src/results): runs.csv and results.csv (written by collect), and per experiment its
 * result_N.json and transcript_N.jsonl for the experiment pages. Tolerant of a grid
 * still running or partly broken: an unreadable result or transcript line becomes a
 * note on the page, never a crash. Missing tables are a UserError naming the fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import {
  parseResultsCsv,
  parseRunsCsv,
  type ExperimentConfig,
  type ResultFile,
  type ResultRow,
  type RunRow,
} from '../results/index.ts';

/** A config file as read back for a page: the experiment id, and whatever else it holds. */
export type ExperimentConfigFile = Partial<ExperimentConfig> & { experiment_id: number; [k: string]: unknown };

export interface Tables {
  runs: RunRow[];
  results: ResultRow[];
}

function readText(path: string, what: string, fix: string): string {
  if (!existsSync(path)) throw new UserError(`${what} ${path} not found; ${fix}`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${what} ${path} (${(e as Error).message}); ${fix}`);
  }
}

export function assertResultsDir(dir: string): void {
  if (!existsSync(dir)) {
    throw new UserError(
      `results directory ${dir} not found; pass --results-dir DIR, or create one with \`bargain generate\` and \`bargain run\``,
    );
  }
}

const fixFor = (dir: string) =>
  `run \`bargain collect --results-dir ${dir}\` first (it writes the tables and the report)`;

/** runs.csv and results.csv of a results directory; `runsText` is runs.csv as read (the report keys its aggregates by it). */
export function readTables(dir: string): Tables & { runsText: string } {
  assertResultsDir(dir);
  const runsPath = join(dir, 'runs.csv');
  const runsText = readText(runsPath, 'table', fixFor(dir));
  return { runs: parseRunsCsv(runsText, runsPath), results: readResultsTable(dir), runsText };
}

/** results.csv alone (one row per experiment: small even for a big grid); says first if runs.csv is missing, as readTables does. */
export function readResultsTable(dir: string): ResultRow[] {
  assertResultsDir(dir);
  const runsPath = join(dir, 'runs.csv');
  if (!existsSync(runsPath)) throw new UserError(`table ${runsPath} not found; ${fixFor(dir)}`);
  const resultsPath = join(dir, 'results.csv');
  return parseResultsCsv(readText(resultsPath, 'table', fixFor(dir)), resultsPath);
}

/** Resolves a path from a result file (relative to the results dir) without leaving it. */
export function insideDir(dir: string, rel: string): string | null {
  const root = resolve(dir);
  const p = resolve(root, rel);
  return p === root || p.startsWith(root + '/') ? p : null;
}

export type Loaded<T> = { ok: true; value: T } | { ok: false; error: string };

/** A result file, parsed, with its text (the report fingerprints pages by it). */
export function loadResult(dir: string, rel: string): Loaded<ResultFile> & { text?: string } {
  const p = insideDir(dir, rel);
  if (!p) return { ok: false, error: `result path ${rel} points outside the results directory` };
  try {
    const text = readFileSync(p, 'utf8');
    const doc = JSON.parse(text) as ResultFile;
    if (!doc || typeof doc !== 'object' || !Array.isArray(doc.runs))
      return { ok: false, error: `${rel} is not a result file (no runs list)` };
    return { ok: true, value: doc, text };
  } catch (e) {
    return { ok: false, error: `cannot read ${rel}: ${(e as Error).message}` };
  }
}

/** A transcript's JSONL text as read (the experiment pages embed it); null with the reason when it cannot be read. */
export function loadTranscriptText(dir: string, rel: string | undefined): { text: string | null; error?: string } {
  if (!rel) return { text: null, error: 'the result names no transcript file' };
  const p = insideDir(dir, rel);
  if (!p) return { text: null, error: `transcript path ${rel} points outside the results directory` };
  try {
    return { text: readFileSync(p, 'utf8') };
  } catch (e) {
    return { text: null, error: `cannot read ${rel}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

export function loadConfig(dir: string, id: number): ExperimentConfigFile | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'configs', `config_${id}.json`), 'utf8')) as ExperimentConfigFile;
  } catch {
    return null;
  }
}
