/**
 * Bad input through the real CLI: a malformed config, a config with an unknown model or a
 * level of 1.5, an unknown job id, a read-only results directory (as user nobody, since
 * chmod does not stop root), bad flags. Each is refused with exactly one stderr line naming
 * the problem, a non-zero exit, and no file changed (the results tree hashed before and after,
 * modes and mtimes included).
 */
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  cpSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  asNobody,
  BIN,
  bargain,
  childEnv,
  flagIds,
  hashTree,
  listFiles,
  oneLine,
  populated,
  readJson,
  resultFiles,
  startBargain,
  tempDir,
  TEMP_NAME,
  treeDiff,
  writeJson,
  type CliResult,
} from './helpers/grid.ts';

/** Runs the command; asserts one stderr line matching `problem`, the exit code, and an unchanged tree. */
function refused(
  rd: string,
  args: string[],
  problem: RegExp,
  o: { exit?: number; run?: (args: string[]) => CliResult } = {},
): string {
  const before = hashTree(rd);
  const r = (o.run ?? bargain)(args);
  assert.equal(r.status, o.exit ?? 2, `${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  const line = oneLine(r.stderr);
  assert.match(line, /^bargain: /);
  assert.match(line, problem, args.join(' '));
  assert.doesNotMatch(line, /internal error|    at /);
  assert.deepEqual(treeDiff(before, hashTree(rd)), [], `${args.join(' ')} changed files`);
  return line;
}

// run-one reads only its own config (a SLURM task is not stopped by another task's file).
type Case = [args: string[], problem: RegExp];

/**
 * Like `refused` for many commands at once (run three at a time: CLI start-up dominates),
 * with one tree comparison around them all; a changed file is named in the failure.
 */
async function refusedAll(
  rd: string,
  cases: Case[],
  start: (args: string[]) => Promise<CliResult> = (a) => startBargain(a).done,
): Promise<void> {
  const before = hashTree(rd);
  const results: CliResult[] = new Array(cases.length);
  let next = 0;
  await Promise.all(
    [0, 1, 2].map(async () => {
      while (next < cases.length) {
        const k = next++;
        results[k] = await start(cases[k][0]);
      }
    }),
  );
  cases.forEach(([args, problem], k) => {
    const r = results[k];
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    const line = oneLine(r.stderr);
    assert.match(line, /^bargain: /);
    assert.match(line, problem, args.join(' '));
    assert.doesNotMatch(line, /internal error|    at /);
  });
  assert.deepEqual(treeDiff(before, hashTree(rd)), [], 'refused commands changed files');
}

// run-one reads only its own config (a SLURM task is not stopped by another task's file);
// run, retry and all load the grid the same way (loadGridFor), collect on its own.
const COMMANDS_READING_CONFIGS = (rd: string, id: number) => [
  ['run', '--results-dir', rd],
  ['run-one', String(id), '--results-dir', rd],
  ['collect', '--results-dir', rd],
];

test('a malformed config file stops run, run-one and collect, naming the file', async (t) => {
  const rd = populated(t);
  const p = join(rd, 'configs', 'config_7.json');
  writeFileSync(p, readFileSync(p, 'utf8').slice(0, 60));
  await refusedAll(
    rd,
    COMMANDS_READING_CONFIGS(rd, 7).map((a) => [
      a,
      /configs\/config_7\.json is not valid JSON.*rewrite it with the "bargain generate" command that made this grid/,
    ]),
  );
  // A config whose id disagrees with its file name.
  writeJson(p, readJson(join(rd, 'configs', 'config_6.json')));
  refused(rd, ['run', '--results-dir', rd], /config_7\.json says experiment_id 6; it must be 7/);
});

test('a config with an unknown model, or a level of 1.5, is refused naming the file and field', async (t) => {
  const rd = populated(t);
  const p = join(rd, 'configs', 'config_9.json');
  const good = readJson(p);
  writeJson(p, { ...good, strong_model: 'scripted:telepathic' });
  await refusedAll(
    rd,
    [
      ['retry', '--yes', '--results-dir', rd],
      ['run-one', '9', '--results-dir', rd],
    ].map((a) => [a, /config_9\.json.*unknown model "?scripted:telepathic/]),
  );
  writeJson(p, { ...good, competition_level: 1.5 });
  await refusedAll(
    rd,
    COMMANDS_READING_CONFIGS(rd, 9).map((a) => [
      a,
      /config_9\.json is not a valid experiment config \(competition_level: .*1/,
    ]),
  );
  writeJson(p, { ...good, num_runs: 'four' });
  refused(rd, ['run', '--results-dir', rd], /config_9\.json .*num_runs/);
});

test('an API model without its key fails fast, naming the key to set and the offline demo grid', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  assert.equal(
    bargain([
      'generate',
      '--grid',
      'seed',
      '--allow-retired',
      '--levels',
      '0.5',
      '--weak',
      'gpt-4o',
      '--strong',
      'o3',
      '--results-dir',
      dir,
    ]).status,
    0,
  );
  const line = refused(dir, ['run', '--results-dir', dir], /OPENAI_API_KEY/, { exit: 2 });
  assert.match(line, /config_0\.json.*gpt-4o/);
  assert.match(line, /offline.*bargain all --grid demo/);
});

test('an unknown job id is refused with the ids that exist', async (t) => {
  const rd = populated(t);
  await refusedAll(rd, [
    [['run-one', '999', '--results-dir', rd], /no config for experiment 999 .*experiments there: 0-11/],
    [['run-one', '--results-dir', rd], /run-one needs a JOB_ID/],
    [['run-one', '-3', '--results-dir', rd], /-3/],
    [['run', '--jobs', '10-13', '--results-dir', rd], /no config for experiment 12, 13 .*0-11/],
  ]);
  refused(rd, ['run-one', '--results-dir', rd], /JOB_ID must be a whole number \(got "x"\)/, {
    run: (a) => bargain(a, { env: { SLURM_ARRAY_TASK_ID: 'x' } }),
  });
  // A results directory with no grid at all.
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  refused(dir, ['run', '--results-dir', dir], /no experiment configs in .*bargain generate/);
});

test('bad flags: one line naming the flag and what it takes', async (t) => {
  const rd = populated(t);
  const cases: Case[] = [
    [['run', '--parallel', '0'], /--parallel takes a whole number from 1/],
    [['retry', '--timeout', '0', '--yes'], /--timeout takes a whole number from 1/],
    [['run', '--jobs', 'x'], /--jobs takes ids and ranges like 0-99,120 \(got "x"\)/],
    [['run', '--jobs', '5-2'], /--jobs range 5-2 runs backwards/],
    [['run', '--frobnicate'], /unknown option '--frobnicate'/],
    [['generate', '--grid', 'demo', '--levels', '2'], /--levels takes numbers from 0 to 1 \(got "2"\)/],
    [['all', '--grid', 'demo', '--runs', '0'], /--runs takes a whole number from 1/],
    [['generate', '--grid', 'demo', '--weak', 'scripted:telepathic'], /unknown model "scripted:telepathic"/],
    [['generate', '--grid', 'galaxy'], /unknown grid "galaxy"/],
  ];
  cases.push([['frobnicate'], /unknown command 'frobnicate'/]);
  await refusedAll(
    rd,
    cases.map(([a, p]) => [[...a, '--results-dir', rd], p]),
  );
});

/** Gives the whole tree to nobody (so only what we then take back is read-only to it). */
function chownTree(p: string, uid: number): void {
  chownSync(p, uid, uid);
  if (lstatSync(p).isDirectory()) for (const n of readdirSync(p)) chownTree(join(p, n), uid);
}

test('a read-only results directory: every writing command refuses in one line and changes nothing', async (t) => {
  const nobody = asNobody();
  if (!nobody) {
    t.skip(
      process.getuid?.() === 0
        ? 'setpriv cannot switch to uid 65534 here'
        : 'needs root to run the CLI as user nobody (root ignores chmod)',
    );
    return;
  }
  const rd = populated(t);
  // A log without a flag: experiment 6 is INCOMPLETE, so retry has work it would need to write.
  writeFileSync(join(rd, 'logs', 'experiment_6.log'), '[2025-01-01T00:00:00.000Z] Starting experiment 6\n');
  // The tree belongs to root (readable, not writable, by nobody).
  await refusedAll(
    rd,
    [
      ['run', '--results-dir', rd],
      ['retry', '--yes', '--results-dir', rd],
      ['run-one', '5', '--results-dir', rd],
      ['collect', '--results-dir', rd],
      ['generate', '--grid', 'demo', '--levels', '0.9', '--force', '--results-dir', rd],
      ['all', '--grid', 'demo', '--levels', '0.5', '--runs', '2', '--results-dir', rd],
    ].map((a) => [a, /results directory .* is not writable .*permissions/]),
    nobody,
  );

  // Only a part is read-only: the results directory is nobody's, its logs/ is not.
  chownTree(rd, 65534);
  chownSync(join(rd, 'logs'), 0, 0);
  await refusedAll(
    rd,
    [
      ['run', '--results-dir', rd],
      ['run-one', '5', '--results-dir', rd],
    ].map((a) => [
      a,
      /cannot access .*logs\/(experiment_\d+\.log|lease_\d+\.json) \(permission denied\); fix its permissions/,
    ]),
    nobody,
  );
});

/** A tmpfs of `kb` kilobytes mounted at a fresh directory (root only); null when it cannot be. */
function smallDisk(t: TestContext, kb: number): string | null {
  if (process.getuid?.() !== 0) return null;
  const { dir, cleanup } = tempDir('bargain-fulldisk-');
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (m.status !== 0) {
    cleanup();
    return null;
  }
  t.after(() => {
    spawnSync('umount', [dir]);
    cleanup();
  });
  return dir;
}

/** Fills the file system holding dir until `leaveKb` kilobytes are free; returns the filler's path. */
function fill(dir: string, leaveKb: number): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 1);
  let pages = 0;
  try {
    for (;;) {
      writeSync(fd, page);
      pages++;
    }
  } catch (e) {
    assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
  }
  closeSync(fd);
  truncateSync(path, Math.max(0, pages - Math.ceil(leaveKb / 4)) * 4096);
  return path;
}

test('a full disk mid-run: one line naming the file, no partial result or temp file; with space freed the run resumes', async (t) => {
  const disk = smallDisk(t, 8192);
  if (!disk) {
    t.skip('needs root and a mountable tmpfs to fill a disk');
    return;
  }
  const rd = join(disk, 'results');
  assert.equal(
    bargain(['generate', '--grid', 'demo', '--levels', '0.5', '--runs', '2', '--results-dir', rd]).status,
    0,
  );
  const filler = fill(disk, 300); // room for a few experiments (~65 KB each), not twelve
  const r = bargain(['run', '--parallel', '1', '--results-dir', rd]);
  assert.equal(r.status, 2, `${r.stdout}\n${r.stderr}`);
  assert.match(
    oneLine(r.stderr),
    /^bargain: cannot write .* \(no space left on the device\); free some space or choose another --results-dir$/,
  );
  const done = flagIds(rd);
  assert.ok(done.length >= 1 && done.length < 12, `stopped part-way (${done.length} done)`);
  assert.deepEqual(
    listFiles(rd).filter((p) => TEMP_NAME.test(p.split('/').pop()!)),
    [],
    'no temporary file left',
  );
  // Results are whole or absent: each one on disk parses, and only flagged experiments count.
  for (const { path } of resultFiles(rd)) JSON.parse(readFileSync(join(rd, path), 'utf8'));

  unlinkSync(filler);
  const again = bargain(['run', '--parallel', '2', '--results-dir', rd]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`\\(${done.length} already complete, skipped\\)`));
  const collected = bargain(['collect', '--results-dir', rd]);
  assert.equal(collected.status, 0, collected.stderr);
  assert.equal(readJson(join(rd, 'summary.json')).successful, 12);
  assert.deepEqual(
    flagIds(rd),
    Array.from({ length: 12 }, (_, k) => k),
  );
});
