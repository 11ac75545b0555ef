import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { compactIds, divideBudgets, planSbatch, rateFlags, renderSbatch, shardIds, type PlanInput } from './plan.ts';

function input(pending: number[], options: PlanInput['options'] = {}, extra: Partial<PlanInput> = {}): PlanInput {
  return {
    pending,
    resultsDir: '/shared/results/demo',
    workDir: '/home/me/bargain',
    node: '/opt/node/bin/node',
    cli: '/home/me/bargain/bin/bargain.mjs',
    singleScript: '/home/me/bargain/scripts/run_single_experiment.sh',
    options,
    generatedAt: '2025-01-01T00:00:00.000Z',
    ...extra,
  };
}

test('shards are disjoint, cover every id once, and differ in size by at most one', () => {
  for (const [n, k] of [
    [40, 4],
    [41, 4],
    [7, 7],
    [300, 13],
    [5, 1],
  ]) {
    const ids = Array.from({ length: n }, (_, i) => i * 3 + 1);
    const shards = shardIds(ids, k);
    assert.equal(shards.length, k);
    const all = shards.flat().sort((a, b) => a - b);
    assert.deepEqual(all, ids, `n=${n} k=${k}`);
    const sizes = shards.map((s) => s.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
    assert.ok(sizes.every((s) => s > 0));
  }
});

test('compactIds writes ranges', () => {
  assert.equal(compactIds([5, 0, 1, 2, 7, 8, 10]), '0-2,5,7-8,10');
  assert.equal(compactIds([3]), '3');
});

test('divided budgets: P tasks together never exceed the whole budget', () => {
  const whole = { anthropic: { rpm: 50, tpm: 30000, concurrency: 4 }, openai: { rpm: 7, tpm: 1001, concurrency: 1 } };
  for (const p of [1, 2, 3, 4, 7, 10]) {
    const per = divideBudgets(whole, p);
    for (const [prov, b] of Object.entries(whole)) {
      assert.ok(per[prov].rpm! * p <= b.rpm + 1e-9, `${prov} rpm p=${p}`);
      assert.ok(per[prov].tpm! * p <= b.tpm, `${prov} tpm p=${p}`);
      assert.ok(per[prov].rpm! > 0 && per[prov].tpm! >= 1 && per[prov].concurrency! >= 1);
    }
  }
  assert.deepEqual(divideBudgets(whole, 2).anthropic, { rpm: 25, tpm: 15000, concurrency: 2 });
});

test('shard mode: array 0-(K-1)%P, absolute output path, each task runs its shard with divided rates', () => {
  const plan = planSbatch(
    input(
      Array.from({ length: 40 }, (_, i) => i),
      {
        tasks: 4,
        maxRunning: 2,
        time: '01:00:00',
        mem: '4g',
        partition: 'debug',
        account: 'lab',
        extra: ['#SBATCH --qos=low'],
      },
      { budgets: { sim: { rpm: 600, tpm: 100000, concurrency: 8 } } },
    ),
  );
  assert.equal(plan.mode, 'shards');
  assert.equal(plan.array, '0-3%2');
  const text = renderSbatch(plan);
  for (const line of [
    '#SBATCH --array=0-3%2',
    '#SBATCH --output=/shared/results/demo/logs/slurm_%A_%a.out',
    '#SBATCH --time=01:00:00',
    '#SBATCH --mem=4G',
    '#SBATCH --partition=debug',
    '#SBATCH --account=lab',
    '#SBATCH --qos=low',
  ]) {
    assert.ok(text.split('\n').includes(line), `missing ${line}\n${text}`);
  }
  // every #SBATCH line comes before the first command (sbatch stops reading them there)
  const lines = text.split('\n');
  const firstCmd = lines.findIndex((l) => l && !l.startsWith('#'));
  assert.ok(lines.slice(firstCmd).every((l) => !l.startsWith('#SBATCH')));
  assert.deepEqual(plan.rates, { sim: { rpm: 300, tpm: 50000, concurrency: 4 } });
  assert.match(text, /--rpm sim=300 --tpm sim=50000 --concurrency sim=4/);
  assert.doesNotMatch(text, / \.\.?\//, 'no relative paths');
});

test('tasks = experiments: one experiment per task, array indices are the experiment ids, run_single_experiment.sh', () => {
  const all = planSbatch(
    input(
      Array.from({ length: 300 }, (_, i) => i),
      { tasks: 300, maxRunning: 20 },
    ),
  );
  assert.equal(all.mode, 'per-experiment');
  assert.equal(all.array, '0-299%20');
  assert.match(
    renderSbatch(all),
    /exec \/home\/me\/bargain\/scripts\/run_single_experiment\.sh "\$SLURM_ARRAY_TASK_ID" --results-dir "\$RESULTS"/,
  );
  const some = planSbatch(input([2, 3, 4, 9], { tasks: 4 }));
  assert.equal(some.array, '2-4,9%4');
});

test('defaults: min(pending, 10) tasks, all running at once, no rate flags for scripted grids', () => {
  const p = planSbatch(input(Array.from({ length: 25 }, (_, i) => i)));
  assert.equal(p.tasks, 10);
  assert.equal(p.maxRunning, 10);
  assert.deepEqual(rateFlags(p.rates), []);
  assert.doesNotMatch(renderSbatch(p), /--rpm|--time|--mem|--partition|--account/);
  assert.equal(planSbatch(input([1, 2, 3], { tasks: 2, maxRunning: 9 })).maxRunning, 2, '%P never above K');
});

test('bad options and impossible plans are one UserError each', () => {
  const bad: [PlanInput, RegExp][] = [
    [input([]), /every experiment is already complete/],
    [input([1, 2], { tasks: 3 }), /--tasks 3 is more than the 2 experiments/],
    [input([1, 2], { time: '4h' }), /--time takes/],
    [input([1, 2], { mem: 'lots' }), /--mem takes/],
    [input([1, 2], { partition: 'a b' }), /--partition takes/],
    [input([1, 2], { extra: ['--qos=low'] }), /--extra takes one whole directive/],
    [input([1, 2], { extra: ['#SBATCH --qos=low\nrm -rf /'] }), /--extra takes one whole directive/],
    [input([1, 2], {}, { resultsDir: '/data/my results' }), /characters SLURM cannot take/],
    [input([1, 2], {}, { resultsDir: '/data/100%' }), /characters SLURM cannot take/],
  ];
  for (const [inp, re] of bad)
    assert.throws(
      () => planSbatch(inp),
      (e: unknown) => e instanceof UserError && re.test(e.message),
    );
});

test('the rendered script is valid bash and each array task runs exactly its shard', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-plan-'));
  try {
    // a stand-in for node that records its arguments
    const fakeNode = join(dir, 'node');
    writeFileSync(fakeNode, '#!/bin/sh\necho "$@"\n');
    chmodSync(fakeNode, 0o755);
    const ids = Array.from({ length: 23 }, (_, i) => i + 100);
    const plan = planSbatch(
      input(
        ids,
        { tasks: 5, maxRunning: 2, parallel: 3, timeout: 60 },
        { node: fakeNode, workDir: dir, resultsDir: dir },
      ),
    );
    const script = join(dir, 's.sbatch');
    writeFileSync(script, renderSbatch(plan));
    assert.equal(spawnSync('bash', ['-n', script]).status, 0);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = spawnSync('bash', [script], {
        encoding: 'utf8',
        env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i) },
      });
      assert.equal(r.status, 0, r.stderr);
      const args = r.stdout.trim().split('\n').pop()!.split(' ');
      assert.equal(args[1], 'run');
      const jobs = args[args.indexOf('--jobs') + 1].split(',').map(Number);
      assert.deepEqual(jobs, plan.shards[i]);
      assert.equal(args[args.indexOf('--parallel') + 1], '3');
      assert.equal(args[args.indexOf('--results-dir') + 1], dir);
      seen.push(...jobs);
    }
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      ids,
    );
    const stray = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '5' } });
    assert.equal(stray.status, 2);
    assert.match(stray.stderr, /no shard/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('LLM options reach every task; --max-cost is split over the shards and refused one-per-task', () => {
  const p = planSbatch(
    input(
      Array.from({ length: 9 }, (_, i) => i),
      { tasks: 3, maxCost: 10, forward: ['--models', '/etc/my models.json', '--no-cache'] },
    ),
  );
  assert.equal(p.maxCostPerTask, 3.33);
  const text = renderSbatch(p);
  assert.match(text, /--max-cost 3\.33/);
  assert.match(text, / --models '\/etc\/my models\.json' --no-cache/);
  const one = renderSbatch(
    planSbatch(input([4, 5], { tasks: 2, forward: ['--call-timeout', '30'] }, { budgets: { sim: { rpm: 10 } } })),
  );
  assert.match(
    one,
    /run_single_experiment\.sh "\$SLURM_ARRAY_TASK_ID" --results-dir "\$RESULTS" --call-timeout 30 --rpm sim=5$/m,
  );
  assert.throws(
    () => planSbatch(input([1, 2], { tasks: 2, maxCost: 5 })),
    /--max-cost needs tasks that run several experiments/,
  );
});
