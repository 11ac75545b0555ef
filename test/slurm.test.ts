/**
 * `bargain slurm` on a real SLURM (DESIGN §6): a 40-experiment grid as 4 shards %2, the
 * one-experiment-per-task recipe, cancel and resume, retry --slurm, and the refusals.
 * The real-SLURM tests skip with the reason when sbatch is missing or sinfo fails (start a
 * single-node SLURM as root with `bash .ci/start-slurm.sh`); the no-sbatch and fake-sbatch
 * refusals run everywhere. Tests run one at a time; every wait is bounded.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { slurmAvailable, squeueTasks } from '../src/cluster/slurm.ts';
import { isTempFile } from '../src/files.ts';
import { Layout } from '../src/results/layout.ts';
import { generateFrom } from '../src/cli/commands/generate.ts';
import { startMockServer } from '../src/mock/server.ts';

const CLI = join(import.meta.dirname, '..', 'bin', 'bargain.mjs');
const avail = slurmAvailable();
const skip = avail.ok
  ? false
  : `SLURM cannot be used here (${avail.reason}); start a single-node SLURM as root with: bash .ci/start-slurm.sh`;
if (skip) process.stdout.write(`# test/slurm.test.ts: real-SLURM tests skipped: ${skip}\n`);

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bargain-slurm-'));
  dirs.push(d);
  return d;
}

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 120_000 });
}

function ok(r: ReturnType<typeof cli>): string {
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** Writes a demo-grid subset in-process (setup, not under test: saves a CLI start each). */
function generate(dir: string, g: { weak?: string; strong?: string; levels: string; runs?: number }): void {
  const list = (s?: string) => s?.split(',');
  generateFrom(new Layout(dir), {
    grid: 'demo',
    weak: list(g.weak),
    strong: list(g.strong),
    levels: list(g.levels),
    runs: g.runs ?? 2,
    resultsDir: dir,
  });
}

function jobIdOf(stdout: string): string {
  const m = /Submitted SLURM job (\d+)/.exec(stdout);
  assert.ok(m, stdout);
  return m[1];
}

/** Waits until the job has left the queue; returns the most tasks seen running at once. */
async function waitGone(jobId: string, limitMs = 120_000): Promise<number> {
  const end = Date.now() + limitMs;
  let maxRunning = 0;
  for (;;) {
    const tasks = squeueTasks([jobId]);
    maxRunning = Math.max(maxRunning, tasks.filter((t) => t.state === 'RUNNING' || t.state === 'COMPLETING').length);
    if (tasks.length === 0) return maxRunning;
    if (Date.now() > end)
      assert.fail(`job ${jobId} still queued after ${limitMs / 1000}s: ${JSON.stringify(tasks)}\n${clusterView()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The whole queue and the node's CPUs, so a wait that timed out says what held the node. */
function clusterView(): string {
  const q = spawnSync('squeue', ['-a', '-r', '-o', '%i|%j|%u|%T|%r|%M|%C'], { encoding: 'utf8', timeout: 10_000 });
  const n = spawnSync('sinfo', ['-N', '-o', '%N %T %C %m'], { encoding: 'utf8', timeout: 10_000 });
  return `queue:\n${q.stdout ?? ''}${q.stderr ?? ''}node (CPUs alloc/idle/other/total):\n${n.stdout ?? ''}${n.stderr ?? ''}`;
}

async function waitFor(what: string, cond: () => boolean, limitMs = 60_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out after ${limitMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function resultFiles(dir: string, id: number): string[] {
  return walk(dir).filter((p) => p.endsWith(`/result_${id}.json`));
}

function statuses(dir: string, n: number): string[] {
  return Array.from({ length: n }, (_, id) => {
    const files = resultFiles(dir, id);
    if (files.length === 0 || !existsSync(join(dir, 'logs', `completed_${id}.flag`))) return 'NONE';
    return JSON.parse(readFileSync(files[0], 'utf8')).status as string;
  });
}

/** Every JSON file parses, every JSONL line parses, and no temporary file is left. */
function assertAllFilesWhole(dir: string): void {
  for (const p of walk(dir)) {
    const name = p.slice(dirname(p).length + 1);
    assert.ok(!isTempFile(name), `temporary file left behind: ${relative(dir, p)}`);
    const text = readFileSync(p, 'utf8');
    if (p.endsWith('.json') || p.endsWith('.flag'))
      assert.doesNotThrow(() => JSON.parse(text), `${relative(dir, p)} is not whole JSON`);
    if (p.endsWith('.jsonl')) {
      assert.ok(text === '' || text.endsWith('\n'), `${relative(dir, p)} ends mid-line`);
      for (const line of text.split('\n').filter(Boolean))
        assert.doesNotThrow(() => JSON.parse(line), `${relative(dir, p)} has a broken line`);
    }
  }
}

function listing(dir: string): string {
  return walk(dir)
    .map((p) => `${relative(dir, p)} ${statSync(p).size} ${statSync(p).mtimeMs}`)
    .sort()
    .join('\n');
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
  return lines[0];
}

test('SLURM is usable where CI promised it (BARGAIN_SLURM_READY=1)', {
  skip: process.env.BARGAIN_SLURM_READY === '1' ? false : 'BARGAIN_SLURM_READY is not set',
}, () => {
  assert.ok(avail.ok, `CI started SLURM but it cannot be used: ${avail.ok ? '' : avail.reason}`);
});

describe('bargain slurm without a usable SLURM', () => {
  test('no sbatch on the PATH: one line, exit 2, nothing written', () => {
    const dir = tempDir();
    generate(dir, { levels: '0.5' });
    ok(cli(['slurm', 'script', '--results-dir', dir])); // writing the script needs no SLURM
    const before = listing(dir);
    const empty = join(dir, '..', `${dir.split('/').pop()}-emptybin`);
    mkdirSync(empty);
    dirs.push(empty);
    const r = cli(['slurm', 'submit', '--results-dir', dir], { ...process.env, PATH: empty });
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /sbatch is not on the PATH/);
    assert.equal(listing(dir), before);
  });

  test('an sbatch that refuses the job: one line with its reason, previous script restored, no record', () => {
    const dir = tempDir();
    generate(dir, { levels: '0.5' });
    const bin = join(dir, '..', `${dir.split('/').pop()}-fakebin`);
    mkdirSync(bin);
    dirs.push(bin);
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub('sinfo', 'echo debug');
    stub('squeue', 'exit 0');
    stub('scontrol', 'echo "MaxArraySize = 1001"');
    stub(
      'sbatch',
      'echo "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" >&2; exit 1',
    );
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    ok(cli(['slurm', 'script', '--tasks', '3', '--results-dir', dir], env));
    const script = join(dir, 'slurm', 'submit.sbatch');
    const old = readFileSync(script, 'utf8');
    const before = listing(dir);
    const r = cli(['slurm', 'submit', '--tasks', '2', '--account', 'nobody', '--results-dir', dir], env);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /SLURM refused the job .*Invalid account/);
    assert.equal(readFileSync(script, 'utf8'), old);
    assert.equal(
      listing(dir)
        .split('\n')
        .filter((l) => !l.startsWith('slurm/submit.sbatch'))
        .join('\n'),
      before
        .split('\n')
        .filter((l) => !l.startsWith('slurm/submit.sbatch'))
        .join('\n'),
    );
    assert.ok(!existsSync(join(dir, 'slurm', 'jobs.json')));
  });
});

describe('bargain slurm on a real SLURM', { skip }, () => {
  test('a 40-experiment grid as 4 shards %2: each experiment runs exactly once; collect sees all 40', async () => {
    const dir = tempDir();
    generate(dir, { weak: 'scripted:conceder,scripted:linear', levels: '0.1,0.2,0.3,0.4,0.5' });
    const out = ok(
      cli([
        'slurm',
        'submit',
        '--tasks',
        '4',
        '--max-running',
        '2',
        '--time',
        '00:10:00',
        '--mem',
        '1G',
        '--results-dir',
        dir,
      ]),
    );
    const job = jobIdOf(out);
    const script = readFileSync(join(dir, 'slurm', 'submit.sbatch'), 'utf8');
    assert.match(script, /^#SBATCH --array=0-3%2$/m);
    assert.match(script, new RegExp(`^#SBATCH --output=${dir}/logs/slurm_%A_%a\\.out$`, 'm'));
    const record = JSON.parse(readFileSync(join(dir, 'slurm', 'jobs.json'), 'utf8'));
    assert.equal(record.jobs.length, 1);
    assert.equal(record.jobs[0].job_id, job);
    const shards = Object.values(record.jobs[0].shards) as number[][];
    assert.equal(shards.length, 4);
    assert.deepEqual(
      shards.flat().sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i),
      'each id in exactly one shard',
    );

    const maxRunning = await waitGone(job);
    assert.ok(maxRunning <= 2, `saw ${maxRunning} tasks running at once under %2`);
    assert.deepEqual(statuses(dir, 40), Array(40).fill('SUCCESS'));
    const logs = readdirSync(join(dir, 'logs'));
    for (let id = 0; id < 40; id++) {
      assert.equal(resultFiles(dir, id).length, 1, `experiment ${id}: one result file`);
      assert.ok(!logs.some((n) => n.startsWith(`experiment_${id}.log.old`)), `experiment ${id} ran more than once`);
      const log = readFileSync(join(dir, 'logs', `experiment_${id}.log`), 'utf8');
      assert.equal(log.match(/Starting experiment/g)?.length, 1, `experiment ${id}: one start in its log`);
    }
    for (let t = 0; t < 4; t++) {
      const o = readFileSync(join(dir, 'logs', `slurm_${job}_${t}.out`), 'utf8');
      assert.match(o, new RegExp(`array task ${t} on \\S+ runs experiments ${shards[t].join(',')}\\n`));
      assert.match(o, /Ran 10 experiments/);
    }
    assertAllFilesWhole(dir);
    assert.match(ok(cli(['collect', '--results-dir', dir])), /Collected 40 experiments .*40 successful, 0 failed/);
    const csv = readFileSync(join(dir, 'results.csv'), 'utf8').trim().split('\n');
    assert.equal(csv.length, 41);
    const status = ok(cli(['slurm', 'status', '--results-dir', dir]));
    assert.match(status, new RegExp(`Job ${job} .*0 running, 0 pending, 4 finished`));
    assert.match(status, /40 total — 40 successful, 0 failed/);
  });

  test('one experiment per task: 10 tasks each run scripts/run_single_experiment.sh $SLURM_ARRAY_TASK_ID', async () => {
    const dir = tempDir();
    generate(dir, {
      weak: 'scripted:conceder',
      strong: 'scripted:boulware,scripted:nash',
      levels: '0.1,0.3,0.5,0.7,0.9',
    });
    const job = jobIdOf(ok(cli(['slurm', 'submit', '--tasks', '10', '--max-running', '2', '--results-dir', dir])));
    const script = readFileSync(join(dir, 'slurm', 'submit.sbatch'), 'utf8');
    assert.match(script, /^#SBATCH --array=0-9%2$/m);
    assert.match(script, /\/scripts\/run_single_experiment\.sh "\$SLURM_ARRAY_TASK_ID"/);
    await waitGone(job);
    assert.deepEqual(statuses(dir, 10), Array(10).fill('SUCCESS'));
    for (let id = 0; id < 10; id++) {
      assert.match(
        readFileSync(join(dir, 'logs', `slurm_${job}_${id}.out`), 'utf8'),
        new RegExp(`Experiment ${id} completed with status: SUCCESS`),
      );
    }
  });

  test('slurm cancel on a running array leaves only whole files, and a later run completes the rest', async () => {
    const dir = tempDir();
    // scripted:slow takes ~3 s per run, so the array is still busy when cancelled
    generate(dir, { weak: 'scripted:linear', strong: 'scripted:slow', levels: '0.1,0.3,0.5,0.7,0.9,1.0', runs: 1 });
    const job = jobIdOf(
      ok(cli(['slurm', 'submit', '--tasks', '2', '--max-running', '1', '--parallel', '1', '--results-dir', dir])),
    );
    await waitFor('the first experiment to start', () => existsSync(join(dir, 'logs', 'experiment_0.log')));
    // a second array on the same results directory would run the same experiments twice
    const again = cli(['slurm', 'submit', '--results-dir', dir]);
    assert.equal(again.status, 2);
    assert.match(oneLine(again.stderr), new RegExp(`SLURM job ${job} is still queued or running`));
    assert.match(ok(cli(['slurm', 'status', '--results-dir', dir])), new RegExp(`Job ${job} .*1 running, 1 pending`));

    const c = ok(cli(['slurm', 'cancel', '--wait', '--results-dir', dir]));
    assert.match(c, new RegExp(`Cancelled SLURM job ${job}`));
    assert.equal(squeueTasks([job]).length, 0);
    assertAllFilesWhole(dir);
    const done = statuses(dir, 6).filter((s) => s === 'SUCCESS').length;
    assert.ok(done < 6, 'the cancel stopped the array before it finished');
    assert.match(ok(cli(['slurm', 'cancel', '--results-dir', dir])), /nothing to cancel/);

    ok(cli(['run', '--parallel', '6', '--results-dir', dir]));
    assert.deepEqual(statuses(dir, 6), Array(6).fill('SUCCESS'));
    for (let id = 0; id < 6; id++) {
      const r = JSON.parse(readFileSync(resultFiles(dir, id)[0], 'utf8'));
      assert.equal(r.runs.length, r.num_runs, `experiment ${id} has all its runs`);
    }
    assertAllFilesWhole(dir);
  });

  test('retry --slurm submits only the failures and they complete', async () => {
    const dir = tempDir();
    generate(dir, { weak: 'scripted:linear', strong: 'scripted:slow,scripted:boulware', levels: '0.2,0.8', runs: 1 });
    // a 1 s limit times out the slow experiments (0, 1) and not the others (2, 3)
    const first = cli(['run', '--timeout', '1', '--results-dir', dir]);
    assert.equal(first.status, 1, first.stderr);
    assert.deepEqual(statuses(dir, 4), ['TIMEOUT', 'TIMEOUT', 'SUCCESS', 'SUCCESS']);
    const untouched = readFileSync(resultFiles(dir, 2)[0], 'utf8');
    const job = jobIdOf(
      ok(cli(['retry', '--slurm', '--yes', '--tasks', '1', '--timeout', '120', '--results-dir', dir])),
    );
    const script = readFileSync(join(dir, 'slurm', 'retry.sbatch'), 'utf8');
    assert.match(script, /JOBS=0-1 ;;/);
    await waitGone(job);
    assert.deepEqual(statuses(dir, 4), Array(4).fill('SUCCESS'));
    assert.equal(readFileSync(resultFiles(dir, 2)[0], 'utf8'), untouched, 'a successful experiment is not re-run');
    assert.ok(existsSync(join(dir, 'logs', 'experiment_0.log.old')), "the failed attempt's log is archived");
    assert.match(ok(cli(['collect', '--results-dir', dir])), /4 successful, 0 failed, 0 timeout/);
  });

  test('the rate budget is divided across shards: 2 tasks at --rpm sim=40 stay within 40 requests a minute at the server', async () => {
    const server = await startMockServer({ latencyMs: [5, 10], rpm: 40 });
    let job: string | null = null;
    const dir = tempDir();
    try {
      // ~90 calls per experiment, two experiments per shard: far more than a minute's budget
      generate(dir, { weak: 'sim:linear', strong: 'sim:boulware,sim:nash', levels: '0.5,0.9', runs: 1 });
      const env = { ...process.env, SIM_BASE_URL: `${server.url}/v1` };
      job = jobIdOf(
        ok(
          cli(['slurm', 'submit', '--tasks', '2', '--max-running', '2', '--rpm', 'sim=40', '--results-dir', dir], env),
        ),
      );
      assert.match(readFileSync(join(dir, 'slurm', 'submit.sbatch'), 'utf8'), / --rpm sim=20 /);
      // until both tasks have used their share (or would have overrun it), then a little longer
      const end = Date.now() + 45_000;
      while (server.stats().requests < 40 && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
      await new Promise((r) => setTimeout(r, 4000));
      const st = server.stats();
      const times = st.log.map((e) => e.ms).sort((a, b) => a - b);
      assert.ok(
        times.length > 0 && times.at(-1)! - times[0] < 60_000,
        'measured within one minute of the first request',
      );
      assert.ok(st.requests <= 40, `the server saw ${st.requests} requests in its first minute; the budget was 40`);
      assert.ok(
        st.requests >= 30,
        `only ${st.requests} requests: one task alone is capped at 20, so both should have worked`,
      );
      assert.equal(st.by_status['429'] ?? 0, 0, 'no request was refused for rate');
    } finally {
      // the tasks are waiting on their budgets: kill them rather than wait out SLURM's KillWait
      if (job) {
        const c = cli(['slurm', 'cancel', '--now', '--wait', '--results-dir', dir]);
        if (c.status !== 0) spawnSync('scancel', ['--batch', '--signal=KILL', job]);
        await waitGone(job, 20_000);
      }
      await server.close();
    }
  });

  test('an unknown partition or a job SLURM refuses: one line, exit 2, nothing written', () => {
    const dir = tempDir();
    generate(dir, { levels: '0.5' });
    const before = listing(dir);
    const p = cli(['slurm', 'submit', '--partition', 'no-such-partition', '--results-dir', dir]);
    assert.equal(p.status, 2);
    assert.match(oneLine(p.stderr), /unknown partition "no-such-partition": this cluster has \S+/);
    assert.equal(listing(dir), before);
    const m = cli(['slurm', 'submit', '--mem', '64T', '--results-dir', dir]);
    assert.equal(m.status, 2);
    assert.match(oneLine(m.stderr), /SLURM refused the job \(sbatch: .*(Memory|node configuration)/i);
    assert.equal(listing(dir), before, 'no script, no logs directory, no job record');
  });
});
