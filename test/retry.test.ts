/**
 * Failures through the real CLI, made to happen with the diagnostic scripted strategies
 * (scripted:crash throws on its first proposal; scripted:slow takes 200 ms a turn, so
 * `--timeout 1` cuts it): `run` lists them with pair, level, reason and the retry command;
 * `run-one` exits 1 / 124; `retry` refuses without --yes off a terminal, and with --yes
 * archives old logs (experiment_N.log.old, then .old.1), reruns only the failures and collects;
 * on a terminal (a pseudo-terminal from script(1)) run shows its live line and retry asks first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BIN,
  bargain,
  childEnv,
  hashTree,
  oneLine,
  readJson,
  startBargain,
  tempDir,
  treeDiff,
  waitFor,
  writeJson,
} from './helpers/grid.ts';

function setup(t: { after: (fn: () => void) => void }, strong: string[]) {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const grid = join(dir, 'grid.json');
  writeFileSync(grid, JSON.stringify({ weak: ['scripted:linear'], strong, levels: [0.5], max_rounds: 2, num_runs: 2 }));
  const rd = join(dir, 'results');
  const g = bargain(['generate', '--grid', grid, '--results-dir', rd]);
  assert.equal(g.status, 0, g.stderr);
  const cfg = (id: number) => readJson(join(rd, 'configs', `config_${id}.json`));
  const result = (id: number) => readJson(join(rd, cfg(id).output_dir, `result_${id}.json`));
  const log = (id: number, suffix = '') => readFileSync(join(rd, 'logs', `experiment_${id}.log${suffix}`), 'utf8');
  return { rd, cfg, result, log };
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1)!;

test('run lists failures with pair, level, reason and the retry command; run-one exits 1 and 124; retry --yes reruns them', async (t) => {
  const { rd, cfg, result, log } = setup(t, ['scripted:crash', 'scripted:slow', 'scripted:nash']);

  const run = bargain(['run', '--parallel', '3', '--timeout', '1', '--results-dir', rd]);
  assert.equal(run.status, 1, `a run with failures exits 1\n${run.stdout}\n${run.stderr}`);
  const out = run.stdout;
  assert.match(out, /^Ran 3 experiments in [\d.]+s \(0 already complete, skipped\)$/m);
  assert.match(
    out,
    /Successful: 1 \| Failed: 1 \| Timeout: 1 \| Success rate: 33\.3% \| Mean time per experiment: [\d.]+s/,
  );
  assert.match(out, /^Failures:$/m);
  assert.match(
    out,
    /^ {2}0: scripted:linear vs scripted:crash at level 0\.5 — FAILED: .*scripted:crash failed on purpose$/m,
  );
  assert.match(out, /^ {2}1: scripted:linear vs scripted:slow at level 0\.5 — TIMEOUT: .*1 s timeout.*$/m);
  assert.doesNotMatch(out, /^ {2}2: /m, 'the successful experiment is not listed');
  const retryLine =
    /^Retry them with: (bargain retry .*?--yes) +\(or \.\/scripts\/retry_failed\.sh 3 --results-dir (\S+)\)$/m.exec(
      out,
    );
  assert.ok(retryLine, 'the retry command is printed');
  assert.ok(retryLine[1].includes(`--results-dir ${rd}`), retryLine[1]);
  assert.equal(retryLine[2], rd, 'the script form names the same results directory');

  // The result files say the same, with exit codes and reasons, and each log ends with its status.
  assert.deepEqual([result(0).status, result(0).exit_code], ['FAILED', 1]);
  assert.match(result(0).error, /scripted:crash failed on purpose/);
  assert.deepEqual([result(1).status, result(1).exit_code], ['TIMEOUT', 124]);
  assert.match(result(1).error, /timeout/);
  assert.deepEqual([result(2).status, result(2).exit_code, result(2).error], ['SUCCESS', 0, undefined]);
  assert.equal(lastLine(log(0)).replace(/^\[[^\]]+\] /, ''), 'Experiment 0 completed with status: FAILED');
  assert.equal(lastLine(log(1)).replace(/^\[[^\]]+\] /, ''), 'Experiment 1 completed with status: TIMEOUT');

  // run-one --force (a finished experiment is otherwise left alone): the exit code is the
  // status (each call archives the previous log to .old).
  let one = bargain(['run-one', '0', '--force', '--results-dir', rd]);
  assert.equal(one.status, 1, one.stderr);
  assert.match(one.stdout, /Experiment 0 completed with status: FAILED/);
  one = bargain(['run-one', '1', '--force', '--timeout', '1', '--results-dir', rd]);
  assert.equal(one.status, 124, one.stderr);
  assert.match(one.stdout, /Experiment 1 completed with status: TIMEOUT/);
  one = bargain(['run-one', '--force', '--results-dir', rd], { env: { SLURM_ARRAY_TASK_ID: '2' } });
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /Experiment 2 completed with status: SUCCESS/);
  for (const id of [0, 1, 2]) assert.ok(existsSync(join(rd, 'logs', `experiment_${id}.log.old`)));
  const result2 = readFileSync(join(rd, cfg(2).output_dir, 'result_2.json'), 'utf8');
  const oldLogs = [0, 1].map((id) => log(id));

  // Off a terminal, retry without --yes refuses in one line and changes nothing.
  const before = hashTree(rd);
  const refused = bargain(['retry', '--results-dir', rd]);
  assert.equal(refused.status, 2);
  assert.match(oneLine(refused.stderr), /confirmation.*--yes/);
  assert.deepEqual(treeDiff(before, hashTree(rd)), []);

  // Fix the crash by editing its config to a working model; the timeout is fixed by the default
  // --timeout of the printed retry command. Then run that command as printed.
  const c0 = cfg(0);
  writeJson(join(rd, 'configs', 'config_0.json'), { ...c0, strong_model: 'scripted:boulware' });
  const args = retryLine[1].split(' ').slice(1);
  const retry = bargain(args);
  assert.equal(retry.status, 0, `${retry.stdout}\n${retry.stderr}`);
  assert.match(retry.stdout, /2 experiments to retry:/);
  assert.match(retry.stdout, /^ {2}0: .* — INCOMPLETE \(result belongs to an older config\)$/m);
  assert.match(retry.stdout, /^ {2}1: .* — TIMEOUT: /m);
  assert.match(retry.stdout, /Ran 2 experiments/);
  assert.match(retry.stdout, /Collected 3 experiments .*: 3 successful/);
  assert.equal(result(0).status, 'SUCCESS');
  assert.equal(result(0).strong_model, 'scripted:boulware');
  assert.equal(result(1).status, 'SUCCESS');
  assert.equal(result(1).runs.length, 2);
  // Old logs archived with numbers: the first run's is .old, run-one's .old.1, this one live.
  for (const [k, id] of [0, 1].entries()) {
    assert.equal(log(id, '.old.1'), oldLogs[k], `experiment ${id}: the log before retry is now .old.1`);
    assert.match(log(id, '.old'), /Starting experiment/);
    assert.match(lastLine(log(id)), new RegExp(`Experiment ${id} completed with status: SUCCESS$`));
    assert.ok(!existsSync(join(rd, 'logs', `experiment_${id}.log.old.2`)));
  }
  // The experiment that had succeeded was not touched.
  assert.equal(readFileSync(join(rd, cfg(2).output_dir, 'result_2.json'), 'utf8'), result2);
  assert.ok(!existsSync(join(rd, 'logs', 'experiment_2.log.old.1')));
  const summary = readJson(join(rd, 'summary.json'));
  assert.deepEqual([summary.successful, summary.failed, summary.timeout], [3, 0, 0]);

  // Nothing left to retry.
  const again = bargain(['retry', '--yes', '--results-dir', rd]);
  assert.equal(again.status, 0);
  assert.match(again.stdout, /Nothing to retry/);
});

test('retry --yes reruns failures that fail again, and interrupted (INCOMPLETE) experiments; logs numbered .old, .old.1', async (t) => {
  const { rd, result, log } = setup(t, ['scripted:crash', 'scripted:slow']);
  // Experiment 1 is interrupted: run-one stopped by Ctrl-C exits 130 and leaves a log, no result.
  const one = startBargain(['run-one', '1', '--results-dir', rd]);
  t.after(() => one.child.kill('SIGKILL'));
  assert.ok(await waitFor(() => existsSync(join(rd, 'logs', 'experiment_1.log')), 30_000));
  one.child.kill('SIGINT');
  const stopped = await one.done;
  assert.equal(stopped.status, 130, stopped.stderr);
  assert.match(oneLine(stopped.stderr), /experiment 1 interrupted; no result written/);
  assert.ok(!existsSync(join(rd, 'logs', 'completed_1.flag')));
  const interruptedLog = log(1);

  assert.equal(bargain(['run-one', '0', '--results-dir', rd]).status, 1);
  const firstFailure = result(0);

  let r = bargain(['retry', '--yes', '--timeout', '1', '--results-dir', rd]);
  assert.equal(r.status, 1, `failures remain: exit 1\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^ {2}0: .* — FAILED: .*failed on purpose$/m);
  assert.match(r.stdout, /^ {2}1: .* — INCOMPLETE \(started but never completed\)$/m);
  assert.match(r.stdout, /^Failures:$/m);
  assert.equal(result(0).status, 'FAILED');
  assert.notEqual(result(0).timestamp, firstFailure.timestamp, 'the failure was re-run');
  assert.equal(result(1).status, 'TIMEOUT');
  assert.equal(log(1, '.old'), interruptedLog);
  assert.ok(!existsSync(join(rd, 'logs', 'experiment_0.log.old.1')));

  const second = [0, 1].map((id) => log(id));
  r = bargain(['retry', '--yes', '--timeout', '1', '--results-dir', rd]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^ {2}1: .* — TIMEOUT: /m);
  for (const [k, id] of [0, 1].entries()) {
    assert.equal(log(id, '.old.1'), second[k], `experiment ${id}: the previous log became .old.1`);
    assert.match(lastLine(log(id)), /completed with status: (FAILED|TIMEOUT)$/);
  }
  const summary = readJson(join(rd, 'summary.json'));
  assert.deepEqual([summary.successful, summary.failed, summary.timeout], [0, 1, 1]);
  assert.deepEqual(
    summary.failures.map((f: any) => [f.experiment_id, f.status]),
    [
      [0, 'FAILED'],
      [1, 'TIMEOUT'],
    ],
  );
});

/** Runs `bargain ARGS` on a pseudo-terminal (util-linux `script`), typing `input`; null when `script` is missing. */
function onTerminal(args: string[], input: string): { status: number | null; out: string } | null {
  if (spawnSync('script', ['--version']).status !== 0) return null;
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
    input,
    encoding: 'utf8',
    env: childEnv({ TERM: 'xterm' }),
    timeout: 60_000,
  });
  return { status: r.status, out: r.stdout };
}

test('on a terminal: run shows the live progress line; retry asks first (no = nothing changed, yes = rerun)', (t) => {
  const { rd } = setup(t, ['scripted:crash', 'scripted:nash']);
  const run = onTerminal(['run', '--results-dir', rd], '');
  if (!run) {
    t.skip('util-linux script(1) is not installed');
    return;
  }
  assert.equal(run.status, 1, run.out);
  assert.match(
    run.out,
    /\r\x1b\[2K\[2\/2\] Completed: 2 \| Failed: 1 \| Running: 0 \| Rate: [\d.]+\/min \| Elapsed: \d+s \| ETA: \d+s/,
  );

  const before = hashTree(rd);
  const no = onTerminal(['retry', '--results-dir', rd], 'n\n')!;
  assert.equal(no.status, 0, no.out);
  assert.match(no.out, /Retry them now\? \[y\/N\]/);
  assert.match(no.out, /Nothing changed\./);
  assert.deepEqual(treeDiff(before, hashTree(rd)), []);

  const yes = onTerminal(['retry', '--results-dir', rd], 'y\n')!;
  assert.equal(yes.status, 1, yes.out);
  assert.match(yes.out, /Ran 1 experiment /);
  assert.ok(existsSync(join(rd, 'logs', 'experiment_0.log.old')), "the retried experiment's log was archived");
  assert.ok(!existsSync(join(rd, 'logs', 'experiment_1.log.old')), 'the successful one was left alone');
});
