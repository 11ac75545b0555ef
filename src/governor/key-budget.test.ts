import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyBudget, type Permit } from './key-budget.ts';
import { FakeClock, flush } from './testing/fake-clock.ts';

function budget(clock: FakeClock, rpm: number, concurrency: number, tpm = 1e9) {
  return new KeyBudget('k', { rpm, tpm, concurrency }, clock, clock.setTimer, (t) => clock.clear(t));
}

/** Largest number of grants inside any window of `ms`. */
function maxInWindow(times: number[], ms: number): number {
  const t = times.slice().sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

test('never grants more than rpm requests in any 60 s window, and keeps the key busy', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 10, 100);
  const grants: number[] = [];
  const all = Array.from({ length: 45 }, () =>
    b.acquire(1).then((p) => {
      grants.push(clock.now());
      p.release();
    }),
  );
  await clock.advance(5 * 61_000);
  await Promise.all(all);
  assert.equal(grants.length, 45);
  assert.ok(maxInWindow(grants, 60_000) <= 10, `max ${maxInWindow(grants, 60_000)} in a window`);
  // 45 requests at 10/min need 4 more windows (each with its margin) after the first burst
  assert.ok(Math.max(...grants) <= 4 * 61_000 + 50, `last grant at ${Math.max(...grants)}`);
});

test('pacing: after an idle spell a key sends a second of its budget at once, then an even stream', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 600, 1000); // 10 per second; the bucket holds 1 s = 10 requests
  const grants: number[] = [];
  const all = Array.from({ length: 1500 }, () =>
    b.acquire(1).then((p) => {
      grants.push(clock.now());
      p.release();
    }),
  );
  await clock.advance(200_000);
  await Promise.all(all);
  assert.equal(grants.filter((g) => g === 0).length, 10, 'the burst');
  assert.ok(maxInWindow(grants, 60_000) <= 600);
  const spacing = 61_000 / 600;
  const sorted = grants
    .slice()
    .sort((x, y) => x - y)
    .slice(10, 550); // the first minute, after the burst
  const gaps = sorted.slice(1).map((g, i) => g - sorted[i]);
  assert.ok(
    Math.min(...gaps) >= spacing - 2 && Math.max(...gaps) <= spacing + 2,
    `then one every ${spacing.toFixed(0)} ms (gaps ${Math.min(...gaps)}–${Math.max(...gaps)})`,
  );
  assert.ok(Math.max(...grants) <= 1490 * spacing + 200, `last grant at ${Math.max(...grants)}: the key was kept busy`);
});

test('concurrency cap holds; a release lets the next waiter in', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 1000, 3);
  const permits: Permit[] = [];
  const ps = Array.from({ length: 7 }, () =>
    b.acquire(1).then((p) => {
      permits.push(p);
    }),
  );
  await flush();
  assert.equal(permits.length, 3);
  assert.equal(b.active, 3);
  permits[0].release();
  await flush();
  assert.equal(permits.length, 4);
  assert.equal(b.active, 3);
  permits.slice(1).forEach((p) => p.release());
  await flush();
  for (const p of permits) p.release();
  await flush();
  permits.forEach((p) => p.release());
  await Promise.all(ps);
  assert.equal(permits.length, 7);
});

test('a 429 pauses the key for its Retry-After for every waiter and halves concurrency, which recovers', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 1000, 8);
  b.onRateLimit(5_000);
  assert.equal(b.concurrency, 4);
  b.onRateLimit(3_000); // an answer to a request sent before the pause: no second halving, no shorter pause
  assert.equal(b.concurrency, 4);
  const grants: number[] = [];
  const ps = Array.from({ length: 4 }, () =>
    b.acquire(1).then((p) => {
      grants.push(clock.now());
      p.release();
    }),
  );
  await clock.advance(4_999);
  assert.equal(grants.length, 0, 'nothing before the Retry-After has passed');
  await clock.advance(10);
  await Promise.all(ps);
  assert.equal(grants.length, 4);
  assert.ok(grants.every((g) => g >= 5_000));
  // additive recovery: `current` successes raise the cap by one
  for (let i = 0; i < 4; i++) b.onSuccess();
  assert.equal(b.concurrency, 5);
  for (let i = 0; i < 100; i++) b.onSuccess();
  assert.equal(b.concurrency, 8, 'never above the configured cap');
  b.onRateLimit(1_000); // a new overload after the pause: halves again
  assert.equal(b.concurrency, 4);
});

test('tokens per minute: a request waits until its tokens fit the window', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 1000, 10, 1000);
  const p1 = await b.acquire(600);
  p1.settle(700);
  p1.release();
  let granted = -1;
  const p2 = b.acquire(400).then((p) => {
    granted = clock.now();
    p.release();
  });
  await clock.advance(30_000);
  assert.equal(granted, -1, '700 + 400 > 1000: must wait');
  await clock.advance(32_000);
  await p2;
  assert.ok(granted >= 60_000);
});

test('an aborted waiter leaves the queue without blocking the others', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 1000, 1);
  const first = await b.acquire(1);
  const ac = new AbortController();
  const aborted = b.acquire(1, ac.signal);
  let third = false;
  const p3 = b.acquire(1).then((p) => {
    third = true;
    p.release();
  });
  ac.abort(new Error('stop'));
  await assert.rejects(aborted, /stop/);
  first.release();
  await p3;
  assert.ok(third);
  assert.equal(b.queued, 0);
});

function learning(
  clock: FakeClock,
  limits: {
    rpm: number;
    tpm: number;
    concurrency: number;
    origin?: { rpm?: 'user' | 'default'; tpm?: 'user' | 'default' };
  },
) {
  return new KeyBudget('k', limits, clock, clock.setTimer, (t) => clock.clear(t));
}

/** Grants of n requests released at once, over `ms` of fake time. */
async function grantsOf(clock: FakeClock, b: KeyBudget, n: number, ms: number): Promise<number[]> {
  const grants: number[] = [];
  const all = Array.from({ length: n }, () =>
    b.acquire(1).then((p) => {
      grants.push(clock.now());
      p.release();
    }),
  );
  await clock.advance(ms);
  await Promise.all(all);
  return grants;
}

test('an announced limit replaces the registry default, up and down', async () => {
  const clock = new FakeClock();
  const up = learning(clock, { rpm: 10, tpm: 1e9, concurrency: 100 });
  const p = await up.acquire(1);
  p.learn({ requests: { limit: 600 } });
  p.release();
  assert.equal(up.rpm, 600);
  const fast = await grantsOf(clock, up, 300, 61_000);
  assert.ok(Math.max(...fast) < 32_000, "at 600 rpm 300 requests go within ~31 s, not the default's 30 minutes");
  assert.ok(maxInWindow([0, ...fast], 60_000) <= 600);

  const clock2 = new FakeClock();
  const down = learning(clock2, { rpm: 600, tpm: 1e9, concurrency: 100 });
  const q = await down.acquire(1);
  q.learn({ requests: { limit: 10 }, tokens: { limit: 5000 } });
  q.release();
  assert.deepEqual([down.rpm, down.tpm, down.view().rpmSource], [10, 5000, 'learned']);
  const slow = await grantsOf(clock2, down, 30, 3 * 61_000 + 10);
  assert.ok(maxInWindow([0, ...slow], 60_000) <= 10, `at most 10 in a minute (${maxInWindow([0, ...slow], 60_000)})`);
});

test("a user's --rpm/--tpm is a cap: an announced limit lowers it but never raises it", async () => {
  const clock = new FakeClock();
  const b = learning(clock, { rpm: 20, tpm: 10_000, concurrency: 100, origin: { rpm: 'user', tpm: 'user' } });
  assert.equal(b.view().rpmSource, 'user');
  const p = await b.acquire(1);
  p.learn({ requests: { limit: 5000 }, tokens: { limit: 2_000_000 } });
  p.release();
  assert.deepEqual([b.rpm, b.tpm, b.view().rpmSource, b.view().tpmSource], [20, 10_000, 'capped', 'capped']);
  const grants = await grantsOf(clock, b, 60, 3 * 61_000 + 10);
  assert.ok(maxInWindow([0, ...grants], 60_000) <= 20, 'the cap held');
  const q = await b.acquire(1);
  q.learn({ requests: { limit: 12 }, tokens: { limit: 4000 } });
  q.release();
  assert.deepEqual([b.rpm, b.tpm, b.view().rpmSource], [12, 4000, 'learned'], 'a lower announced limit binds');
});

test('remaining and reset steer: the request the provider would refuse is held until enough has refilled, counting those sent since', async () => {
  const clock = new FakeClock();
  const b = learning(clock, { rpm: 1000, tpm: 1e9, concurrency: 10 });
  const first = await b.acquire(1);
  const second = await b.acquire(1); // sent after `first`: the provider had not counted it when it answered first
  // first's answer: 1 of 10 requests left, full again in 6 s: one request comes back every 667 ms
  first.learn({ requests: { limit: 10, remaining: 1, resetMs: 6000 } });
  first.release();
  second.release();
  let granted = -1;
  const third = b.acquire(1).then((p) => {
    granted = clock.now();
    p.release();
  });
  await clock.advance(600);
  assert.equal(granted, -1, 'remaining 1, less the one in flight since: nothing left until one has refilled');
  await clock.advance(200);
  await third;
  assert.ok(granted >= 667 && granted <= 800, `sent once one request had refilled (${granted})`);
  // without the limit, the refill rate is unknown: held until the reset
  const k = new FakeClock();
  const u = learning(k, { rpm: 1000, tpm: 1e9, concurrency: 10 });
  const a1 = await u.acquire(1);
  a1.learn({ requests: { remaining: 0, resetMs: 5000 } });
  a1.release();
  let late = -1;
  const a2 = u.acquire(1).then((p) => {
    late = k.now();
    p.release();
  });
  await k.advance(4900);
  assert.equal(late, -1);
  await k.advance(200);
  await a2;
  assert.ok(late >= 5000 && late <= 5200, `sent at the reset (${late})`);
  // tokens: 3000 of 13000 left, full in 10 s (1 token a ms); 2000 sent since; a 4000-token request waits for 3000 to refill
  const c = new FakeClock();
  const t = learning(c, { rpm: 1000, tpm: 1e9, concurrency: 10 });
  const p = await t.acquire(100);
  p.learn({ tokens: { limit: 13_000, remaining: 3000, resetMs: 10_000 } });
  p.release();
  const small = await t.acquire(2000); // fits in what was left: not held
  assert.equal(c.now(), 0);
  small.release();
  let big = -1;
  const pb = t.acquire(4000).then((x) => {
    big = c.now();
    x.release();
  });
  await c.advance(2900);
  assert.equal(big, -1, '3000 - 2000 sent since < 4000 until 3000 have refilled');
  await c.advance(300);
  await pb;
  assert.ok(big >= 3000 && big <= 3200, `sent once enough had refilled (${big})`);
});

test("Anthropic's input and output limits: input tokens against ITPM, output against OTPM, cache reads not charged", async () => {
  const clock = new FakeClock();
  const b = learning(clock, { rpm: 1000, tpm: 1e9, concurrency: 10 });
  const first = await b.acquire({ input: 10, output: 10 });
  first.learn({ inputTokens: { limit: 10_000 }, outputTokens: { limit: 2000 } });
  first.release();
  const v = b.view();
  assert.deepEqual([v.split, v.tpm, v.otpm], [true, 10_000, 2000]);
  // a 9000-token prompt with 1000 of output room fits: the output cap does not eat the ITPM
  const p = await b.acquire({ input: 9000, output: 1000 });
  // most of the prompt was read from the cache: only 900 input tokens count (chargedTokens' rule)
  p.settle({ input: 900, output: 50 });
  p.release();
  let at = -1;
  const q = b.acquire({ input: 8000, output: 1000 }).then((x) => {
    at = clock.now();
    x.release();
  });
  await clock.advance(10);
  await q;
  assert.ok(at >= 0 && at <= 10, 'the cached prompt left ITPM room: sent at once');
  // output: 2000 per minute; 1000 + 1000 reserved already → the next output-heavy one waits a window
  let late = -1;
  const r = b.acquire({ input: 10, output: 1500 }).then((x) => {
    late = clock.now();
    x.release();
  });
  await clock.advance(30_000);
  assert.equal(late, -1, 'OTPM binds');
  await clock.advance(32_000);
  await r;
  assert.ok(late >= 61_000);
});

test('with a user --tpm cap, Anthropic keeps one window of input + output under min(cap, ITPM)', async () => {
  const clock = new FakeClock();
  const b = learning(clock, { rpm: 1000, tpm: 5000, concurrency: 10, origin: { tpm: 'user' } });
  const p = await b.acquire({ input: 1, output: 1 });
  p.learn({ inputTokens: { limit: 400_000 }, outputTokens: { limit: 80_000 } });
  p.release();
  assert.deepEqual([b.view().split, b.tpm], [false, 5000]);
});
