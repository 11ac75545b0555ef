/**
 * The welfare-optimal funded set against brute force over all 2^M subsets (same tie rule:
 * welfare, then fewest projects, then lexicographically smallest), on generated draws and on
 * small-number instances rich in ties, plus hand-computed cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../rng.ts';
import { optimalFundedSet, type FundedSetOptimum } from './knapsack.ts';
import { generateCofundingPreferences } from './preferences.ts';

/** a before b in the tie order: higher welfare, then fewer projects, then lexicographically smaller. */
function better(a: FundedSetOptimum, b: FundedSetOptimum): boolean {
  if (a.welfare !== b.welfare) return a.welfare > b.welfare;
  if (a.set.length !== b.set.length) return a.set.length < b.set.length;
  for (let k = 0; k < a.set.length; k++) if (a.set[k] !== b.set[k]) return a.set[k] < b.set[k];
  return false;
}

function bruteForce(valuations: number[][], costs: number[], budget: number): FundedSetOptimum {
  const m = costs.length;
  let best: FundedSetOptimum = { set: [], welfare: 0 };
  for (let mask = 1; mask < 1 << m; mask++) {
    const set: number[] = [];
    let cost = 0,
      welfare = 0;
    for (let j = 0; j < m; j++) {
      if (!(mask & (1 << j))) continue;
      set.push(j);
      cost += costs[j];
      for (const v of valuations) welfare += v[j];
      welfare -= costs[j];
    }
    if (cost > budget) continue;
    const cand = { set, welfare };
    if (better(cand, best)) best = cand;
  }
  return best;
}

/** Small integers, so many sets tie on welfare and on size. */
function tieRichInstance(rng: Rng, n: number, m: number) {
  const valuations = Array.from({ length: n }, () => Array.from({ length: m }, () => rng.int(6)));
  const costs = Array.from({ length: m }, () => 1 + rng.int(8));
  const budget = rng.int(costs.reduce((a, b) => a + b, 0) + 2);
  return { valuations, costs, budget };
}

test('matches brute force on generated draws (n = 2, 3; M = 1..10; σ and α varied)', () => {
  const rng = createRng(7);
  let checked = 0,
    nonEmpty = 0;
  for (const n of [2, 3]) {
    for (let m = 1; m <= 10; m++) {
      if (m > 1 && m < n) continue;
      for (let seed = 0; seed < 60; seed++) {
        const alpha = m === 1 ? 1 : rng.int(11) / 10;
        const sigma = 0.1 + 0.9 * rng.next();
        const p = generateCofundingPreferences(n, m, alpha, sigma, createRng(1000 * m + seed));
        const budget = p.budgets.reduce((a, b) => a + b, 0);
        const got = optimalFundedSet(p.valuations, p.costs, budget);
        assert.deepEqual(got, bruteForce(p.valuations, p.costs, budget), `n ${n} M ${m} seed ${seed}`);
        checked++;
        if (got.set.length > 0) nonEmpty++;
      }
    }
  }
  assert.ok(nonEmpty > checked / 2, `only ${nonEmpty} of ${checked} optima fund anything`);
});

test('matches brute force, tie rule included, on 3,000 small-number instances', () => {
  const rng = createRng(11);
  let ties = 0;
  for (let k = 0; k < 3000; k++) {
    const n = 2 + rng.int(2);
    const m = 1 + rng.int(10);
    const { valuations, costs, budget } = tieRichInstance(rng, n, m);
    const want = bruteForce(valuations, costs, budget);
    assert.deepEqual(optimalFundedSet(valuations, costs, budget), want, JSON.stringify({ valuations, costs, budget }));
    // count instances where another set of the same welfare exists, so the tie rule mattered
    if (want.welfare > 0) {
      const alt = bruteForce(
        valuations,
        costs.map((c, j) => (j === want.set[0] ? budget + 1 : c)),
        budget,
      );
      if (alt.welfare === want.welfare) ties++;
    }
  }
  assert.ok(ties > 100, `only ${ties} instances exercised the tie rule`);
});

test('hand cases', () => {
  // total valuations [10, 10, 10], welfare gains [5, 5, 2]; budget 10 fits {0, 1} (cost 10)
  const v3 = [
    [5, 5, 5],
    [5, 5, 5],
  ];
  assert.deepEqual(optimalFundedSet(v3, [5, 5, 8], 10), { set: [0, 1], welfare: 10 });
  assert.deepEqual(optimalFundedSet(v3, [5, 5, 8], 17), { set: [0, 1], welfare: 10 });
  assert.deepEqual(optimalFundedSet(v3, [5, 5, 8], 18), { set: [0, 1, 2], welfare: 12 });
  assert.deepEqual(optimalFundedSet(v3, [5, 5, 8], 4), { set: [], welfare: 0 });
  // gains [3, 3, 6], costs [1, 1, 2], budget 2: {0, 1} and {2} both give 6; fewest projects wins
  const tie = [
    [2, 2, 4],
    [2, 2, 4],
  ];
  assert.deepEqual(optimalFundedSet(tie, [1, 1, 2], 2), { set: [2], welfare: 6 });
  // gains [4, 4], budget for one: the lower index
  assert.deepEqual(
    optimalFundedSet(
      [
        [5, 5],
        [0, 0],
      ],
      [1, 1],
      1,
    ),
    { set: [0], welfare: 4 },
  );
  // a project of welfare exactly 0 is left out; one of negative welfare too
  assert.deepEqual(
    optimalFundedSet(
      [
        [50, 30, 20],
        [50, 30, 20],
      ],
      [60, 60, 50],
      1000,
    ),
    { set: [0], welfare: 40 },
  );
  // a fractional total budget is floored: cost 10 does not fit 9.99
  assert.deepEqual(optimalFundedSet([[20], [0]], [10], 9.99), { set: [], welfare: 0 });
});
