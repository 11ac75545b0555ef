/**
 * Per-experiment leases (issue 11): several processes on one results directory share the
 * work and run each experiment exactly once.
 *   - two `bargain run` started together on the demo grid: every experiment started once
 *     (counted in the logs, archived ones included), both exit 0;
 *   - the same on the strict mock with an LLM grid (sim: models, no cache): the server saw
 *     exactly the requests the results account for, none repeated;
 *   - `retry --yes` while `run` is going touches no running experiment's log or flag;
 *   - a stale lease (dead pid on this host; a foreign host's old heartbeat) is taken over,
 *     a live one skipped and shown as RUNNING by collect, results.csv, slurm status and the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startMockServer, type MockServer } from '../src/mock/server.ts';
import { bargain, flagIds, readCsv, readJson, resultFiles, startBargain, tempDir, waitFor } from './helpers/grid.ts';
import { mockEnv } from './helpers/mock-grid.ts';

/** "Starting experiment N" lines per experiment, over experiment_N.log and its archived .old copies. */
function starts(dir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync(join(dir, 'logs'))) {
    if (!/^experiment_\d+\.log/.test(name)) continue;
    for (const m of readFileSync(join(dir, 'logs', name), 'utf8').matchAll(/Starting experiment (\d+):/g)) {
      out.set(Number(m[1]), (out.get(Number(m[1])) ?? 0) + 1);
    }
  }
  return out;
}

function assertOnce(dir: string, n: number): void {
  const s = starts(dir);
  const twice = [...s].filter(([, k]) => k !== 1).map(([id, k]) => `${id}×${k}`);
  assert.deepEqual(twice, [], 'every experiment started exactly once');
  assert.equal(s.size, n, 'every experiment started');
  assert.deepEqual(
    flagIds(dir),
    Array.from({ length: n }, (_, i) => i),
  );
  assert.deepEqual(
    readdirSync(join(dir, 'logs')).filter((f) => f.startsWith('lease_')),
    [],
    'no lease left behind',
  );
}

function ranCount(stdout: string): number {
  const m = /Ran (\d+) experiments?/.exec(stdout);
  assert.ok(m, stdout);
  return Number(m[1]);
}

test('two `bargain run` started together on the demo grid: each experiment runs once, both exit 0', async () => {
  for (let trial = 0; trial < 2; trial++) {
    const { dir, cleanup } = tempDir('bargain-lease-demo-');
    try {
      const g = bargain(['generate', '--grid', 'demo', '--levels', '0.5', '--runs', '2', '--results-dir', dir]);
      assert.equal(g.status, 0, g.stderr);
      const [a, b] = await Promise.all(
        [0, 1].map(() => startBargain(['run', '--parallel', '4', '--results-dir', dir]).done),
      );
      assert.equal(a.status, 0, a.stdout + a.stderr);
      assert.equal(b.status, 0, b.stdout + b.stderr);
      assertOnce(dir, 12);
      assert.equal(ranCount(a.stdout) + ranCount(b.stdout), 12, 'the two runs split the 12 experiments');
    } finally {
      cleanup();
    }
  }
});

async function withMock<T>(fn: (s: MockServer) => Promise<T>, latencyMs: [number, number] = [2, 6]): Promise<T> {
  const s = await startMockServer({ latencyMs });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

const SIM_GRID = [
  '--grid',
  'demo',
  '--weak',
  'sim:linear,sim:boulware',
  '--strong',
  'sim:nash,sim:conceder',
  '--levels',
  '0.5,0.9',
  '--runs',
  '1',
];

test('two `bargain run` on an LLM grid (strict mock, sim: models): no experiment run twice, no request sent twice', async () => {
  await withMock(async (s) => {
    const { dir, cleanup } = tempDir('bargain-lease-llm-');
    try {
      const g = bargain(['generate', ...SIM_GRID, '--results-dir', dir]);
      assert.equal(g.status, 0, g.stderr);
      const env = mockEnv(s.url);
      const args = ['run', '--parallel', '4', '--no-check', '--no-cache', '--results-dir', dir];
      const [a, b] = await Promise.all([0, 1].map(() => startBargain(args, { env }).done));
      assert.equal(a.status, 0, a.stdout + a.stderr);
      assert.equal(b.status, 0, b.stdout + b.stderr);
      assertOnce(dir, 8);
      const calls = resultFiles(dir)
        .map((f) => readJson(join(dir, f.path)))
        .map((r) => {
          assert.equal(r.status, 'SUCCESS', r.error);
          return r.calls as number;
        });
      const st = s.stats();
      assert.ok(st.requests > 0);
      // the server's requests are exactly those of the 8 results: nothing billed twice
      assert.equal(
        st.requests,
        calls.reduce((x, y) => x + y, 0),
      );
      const hashes = st.log.map((e) => e.req);
      assert.equal(new Set(hashes).size, hashes.length, 'no request repeated');
    } finally {
      cleanup();
    }
  });
});

test('`retry --yes` while `run` is going: the running experiments keep their logs and flags and run once', async () => {
  await withMock(
    async (s) => {
      const { dir, cleanup } = tempDir('bargain-lease-retry-');
      try {
        const g = bargain(['generate', ...SIM_GRID, '--results-dir', dir]);
        assert.equal(g.status, 0, g.stderr);
        const env = mockEnv(s.url);
        const run = startBargain(['run', '--parallel', '2', '--no-check', '--no-cache', '--results-dir', dir], { env });
        const leases = () => readdirSync(join(dir, 'logs')).filter((f) => /^lease_\d+\.json$/.test(f));
        assert.ok(
          await waitFor(() => existsSync(join(dir, 'logs')) && leases().length > 0, 20_000),
          'run started experiments',
        );
        const running = leases().map((f) => Number(/\d+/.exec(f)![0]));
        const retry = await startBargain(['retry', '--yes', '--no-check', '--no-cache', '--results-dir', dir], { env })
          .done;
        assert.equal(retry.status, 0, retry.stdout + retry.stderr);
        assert.match(retry.stdout, /RUNNING in another process/);
        assert.doesNotMatch(retry.stdout, /\d+ experiments? to retry:/);
        const r = await run.done;
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.deepEqual(
          readdirSync(join(dir, 'logs')).filter((f) => f.includes('.old')),
          [],
          'no log archived',
        );
        for (const id of running)
          assert.match(
            readFileSync(join(dir, 'logs', `experiment_${id}.log`), 'utf8'),
            /completed with status: SUCCESS/,
          );
        assertOnce(dir, 8);
      } finally {
        cleanup();
      }
    },
    [30, 45],
  );
});

/** A pid that was just alive on this host and is now gone. */
function deadPid(): number {
  const p = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(p.stdout);
}

function writeLease(dir: string, id: number, host: string, pid: number, ageS = 0): string {
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const path = join(dir, 'logs', `lease_${id}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      experiment_id: id,
      host,
      pid,
      started_at: new Date().toISOString(),
      refresh_every_s: 30,
      token: `t${id}`,
    }),
  );
  const t = new Date(Date.now() - ageS * 1000);
  utimesSync(path, t, t);
  return path;
}

test('stale leases are taken over (dead pid on this host; a foreign host silent for 10 min), live ones skipped and shown as RUNNING', async () => {
  const { dir, cleanup } = tempDir('bargain-lease-stale-');
  try {
    const g = bargain(['generate', '--grid', 'demo', '--levels', '0.5', '--runs', '1', '--results-dir', dir]);
    assert.equal(g.status, 0, g.stderr);
    writeLease(dir, 0, hostname(), deadPid());
    writeLease(dir, 1, 'node-17.other-cluster', 4242, 600);
    const live = writeLease(dir, 2, hostname(), process.pid); // this test process: alive
    const remote = writeLease(dir, 3, 'node-17.other-cluster', 4242, 5); // refreshed 5 s ago elsewhere

    // run-one on a live lease: nothing done, exit 0, no log
    const one = bargain(['run-one', '2', '--results-dir', dir]);
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /not run here: running in another process \(pid \d+ on /);
    assert.ok(!existsSync(join(dir, 'logs', 'experiment_2.log')));

    const r = bargain(['run', '--results-dir', dir]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Left to another process: 2 experiments \(2-3\)/);
    assert.match(r.stdout, /Ran 10 experiments/);
    for (const id of [0, 1]) {
      assert.match(
        readFileSync(join(dir, 'logs', `experiment_${id}.log`), 'utf8'),
        /Took over a stale lease \(pid \d+ on /,
      );
      assert.ok(!existsSync(join(dir, 'logs', `lease_${id}.json`)), 'the taken-over lease is released at the end');
    }
    assert.ok(existsSync(live) && existsSync(remote), 'live leases untouched');
    assert.ok(!existsSync(join(dir, 'logs', 'experiment_2.log')) && !existsSync(join(dir, 'logs', 'experiment_3.log')));

    const c = bargain(['collect', '--results-dir', dir]);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, /2 running/);
    const summary = readJson(join(dir, 'summary.json'));
    assert.equal(summary.running, 2);
    assert.equal(summary.successful, 10);
    assert.deepEqual(
      summary.missing.map((m: { status: string }) => m.status),
      ['RUNNING', 'RUNNING'],
    );
    const rows = readCsv(join(dir, 'results.csv')).rows;
    assert.deepEqual(
      rows.filter((x) => x.status === 'RUNNING').map((x) => x.experiment_id),
      ['2', '3'],
    );
    assert.match(readFileSync(join(dir, 'report', 'index.html'), 'utf8'), /2 running/);
    const st = bargain(['slurm', 'status', '--results-dir', dir]);
    assert.equal(st.status, 0, st.stderr);
    assert.match(st.stdout, /10 successful, 0 failed, 0 timeout, 2 running/);
    const rt = bargain(['retry', '--yes', '--results-dir', dir]);
    assert.equal(rt.status, 0, rt.stderr);
    assert.match(rt.stdout, /2 experiments RUNNING in another process \(2-3\), left alone/);
  } finally {
    cleanup();
  }
});
