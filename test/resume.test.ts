/**
 * Resume through the real CLI: a `bargain run` interrupted part-way (Ctrl-C once: running
 * experiments finish, nothing new starts; Ctrl-C twice: running ones are abandoned) and
 * restarted completes every experiment exactly once. Results written before the
 * interruption are not re-run (same bytes, same timestamp), and completion flags and result
 * files correspond one to one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bargain, flagIds, readJson, resultFiles, startBargain, tempDir, waitFor } from './helpers/grid.ts';

interface Snapshot {
  text: string;
  mtimeMs: number;
  timestamp: string;
}

function configsOf(dir: string): any[] {
  return readdirSync(join(dir, 'configs'))
    .map((n) => readJson(join(dir, 'configs', n)))
    .sort((a, b) => a.experiment_id - b.experiment_id);
}

function snapshotResults(dir: string, ids: number[]): Map<number, Snapshot> {
  const byId = new Map(configsOf(dir).map((c) => [c.experiment_id, c]));
  const out = new Map<number, Snapshot>();
  for (const id of ids) {
    const p = join(dir, byId.get(id)!.output_dir, `result_${id}.json`);
    const text = readFileSync(p, 'utf8');
    out.set(id, { text, mtimeMs: statSync(p).mtimeMs, timestamp: JSON.parse(text).timestamp });
  }
  return out;
}

/** How many times each experiment reached its end, over its log and every archived log. */
function completions(dir: string): Map<number, number> {
  const n = new Map<number, number>();
  for (const name of readdirSync(join(dir, 'logs'))) {
    const m = /^experiment_(\d+)\.log(\.old(\.\d+)?)?$/.exec(name);
    if (!m) continue;
    const id = Number(m[1]);
    const hits = readFileSync(join(dir, 'logs', name), 'utf8')
      .split('\n')
      .filter((l) => new RegExp(`Experiment ${id} completed with status: `).test(l)).length;
    n.set(id, (n.get(id) ?? 0) + hits);
  }
  return n;
}

/** Every experiment finished exactly once, with one flag and one result each, all SUCCESS. */
function assertCompleteOnce(dir: string): void {
  const cs = configsOf(dir);
  const ids = cs.map((c) => c.experiment_id);
  assert.deepEqual(flagIds(dir), ids, 'one completion flag per experiment');
  const results = resultFiles(dir);
  assert.deepEqual(
    results.map((r) => r.id).sort((a, b) => a - b),
    ids,
    'one result file per experiment, none duplicated',
  );
  for (const c of cs) {
    const r = readJson(join(dir, c.output_dir, `result_${c.experiment_id}.json`));
    assert.equal(r.status, 'SUCCESS');
    assert.equal(r.runs.length, c.num_runs);
    const flag = readJson(join(dir, 'logs', `completed_${c.experiment_id}.flag`));
    assert.equal(flag.config_hash, r.config_hash, `flag ${c.experiment_id} belongs to its result`);
    assert.equal(flag.timestamp, r.timestamp, `flag ${c.experiment_id} was written with its result`);
  }
  const done = completions(dir);
  for (const id of ids)
    assert.equal(done.get(id), 1, `experiment ${id} completed ${done.get(id) ?? 0} times over its logs`);
}

test('Ctrl-C once: running experiments finish, nothing new starts; the restart runs only the rest', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  assert.equal(bargain(['generate', '--grid', 'demo', '--runs', '8', '--results-dir', dir]).status, 0);
  const run = startBargain(['run', '--parallel', '2', '--results-dir', dir]);
  t.after(() => run.child.kill('SIGKILL'));
  const started = await waitFor(() => flagIds(dir).length >= 8, 120_000);
  assert.ok(started, 'the run produced results');
  run.child.kill('SIGINT');
  const first = await run.done;
  const doneBefore = flagIds(dir);
  assert.equal(first.status, 130, `an interrupted run exits 130\n${first.stdout}\n${first.stderr}`);
  assert.ok(doneBefore.length < 120, `interrupted part-way (${doneBefore.length} done)`);
  assert.match(first.stderr, /Stopping: no new experiments will start/);
  assert.match(first.stdout, /Stopped early: 0 interrupted, \d+ not started; run the same command again to resume/);
  // A soft stop abandons nothing: every started experiment has its flag, and no log is left without one.
  const logs = readdirSync(join(dir, 'logs'))
    .filter((n) => /^experiment_\d+\.log$/.test(n))
    .map((n) => Number(/\d+/.exec(n)![0]))
    .sort((a, b) => a - b);
  assert.deepEqual(logs, doneBefore, 'every started experiment finished');
  const before = snapshotResults(dir, doneBefore);

  const second = bargain(['run', '--parallel', '2', '--results-dir', dir]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(
    second.stdout,
    new RegExp(`Ran ${120 - doneBefore.length} experiments .*\\(${doneBefore.length} already complete, skipped\\)`),
  );
  assertCompleteOnce(dir);
  const after = snapshotResults(dir, doneBefore);
  for (const [id, s] of before) assert.deepEqual(after.get(id), s, `result ${id} was not rewritten`);

  // A third run has nothing left to do and changes nothing.
  const third = bargain(['run', '--results-dir', dir]);
  assert.equal(third.status, 0, third.stderr);
  assert.match(third.stdout, /Ran 0 experiments .*\(120 already complete, skipped\)/);
  assert.deepEqual(snapshotResults(dir, doneBefore), before);
});

test('Ctrl-C twice: running experiments are abandoned (no result, no flag) and run again on restart', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  // scripted:slow takes 200 ms a turn (an experiment ~4 s), so the second Ctrl-C lands inside
  // running experiments (every experiment has it: a fast pair could end before the second Ctrl-C)
  const grid = join(dir, 'grid.json');
  writeFileSync(
    grid,
    JSON.stringify({
      weak: ['scripted:linear', 'scripted:conceder'],
      strong: ['scripted:slow'],
      levels: [0.3, 0.5, 0.7, 0.9],
      num_items: 3,
      max_rounds: 2,
      num_runs: 2,
    }),
  );
  const rd = join(dir, 'results');
  assert.equal(bargain(['generate', '--grid', grid, '--results-dir', rd]).status, 0);
  const ids = configsOf(rd).map((c) => c.experiment_id);
  const run = startBargain(['run', '--parallel', '2', '--results-dir', rd]);
  t.after(() => run.child.kill('SIGKILL'));
  // Wait until something is done and two experiments are under way (a log without a flag).
  const running = () => {
    const flags = new Set(flagIds(rd));
    if (!existsSync(join(rd, 'logs'))) return [];
    return readdirSync(join(rd, 'logs'))
      .map((n) => /^experiment_(\d+)\.log$/.exec(n))
      .filter((m) => m && !flags.has(Number(m[1])))
      .map((m) => Number(m![1]));
  };
  assert.ok(
    await waitFor(() => flagIds(rd).length >= 1 && running().length === 2, 120_000),
    'two experiments running after one finished',
  );
  run.child.kill('SIGINT');
  // the second Ctrl-C once the first has been handled (two signals sent close together can
  // arrive as one on a busy machine)
  assert.ok(
    await waitFor(() => /Stopping: no new experiments will start/.test(run.output().stderr), 60_000),
    'the first Ctrl-C was acknowledged',
  );
  run.child.kill('SIGINT');
  const first = await run.done;
  assert.equal(first.status, 130, `${first.stdout}\n${first.stderr}`);
  assert.match(first.stderr, /Stopping now/);
  const doneBefore = flagIds(rd);
  const abandoned = ids.filter(
    (id) => !doneBefore.includes(id) && existsSync(join(rd, 'logs', `experiment_${id}.log`)),
  );
  assert.ok(abandoned.length >= 1, 'at least one running experiment was abandoned');
  assert.match(first.stdout, new RegExp(`Stopped early: ${abandoned.length} interrupted`));
  const cfg = new Map(configsOf(rd).map((c) => [c.experiment_id, c]));
  for (const id of abandoned) {
    assert.ok(!existsSync(join(rd, cfg.get(id)!.output_dir, `result_${id}.json`)), `abandoned ${id} left no result`);
    assert.match(readFileSync(join(rd, 'logs', `experiment_${id}.log`), 'utf8'), /Interrupted before completion/);
  }
  const before = snapshotResults(rd, doneBefore);

  const second = bargain(['run', '--parallel', '2', '--results-dir', rd]);
  assert.equal(second.status, 0, second.stderr);
  assertCompleteOnce(rd);
  for (const id of abandoned) {
    assert.ok(existsSync(join(rd, 'logs', `experiment_${id}.log.old`)), `abandoned ${id}'s first log archived`);
  }
  const after = snapshotResults(rd, doneBefore);
  for (const [id, s] of before) assert.deepEqual(after.get(id), s, `result ${id} was not rewritten`);
});
