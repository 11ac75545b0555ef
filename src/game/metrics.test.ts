/**
 * Metrics on small games worked out by hand: the Nash bargaining solution (mean of the
 * distinct utility vectors maximising the product of raw utilities, disagreement point 0;
 * undefined when that maximum is 0), Pareto optimality, the exploitation index
 * (U - U_NBS) / U_NBS, and runMetrics. Owners are written owners[item] = seat.
 * Then a seat-permutation property test over generated tied games and a brute-force
 * cross-check against a naive implementation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createRng,
  enumerable,
  exploitationIndex,
  forEachAllocation,
  generatePreferences,
  isParetoOptimal,
  nashBargainingSolution,
  runMetrics,
  type NashSolution,
  type Rng,
} from './index.ts';

const close = (a: number | null, b: number, where = '') =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${where}: ${a} != ${b}`);

// Game A: two agents, two items.
//   Agent_1 values [60, 40], Agent_2 values [30, 70].
//   owners [0,0]: u = (100,  0)  product    0
//   owners [1,0]: u = ( 40, 30)  product 1200   (item 0 -> Agent_2, item 1 -> Agent_1)
//   owners [0,1]: u = ( 60, 70)  product 4200   <- Nash bargaining solution
//   owners [1,1]: u = (  0,100)  product    0
// Pareto: [1,0] is dominated by [0,1] (60 > 40 and 70 > 30); the other three are not
// dominated ([0,0] and [1,1] give someone everything they value).
const A = [
  [60, 40],
  [30, 70],
];

test('game A: a unique maximiser is the Nash point, as before', () => {
  assert.deepEqual(nashBargainingSolution(A), { utilities: [60, 70], product: 4200, maximisers: 1 });
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
  assert.equal(deal.welfare, 100); // 100 + 0
  assert.deepEqual(deal.shares, [1, 0]); // 100/100, 0/100
  assert.equal(deal.pareto_optimal, true);
  assert.deepEqual(deal.nash_utilities, [60, 70]);
  close(deal.exploitation[0], 2 / 3, 'A1');
  close(deal.exploitation[1], -1, 'A2');

  const split = runMetrics(A, [1, 0]);
  assert.equal(split.welfare, 70); // 40 + 30
  close(split.shares[0], 40 / 70);
  close(split.shares[1], 30 / 70);
  assert.equal(split.pareto_optimal, false);

  const none = runMetrics(A, null);
  assert.equal(none.welfare, 0);
  assert.deepEqual(none.shares, [null, null]);
  assert.equal(none.pareto_optimal, false); // (0, 0) is dominated by any allocation here
  assert.deepEqual(none.nash_utilities, [60, 70]);
  assert.deepEqual(none.exploitation, [null, null]);
});

// Game B: pure conflict, both value [50, 30, 20].
//   Agent_1's raw utility is the sum of its items, Agent_2 gets 100 minus that, so no
//   allocation can make one better off without the other worse off: all 8 are Pareto
//   optimal. The product u(100 - u) is largest at u = 50, reached by Agent_1 taking
//   item 0 (owners [0,1,1]) or items 1 and 2 (owners [1,0,0]): two allocations, one
//   distinct utility vector (50, 50), so one maximiser.
const B = [
  [50, 30, 20],
  [50, 30, 20],
];

test('game B (identical values): every allocation is Pareto optimal; Nash point splits 50/50', () => {
  let count = 0;
  forEachAllocation(2, 3, (o) => {
    count++;
    assert.equal(isParetoOptimal(B, o), true, o.join(','));
  });
  assert.equal(count, 8);
  const nbs = nashBargainingSolution(B)!;
  assert.deepEqual(nbs, { utilities: [50, 50], product: 2500, maximisers: 1 });
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
const C = [
  [50, 50, 0],
  [0, 50, 50],
  [50, 0, 50],
];

test('game C (three agents): Nash point, Pareto optimality and exploitation', () => {
  assert.deepEqual(nashBargainingSolution(C), { utilities: [50, 50, 50], product: 125000, maximisers: 1 });
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
  assert.deepEqual(
    nashBargainingSolution([
      [100, 0],
      [0, 100],
    ]),
    { utilities: [100, 100], product: 10000, maximisers: 1 },
  );
});

// Game E: a three-way tie. Agent_1 [10, 30, 60], Agent_2 [20, 20, 60].
//   [0,0,0] (100, 0) 0      [1,0,0] (90, 20) 1800   [0,1,0] (70, 20) 1400
//   [1,1,0] (60, 40) 2400   [0,0,1] (40, 60) 2400   [1,0,1] (30, 80) 2400
//   [0,1,1] (10, 80)  800   [1,1,1] (0, 100) 0
// Three distinct vectors reach 2400 (the old rule picked (30, 80) by welfare). U_NBS is
// their mean: ((60 + 40 + 30) / 3, (40 + 60 + 80) / 3) = (130/3, 60); not itself achievable.
test('game E: a tie in the Nash product gives the mean of the tied utility vectors', () => {
  const E = [
    [10, 30, 60],
    [20, 20, 60],
  ];
  assert.deepEqual(nashBargainingSolution(E), { utilities: [130 / 3, 60], product: 2400, maximisers: 3 });
  // Agent_1 takes everything: (100 - 130/3) / (130/3) = 17/13; Agent_2: (0 - 60) / 60 = -1
  const m = runMetrics(E, [0, 0, 0]);
  close(m.exploitation[0], 17 / 13, 'A1');
  close(m.exploitation[1], -1, 'A2');
});

// Mirrored values: both [60, 40]. (100,0) 0, (40,60) 2400, (60,40) 2400, (0,100) 0.
// Two maximisers, mean (50, 50): seat-neutral, although neither agent can get 50.
test('mirrored two-agent game: U_NBS is exactly 50/50', () => {
  assert.deepEqual(
    nashBargainingSolution([
      [60, 40],
      [60, 40],
    ]),
    { utilities: [50, 50], product: 2400, maximisers: 2 },
  );
  // an item nobody values doubles every allocation but adds no maximiser
  assert.deepEqual(
    nashBargainingSolution([
      [60, 40, 0],
      [60, 40, 0],
    ]),
    { utilities: [50, 50], product: 2400, maximisers: 2 },
  );
});

// Distinct vectors, not allocations, are averaged. Agent_1 [30, 30, 40, 0], Agent_2 [30, 30, 30, 10]:
//   the product peaks at 2800 = 70 * 40 = 40 * 70:
//   (70, 40): Agent_1 takes item 2 and item 0 or item 1, Agent_2 the rest (two allocations);
//   (40, 70): Agent_1 takes item 2 alone (giving it item 3 too leaves Agent_2 60).
//   Per allocation the mean would be (60, 50); over distinct vectors it is (55, 55).
test('the mean is over distinct utility vectors, not over allocations', () => {
  assert.deepEqual(
    nashBargainingSolution([
      [30, 30, 40, 0],
      [30, 30, 30, 10],
    ]),
    { utilities: [55, 55], product: 2800, maximisers: 2 },
  );
});

// One item valued by both: one agent always gets 0, the product is 0 everywhere, and the Nash
// point with disagreement point 0 is undefined (the old rule recorded (100, 0)).
test('maximum product 0: the Nash point is undefined and so is every exploitation index', () => {
  const undef = { utilities: null, reason: 'zero_product', product: 0 };
  assert.deepEqual(nashBargainingSolution([[100], [100]]), undef);
  assert.deepEqual(
    nashBargainingSolution([
      [100, 0],
      [100, 0],
    ]),
    undef,
  ); // second item worthless
  assert.deepEqual(
    nashBargainingSolution([
      [50, 50],
      [50, 50],
      [50, 50],
    ]),
    undef,
  ); // fewer items than agents
  for (const owners of [[0], [1], null]) {
    const m = runMetrics([[100], [100]], owners);
    assert.equal(m.nash_utilities, null);
    assert.deepEqual(m.exploitation, [null, null]);
  }
  // distinguishable from "too large to enumerate", which is null
  assert.notEqual(nashBargainingSolution([[100], [100]]), null);
});

test('too large to enumerate: null, except where the quick necessary test already fails', () => {
  assert.equal(enumerable(2, 19), true); // 524,288
  assert.equal(enumerable(2, 20), false); // 1,048,576 > 10^6
  assert.equal(enumerable(10, 6), true); // exactly 10^6
  assert.equal(enumerable(10, 7), false);
  const v1 = Array.from({ length: 20 }, (_, j) => (j < 10 ? 10 : 0));
  const v2 = Array.from({ length: 20 }, (_, j) => (j < 10 ? 0 : 10));
  assert.equal(nashBargainingSolution([v1, v2]), null);
  const mine = Array.from({ length: 20 }, (_, j) => (j < 10 ? 0 : 1));
  assert.equal(isParetoOptimal([v1, v2], mine), null); // every item to its fan: unknown
  assert.equal(
    isParetoOptimal(
      [v1, v2],
      mine.map(() => 0),
    ),
    false,
  ); // Agent_1 holds items worth 0 to it
  const m = runMetrics([v1, v2], mine);
  assert.equal(m.nash_utilities, null);
  assert.deepEqual(m.exploitation, [null, null]);
  assert.equal(m.welfare, 200);
});

// --- property test and brute-force cross-check over generated games ---

/** Small games built to tie: coarse values (multiples of 10), and at random mirrored agents,
 *  items nobody values and duplicated items. n = 2 or 3, m = 2..6, and now and then 1. */
function tiedGame(rng: Rng): number[][] {
  const n = 2 + rng.int(2),
    m = rng.next() < 0.05 ? 1 : 2 + rng.int(5);
  const v = Array.from({ length: n }, () =>
    Array.from({ length: m }, () => (rng.next() < 0.15 ? 0 : 10 * (1 + rng.int(5)))),
  );
  if (rng.next() < 0.6) for (let s = 1; s < n; s++) if (s === 1 || rng.next() < 0.5) v[s] = v[0].slice();
  if (m > 1 && rng.next() < 0.3) {
    const j = rng.int(m);
    for (const row of v) row[j] = 0;
  }
  if (m > 1 && rng.next() < 0.3) {
    const j = rng.int(m),
      k = rng.int(m);
    for (const row of v) row[k] = row[j];
  }
  return v;
}

/** Games from the real generator at several levels, plus the tied ones. */
function gameSet(count: number, seed: number): number[][][] {
  const rng = createRng(seed);
  const games = Array.from({ length: count }, () => tiedGame(rng));
  for (let i = 0; i < 40; i++) {
    const n = 2 + (i % 2),
      level = [0.5, 0.9, 0.95, 1][i % 4];
    games.push(generatePreferences(n, 5, level, createRng(seed * 1000 + i)).values);
  }
  return games;
}

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

test('property: permuting the seats permutes U_NBS exactly, for tied and zero-product games alike', () => {
  const games = gameSet(800, 13);
  let tied = 0,
    zero = 0,
    fractional = 0;
  for (const values of games) {
    const n = values.length,
      base = nashBargainingSolution(values)!;
    if (base.utilities === null) zero++;
    else {
      if (base.maximisers > 1) tied++;
      if (base.utilities.some((x) => !Number.isInteger(x))) fractional++;
    }
    for (const perm of permutations(n)) {
      // new seat s is old seat perm[s]
      const got = nashBargainingSolution(perm.map((p) => values[p]))!;
      const want: NashSolution =
        base.utilities === null ? base : { ...base, utilities: perm.map((p) => base.utilities[p]) };
      assert.deepEqual(got, want, `${JSON.stringify(values)} seats ${perm}`); // Object.is per number: exact
    }
  }
  // the property must not hold vacuously: many games tie, some have a fractional mean, some are undefined
  assert.ok(tied >= 0.3 * games.length, `only ${tied} of ${games.length} games have tied maximisers`);
  assert.ok(fractional >= 20, `only ${fractional} games have a fractional U_NBS`);
  assert.ok(zero >= 20 && zero <= 0.5 * games.length, `${zero} zero-product games of ${games.length}`);
});

/** Naive reference: every allocation by its base-n index, argmax of the product, mean of distinct vectors. */
function naiveNash(values: number[][]): { utilities: number[] | null; vectors: number; argmax: number[][] } {
  const n = values.length,
    m = values[0].length;
  const rows: { p: number; u: number[]; owners: number[] }[] = [];
  for (let idx = 0; idx < n ** m; idx++) {
    const owners = Array.from({ length: m }, (_, j) => Math.floor(idx / n ** j) % n);
    const u = Array.from({ length: n }, (_, s) => owners.reduce((acc, o, j) => acc + (o === s ? values[s][j] : 0), 0));
    rows.push({ p: u.reduce((a, b) => a * b, 1), u, owners });
  }
  const best = Math.max(...rows.map((r) => r.p));
  const argmax = rows.filter((r) => r.p === best);
  if (best === 0) return { utilities: null, vectors: 0, argmax: [] };
  const distinct = [...new Set(argmax.map((r) => JSON.stringify(r.u)))].map((k) => JSON.parse(k) as number[]);
  return {
    utilities: values.map((_, s) => distinct.reduce((a, v) => a + v[s], 0) / distinct.length),
    vectors: distinct.length,
    argmax: argmax.map((r) => r.owners),
  };
}

test('brute force: U_NBS is the mean of the distinct argmax vectors, and every maximiser is Pareto optimal', () => {
  for (const values of gameSet(300, 99)) {
    const nbs = nashBargainingSolution(values)!;
    const ref = naiveNash(values);
    const where = JSON.stringify(values);
    if (ref.utilities === null) {
      assert.equal(nbs.utilities, null, where);
      continue;
    }
    assert.ok(nbs.utilities !== null, where);
    assert.deepEqual(nbs.utilities, ref.utilities, where);
    assert.equal(nbs.maximisers, ref.vectors, where);
    for (const owners of ref.argmax.slice(0, 4))
      assert.equal(isParetoOptimal(values, owners), true, `${where} ${owners}`);
  }
});
