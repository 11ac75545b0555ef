/**
 * Shared by the grid pipeline tests (test/*.test.ts): spawn the real CLI on temporary
 * results directories, hash a tree to prove nothing changed, list and parse what the
 * pipeline writes. Only node:* imports and the grid's own temp-name rule, so a bug in the
 * pipeline cannot hide in here.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { TestContext } from 'node:test';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'bargain.mjs');
export const SCRIPTS = join(ROOT, 'scripts');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for child CLIs: no API keys, no SLURM id, no colour. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  for (const k of [
    'OPENAI_API_KEY',
    'ANTHROPIC_API_KEY',
    'OPENROUTER_API_KEY',
    'GEMINI_API_KEY',
    'GOOGLE_API_KEY',
    'SLURM_ARRAY_TASK_ID',
  ]) {
    if (!(k in extra)) delete env[k];
  }
  // The test runner marks children as test processes; the CLI must behave as for a user.
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/** Runs `bargain ARGS` to completion (stdin closed, so never a terminal). */
export function bargain(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: childEnv(opts.env),
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 300_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a seed-named script to completion, executed directly (shebang and mode bits count). `path` defaults to scripts/NAME. */
export function script(
  name: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; timeoutMs?: number; path?: string } = {},
): CliResult {
  const r = spawnSync(opts.path ?? join(SCRIPTS, name), args, {
    cwd: opts.cwd ?? ROOT,
    env: childEnv(opts.env),
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 300_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export interface Running {
  child: ChildProcess;
  done: Promise<CliResult>;
  /** what it has written so far: wait on it for a state instead of sleeping */
  output(): { stdout: string; stderr: string };
}

/** Starts `bargain ARGS` in the background; `done` settles when it exits. */
export function startBargain(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env: childEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '',
    stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `cond` every `everyMs` until it holds or `timeoutMs` passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs: number, everyMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(everyMs);
  }
  return cond();
}

/** A fresh results directory under the OS temp dir, and its removal. */
export function tempDir(prefix = 'bargain-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under dir (relative paths, sorted), directories not included. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (lstatSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** Every run transcript (*.jsonl) under dir, as full paths. */
export function transcripts(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      if (n.isDirectory()) walk(join(d, n.name));
      else if (n.name.endsWith('.jsonl')) out.push(join(d, n.name));
    }
  };
  walk(dir);
  return out;
}

/** Path, type, mode, size and content hash of everything under dir: equal snapshots = nothing changed. */
export function hashTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) {
        out.set(rel + '/', `dir ${st.mode.toString(8)}`);
        walk(p);
        continue;
      }
      out.set(
        rel,
        `file ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`,
      );
    }
  };
  walk(dir);
  return out;
}

/** What differs between two hashTree snapshots, for assertion messages. */
export function treeDiff(a: Map<string, string>, b: Map<string, string>): string[] {
  const diff: string[] = [];
  for (const [k, v] of a)
    if (!b.has(k)) diff.push(`removed ${k}`);
    else if (b.get(k) !== v) diff.push(`changed ${k}`);
  for (const k of b.keys()) if (!a.has(k)) diff.push(`added ${k}`);
  return diff;
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. Returns rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [],
    cell = '',
    quoted = false,
    i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (cell !== '') throw new Error(`CSV: quote inside an unquoted cell at offset ${i}`);
      quoted = true;
      i++;
      continue;
    }
    if (ch === ',') {
      row.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (ch === '\n' || ch === '\r') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    cell += ch;
    i++;
  }
  if (quoted) throw new Error('CSV: unterminated quoted cell (truncated file?)');
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A CSV file as objects keyed by its header; throws if any row has the wrong number of cells. */
export function readCsv(path: string): { header: string[]; rows: Record<string, string>[] } {
  const text = readFileSync(path, 'utf8');
  if (!text.endsWith('\n')) throw new Error(`${path}: does not end with a newline (truncated?)`);
  const [header, ...body] = parseCsv(text);
  const rows = body.map((cells, k) => {
    if (cells.length !== header.length)
      throw new Error(`${path}: row ${k + 2} has ${cells.length} cells, header has ${header.length}`);
    return Object.fromEntries(header.map((h, j) => [h, cells[j]]));
  });
  return { header, rows };
}

export function readJson<T = any>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

/** Names the grid's atomic writer gives its temporary files (src/files.ts). */
export const TEMP_NAME = /^\..+\.tmp-.+-\d+-\d+$/;

/** Ids of the completion flags in a results directory. */
export function flagIds(dir: string): number[] {
  try {
    return readdirSync(join(dir, 'logs'))
      .map((n) => /^completed_(\d+)\.flag$/.exec(n))
      .filter((m) => m)
      .map((m) => Number(m![1]))
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/** result_N.json files anywhere under dir, as { id, path } (a duplicate id shows up twice). */
export function resultFiles(dir: string): { id: number; path: string }[] {
  return listFiles(dir)
    .map((p) => ({ p, m: /(?:^|\/)result_(\d+)\.json$/.exec(p) }))
    .filter((x) => x.m && !x.p.startsWith('archive/'))
    .map((x) => ({ id: Number(x.m![1]), path: x.p }));
}

/** The stderr of a refused command: exactly one non-empty line besides run's periodic progress lines (a slow machine prints one), returned. */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '' && !/^\[\d+\/\d+\] Completed: /.test(l));
  if (lines.length !== 1) throw new Error(`expected one stderr line, got ${lines.length}:\n${stderr}`);
  return lines[0];
}

const LOG_LINE = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] \S/;

/** Parses every file by its kind; throws naming the first one that does not. */
export function assertAllParse(dir: string): void {
  for (const rel of listFiles(dir)) {
    const p = join(dir, rel);
    const text = readFileSync(p, 'utf8');
    const name = basename(rel);
    try {
      if (/\.(json|flag)$/.test(name)) JSON.parse(text);
      else if (name.endsWith('.jsonl')) {
        assert.ok(text.endsWith('\n'), 'ends with a newline');
        text
          .slice(0, -1)
          .split('\n')
          .forEach((l) => JSON.parse(l));
      } else if (name.endsWith('.csv')) readCsv(p);
      else if (/^experiment_\d+\.log(\.old(\.\d+)?)?$/.test(name)) {
        // Empty is whole (a kill between the log's creation and its first line); a cut line is not.
        assert.ok(
          text === '' || text.endsWith('\n'),
          `ends with a whole line (ends ${JSON.stringify(text.slice(-60))})`,
        );
        if (text) for (const l of text.slice(0, -1).split('\n')) assert.match(l, LOG_LINE);
      } else if (['all_configs.txt', 'summary.txt', 'visualize_results.py'].includes(rel))
        assert.ok(text.endsWith('\n') && text.length > 20);
      else if (rel.startsWith('report/')) assert.ok(statSync(p).size > 0, 'non-empty');
      else assert.fail('a file the pipeline does not write');
    } catch (e) {
      assert.fail(`${rel} does not parse: ${(e as Error).message}`);
    }
  }
}

let template: string | null = null;

/** A results directory with a small demo grid, a few experiments run and collected (built once per test file, copied per test). */
export function populated(t: TestContext): string {
  if (!template) {
    template = tempDir('bargain-template-').dir;
    const tpl = template;
    // the file's last test may still copy it: removed when the test process ends
    process.once('exit', () => rmSync(tpl, { recursive: true, force: true }));
    assert.equal(
      bargain(['generate', '--grid', 'demo', '--levels', '0.5', '--runs', '2', '--results-dir', template]).status,
      0,
    );
    assert.equal(bargain(['run', '--jobs', '0-3', '--results-dir', template]).status, 0);
    assert.equal(bargain(['collect', '--results-dir', template]).status, 0);
  }
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  chmodSync(dir, 0o755);
  const rd = join(dir, 'results');
  cpSync(template, rd, { recursive: true });
  chmodSync(rd, 0o755); // the template came from mkdtemp (0700)
  return rd;
}

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** Starts the CLI as user nobody (uid/gid 65534, no groups) when this process can; else null. */
export function asNobody(): ((args: string[]) => Promise<CliResult>) | null {
  if (process.getuid?.() !== 0) return null;
  const probe = spawnSync('setpriv', [
    ...NOBODY,
    process.execPath,
    '-e',
    'process.exit(process.getuid() === 65534 ? 0 : 1)',
  ]);
  if (probe.status !== 0) return null;
  return (args) =>
    new Promise((resolve, reject) => {
      const child = spawn('setpriv', [...NOBODY, process.execPath, BIN, ...args], {
        env: childEnv({ HOME: '/nonexistent' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '',
        stderr = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
      });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
    });
}
