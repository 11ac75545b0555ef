import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Governor } from './governor.ts';
import { FakeClock } from './fake-clock.ts';
import { ProviderError } from '../providers/types.ts';
import { WorkTimer, withWorkTimer } from './work-timer.ts';
import { BottleneckScheduler } from '../grid/schedule.ts';
import type { ExperimentConfig } from '../grid/config.ts';

const limits = { openai: { rpm: 100, tpm: 1e9, concurrency: 4 } };
const err = (kind: ProviderError['kind'], retryAfterMs?: number) =>
  new ProviderError({ message: kind, kind, provider: 'openai', status: kind === 'rate_limit' ? 429 : 500, retryAfterMs });

test('a 429 is retried after its Retry-After, never before, and is not a failure', async () => {
  const clock = new FakeClock();
  const g = new Governor({ limits, clock, random: () => 0.5 });
  const calls: number[] = [];
  const p = g.run('openai', 'OPENAI_API_KEY', 10, async () => {
    calls.push(clock.now());
    if (calls.length < 3) throw err('rate_limit', 7_000);
    return 'ok';
  });
  await clock.advance(30_000);
  const r = await p;
  assert.equal(r.value, 'ok');
  assert.equal(r.attempts, 3);
  const expected = [0, 7_000, 14_000];
  calls.forEach((t, i) => assert.ok(t >= expected[i] && t <= expected[i] + 5, `call ${i} at ${t}, expected ~${expected[i]}`));
  assert.ok(r.queuedMs >= 14_000);
});

test('Retry-After is capped by maxWait', async () => {
  const clock = new FakeClock();
  const g = new Governor({ limits, clock, maxWaitMs: 2_000 });
  const calls: number[] = [];
  const p = g.run('openai', 'k', 1, async () => { calls.push(clock.now()); if (calls.length === 1) throw err('rate_limit', 3_600_000); return 1; });
  await clock.advance(5_000);
  await p;
  assert.equal(calls.length, 2);
  assert.ok(calls[1] >= 2_000 && calls[1] <= 2_005, `retried at ${calls[1]}`);
});

test('transient errors back off with jitter and give up after the bound; fatal and key errors are not retried', async () => {
  const clock = new FakeClock();
  const g = new Governor({ limits, clock, transientRetries: 3, random: () => 0 });
  let n = 0;
  const p = g.run('openai', 'k', 1, async () => { n++; throw err('transient'); });
  const caught = p.catch((e) => e);
  await clock.advance(60_000);
  const e = await caught;
  assert.ok(e instanceof ProviderError && e.kind === 'transient');
  assert.equal(n, 4, 'first try + 3 retries');
  for (const kind of ['fatal', 'key'] as const) {
    let m = 0;
    await assert.rejects(g.run('openai', 'k', 1, async () => { m++; throw err(kind); }), (x: unknown) => x instanceof ProviderError && x.kind === kind);
    assert.equal(m, 1);
  }
});

test('time queued for the local budget does not count against the work timer', async () => {
  // real timers here: a 300 ms work timer survives a 600 ms queue wait
  const g = new Governor({ limits: { openai: { rpm: 1, tpm: 1e9, concurrency: 1 } } });
  const b = g.budget('openai', 'k');
  b.onRateLimit(600);                        // the key is paused: callers queue
  const timer = new WorkTimer(300);
  const r = await withWorkTimer(timer, () => g.run('openai', 'k', 1, async () => 'done'));
  assert.equal(r.value, 'done');
  assert.equal(timer.expired, false);
  assert.ok(r.queuedMs >= 550);
  timer.dispose();
  const t2 = new WorkTimer(50);
  await new Promise((res) => setTimeout(res, 120));
  assert.equal(t2.expired, true, 'work time does count');
});

test('the scheduler starts experiments on the bottleneck key first', () => {
  const cfg = (id: number, weak: string): ExperimentConfig => ({
    experiment_id: id, weak_model: weak, strong_model: 'x', competition_level: 0.5, num_items: 5, max_rounds: 10,
    random_seed: id, output_dir: `d${id}`, num_runs: 4, gamma_discount: 0.9, discussion_turns: 1,
  });
  // ids 0-5 use only openai (cheap), 6-9 use anthropic (budget 10x smaller): anthropic is the bottleneck
  const pending = [...Array(10).keys()].map((i) => cfg(i, i < 6 ? 'gpt' : 'claude'));
  const demand = (c: ExperimentConfig) => (c.weak_model === 'gpt' ? { openai: 100 / 500 } : { anthropic: 100 / 50, openai: 100 / 500 });
  const s = new BottleneckScheduler(pending, demand);
  const order: number[] = [];
  const q = pending.slice();
  while (q.length) order.push(q.splice(s.pick(q), 1)[0].experiment_id);
  assert.deepEqual(order.slice(0, 4).sort(), [6, 7, 8, 9]);
  // no demand at all: id order
  const s2 = new BottleneckScheduler(pending, () => ({}));
  const q2 = pending.slice(); const o2: number[] = [];
  while (q2.length) o2.push(q2.splice(s2.pick(q2), 1)[0].experiment_id);
  assert.deepEqual(o2, [...Array(10).keys()]);
});
