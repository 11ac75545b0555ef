/**
 * The treaty's Nash bargaining solution against brute force: every integer agreement for
 * K = 1, 2 (101^K), coarse grids for K = 3, 4 (the solver restricted to the same grid), and for
 * two agents up to K = 12 an independent exact frontier programme. Random instances include
 * equal and opposite positions, zero weights, identical weights and identical agents. Then
 * hand-worked games (including a tie), seat-permutation symmetry, 'zero_product', 'too_large',
 * and the search's size on generated games.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../rng.ts';
import { solveTreatyNash, type TreatyNash, treatyNash } from './nash.ts';
import { generateTreatyPreferences } from './preferences.ts';
import { treatyScores } from './utility.ts';

type Game = { positions: number[][]; weights: number[][] };
const FULL = Array.from({ length: 101 }, (_, i) => i);
const TENS = Array.from({ length: 11 }, (_, i) => 10 * i);
const ODD = [3, 8, 17, 30, 50, 51, 77, 99];

/** Every agreement on the grid, in lexicographic order: max product, distinct maximising vectors. */
function bruteForce(g: Game, grid: readonly number[]): TreatyNash {
  const n = g.positions.length,
    K = g.positions[0].length;
  const idx = new Array<number>(K).fill(0);
  let best = 0,
    first: number[] = [];
  let tied = new Map<string, number[]>();
  for (;;) {
    const a = idx.map((i) => grid[i]);
    const s = treatyScores(g.positions, g.weights, a);
    const p = s.reduce((x, y) => x * y, 1); // ≤ 10^12 for n ≤ 3: exact
    if (p > best) {
      best = p;
      first = a;
      tied = new Map();
    }
    if (p === best && p > 0) tied.set(s.join(','), s);
    let k = K - 1;
    while (k >= 0 && idx[k] === grid.length - 1) idx[k--] = 0;
    if (k < 0) break;
    idx[k]++;
  }
  if (best === 0) return { utilities: null, reason: 'zero_product' };
  const sum = new Array<number>(n).fill(0);
  for (const v of tied.values()) v.forEach((x, i) => (sum[i] += x));
  return { utilities: sum.map((x) => x / (tied.size * 100)), agreement: first, maximisers: tied.size };
}

/** Weights: random sums of 100, sometimes all on one issue, sometimes with an issue zeroed. */
function randomWeights(rng: Rng, K: number): number[] {
  const w = new Array<number>(K).fill(0);
  const mode = rng.int(4);
  if (mode === 0) {
    w[rng.int(K)] = 100;
    return w;
  }
  for (let j = 0; j < 100; j++) w[rng.int(K)]++;
  if (mode === 1 && K > 1) {
    const z = rng.int(K);
    w[(z + 1) % K] += w[z];
    w[z] = 0;
  }
  return w;
}

/** Random games with the special cases the solver must survive. */
function randomGame(rng: Rng, n: number, K: number): Game {
  const positions = Array.from({ length: n }, () => Array.from({ length: K }, () => rng.int(101)));
  const weights = Array.from({ length: n }, () => randomWeights(rng, K));
  switch (rng.int(7)) {
    case 1: // equal positions
      positions[1] = positions[0].slice();
      break;
    case 2: // opposite positions
      positions[1] = positions[0].map((p) => 100 - p);
      break;
    case 3: // identical weights (many flat issues)
      for (let i = 1; i < n; i++) weights[i] = weights[0].slice();
      break;
    case 4: // identical agents
      positions[1] = positions[0].slice();
      weights[1] = weights[0].slice();
      break;
    case 5: // positions on a coarse lattice: many ties
      for (const row of positions) for (let k = 0; k < K; k++) row[k] = 50 * rng.int(3);
      break;
  }
  return { positions, weights };
}

function sameNash(got: TreatyNash, want: TreatyNash, where = ''): void {
  assert.deepEqual(got, want, `${where}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

test('K = 1 and K = 2, every one of the 101^K agreements: n = 2, 3, 4', () => {
  const rng = createRng(1);
  for (const [n, K, count] of [
    [2, 1, 300],
    [3, 1, 200],
    [4, 1, 100],
    [2, 2, 250],
    [3, 2, 150],
  ]) {
    for (let c = 0; c < count; c++) {
      const g = randomGame(rng, n, K);
      sameNash(treatyNash(g.positions, g.weights), bruteForce(g, FULL), `n ${n} K ${K} ${JSON.stringify(g)}`);
    }
  }
});

test('K = 3, 4 on coarse grids (the solver restricted to the same grid): n = 2, 3', () => {
  const rng = createRng(2);
  for (const [n, K, grid, count] of [
    [2, 3, TENS, 250],
    [3, 3, TENS, 250],
    [2, 3, ODD, 100],
    [3, 3, ODD, 100],
    [2, 4, TENS, 25],
    [3, 4, ODD, 25],
  ] as const) {
    for (let c = 0; c < count; c++) {
      const g = randomGame(rng, n, K);
      const where = `n ${n} K ${K} grid ${grid.join('/')} ${JSON.stringify(g)}`;
      sameNash(treatyNash(g.positions, g.weights, { grid }), bruteForce(g, grid), where);
    }
  }
});

/**
 * An independent exact method for two agents: the integer Pareto frontier by a knapsack-style
 * programme over every agreement value, best[S_0] = the largest S_1 with exactly that S_0.
 * Maximisers lie on the frontier, so the maximum product and its distinct vectors follow.
 */
function frontierNash2(g: Game): { utilities: number[]; maximisers: number; product: number } {
  const [p0, p1] = g.positions,
    [w0, w1] = g.weights;
  let best = new Int32Array(1).fill(0);
  for (let k = 0; k < p0.length; k++) {
    const next = new Int32Array(best.length + 100 * w0[k]).fill(-1);
    for (let s0 = 0; s0 < best.length; s0++) {
      if (best[s0] < 0) continue;
      for (let a = 0; a <= 100; a++) {
        const t0 = s0 + w0[k] * (100 - Math.abs(p0[k] - a)),
          t1 = best[s0] + w1[k] * (100 - Math.abs(p1[k] - a));
        if (t1 > next[t0]) next[t0] = t1;
      }
    }
    best = next;
  }
  let top = 0;
  for (let s0 = 0; s0 < best.length; s0++) if (best[s0] >= 0) top = Math.max(top, s0 * best[s0]);
  let count = 0,
    u0 = 0,
    u1 = 0;
  for (let s0 = 0; s0 < best.length; s0++) {
    if (best[s0] >= 0 && s0 * best[s0] === top) {
      count++;
      u0 += s0;
      u1 += best[s0];
    }
  }
  return { utilities: [u0 / (count * 100), u1 / (count * 100)], maximisers: count, product: top };
}

test('two agents, K = 5..12, generated games at every θ and several ρ: as an independent frontier programme', () => {
  let c = 0;
  for (const theta of [0, 0.3, 0.6, 0.9, 1]) {
    for (const rho of [-0.6, 0, 0.8]) {
      for (const K of [5, 8, 12]) {
        const g = generateTreatyPreferences(2, K, rho, theta, createRng(1000 + c++));
        const got = treatyNash(g.positions, g.weights);
        const want = frontierNash2(g);
        const where = `θ ${theta} ρ ${rho} K ${K} ${JSON.stringify(g)}`;
        assert.ok(got.utilities !== null, where);
        assert.deepEqual(got.utilities, want.utilities, where);
        assert.equal(got.maximisers, want.maximisers, where);
        const s = treatyScores(g.positions, g.weights, got.agreement);
        assert.equal(s[0] * s[1], want.product, `${where}: the agreement reaches the maximum product`);
      }
    }
  }
});

test('hand-worked games', () => {
  // Equal positions: the shared ideal, everyone 100.
  sameNash(
    treatyNash(
      [
        [10, 90, 40],
        [10, 90, 40],
      ],
      [
        [20, 30, 50],
        [60, 0, 40],
      ],
    ),
    { utilities: [100, 100], agreement: [10, 90, 40], maximisers: 1 },
  );
  // Opposite ends of one issue, equal weights: U = (100 − a, a), maximum at a = 50.
  sameNash(treatyNash([[0], [100]], [[100], [100]]), { utilities: [50, 50], agreement: [50], maximisers: 1 });
  // A tie: positions 0 and 99, U = (100 − a, 1 + a); a = 49 gives (51, 50) and a = 50 gives (50, 51),
  // both 2550. U_NBS is the mean (50.5, 50.5); the agreement is the smaller, 49.
  sameNash(treatyNash([[0], [99]], [[100], [100]]), { utilities: [50.5, 50.5], agreement: [49], maximisers: 2 });
  // Issue 1 nobody weighs: its agreement is 0 (lexicographic rule), utilities unaffected.
  // Issue 0 as above: 50.
  sameNash(
    treatyNash(
      [
        [0, 70],
        [100, 30],
      ],
      [
        [100, 0],
        [100, 0],
      ],
    ),
    { utilities: [50, 50], agreement: [50, 0], maximisers: 1 },
  );
  // Each agent cares only about its own issue: both get their ideal.
  sameNash(
    treatyNash(
      [
        [20, 0],
        [100, 65],
      ],
      [
        [100, 0],
        [0, 100],
      ],
    ),
    { utilities: [100, 100], agreement: [20, 65], maximisers: 1 },
  );
  // Opposite agents trading two issues. Agent 1 ideal (0, 0), weights (80, 20); agent 2 ideal
  // (100, 100), weights (20, 80). Concede in order of weight ratio: agent 1 keeps issue 0, agent 2
  // keeps issue 1: a = (0, 100) gives (80, 80); any other agreement gives a product below 6400
  // (moving issue 0 up by t trades 0.8t for 0.2t, and likewise issue 1).
  sameNash(
    treatyNash(
      [
        [0, 0],
        [100, 100],
      ],
      [
        [80, 20],
        [20, 80],
      ],
    ),
    { utilities: [80, 80], agreement: [0, 100], maximisers: 1 },
  );
});

test('permuting seats permutes U_NBS exactly and keeps the agreement (n = 2, 3; all θ, ρ = 1 and −1 included)', () => {
  const perms3 = [
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
  ];
  let seed = 0;
  for (const theta of [0, 0.2, 0.5, 0.8, 0.9, 1]) {
    for (const rho of [-1, -0.4, 0, 0.6, 1]) {
      for (const K of [3, 5, 8]) {
        seed++;
        const g2 = generateTreatyPreferences(2, K, rho, theta, createRng(seed));
        const a = treatyNash(g2.positions, g2.weights);
        const b = treatyNash([g2.positions[1], g2.positions[0]], [g2.weights[1], g2.weights[0]]);
        assert.ok(a.utilities && b.utilities);
        assert.deepEqual(b.utilities, [a.utilities[1], a.utilities[0]], `n 2 seed ${seed}`);
        assert.deepEqual(b.agreement, a.agreement);
        if (rho < -0.48) continue;
        const g3 = generateTreatyPreferences(3, K, rho, theta, createRng(seed));
        const base = treatyNash(g3.positions, g3.weights);
        assert.ok(base.utilities, `n 3 seed ${seed}`);
        const u = base.utilities;
        for (const perm of perms3) {
          const p = treatyNash(
            perm.map((i) => g3.positions[i]),
            perm.map((i) => g3.weights[i]),
          );
          assert.ok(p.utilities);
          assert.deepEqual(
            p.utilities,
            perm.map((i) => u[i]),
            `n 3 seed ${seed} perm ${perm}`,
          );
          assert.deepEqual(p.agreement, base.agreement);
          assert.equal(p.maximisers, base.maximisers);
        }
      }
    }
  }
});

test("'zero_product' when an agent weighs nothing; 'too_large' past the work budget (three or more agents)", () => {
  assert.deepEqual(
    treatyNash(
      [
        [10, 20],
        [30, 40],
      ],
      [
        [50, 50],
        [0, 0],
      ],
    ),
    { utilities: null, reason: 'zero_product' },
  );
  // On a restricted grid every product can be 0 (the full grid always has a positive one).
  assert.deepEqual(treatyNash([[100], [0]], [[100], [100]], { grid: [0] }), {
    utilities: null,
    reason: 'zero_product',
  });
  assert.deepEqual(treatyNash([[100], [0]], [[100], [100]], { grid: [0, 100] }), {
    utilities: null,
    reason: 'zero_product',
  });
  // Four agents with identical weights: every issue is flat on its median interval.
  const g = generateTreatyPreferences(4, 12, 0, 1, createRng(3));
  assert.deepEqual(treatyNash(g.positions, g.weights, { workBudget: 1000 }), { utilities: null, reason: 'too_large' });
  // two agents never give up, whatever the budget
  const g2 = generateTreatyPreferences(2, 12, 0, 1, createRng(3));
  assert.ok(treatyNash(g2.positions, g2.weights, { workBudget: 0 }).utilities);
});

test('malformed games are programmer errors (RangeError)', () => {
  assert.throws(() => treatyNash([[101]], [[100]]), RangeError);
  assert.throws(() => treatyNash([[50]], [[-1]]), RangeError);
  assert.throws(() => treatyNash([[50, 50]], [[100]]), RangeError);
  assert.throws(() => treatyNash([[50]], [[100]], { grid: [50, 40] }), RangeError);
});

test('search size on generated games: two agents ≤ 10,001 states per layer; three agents finish', (t) => {
  let worst2 = 0,
    worst3 = 0;
  for (let seed = 0; seed < 60; seed++) {
    for (const theta of [0, 0.5, 0.9, 1]) {
      const g2 = generateTreatyPreferences(2, 12, seed % 2 ? 0 : -0.5, theta, createRng(seed));
      const r2 = solveTreatyNash(g2.positions, g2.weights);
      assert.ok(r2.stats && r2.nash.utilities);
      assert.ok(r2.stats.maxLayer <= 10001);
      worst2 = Math.max(worst2, r2.stats.maxLayer);
      const g3 = generateTreatyPreferences(3, 5 + (seed % 8), 0, theta, createRng(seed));
      const r3 = solveTreatyNash(g3.positions, g3.weights);
      assert.ok(r3.stats && r3.nash.utilities, `n 3 seed ${seed} θ ${theta}: ${JSON.stringify(r3.stats)}`);
      worst3 = Math.max(worst3, r3.stats.work);
    }
  }
  t.diagnostic(`largest layer, two agents: ${worst2}; most work, three agents: ${worst3}`);
});
