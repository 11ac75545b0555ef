/**
 * Lindahl shares on hand-computed cases (a project valued by both, by one agent only, by
 * nobody), the property Σ_i x_ij^L = c_j on every funded project, and the per-draw baseline:
 * Lindahl on the welfare-optimal set, seat-symmetric, with non-negative utilities.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../rng.ts';
import { optimalFundedSet } from './knapsack.ts';
import { cofundingBaseline, lindahlShares, lindahlUtilities } from './lindahl.ts';
import { generateCofundingPreferences } from './preferences.ts';

const close = (a: number, b: number, where = '') => assert.ok(Math.abs(a - b) < 1e-9, `${where}: ${a} ≠ ${b}`);

test('hand case: shared, one-sided and unvalued projects', () => {
  const valuations = [
    [60, 40, 0, 0],
    [20, 0, 0, 50],
  ];
  const costs = [40, 30, 10, 25];
  // j0 by valuation 60:20 → 30, 10; j1 valued by A only → 30, 0; j2 by nobody → 5, 5; j3 by B only → 0, 25
  assert.deepEqual(lindahlShares(valuations, costs, [0, 1, 2, 3]), [
    [30, 30, 5, 0],
    [10, 0, 5, 25],
  ]);
  // A: (60−30) + (40−30) + (0−5) = 35; B: (20−10) + (0−5) + (50−25) = 30
  assert.deepEqual(lindahlUtilities(valuations, costs, [0, 1, 2, 3]), [35, 30]);
  // projects outside the set cost nothing
  assert.deepEqual(lindahlShares(valuations, costs, [3]), [
    [0, 0, 0, 0],
    [0, 0, 0, 25],
  ]);
  assert.deepEqual(lindahlUtilities(valuations, costs, []), [0, 0]);
  // three agents, non-integer shares: cost 10 split 1:1:1
  const third = lindahlShares([[10], [10], [10]], [10], [0]);
  third.forEach((x) => close(x[0], 10 / 3));
});

test('Σ_i x_ij^L = c_j on every project of the set, and shares are non-negative', () => {
  for (let seed = 0; seed < 300; seed++) {
    const n = 2 + (seed % 4);
    const p = generateCofundingPreferences(n, 8, 0.3, 0.7, createRng(seed));
    const all = p.costs.map((_, j) => j);
    const shares = lindahlShares(p.valuations, p.costs, all);
    for (const j of all) {
      close(
        shares.reduce((s, x) => s + x[j], 0),
        p.costs[j],
        `seed ${seed} project ${j}`,
      );
      assert.ok(shares.every((x) => x[j] >= 0));
    }
  }
});

test('baseline: Lindahl on the optimal set, non-negative utilities summing to its welfare, seat-symmetric', () => {
  let unaffordable = 0;
  for (let seed = 0; seed < 300; seed++) {
    const p = generateCofundingPreferences(3, 6, 0.5, 0.5, createRng(seed));
    const b = cofundingBaseline(p.valuations, p.costs, p.budgets);
    const opt = optimalFundedSet(
      p.valuations,
      p.costs,
      p.budgets.reduce((x, y) => x + y, 0),
    );
    assert.deepEqual(b.set, opt.set);
    assert.equal(b.welfare, opt.welfare);
    assert.deepEqual(b.shares, lindahlShares(p.valuations, p.costs, opt.set));
    assert.ok(
      b.utilities.every((u) => u >= 0),
      `seed ${seed}: ${b.utilities}`,
    );
    close(
      b.utilities.reduce((x, y) => x + y, 0),
      b.welfare,
      `seed ${seed}`,
    );
    const fits = b.shares.every((x, i) => x.reduce((s, y) => s + y, 0) <= p.budgets[i] + 1e-9);
    assert.equal(b.withinBudgets, fits);
    if (!fits) unaffordable++;
    // reversing the seats reverses the utilities
    const r = cofundingBaseline(p.valuations.slice().reverse(), p.costs, p.budgets.slice().reverse());
    assert.deepEqual(r.set, b.set);
    r.utilities.forEach((u, i) => close(u, b.utilities[2 - i]));
  }
  assert.ok(unaffordable > 0, 'no draw had Lindahl shares beyond an agent’s own budget; withinBudgets untested');
});

test('baseline hand case: one project fits the joint budget, one agent’s share exceeds its own budget', () => {
  // gains [40, 10, −10]; budget 60 fits project 0 (cost 60) alone
  const valuations = [
    [90, 10, 0],
    [10, 30, 30],
  ];
  const b = cofundingBaseline(valuations, [60, 30, 40], [30, 30]);
  assert.deepEqual(b.set, [0]);
  assert.equal(b.welfare, 40);
  assert.deepEqual(b.shares, [
    [54, 0, 0],
    [6, 0, 0],
  ]);
  assert.deepEqual(b.utilities, [36, 4]);
  assert.equal(b.withinBudgets, false); // A owes 54 of its 30
});
