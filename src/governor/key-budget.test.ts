import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyBudget, type Permit } from './key-budget.ts';
import { FakeClock, flush } from './fake-clock.ts';

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
  const all = Array.from({ length: 45 }, () => b.acquire(1).then((p) => { grants.push(clock.now()); p.release(); }));
  await clock.advance(5 * 61_000);
  await Promise.all(all);
  assert.equal(grants.length, 45);
  assert.ok(maxInWindow(grants, 60_000) <= 10, `max ${maxInWindow(grants, 60_000)} in a window`);
  // 45 requests at 10/min need 4 more windows (each with its margin) after the first burst
  assert.ok(Math.max(...grants) <= 4 * 61_000 + 50, `last grant at ${Math.max(...grants)}`);
});

test('pacing: after an idle spell a key sends a second of its budget at once, then an even stream', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 600, 1000);   // 10 per second; the bucket holds 1 s = 10 requests
  const grants: number[] = [];
  const all = Array.from({ length: 1500 }, () => b.acquire(1).then((p) => { grants.push(clock.now()); p.release(); }));
  await clock.advance(200_000);
  await Promise.all(all);
  assert.equal(grants.filter((g) => g === 0).length, 10, 'the burst');
  assert.ok(maxInWindow(grants, 60_000) <= 600);
  const spacing = 61_000 / 600;
  const sorted = grants.slice().sort((x, y) => x - y).slice(10, 550);   // the first minute, after the burst
  const gaps = sorted.slice(1).map((g, i) => g - sorted[i]);
  assert.ok(Math.min(...gaps) >= spacing - 2 && Math.max(...gaps) <= spacing + 2, `then one every ${spacing.toFixed(0)} ms (gaps ${Math.min(...gaps)}–${Math.max(...gaps)})`);
  assert.ok(Math.max(...grants) <= 1490 * spacing + 200, `last grant at ${Math.max(...grants)}: the key was kept busy`);
});

test('concurrency cap holds; a release lets the next waiter in', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 1000, 3);
  const permits: Permit[] = [];
  const ps = Array.from({ length: 7 }, () => b.acquire(1).then((p) => { permits.push(p); }));
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
  b.onRateLimit(3_000);   // an answer to a request sent before the pause: no second halving, no shorter pause
  assert.equal(b.concurrency, 4);
  const grants: number[] = [];
  const ps = Array.from({ length: 4 }, () => b.acquire(1).then((p) => { grants.push(clock.now()); p.release(); }));
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
  b.onRateLimit(1_000);   // a new overload after the pause: halves again
  assert.equal(b.concurrency, 4);
});

test('tokens per minute: a request waits until its tokens fit the window', async () => {
  const clock = new FakeClock();
  const b = budget(clock, 1000, 10, 1000);
  const p1 = await b.acquire(600);
  p1.settle(700);
  p1.release();
  let granted = -1;
  const p2 = b.acquire(400).then((p) => { granted = clock.now(); p.release(); });
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
  const p3 = b.acquire(1).then((p) => { third = true; p.release(); });
  ac.abort(new Error('stop'));
  await assert.rejects(aborted, /stop/);
  first.release();
  await p3;
  assert.ok(third);
  assert.equal(b.queued, 0);
});
