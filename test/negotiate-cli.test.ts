/**
 * `bargain negotiate` end to end, as a user runs it (node bin/bargain.mjs): the summary,
 * the --json document (checked field by field and against the library's own runSeries),
 * the files --out writes, and bad input: exactly one stderr line, a non-zero exit, and
 * nothing written (not even over an earlier result).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cosine, makeSpec } from '../src/game/index.ts';
import { runSeries } from '../src/protocol/series.ts';
import { scriptedFactory } from '../src/agents/index.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bargain.mjs');
const work = mkdtempSync(join(tmpdir(), 'bargain-cli-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bargain negotiate …` (optionally under a privilege-dropping prefix) and collects its output. */
function bargain(args: string[], opts: SpawnOptions & { prefix?: string[] } = {}): Promise<Run> {
  const argv = [...(opts.prefix ?? []), process.execPath, BIN, 'negotiate', ...args];
  return new Promise((resolveRun, reject) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: work, timeout: 60_000, ...opts });
    let stdout = '',
      stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolveRun({ status, stdout, stderr }));
  });
}

/** Runs the checks three at a time: each CLI start is mostly tsx start-up. */
async function inParallel(jobs: (() => Promise<unknown>)[], width = 3): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

const PAIR = ['--models', 'scripted:conceder', 'scripted:boulware'];

test('prints a readable summary: seats, values, agreement round, allocation, utilities', async () => {
  const r = await bargain([...PAIR, '--runs', '2', '--competition-level', '0.5', '--seed', '7']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.match(
    r.stdout,
    /^Negotiation: scripted:conceder vs scripted:boulware \| level 0\.5 \| 5 items \| 10 rounds \| gamma 0\.9 \| seed 7$/m,
  );
  assert.match(r.stdout, /^Items: 0=Apple, 1=Jewel, 2=Stone, 3=Quill, 4=Pencil$/m);
  assert.match(r.stdout, /^Run 0 \(pair 0\): cosine similarity 0\.\d{3}$/m);
  assert.match(r.stdout, /^Run 1 \(pair 0, seats swapped\)/m);
  assert.match(r.stdout, /^ {2}Agent_1 {2}scripted:conceder {2}values \[\d+(, \d+){4}\]$/m);
  assert.match(r.stdout, /^ {2}Agent_1 {2}scripted:boulware {2}values/m);
  assert.equal(
    (
      r.stdout.match(
        /^ {2}(Agreement in round \d+: Agent_1 <- .* \| Agent_2 <- .*|No agreement: everyone gets 0)$/gm,
      ) ?? []
    ).length,
    2,
  );
  assert.equal(
    (r.stdout.match(/^ {2}Utilities: Agent_1 \d+\.\d\d \(raw \d+\) \| Agent_2 \d+\.\d\d \(raw \d+\)/gm) ?? []).length,
    2,
  );
});

test("--json prints the result document, with every per-run field, equal to the library's own run", async () => {
  const r = await bargain([
    ...PAIR,
    '--runs',
    '4',
    '--competition-level',
    '0.8',
    '--seed',
    '3',
    '--max-rounds',
    '6',
    '--gamma',
    '0.8',
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout); // stdout is the document and nothing else
  assert.deepEqual(
    [doc.competition_level, doc.num_items, doc.max_rounds, doc.gamma_discount, doc.random_seed, doc.num_runs],
    [0.8, 5, 6, 0.8, 3, 4],
  );
  assert.equal(doc.runs.length, 4);
  doc.runs.forEach((run: any, i: number) => {
    assert.equal(run.run_index, i);
    assert.equal(run.preferences.length, 2);
    for (const v of run.preferences)
      assert.equal(
        v.reduce((a: number, b: number) => a + b, 0),
        100,
      );
    assert.ok(Math.abs(run.cosine_similarity - cosine(run.preferences[0], run.preferences[1])) < 1e-6);
    assert.ok(Math.abs(run.cosine_similarity - 0.8) <= 0.01);
    assert.equal(typeof run.consensus, 'boolean');
    assert.ok(run.consensus ? Number.isInteger(run.round) && run.round >= 1 && run.round <= 6 : run.round === null);
    assert.ok(run.consensus ? typeof run.allocation === 'object' : run.allocation === null);
    assert.equal(run.agents.length, 2);
    run.agents.forEach((a: any, s: number) => {
      assert.equal(a.seat, s);
      assert.equal(a.model, (i % 2 === 0) === (s === 0) ? 'scripted:conceder' : 'scripted:boulware');
      assert.ok('role' in a);
      for (const k of ['utility', 'raw_utility', 'repairs', 'voided']) assert.equal(typeof a[k], 'number', k);
      assert.equal(a.repairs, 0);
      assert.equal(a.voided, 0);
    });
  });
  assert.deepEqual(doc.runs[1].preferences, doc.runs[0].preferences);
  // the CLI runs exactly what the library runs
  const lib = await runSeries({
    spec: makeSpec({ n: 2, m: 5, maxRounds: 6, gamma: 0.8 }),
    level: 0.8,
    seed: 3,
    numRuns: 4,
    factory: scriptedFactory,
    players: [
      { model: 'scripted:conceder', role: null },
      { model: 'scripted:boulware', role: null },
    ],
  });
  assert.deepEqual(doc.runs, JSON.parse(JSON.stringify(lib)));
});

test('--out writes result.json and transcript.jsonl that parse and agree', async () => {
  const out = join(work, 'nested', 'out');
  const r = await bargain([...PAIR, '--runs', '2', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Wrote .*result\.json and .*transcript\.jsonl/);
  assert.deepEqual(readdirSync(out).sort(), ['result.json', 'transcript.jsonl']); // no temp files left
  const doc = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
  const lines = readFileSync(join(out, 'transcript.jsonl'), 'utf8').trimEnd().split('\n');
  const events = lines.map((l) => JSON.parse(l));
  assert.deepEqual(
    events.filter((e) => e.type === 'run_start').map((e) => e.run),
    [0, 1],
  );
  const ends = events.filter((e) => e.type === 'run_end');
  assert.equal(ends.length, 2);
  ends.forEach((e, i) => {
    assert.equal(e.consensus, doc.runs[i].consensus);
    assert.deepEqual(
      e.raw_utilities,
      doc.runs[i].agents.map((a: any) => a.raw_utility),
    );
  });
  // --json alongside --out prints the same document
  const j = await bargain([...PAIR, '--runs', '2', '--out', join(work, 'out2'), '--json']);
  assert.deepEqual(JSON.parse(j.stdout), doc);
});

test('a diagnostic invalid agent shows up as repairs and voids in the result', async () => {
  const r = await bargain([
    '--models',
    'scripted:invalid',
    'scripted:boulware',
    '--runs',
    '2',
    '--max-rounds',
    '2',
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  for (const run of doc.runs) {
    const bad = run.agents.find((a: any) => a.model === 'scripted:invalid');
    assert.deepEqual([bad.repairs, bad.voided], [2 * (3 + 2), 2 * 2]); // per round: 3 + 2 repairs, 2 voids
    assert.equal(run.consensus, false);
  }
});

async function refused(args: string[], pattern: RegExp, opts: Parameters<typeof bargain>[1] = {}): Promise<Run> {
  const dir = join(work, `bad-${Math.random().toString(36).slice(2)}`);
  const hasOut = args.includes('--out');
  const r = await bargain(hasOut ? args : [...args, '--out', dir], opts);
  assert.notEqual(r.status, 0, `exit 0 for ${args.join(' ')}`);
  assert.ok(r.status !== null, 'the process was killed');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one stderr line for ${args.join(' ')}, got:\n${r.stderr}`);
  assert.match(lines[0], /^bargain: /);
  assert.match(lines[0], pattern);
  assert.equal(r.stdout, '');
  if (!hasOut) assert.equal(existsSync(dir), false, `${dir} was created`);
  return r;
}

test('bad input: one clear stderr line, non-zero exit, nothing written', async () => {
  const jobs: (() => Promise<unknown>)[] = [
    () =>
      refused(
        ['--models', 'scripted:nope', 'scripted:boulware'],
        /unknown model "scripted:nope": scripted strategies are .*scripted:boulware/,
      ),
    () => refused(['--models', 'gpt-17', 'scripted:boulware'], /unknown model "gpt-17"/),
    () => refused(['--models', 'scripted:conceder'], /--models needs at least two models/),
    // infeasible preferences: 3 agents cannot have disjoint interests over 2 items
    () =>
      refused(
        [
          '--models',
          'scripted:conceder',
          'scripted:boulware',
          'scripted:nash',
          '--competition-level',
          '0',
          '--num-items',
          '2',
        ],
        /impossible for 3 agents over 2 items; use at least 3 items or a higher level/,
      ),
    // a model that fails mid-run: exit 1, one line, nothing written
    async () => {
      const r = await refused(
        ['--models', 'scripted:crash', 'scripted:boulware'],
        /negotiation failed: Agent_1 \(scripted:crash\) failed/,
      );
      assert.equal(r.status, 1);
    },
    () => refused([...PAIR, '--runs', '0'], /--runs takes a whole number from 1/),
    // three models rotate through all three seat orders per preference draw
    () =>
      refused(
        ['--models', 'scripted:conceder', 'scripted:boulware', 'scripted:nash', '--runs', '4'],
        /--runs: 4 runs is not a multiple of the 3 agents: .*use 3 or 6 runs/,
      ),
  ];
  for (const level of ['1.5', '-0.1', 'abc', 'NaN']) {
    jobs.push(() => refused([...PAIR, '--competition-level', level], /--competition-level takes a number from 0 to 1/));
  }
  for (const flag of ['--num-items', '--max-rounds']) {
    for (const v of ['0', 'x', '2.5'])
      jobs.push(() => refused([...PAIR, flag, v], new RegExp(`${flag} takes a whole number from 1`)));
  }
  for (const g of ['0', '1.01', 'abc'])
    jobs.push(() => refused([...PAIR, '--gamma', g], /--gamma takes a number in \(0, 1\]/));
  await inParallel(jobs);
});

test('an unwritable --out: one line, non-zero exit, nothing written', async () => {
  const file = join(work, 'a-file');
  writeFileSync(file, 'x');
  await inParallel([
    () =>
      refused(
        [...PAIR, '--out', join(file, 'sub')],
        /--out .* is not usable: .*a-file is a file, not a directory; choose another path/,
      ),
    () => refused([...PAIR, '--out', file], /is a file, not a directory/),
    () => refused([...PAIR, '--out', '/proc/bargain-out'], /--out \/proc\/bargain-out is not writable/),
  ]);
  assert.equal(readFileSync(file, 'utf8'), 'x');
});

const setpriv = spawnSync('setpriv', ['--version']).status === 0 && process.getuid?.() === 0;
test('an --out directory without write permission (run as nobody)', {
  skip: setpriv ? false : 'needs root and setpriv to drop privileges',
}, async () => {
  const ro = join(work, 'readonly');
  mkdirSync(ro);
  chmodSync(ro, 0o755); // owned by root: nobody cannot create anything in it
  chmodSync(work, 0o755);
  await refused(
    [...PAIR, '--out', join(ro, 'x')],
    /--out .* is not writable \(cannot create files in .*readonly\); choose a writable path or fix its permissions/,
    { prefix: ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] },
  );
  assert.deepEqual(readdirSync(ro), []);
});

test('bad input never overwrites an earlier result', async () => {
  const out = join(work, 'keep');
  mkdirSync(out);
  writeFileSync(join(out, 'result.json'), 'EARLIER');
  writeFileSync(join(out, 'transcript.jsonl'), 'EARLIER');
  await refused([...PAIR, '--gamma', '2', '--out', out], /--gamma/);
  await refused(['--models', 'scripted:crash', 'scripted:boulware', '--out', out], /scripted:crash/);
  assert.equal(readFileSync(join(out, 'result.json'), 'utf8'), 'EARLIER');
  assert.equal(readFileSync(join(out, 'transcript.jsonl'), 'utf8'), 'EARLIER');
  assert.deepEqual(readdirSync(out).sort(), ['result.json', 'transcript.jsonl']);
});
