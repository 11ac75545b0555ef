/**
 * Pareto optimality among integer agreements, against brute force over every agreement
 * (K = 2: 101², K = 3: 101³), with the quick certificates on and off (so the exact search is
 * tested alone); a hand-worked agreement that is integer-optimal but not continuously optimal;
 * and the Nash agreement is always Pareto optimal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../rng.ts';
import { treatyNash } from './nash.ts';
import { treatyParetoOptimal } from './pareto.ts';
import { generateTreatyPreferences } from './preferences.ts';
import { treatyScores } from './utility.ts';

type Game = { positions: number[][]; weights: number[][] };

/** The score vectors of all 101^K agreements, flat (n per agreement). */
function allScores(g: Game): Int32Array {
  const n = g.positions.length,
    K = g.positions[0].length;
  const per = g.positions[0].map((_, k) =>
    Array.from({ length: 101 }, (_, a) => g.positions.map((p, i) => g.weights[i][k] * (100 - Math.abs(p[k] - a)))),
  );
  const out = new Int32Array(101 ** K * n);
  const a = new Array<number>(K).fill(0);
  for (let row = 0; ; row++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += per[k][a[k]][i];
      out[row * n + i] = s;
    }
    let k = K - 1;
    while (k >= 0 && a[k] === 100) a[k--] = 0;
    if (k < 0) return out;
    a[k]++;
  }
}

function dominatedByBruteForce(all: Int32Array, target: readonly number[]): boolean {
  const n = target.length;
  for (let r = 0; r < all.length; r += n) {
    let geq = true,
      gt = false;
    for (let i = 0; i < n; i++) {
      if (all[r + i] < target[i]) {
        geq = false;
        break;
      }
      if (all[r + i] > target[i]) gt = true;
    }
    if (geq && gt) return true;
  }
  return false;
}

function randomWeights(rng: Rng, K: number): number[] {
  const w = new Array<number>(K).fill(0);
  if (rng.int(4) === 0) w[rng.int(K)] = 100;
  else for (let j = 0; j < 100; j++) w[rng.int(K)]++;
  return w;
}

function randomGame(rng: Rng, n: number, K: number): Game {
  const positions = Array.from({ length: n }, () => Array.from({ length: K }, () => rng.int(101)));
  const weights = Array.from({ length: n }, () => randomWeights(rng, K));
  const mode = rng.int(5);
  if (mode === 1) positions[1] = positions[0].slice();
  if (mode === 2) positions[1] = positions[0].map((p) => 100 - p);
  if (mode === 3) weights[1] = weights[0].slice();
  return { positions, weights };
}

/** Agreements worth testing: random, the Nash agreement and small moves from it, mixes of ideals, midpoints. */
function testAgreements(rng: Rng, g: Game): number[][] {
  const K = g.positions[0].length,
    n = g.positions.length;
  const out: number[][] = [];
  for (let j = 0; j < 4; j++) out.push(Array.from({ length: K }, () => rng.int(101)));
  const nash = treatyNash(g.positions, g.weights);
  if (nash.utilities) {
    out.push(nash.agreement);
    for (let j = 0; j < 5; j++) {
      const a = nash.agreement.slice();
      const k = rng.int(K);
      a[k] = Math.max(0, Math.min(100, a[k] + (rng.int(2) ? 1 : -1) * (1 + rng.int(3))));
      out.push(a);
    }
  }
  for (let j = 0; j < 3; j++) out.push(g.positions[0].map((_, k) => g.positions[rng.int(n)][k]));
  out.push(g.positions[0].map((_, k) => Math.round(g.positions.reduce((s, p) => s + p[k], 0) / n)));
  return out;
}

test('K = 2, every agreement: n = 2 and 3, with and without the quick certificates', (t) => {
  const rng = createRng(7);
  const tally = { optimal: 0, dominated: 0 };
  for (const [n, count] of [
    [2, 120],
    [3, 80],
  ]) {
    for (let c = 0; c < count; c++) {
      const g = randomGame(rng, n, 2);
      const all = allScores(g);
      for (const a of testAgreements(rng, g)) {
        const want = !dominatedByBruteForce(all, treatyScores(g.positions, g.weights, a));
        const where = `${JSON.stringify(g)} agreement ${a}`;
        assert.equal(treatyParetoOptimal(g.positions, g.weights, a), want, where);
        assert.equal(
          treatyParetoOptimal(g.positions, g.weights, a, { certificates: false }),
          want,
          `${where} (search only)`,
        );
        tally[want ? 'optimal' : 'dominated']++;
      }
    }
  }
  t.diagnostic(`${tally.optimal} optimal, ${tally.dominated} dominated`);
  assert.ok(tally.optimal > 200 && tally.dominated > 200, 'both answers are exercised');
});

test('K = 3, every one of the 101³ agreements: a few games, n = 2 and 3', () => {
  const rng = createRng(8);
  for (let c = 0; c < 9; c++) {
    const g = randomGame(rng, c < 6 ? 2 : 3, 3);
    const all = allScores(g);
    for (const a of testAgreements(rng, g).slice(0, 8)) {
      const want = !dominatedByBruteForce(all, treatyScores(g.positions, g.weights, a));
      const where = `${JSON.stringify(g)} agreement ${a}`;
      assert.equal(treatyParetoOptimal(g.positions, g.weights, a), want, where);
      assert.equal(treatyParetoOptimal(g.positions, g.weights, a, { certificates: false }), want, where);
    }
  }
});

test('hand-worked: optimal on the integer grid although a fractional exchange would dominate it', () => {
  // Agent 1 ideal (0, 0), weights (3, 2); agent 2 ideal (100, 100), weights (2, 1). At a = (50, 1),
  // moving issue 1 back by 1 and issue 0 up by d changes the scores by (2 − 3d, −1 + 2d): both ≥ 0
  // needs d ∈ [1/2, 2/3], so no whole step dominates (d = 0.6 would, continuously). No other
  // move helps both. No weighting μ > 0 supports it either (issue 1 needs μ₂ = 2μ₁, issue 0 μ₂ ≤ 1.5μ₁).
  const positions = [
    [0, 0],
    [100, 100],
  ];
  const weights = [
    [3, 2],
    [2, 1],
  ];
  assert.equal(treatyParetoOptimal(positions, weights, [50, 1]), true);
  assert.equal(
    !dominatedByBruteForce(allScores({ positions, weights }), treatyScores(positions, weights, [50, 1])),
    true,
  );
  // the trade in the right order is optimal, the reverse is dominated
  const opposite = [
    [0, 0],
    [100, 100],
  ];
  const trade = [
    [80, 20],
    [20, 80],
  ];
  assert.equal(treatyParetoOptimal(opposite, trade, [0, 100]), true);
  assert.equal(treatyParetoOptimal(opposite, trade, [100, 0]), false);
  assert.equal(treatyParetoOptimal(opposite, trade, [50, 50]), false);
  // outside the span of the ideals: dominated; an issue nobody weighs does not matter
  assert.equal(treatyParetoOptimal([[20], [60]], [[100], [100]], [70]), false);
  assert.equal(treatyParetoOptimal([[20], [60]], [[100], [100]], [35]), true);
  assert.equal(
    treatyParetoOptimal(
      [
        [20, 0],
        [60, 0],
      ],
      [
        [100, 0],
        [100, 0],
      ],
      [35, 99],
    ),
    true,
  );
});

test('the Nash agreement is Pareto optimal (generated games, n = 2, 3)', () => {
  let seed = 0;
  for (const theta of [0, 0.5, 0.9, 1]) {
    for (const rho of [-0.4, 0, 0.7]) {
      for (const n of [2, 3]) {
        for (const K of [4, 8, 12]) {
          const g = generateTreatyPreferences(n, K, rho, theta, createRng(seed++));
          const nash = treatyNash(g.positions, g.weights);
          assert.ok(nash.utilities);
          assert.equal(treatyParetoOptimal(g.positions, g.weights, nash.agreement), true, `seed ${seed - 1}`);
        }
      }
    }
  }
});

test('malformed agreements are programmer errors (validate first)', () => {
  assert.throws(() => treatyParetoOptimal([[50]], [[100]], [101]), RangeError);
  assert.throws(() => treatyParetoOptimal([[50]], [[100]], [1, 2]), RangeError);
});
