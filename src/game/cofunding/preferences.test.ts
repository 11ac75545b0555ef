/**
 * The co-funding draw's contract: valuations as item values (integers ≥ 0 summing to 100, cosine
 * α within ±0.01 for two agents), integer costs ≥ 1 with a mix of projects worth funding and not,
 * equal whole budgets whose total is σ · Σ costs within the stated tolerance, determinism per
 * seed, and σ outside (0, 1] refused with a one-line InfeasibleRequestError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosine, InfeasibleRequestError } from '../preferences.ts';
import { createRng } from '../rng.ts';
import { worthFunding } from './outcome.ts';
import {
  BUDGET_TOLERANCE,
  generateCofundingPreferences,
  projectCosts,
  type CofundingPreferences,
} from './preferences.ts';
import { COFUNDING_PARAMS, COFUNDING_PROJECTS, cofundingProjects } from './projects.ts';

const LEVELS = Array.from({ length: 11 }, (_, i) => i / 10);
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

function checkDraw(p: CofundingPreferences, n: number, m: number, sigma: number, where: string): void {
  assert.equal(p.valuations.length, n, where);
  for (const v of p.valuations) {
    assert.equal(v.length, m, where);
    assert.ok(
      v.every((x) => Number.isInteger(x) && x >= 0),
      `${where}: valuations ${JSON.stringify(v)}`,
    );
    assert.equal(sum(v), 100, `${where}: ${JSON.stringify(v)} does not sum to 100`);
  }
  assert.equal(p.costs.length, m, where);
  assert.ok(
    p.costs.every((c) => Number.isInteger(c) && c >= 1),
    `${where}: costs ${JSON.stringify(p.costs)}`,
  );
  assert.equal(p.budgets.length, n, where);
  assert.ok(
    p.budgets.every((b) => Number.isInteger(b) && b >= 1 && b === p.budgets[0]),
    `${where}: budgets ${JSON.stringify(p.budgets)}`,
  );
  // σ from the numbers themselves: within the per-draw bound and the global tolerance
  const totalCost = sum(p.costs);
  const err = Math.abs(sum(p.budgets) / totalCost - sigma);
  assert.ok(err <= n / (2 * totalCost) + 1e-12, `${where}: σ off by ${err} with Σc = ${totalCost}`);
  assert.ok(err <= BUDGET_TOLERANCE, `${where}: σ off by ${err} > ${BUDGET_TOLERANCE}`);
}

test('n = 2, M = 5: α = 0.0..1.0 × 1,000 seeds each within ±0.01, with valid costs and budgets', () => {
  for (const alpha of LEVELS) {
    for (let seed = 0; seed < 1000; seed++) {
      const where = `α ${alpha} seed ${seed}`;
      const p = generateCofundingPreferences(2, 5, alpha, 0.5, createRng(seed));
      checkDraw(p, 2, 5, 0.5, where);
      const c = cosine(p.valuations[0], p.valuations[1]); // from the vectors, not the report
      assert.ok(Math.abs(c - alpha) <= 0.01, `${where}: cosine ${c} of ${JSON.stringify(p.valuations)}`);
      assert.ok(Math.abs(p.cosine[0][1] - c) < 1e-12, `${where}: reported cosine differs`);
    }
  }
});

test('σ is achieved within the stated tolerance for n = 2..10, M = 1..12 and σ from 0.02 to 1', () => {
  const sigmas = [0.02, 0.05, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.99, 1];
  let worst = 0;
  for (const n of [2, 3, 5, 10]) {
    for (const m of [1, 2, 5, 8, 12]) {
      if (m > 1 && m < n) continue; // the shared valuation search cannot fit n vectors in so few projects
      const alpha = m === 1 ? 1 : 0.5;
      for (const sigma of sigmas) {
        for (let seed = 0; seed < 20; seed++) {
          const p = generateCofundingPreferences(n, m, alpha, sigma, createRng(seed));
          checkDraw(p, n, m, sigma, `n ${n} M ${m} σ ${sigma} seed ${seed}`);
          worst = Math.max(worst, Math.abs(sum(p.budgets) / sum(p.costs) - sigma));
        }
      }
    }
  }
  assert.ok(worst > 0, 'rounding never moved σ: the test could not tell a wrong rule');
});

test('a tiny σ still gives every agent one whole unit of budget', () => {
  const p = generateCofundingPreferences(2, 5, 0.5, 0.001, createRng(3));
  assert.deepEqual(p.budgets, [1, 1]);
});

test('costs: about half the projects are worth funding, and most draws have both kinds', () => {
  let worth = 0,
    projects = 0,
    mixed = 0;
  const draws = 1000;
  for (let seed = 0; seed < draws; seed++) {
    const p = generateCofundingPreferences(2, 5, 0.5, 0.5, createRng(seed));
    const w = worthFunding(p.valuations, p.costs).length;
    worth += w;
    projects += 5;
    if (w > 0 && w < 5) mixed++;
  }
  const rate = worth / projects;
  assert.ok(rate > 0.35 && rate < 0.6, `worth-funding rate ${rate}`);
  assert.ok(mixed / draws > 0.8, `only ${mixed} of ${draws} draws mix worthwhile and not`);
});

test('cost rule: round(f · Σ_i v_ij), a project nobody values priced at f · 100n/M, at least 1', () => {
  const valuations = [
    [70, 30, 0, 0],
    [50, 49, 0, 1],
  ];
  // V = [120, 79, 0, 1]; mean valuation per project 200 / 4 = 50
  assert.deepEqual(projectCosts(valuations, [0.5, 1.5, 1.2, 0.5]), [60, 119, 60, 1]);
  assert.deepEqual(projectCosts(valuations, [1, 0.5, 0.5, 1.4]), [120, 40, 25, 1]);
});

test('deterministic per seed; σ changes only the budgets', () => {
  for (const seed of [0, 1, 42, 2 ** 32 + 7]) {
    const a = generateCofundingPreferences(3, 6, 0.4, 0.5, createRng(seed));
    assert.deepEqual(generateCofundingPreferences(3, 6, 0.4, 0.5, createRng(seed)), a);
    const b = generateCofundingPreferences(3, 6, 0.4, 0.8, createRng(seed));
    assert.deepEqual(b.valuations, a.valuations);
    assert.deepEqual(b.costs, a.costs);
    assert.ok(b.budgets[0] > a.budgets[0]);
  }
  assert.notDeepEqual(
    generateCofundingPreferences(2, 5, 0.5, 0.5, createRng(1)),
    generateCofundingPreferences(2, 5, 0.5, 0.5, createRng(2)),
  );
});

test('refuses σ outside (0, 1], bad project counts and impossible α with one-line errors', () => {
  const refuses = (f: () => unknown, pattern: RegExp) =>
    assert.throws(f, (e: unknown) => {
      assert.ok(e instanceof InfeasibleRequestError);
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes('\n'), e.message);
      return true;
    });
  for (const sigma of [0, -0.1, 1.01, 2, Number.NaN]) {
    refuses(() => generateCofundingPreferences(2, 5, 0.5, sigma, createRng(1)), /σ = .* outside \(0, 1\]/);
  }
  for (const m of [0, 13, 2.5])
    refuses(() => generateCofundingPreferences(2, m, 0.5, 0.5, createRng(1)), /1 to 12 projects/);
  refuses(() => generateCofundingPreferences(2, 1, 0.5, 0.5, createRng(1)), /1 project .* use more projects/);
  refuses(() => generateCofundingPreferences(2, 5, 1.5, 0.5, createRng(1)), /α = 1.5/);
  refuses(() => generateCofundingPreferences(1, 5, 0.5, 0.5, createRng(1)), /at least 2 agents/);
  // the bounds themselves are accepted
  checkDraw(generateCofundingPreferences(2, 1, 1, 1, createRng(1)), 2, 1, 1, 'M 1 α 1 σ 1');
});

test('projects: at least 12, distinct names, and parameters that match the list', () => {
  assert.ok(COFUNDING_PROJECTS.length >= 12);
  assert.equal(new Set(COFUNDING_PROJECTS.map((p) => p.name)).size, COFUNDING_PROJECTS.length);
  assert.ok(COFUNDING_PROJECTS.every((p) => p.name.length > 0 && p.what.length > 0));
  assert.equal(COFUNDING_PARAMS.projects.max, COFUNDING_PROJECTS.length);
  assert.equal(COFUNDING_PARAMS.projects.default, 5);
  assert.equal(COFUNDING_PARAMS.sigma.default, 0.5);
  assert.deepEqual(
    cofundingProjects(2).map((p) => p.name),
    COFUNDING_PROJECTS.slice(0, 2).map((p) => p.name),
  );
});
