/**
 * Metrics on small games worked out by hand: the Nash bargaining solution (product of
 * raw utilities, disagreement point 0), Pareto optimality, the exploitation index
 * (U - U_NBS) / U_NBS, and runMetrics. Owners are written owners[item] = seat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRng, enumerable, exploitationIndex, forEachAllocation, generatePreferences, isParetoOptimal,
  nashBargainingSolution, rawUtilities, runMetrics,
} from './index.ts';

const close = (a: number | null, b: number, where = '') => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${where}: ${a} != ${b}`);

// Game A: two agents, two items.
//   Agent_1 values [60, 40], Agent_2 values [30, 70].
//   owners [0,0]: u = (100,  0)  product    0
//   owners [1,0]: u = ( 40, 30)  product 1200   (item 0 -> Agent_2, item 1 -> Agent_1)
//   owners [0,1]: u = ( 60, 70)  product 4200   <- Nash bargaining solution
//   owners [1,1]: u = (  0,100)  product    0
// Pareto: [1,0] is dominated by [0,1] (60 > 40 and 70 > 30); the other three are not
// dominated ([0,0] and [1,1] give someone everything they value).
const A = [[60, 40], [30, 70]];

test('game A: Nash bargaining solution', () => {
  const nbs = nashBargainingSolution(A)!;
  assert.deepEqual(nbs.owners, [0, 1]);
  assert.deepEqual(nbs.utilities, [60, 70]);
  assert.equal(nbs.product, 4200);
});

test('game A: Pareto optimality of every allocation', () => {
  assert.equal(isParetoOptimal(A, [0, 1]), true);
  assert.equal(isParetoOptimal(A, [0, 0]), true);
  assert.equal(isParetoOptimal(A, [1, 1]), true);
  assert.equal(isParetoOptimal(A, [1, 0]), false);
});

test('game A: exploitation index against the Nash point', () => {
  // Agent_1 takes everything: (100 - 60) / 60 = 2/3; Agent_2 gets 0: (0 - 70) / 70 = -1
  close(exploitationIndex(100, 60), 2 / 3, 'A1 all');
  close(exploitationIndex(0, 70), -1, 'A2 nothing');
  // the dominated split [1,0]: (40 - 60) / 60 = -1/3 and (30 - 70) / 70 = -4/7
  close(exploitationIndex(40, 60), -1 / 3);
  close(exploitationIndex(30, 70), -4 / 7);
  // at the Nash point itself: 0
  close(exploitationIndex(60, 60), 0);
  // undefined when the Nash utility is 0
  assert.equal(exploitationIndex(10, 0), null);
});

test('game A: runMetrics on a deal and on no deal', () => {
  const deal = runMetrics(A, [0, 0]);
  assert.equal(deal.welfare, 100);                 // 100 + 0
  assert.deepEqual(deal.shares, [1, 0]);           // 100/100, 0/100
  assert.equal(deal.pareto_optimal, true);
  assert.deepEqual(deal.nash_utilities, [60, 70]);
  close(deal.exploitation[0], 2 / 3, 'A1');
  close(deal.exploitation[1], -1, 'A2');

  const split = runMetrics(A, [1, 0]);
  assert.equal(split.welfare, 70);                 // 40 + 30
  close(split.shares[0], 40 / 70); close(split.shares[1], 30 / 70);
  assert.equal(split.pareto_optimal, false);

  const none = runMetrics(A, null);
  assert.equal(none.welfare, 0);
  assert.deepEqual(none.shares, [null, null]);
  assert.equal(none.pareto_optimal, false);        // (0, 0) is dominated by any allocation here
  assert.deepEqual(none.nash_utilities, [60, 70]);
  assert.deepEqual(none.exploitation, [null, null]);
});

// Game B: pure conflict, both value [50, 30, 20].
//   Agent_1's raw utility is the sum of its items, Agent_2 gets 100 minus that, so no
//   allocation can make one better off without the other worse off: all 8 are Pareto
//   optimal. The product u(100 - u) is largest at u = 50, reached by Agent_1 taking
//   item 0 (owners [0,1,1]) or items 1 and 2 (owners [1,0,0]); both have welfare 100,
//   so the first in enumeration order (item 0's owner changes fastest) wins: [1,0,0].
const B = [[50, 30, 20], [50, 30, 20]];

test('game B (identical values): every allocation is Pareto optimal; Nash point splits 50/50', () => {
  let count = 0;
  forEachAllocation(2, 3, (o) => { count++; assert.equal(isParetoOptimal(B, o), true, o.join(',')); });
  assert.equal(count, 8);
  const nbs = nashBargainingSolution(B)!;
  assert.deepEqual(nbs.utilities, [50, 50]);
  assert.equal(nbs.product, 2500);
  assert.deepEqual(nbs.owners, [1, 0, 0]);
  // Agent_1 taking everything: (100 - 50)/50 = 1, Agent_2: (0 - 50)/50 = -1
  assert.deepEqual(runMetrics(B, [0, 0, 0]).exploitation, [1, -1]);
});

// Game C: three agents in a ring, each values two of the three items 50/50.
//   Agent_1 [50, 50,  0], Agent_2 [ 0, 50, 50], Agent_3 [50,  0, 50].
//   Nobody can exceed 100, and one agent at 100 leaves the third item to one other, so
//   some agent gets 0; the product is largest (50^3 = 125000) when each agent gets one
//   item it values: item0->A1, item1->A2, item2->A3 (owners [0,1,2]) or item0->A3,
//   item1->A1, item2->A2 (owners [2,0,1]). Both have welfare 150; [2,0,1] comes first
//   in enumeration order (index 2 + 0*3 + 1*9 = 11 < 0 + 1*3 + 2*9 = 21).
// Pareto:
//   [0,0,1] u = (100, 50, 0): keeping A1 at 100 needs items 0 and 1, item 2 to A2 or A3
//           gives (100,50,0) or (100,0,50); neither dominates -> optimal.
//   [0,0,0] u = (100, 0, 0): item 2 is worth 0 to A1 but 50 to others; (100,50,0)
//           dominates -> not optimal.
//   [1,1,1] u = (0, 100, 0): A2 holds item 0, worth 0 to it and 50 to A1 -> not optimal.
//   [0,1,1] u = (50, 100, 0): A2 must keep items 1 and 2; item 0 to A1 or A3 -> optimal.
const C = [[50, 50, 0], [0, 50, 50], [50, 0, 50]];

test('game C (three agents): Nash point, Pareto optimality and exploitation', () => {
  const nbs = nashBargainingSolution(C)!;
  assert.deepEqual(nbs.owners, [2, 0, 1]);
  assert.deepEqual(nbs.utilities, [50, 50, 50]);
  assert.equal(nbs.product, 125000);
  assert.equal(isParetoOptimal(C, [0, 0, 1]), true);
  assert.equal(isParetoOptimal(C, [0, 1, 1]), true);
  assert.equal(isParetoOptimal(C, [0, 1, 2]), true);
  assert.equal(isParetoOptimal(C, [0, 0, 0]), false);
  assert.equal(isParetoOptimal(C, [1, 1, 1]), false);
  const m = runMetrics(C, [0, 0, 1]);
  assert.equal(m.welfare, 150);
  // (100 - 50)/50 = 1, (50 - 50)/50 = 0, (0 - 50)/50 = -1
  assert.deepEqual(m.exploitation, [1, 0, -1]);
  assert.deepEqual(m.shares, [100 / 150, 50 / 150, 0]);
});

// Game D: disjoint interests. Agent_1 [100, 0], Agent_2 [0, 100]: owners [0,1] gives
// (100, 100), product 10000, the unique maximum; every other allocation has product 0.
test('game D: disjoint interests give each agent what it values', () => {
  const nbs = nashBargainingSolution([[100, 0], [0, 100]])!;
  assert.deepEqual(nbs.owners, [0, 1]);
  assert.equal(nbs.product, 10000);
});

// Game E: a product tie broken by welfare. Agent_1 [10, 30, 60], Agent_2 [20, 20, 60].
//   [0,0,0] (100, 0) 0      [1,0,0] (90, 20) 1800   [0,1,0] (70, 20) 1400
//   [1,1,0] (60, 40) 2400   [0,0,1] (40, 60) 2400   [1,0,1] (30, 80) 2400
//   [0,1,1] (10, 80)  800   [1,1,1] (0, 100) 0
// Three allocations reach 2400; [1,0,1] has the highest welfare (110 vs 100), so it is
// the Nash point although it comes last of the three in enumeration order.
test('game E: a tie in the Nash product goes to the higher welfare', () => {
  const nbs = nashBargainingSolution([[10, 30, 60], [20, 20, 60]])!;
  assert.deepEqual(nbs.owners, [1, 0, 1]);
  assert.deepEqual(nbs.utilities, [30, 80]);
  assert.equal(nbs.product, 2400);
});

test('too large to enumerate: null, except where the quick necessary test already fails', () => {
  assert.equal(enumerable(2, 19), true);    // 524,288
  assert.equal(enumerable(2, 20), false);   // 1,048,576 > 10^6
  assert.equal(enumerable(10, 6), true);    // exactly 10^6
  assert.equal(enumerable(10, 7), false);
  const v1 = Array.from({ length: 20 }, (_, j) => (j < 10 ? 10 : 0));
  const v2 = Array.from({ length: 20 }, (_, j) => (j < 10 ? 0 : 10));
  assert.equal(nashBargainingSolution([v1, v2]), null);
  const mine = Array.from({ length: 20 }, (_, j) => (j < 10 ? 0 : 1));
  assert.equal(isParetoOptimal([v1, v2], mine), null);                            // every item to its fan: unknown
  assert.equal(isParetoOptimal([v1, v2], mine.map(() => 0)), false);            // Agent_1 holds items worth 0 to it
  const m = runMetrics([v1, v2], mine);
  assert.equal(m.nash_utilities, null);
  assert.deepEqual(m.exploitation, [null, null]);
  assert.equal(m.welfare, 200);
});

test('on random games the Nash point is Pareto optimal and maximises the product by brute force', () => {
  for (let seed = 0; seed < 60; seed++) {
    const n = 2 + (seed % 2), m = 3 + (seed % 3);
    const { values } = generatePreferences(n, m, (seed % 11) / 10, createRng(seed));
    const nbs = nashBargainingSolution(values)!;
    let best = -1;
    forEachAllocation(n, m, (o) => { best = Math.max(best, rawUtilities(values, o).reduce((a, b) => a * b, 1)); });
    assert.equal(nbs.product, best, `seed ${seed}`);
    assert.deepEqual(rawUtilities(values, nbs.owners), nbs.utilities);
    assert.equal(isParetoOptimal(values, nbs.owners), true, `seed ${seed}: ${JSON.stringify(values)}`);
  }
});
