/** Raw utility (own values of own items) and the per-round discount raw * gamma^(r-1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discount, makeSpec, rawUtilities, SpecError } from './index.ts';

const V = [
  [60, 40, 0],
  [10, 20, 70],
  [0, 50, 50],
];

test("raw utility sums each agent's own values of the items it gets", () => {
  // owners [0, 2, 1]: Agent_1 gets item 0 (60), Agent_3 item 1 (50), Agent_2 item 2 (70)
  assert.deepEqual(rawUtilities(V, [0, 2, 1]), [60, 70, 50]);
  // everything to Agent_2: 10 + 20 + 70 = 100, others 0
  assert.deepEqual(rawUtilities(V, [1, 1, 1]), [0, 100, 0]);
  // items valued by others count nothing for the holder: Agent_1 holds item 2 (worth 0 to it)
  assert.deepEqual(rawUtilities(V, [2, 2, 0]), [0, 0, 50]);
});

test('discount: agreement in round r gives raw * gamma^(r - 1)', () => {
  assert.equal(discount(80, 0.9, 1), 80); // round 1: no discount
  assert.ok(Math.abs(discount(80, 0.9, 2) - 72) < 1e-12); // 80 * 0.9
  assert.ok(Math.abs(discount(80, 0.9, 3) - 64.8) < 1e-12); // 80 * 0.81
  assert.ok(Math.abs(discount(50, 0.5, 4) - 6.25) < 1e-12); // 50 * 0.125
  assert.ok(Math.abs(discount(100, 0.9, 10) - 38.7420489) < 1e-9); // 100 * 0.9^9
  assert.equal(discount(80, 1, 7), 80); // gamma 1: none
  assert.equal(discount(0, 0.9, 5), 0);
});

test('the spec refuses gamma outside (0, 1] and bad sizes with a message naming the parameter', () => {
  for (const gamma of [0, -0.1, 1.01, Number.NaN]) {
    assert.throws(
      () => makeSpec({ gamma }),
      (e: unknown) => e instanceof SpecError && /gamma_discount must be in \(0, 1\]/.test(e.message),
    );
  }
  assert.throws(() => makeSpec({ m: 0 }), /num_items must be a whole number from 1/);
  assert.throws(() => makeSpec({ maxRounds: 0 }), /max_rounds must be a whole number from 1/);
  assert.throws(() => makeSpec({ maxRounds: 2.5 }), /max_rounds/);
  assert.throws(() => makeSpec({ n: 11 }), /number of agents must be a whole number from 2 to 10/);
  const s = makeSpec();
  assert.deepEqual([s.n, s.m, s.maxRounds, s.gamma, s.discussionTurns, s.passThreshold], [2, 5, 10, 0.9, 1, 2]);
  assert.deepEqual(s.items, ['Apple', 'Jewel', 'Stone', 'Quill', 'Pencil']);
  assert.ok(Object.isFrozen(s));
});
