import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Governor, type TraceEvent } from './governor.ts';
import { ProviderError, type ChatModel, type ChatRequest, type ChatResult } from '../providers/types.ts';
import { withRetry } from '../providers/retry.ts';
import { WorkTimer, withWorkTimer } from './work-timer.ts';
import { FakeClock, flush } from './testing/fake-clock.ts';
import type { Clock } from './clock.ts';
import { BottleneckScheduler, type Demand } from '../grid/schedule.ts';
import type { ExperimentConfig } from '../results/index.ts';

/** A ChatModel that fails with the scripted errors first, recording when (on `clock`) each attempt arrived. */
function scripted(clock: Clock, errors: (ProviderError | null)[]): ChatModel & { arrivals: number[] } {
  const arrivals: number[] = [];
  let k = 0;
  return {
    spec: 'v1',
    provider: 'openai',
    modelId: 'm',
    keyLabel: 'OPENAI_API_KEY',
    arrivals,
    async generate(_req: ChatRequest): Promise<ChatResult> {
      arrivals.push(clock.now());
      const e = errors[k++];
      if (e) throw e;
      return {
        text: 'ok',
        finishReason: 'stop',
        usage: { inputTokens: 1, outputTokens: 1, reasoningTokens: 0 },
        warnings: [],
        provider: 'openai',
        modelId: 'm',
        route: 'test',
      };
    },
  };
}
const limited = (ms: number) =>
  new ProviderError({ message: '429', kind: 'rate_limit', provider: 'openai', status: 429, retryAfterMs: ms });
const req: ChatRequest = { messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 10 };
const limits = { openai: { rpm: 1000, tpm: 1e9, concurrency: 4 } };

// The governor runs on a FakeClock: waits are read off the clock, not measured, so a loaded machine cannot fail them.

test('governed 429s: the retry waits the Retry-After in the key queue, and other callers on that key wait too', async () => {
  const clock = new FakeClock();
  const gov = new Governor({ limits, clock });
  const a = scripted(clock, [limited(400), limited(400), null]);
  const b = scripted(clock, [null]);
  const pa = withRetry(a, { governor: gov }).generate(req);
  await flush();
  assert.deepEqual([a.arrivals, gov.snapshot()[0].paused], [[0], true], "a's first 429 has paused the key");
  const pb = withRetry(b, { governor: gov }).generate(req);
  await clock.advanceTo(399);
  assert.deepEqual([a.arrivals.length, b.arrivals.length], [1, 0], 'nobody went inside the pause');
  await clock.advanceTo(10_000);
  const res = await Promise.all([pa, pb]);
  assert.equal(res[0].attempts, 3);
  assert.ok(a.arrivals[1] - a.arrivals[0] >= 400, `second attempt ${a.arrivals[1] - a.arrivals[0]} ms after the first`);
  assert.ok(a.arrivals[2] - a.arrivals[1] >= 400, `third attempt ${a.arrivals[2] - a.arrivals[1]} ms after the second`);
  assert.ok(b.arrivals[0] >= 400, `the other caller went at ${b.arrivals[0]} ms, inside the pause`);
  const snap = gov.snapshot();
  assert.equal(snap.length, 1);
  assert.equal(snap[0].rateLimited, 2);
  assert.ok(snap[0].concurrency < 4, 'concurrency was lowered');
});

test('a 429 pauses the key before its permit is released: a caller queued behind it is not let through first', async () => {
  const clock = new FakeClock();
  const gov = new Governor({ limits: { openai: { rpm: 1000, tpm: 1e9, concurrency: 1 } }, clock });
  const a = scripted(clock, [limited(400), null]);
  const b = scripted(clock, [null]);
  const pa = withRetry(a, { governor: gov }).generate(req);
  const pb = withRetry(b, { governor: gov }).generate(req); // queued: a holds the only permit
  await clock.advanceTo(10_000);
  await Promise.all([pa, pb]);
  assert.equal(a.arrivals[0], 0);
  assert.ok(b.arrivals[0] >= 400, `the queued caller went ${b.arrivals[0]} ms after the 429, inside its Retry-After`);
});

test('governed, a Retry-After longer than the cap is waited only up to --max-wait and is not a failure', async () => {
  const clock = new FakeClock();
  const gov = new Governor({ limits, clock });
  const a = scripted(clock, [limited(3_600_000), null]);
  const pa = withRetry(a, { governor: gov, maxRetryAfterMs: 300 }).generate(req);
  await clock.advanceTo(299);
  assert.equal(a.arrivals.length, 1, 'the retry waits');
  await clock.advanceTo(7_200_000);
  const r = await pa;
  assert.equal(r.text, 'ok');
  const gap = a.arrivals[1] - a.arrivals[0];
  assert.ok(gap >= 300 && gap < 1_000, `the retry went ${gap} ms after the 429: not when the capped wait ended`);
  // ungoverned, the same Retry-After gives up at once
  await assert.rejects(
    withRetry(scripted(clock, [limited(3_600_000), null]), { maxRetryAfterMs: 300 }).generate(req),
    /more than/,
  );
});

test("time queued for the local budget does not count against the run's work timer", async () => {
  const clock = new FakeClock();
  const gov = new Governor({ limits: { openai: { rpm: 1, tpm: 1e9, concurrency: 1 } }, clock });
  gov.budget('openai', 'OPENAI_API_KEY').onRateLimit(600); // the key is paused: the call queues
  const timer = new WorkTimer(300, clock);
  const model = scripted(clock, [null]);
  const p = withWorkTimer(timer, () => withRetry(model, { governor: gov }).generate(req));
  await clock.advanceTo(650); // past the pause (the timer keeps running after the call: stop before 900)
  const r = await p;
  assert.equal(r.text, 'ok');
  assert.ok(model.arrivals[0] >= 600, `the call went at ${model.arrivals[0]} ms, inside the pause`);
  assert.equal(timer.expired, false, 'a 600 ms queue did not use up a 300 ms work budget');
  timer.dispose();
  const busy = new WorkTimer(50, clock);
  await clock.advance(49);
  assert.equal(busy.expired, false);
  await clock.advance(1);
  assert.equal(busy.expired, true, 'work time does count');
});

test("the trace reports every grant and every pause on the governor's clock; BARGAIN_GOVERNOR_TRACE writes it to a file", async () => {
  const clock = new FakeClock();
  const events: TraceEvent[] = [];
  const gov = new Governor({ limits, clock, trace: (e) => events.push(e) });
  const a = scripted(clock, [limited(400), null]);
  const pa = withRetry(a, { governor: gov }).generate(req);
  await clock.advanceTo(10_000);
  await pa;
  const key = 'openai/OPENAI_API_KEY';
  assert.deepEqual(events.slice(0, 2), [
    { key, grant: 0 },
    { key, pause: 0, until: 400 },
  ]);
  assert.equal(events.length, 3);
  assert.deepEqual(events[2], { key, grant: a.arrivals[1] });
  // from the environment, as a CLI run takes it
  const file = join(mkdtempSync(join(tmpdir(), 'bargain-trace-')), 'trace.jsonl');
  process.env.BARGAIN_GOVERNOR_TRACE = file;
  try {
    const g2 = new Governor({ limits, clock });
    await withRetry(scripted(clock, [null]), { governor: g2 }).generate(req);
  } finally {
    delete process.env.BARGAIN_GOVERNOR_TRACE;
  }
  assert.deepEqual(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l)),
    [{ key, grant: clock.now() }],
  );
  rmSync(dirname(file), { recursive: true });
});

test('the scheduler starts experiments on the bottleneck key first; without demand it keeps id order', () => {
  const cfg = (id: number, weak: string): ExperimentConfig => ({
    experiment_id: id,
    weak_model: weak,
    strong_model: 'x',
    competition_level: 0.5,
    num_items: 5,
    max_rounds: 10,
    random_seed: id,
    output_dir: `d${id}`,
    num_runs: 4,
    gamma_discount: 0.9,
    discussion_turns: 1,
  });
  // ids 0-5 use only openai; 6-9 also anthropic, whose budget is 10x smaller: anthropic is the bottleneck
  const pending = [...Array(10).keys()].map((i) => cfg(i, i < 6 ? 'gpt' : 'claude'));
  const demand = (c: ExperimentConfig): Demand =>
    c.weak_model === 'gpt' ? { openai: 100 / 500 } : { anthropic: 100 / 50, openai: 100 / 500 };
  const order = (s: BottleneckScheduler) => {
    const q = pending.slice();
    const o: number[] = [];
    while (q.length) o.push(q.splice(s.pick(q), 1)[0].experiment_id);
    return o;
  };
  assert.deepEqual(order(new BottleneckScheduler(pending, demand)).slice(0, 4).sort(), [6, 7, 8, 9]);
  assert.deepEqual(order(new BottleneckScheduler(pending, () => ({}))), [...Array(10).keys()]);
});

test('the scheduler feeds every key: once the running experiments saturate the bottleneck, free slots go to the others', () => {
  const cfg = (id: number, weak: string): ExperimentConfig => ({
    experiment_id: id,
    weak_model: weak,
    strong_model: 'x',
    competition_level: 0.5,
    num_items: 5,
    max_rounds: 10,
    random_seed: id,
    output_dir: `d${id}`,
    num_runs: 4,
    gamma_discount: 0.9,
    discussion_turns: 1,
  });
  // 0-9 only anthropic (the bottleneck: 10x the work per unit of capacity), 10-19 only openai
  const pending = [...Array(20).keys()].map((i) => cfg(i, i < 10 ? 'claude' : 'gpt'));
  const demand = (c: ExperimentConfig): Demand => (c.weak_model === 'claude' ? { anthropic: 100 } : { openai: 100 });
  const capacity = (k: string) => (k === 'anthropic' ? 50 : 500);
  const s = new BottleneckScheduler(pending, demand, { capacity, saturation: () => 2 });
  const q = pending.slice();
  const take = () => q.splice(s.pick(q), 1)[0];
  const first = [take(), take(), take()];
  assert.deepEqual(
    first.map((c) => c.weak_model),
    ['claude', 'claude', 'gpt'],
    'two keep anthropic busy; the third slot feeds openai',
  );
  s.done(first[0]);
  assert.equal(take().weak_model, 'claude', 'room on anthropic again: the bottleneck comes first');
  // without a saturation limit: the bottleneck's work takes every slot first
  const t = new BottleneckScheduler(pending, demand, { capacity });
  const r = pending.slice();
  assert.deepEqual(
    [0, 1, 2, 3].map(() => r.splice(t.pick(r), 1)[0].weak_model),
    ['claude', 'claude', 'claude', 'claude'],
  );
  // capacity, not budget: a key that can serve little (slow answers at its concurrency cap) counts as busy work
  const u = new BottleneckScheduler(pending, demand, { capacity: (k) => (k === 'anthropic' ? 50 : 20) });
  assert.equal(pending[u.pick(pending.slice())].weak_model, 'gpt');
});

test("a key measures what it can serve: its concurrency at the answers' latency, within its RPM", async () => {
  const { KeyBudget } = await import('./key-budget.ts');
  const clock = new FakeClock();
  const b = new KeyBudget('k', { rpm: 6000, tpm: 1e9, concurrency: 2 }, clock, clock.setTimer, (t) => clock.clear(t));
  assert.equal(b.throughput(), null, 'nothing measured yet');
  for (let i = 0; i < 20; i++) {
    const p = await b.acquire(1);
    await clock.advance(500); // each answer takes 500 ms
    p.settle(10);
    p.release();
  }
  assert.ok(
    Math.abs(b.throughput()! - (2 * 60_000) / 500) < 1,
    `2 in flight × 500 ms → 240 a minute, got ${b.throughput()}`,
  );
  const fast = new KeyBudget('f', { rpm: 60, tpm: 1e9, concurrency: 8 }, clock, clock.setTimer, (t) => clock.clear(t));
  const p = await fast.acquire(1);
  await clock.advance(10);
  p.release();
  assert.ok(fast.throughput()! <= 60, 'never more than its RPM');
});
