/**
 * Crash safety through the real CLI: `bargain run` is killed with SIGKILL at seeded random
 * moments and restarted each time. At the end every file in the results directory parses,
 * temporary files of killed writers were swept by the next run, no result is missing,
 * duplicated or truncated, every flag has its result, results agree with their transcripts
 * and with an uninterrupted reference run, and collect sees every experiment as SUCCESS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import {
  assertAllParse,
  bargain,
  flagIds,
  listFiles,
  parseCsv,
  readCsv,
  readJson,
  resultFiles,
  sleep,
  startBargain,
  tempDir,
  TEMP_NAME,
  waitFor,
} from './helpers/grid.ts';

/** mulberry32: the kill delays are random but the same on every run of this test. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Entries in logs/: grows whenever the runner starts an experiment (a new log, or an archived one). */
const logEntries = (dir: string) => {
  try {
    return readdirSync(join(dir, 'logs')).length;
  } catch {
    return 0;
  }
};
const tempFiles = (dir: string) => listFiles(dir).filter((p) => TEMP_NAME.test(basename(p)));
test('SIGKILL at random moments, restart each time: nothing lost, duplicated, truncated or left behind', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const rd = join(dir, 'results');
  const GEN = ['generate', '--grid', 'demo', '--runs', '8'];
  assert.equal(bargain([...GEN, '--results-dir', rd]).status, 0);
  const configs = readdirSync(join(rd, 'configs'))
    .map((n) => readJson(join(rd, 'configs', n)))
    .sort((a, b) => a.experiment_id - b.experiment_id);
  const ids = configs.map((c) => c.experiment_id);

  // A leftover of a writer that died before this test (a real, now-dead pid of this host) and
  // one of a live writer (this test process), which a sweep must not touch.
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
  const cellDir = join(rd, configs[5].output_dir);
  mkdirSync(cellDir, { recursive: true });
  const deadTmp = join(cellDir, `.result_5.json.tmp-${host}-${dead}-1`);
  const liveTmp = join(rd, 'logs', `.completed_9.flag.tmp-${host}-${process.pid}-1`);
  mkdirSync(join(rd, 'logs'), { recursive: true });
  writeFileSync(deadTmp, '{"job_id": 5, "trunc');
  writeFileSync(liveTmp, '{"experiment_id"');

  const random = rng(20240607);
  const TRIALS = 12;
  let midRun = 0;
  let sweptChecks = 0;
  let leftoversSeen = 0;
  let pending = [deadTmp.slice(rd.length + 1)];
  for (let k = 0; k < TRIALS; k++) {
    const before = flagIds(rd).length;
    const logsBefore = logEntries(rd);
    const run = startBargain(['run', '--parallel', '2', '--results-dir', rd]);
    // Node and tsx take ~0.5 s to start: wait until the runner has started an experiment, then
    // kill it at a random moment within the next 400 ms (whatever it is writing then).
    assert.ok(await waitFor(() => logEntries(rd) > logsBefore, 30_000), `trial ${k}: the runner started work`);
    await sleep(Math.floor(random() * 400));
    run.child.kill('SIGKILL');
    const r = await run.done;
    const after = flagIds(rd).length;
    if (r.signal === 'SIGKILL' && after < ids.length) midRun++;
    // The new run got past its start-up sweep if it finished anything: earlier leftovers must be gone.
    if (after > before) {
      const now = new Set(tempFiles(rd));
      for (const p of pending)
        assert.ok(!now.has(p), `trial ${k}: leftover ${p} of a killed writer survived the next run`);
      sweptChecks++;
    }
    const left = tempFiles(rd).filter((p) => !p.endsWith(basename(liveTmp)));
    leftoversSeen += left.filter((p) => !pending.includes(p)).length;
    pending = [...new Set([...pending, ...left])];
  }
  assert.ok(midRun >= 10, `at least 10 kills landed mid-run (got ${midRun})`);
  assert.ok(sweptChecks >= 1, 'at least one restarted run got far enough to sweep');
  t.diagnostic(
    `kills mid-run: ${midRun}/${TRIALS}; real leftovers of killed writers: ${leftoversSeen}; sweep checks: ${sweptChecks}`,
  );

  const final = bargain(['run', '--parallel', '2', '--results-dir', rd]);
  assert.equal(final.status, 0, final.stderr);
  assert.deepEqual(
    tempFiles(rd),
    [`logs/${basename(liveTmp)}`],
    "killed writers' temp files swept; the live writer's kept",
  );
  unlinkSync(liveTmp);

  const collected = bargain(['collect', '--results-dir', rd]);
  assert.equal(collected.status, 0, collected.stderr);
  assertAllParse(rd);

  // One flag and one result per experiment, nothing else; each complete and consistent.
  assert.deepEqual(flagIds(rd), ids);
  assert.deepEqual(
    resultFiles(rd)
      .map((x) => x.id)
      .sort((a, b) => a - b),
    ids,
    'no result missing or duplicated',
  );
  const results = new Map<number, any>();
  for (const c of configs) {
    const res = readJson(join(rd, c.output_dir, `result_${c.experiment_id}.json`));
    results.set(c.experiment_id, res);
    const flag = readJson(join(rd, 'logs', `completed_${c.experiment_id}.flag`));
    assert.equal(res.status, 'SUCCESS');
    assert.equal(res.experiment_id, c.experiment_id);
    assert.equal(res.runs_completed, 8);
    assert.equal(res.runs.length, 8);
    assert.deepEqual([flag.config_hash, flag.timestamp, flag.status], [res.config_hash, res.timestamp, res.status]);
    // The transcript is the same experiment's: every run started and ended, utilities agree.
    const events = readFileSync(join(rd, res.transcript_file), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const ends = events.filter((e) => e.type === 'run_end');
    assert.deepEqual(
      events.filter((e) => e.type === 'run_start').map((e) => e.run),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(
      ends.map((e) => e.run),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    ends.forEach((e, j) =>
      assert.deepEqual(
        e.utilities.map((u: number) => Math.round(u * 1e6) / 1e6),
        res.runs[j].agents.map((a: any) => a.utility),
      ),
    );
    // The current log ends with this experiment's completion.
    const log = readFileSync(join(rd, 'logs', `experiment_${c.experiment_id}.log`), 'utf8')
      .trimEnd()
      .split('\n');
    assert.match(log[log.length - 1], new RegExp(`Experiment ${c.experiment_id} completed with status: SUCCESS$`));
  }

  // Killed and restarted experiments give the same outcomes as a run that was never killed.
  const ref = join(dir, 'reference');
  assert.equal(bargain([...GEN, '--results-dir', ref]).status, 0);
  const sample = ids.filter((id) => id % 10 === 3);
  assert.equal(bargain(['run', '--jobs', sample.join(','), '--results-dir', ref]).status, 0);
  for (const id of sample) {
    const c = configs[id];
    assert.deepEqual(
      readJson(join(ref, c.output_dir, `result_${id}.json`)).runs,
      results.get(id).runs,
      `experiment ${id} outcomes`,
    );
  }

  const summary = readJson(join(rd, 'summary.json'));
  assert.equal(summary.total_experiments, 120);
  assert.equal(summary.successful, 120);
  assert.equal(summary.success_rate, 1);
  const rows = readCsv(join(rd, 'results.csv')).rows;
  assert.equal(rows.length, 120);
  assert.ok(rows.every((r) => r.status === 'SUCCESS'));
  assert.equal(readCsv(join(rd, 'runs.csv')).rows.length, 120 * 8 * 2);
  assert.ok(parseCsv(readFileSync(join(rd, 'runs.csv'), 'utf8')).length > 0);
});

test('run-one and collect also sweep the temporary files of killed writers (SLURM tasks never call run)', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  assert.equal(
    bargain(['generate', '--grid', 'demo', '--levels', '0.5', '--runs', '2', '--results-dir', dir]).status,
    0,
  );
  const c2 = readJson(join(dir, 'configs', 'config_2.json'));
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, c2.output_dir), { recursive: true });
  const planted = {
    log: `logs/.experiment_2.log.tmp-${host}-${dead}-3`,
    result: `${c2.output_dir}/.result_2.json.tmp-${host}-${dead}-4`,
    summary: `.summary.json.tmp-${host}-${dead}-5`,
    live: `.runs.csv.tmp-${host}-${process.pid}-6`,
  };
  for (const p of Object.values(planted)) writeFileSync(join(dir, p), '{"trunc');
  const r = bargain(['run-one', '2', '--results-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    tempFiles(dir).sort(),
    [planted.live, planted.summary].sort(),
    "run-one swept its own experiment's directories",
  );
  const c = bargain(['collect', '--results-dir', dir]);
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(tempFiles(dir), [planted.live], "collect swept the rest; a live writer's file stays");
});
