/**
 * Per-run metrics on hand-computed cases: welfare, shares, efficiency, provision, coordination
 * failures, exploitation against Lindahl on the optimal set, the free-rider index with its zero
 * cases, and the distance from Lindahl shares; and what no deal gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cofundingBaseline } from './lindahl.ts';
import { cofundingRunMetrics, freeRiderIndex, lindahlExploitation } from './metrics.ts';

const close = (a: number | null, b: number, where = '') =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${where}: ${a} ≠ ${b}`);

// V = [80, 70, 50], gains [30, 20, 10]; joint budget 120 → optimal {0, 1} (cost 100, welfare 50)
const valuations = [
  [60, 40, 0],
  [20, 30, 50],
];
const costs = [50, 50, 40];
const budgets = [60, 60];
const draw = { valuations, costs, budgets };

test('a deal: welfare, efficiency, provision, free riding and distance from Lindahl', () => {
  const baseline = cofundingBaseline(valuations, costs, budgets);
  assert.deepEqual(baseline.set, [0, 1]);
  // Lindahl on {0, 1}: j0 37.5 / 12.5, j1 200/7 / 150/7
  const uA = 60 - 37.5 + 40 - 200 / 7;
  const uB = 20 - 12.5 + 30 - 150 / 7;
  close(baseline.utilities[0], uA, 'U^L A');
  close(baseline.utilities[1], uB, 'U^L B');
  // pledged [50, 10, 40]: {0, 2} funded. A: 60 − 25 = 35; B: (20 − 25) + (50 − 40) = 5
  const x = [
    [25, 0, 0],
    [25, 10, 40],
  ];
  const r = cofundingRunMetrics(draw, x, baseline);
  assert.equal(r.welfare, 40);
  assert.deepEqual(r.shares, [35 / 40, 5 / 40]);
  assert.equal(r.optimal_welfare, 50);
  assert.equal(r.efficiency, 0.8);
  assert.deepEqual(r.funded, [0, 2]);
  assert.equal(r.provision_rate, 2 / 3);
  // unspent 120 − 90 = 30; project 1 is worth funding but costs 50
  assert.equal(r.unspent_budget, 30);
  assert.equal(r.coordination_failures, 0);
  close(r.exploitation[0], (35 - uA) / uA, 'exploitation A');
  close(r.exploitation[1], (5 - uB) / uB, 'exploitation B');
  // over F = {0, 2}: valuations 60 and 70 of 130, contributions 25 and 65 of 90
  close(r.valuation_share[0], 60 / 130);
  close(r.contribution_share[1], 65 / 90);
  close(r.free_rider_index[0], 60 / 130 / (25 / 90), 'FRI A');
  close(r.free_rider_index[1], 70 / 130 / (65 / 90), 'FRI B');
  assert.ok((r.free_rider_index[0] ?? 0) > 1 && (r.free_rider_index[1] ?? 2) < 1);
  // Lindahl on F: j0 37.5 / 12.5, j2 0 / 40 → (12.5 + 12.5 + 0 + 0) / 4
  assert.equal(r.lindahl_distance, 6.25);
  assert.deepEqual(r.baseline_utilities, baseline.utilities);
  // without a baseline, the optimum is computed and exploitation is unknown
  const nb = cofundingRunMetrics(draw, x, null);
  assert.equal(nb.optimal_welfare, 50);
  assert.equal(nb.efficiency, 0.8);
  assert.deepEqual(nb.exploitation, [null, null]);
  assert.equal(nb.baseline_utilities, null);
});

test('coordination failure: a worthwhile project left unfunded though the unspent budget covers it', () => {
  const rich = { valuations, costs, budgets: [70, 70] };
  const x = [
    [25, 0, 0],
    [25, 10, 40],
  ];
  // unspent 140 − 90 = 50 ≥ c_1 = 50, and V_1 = 70 > 50
  const r = cofundingRunMetrics(rich, x, cofundingBaseline(valuations, costs, rich.budgets));
  assert.equal(r.unspent_budget, 50);
  assert.equal(r.coordination_failures, 1);
  assert.equal(r.optimal_welfare, 60);
  // pledges to an unfunded project are unspent: A pledges 40 to project 1 in vain
  const y = [
    [25, 40, 0],
    [25, 0, 0],
  ];
  const s = cofundingRunMetrics(rich, y, null);
  assert.deepEqual(s.funded, [0]);
  assert.equal(s.unspent_budget, 90);
  assert.equal(s.coordination_failures, 2); // projects 1 and 2, each affordable on its own
});

test('the Lindahl contributions themselves (to the cent): efficiency 1, exploitation and distance near 0', () => {
  const baseline = cofundingBaseline(valuations, costs, budgets);
  const x = [
    [37.5, 28.57, 0],
    [12.5, 21.43, 0],
  ];
  const r = cofundingRunMetrics(draw, x, baseline);
  assert.deepEqual(r.funded, [0, 1]);
  assert.equal(r.efficiency, 1);
  close(r.exploitation[0], (60 - 37.5 + 40 - 28.57 - baseline.utilities[0]) / baseline.utilities[0]);
  assert.ok(Math.abs(r.exploitation[0] ?? 1) < 1e-3);
  // aggregate shares differ when cost/valuation ratios differ across projects: 100/150 of the value, 66.07 of 100 paid
  close(r.free_rider_index[0], 100 / 150 / (66.07 / 100), 'FRI A');
  close(r.lindahl_distance, (2 * (200 / 7 - 28.57)) / 4, 'distance'); // j0 exact; j1 off by 1/700 each
  assert.equal(r.coordination_failures, 0); // unspent 20 < 40, and project 2 is worth funding
});

test('no deal: welfare 0, efficiency 0, nothing funded, per-seat metrics null', () => {
  const baseline = cofundingBaseline(valuations, costs, budgets);
  const r = cofundingRunMetrics(draw, null, baseline);
  assert.deepEqual(r, {
    welfare: 0,
    shares: [null, null],
    baseline_utilities: baseline.utilities,
    exploitation: [null, null],
    optimal_welfare: 50,
    efficiency: 0,
    funded: [],
    provision_rate: 0,
    unspent_budget: null,
    coordination_failures: null,
    valuation_share: [null, null],
    contribution_share: [null, null],
    free_rider_index: [null, null],
    lindahl_distance: null,
  });
});

test('null cases: nothing worth funding, a deal that funds nothing, an agent with no Lindahl utility', () => {
  // nothing worth funding: efficiency null with or without a deal
  const poor = {
    valuations: [
      [50, 50],
      [50, 50],
    ],
    costs: [100, 150],
    budgets: [200, 200],
  };
  assert.equal(cofundingRunMetrics(poor, null, null).efficiency, null);
  const r = cofundingRunMetrics(
    poor,
    [
      [50, 0],
      [50, 0],
    ],
    null,
  );
  assert.equal(r.efficiency, null);
  assert.equal(r.welfare, 0);
  assert.deepEqual(r.shares, [null, null]); // welfare 0
  // a deal that funds nothing: shares and distances null, provision 0
  const d = cofundingRunMetrics(
    draw,
    [
      [0, 0, 0],
      [0, 0, 0],
    ],
    null,
  );
  assert.deepEqual(d.funded, []);
  assert.equal(d.efficiency, 0);
  assert.equal(d.lindahl_distance, null);
  assert.deepEqual(d.free_rider_index, [null, null]);
  assert.equal(d.coordination_failures, 3); // all three are worth funding, each within 120
  // B values nothing in the optimal set {0}: U^L_B = 0, so B's exploitation is null
  const split = {
    valuations: [
      [100, 0],
      [0, 100],
    ],
    costs: [50, 150],
    budgets: [50, 50],
  };
  const b = cofundingBaseline(split.valuations, split.costs, split.budgets);
  assert.deepEqual(b.utilities, [50, 0]);
  const e = cofundingRunMetrics(
    split,
    [
      [30, 0],
      [20, 0],
    ],
    b,
  );
  assert.deepEqual(e.exploitation, [(70 - 50) / 50, null]);
  // B pays 20 towards a project it values at 0: valuation share 0, free-rider index 0
  assert.deepEqual(e.free_rider_index, [1 / 0.6, 0]);
});

test('free-rider index and exploitation zero cases', () => {
  assert.equal(freeRiderIndex(0, 0), 1); // values nothing funded and paid nothing: proportional
  assert.equal(freeRiderIndex(0.5, 0), null); // a pure free rider: unbounded
  assert.equal(freeRiderIndex(0, 0.5), 0);
  assert.equal(freeRiderIndex(null, 0.5), null);
  assert.equal(freeRiderIndex(0.5, 0.25), 2);
  assert.equal(lindahlExploitation(10, 0), null);
  assert.equal(lindahlExploitation(5, -10), 1.5); // a negative Lindahl utility divides by its size
  assert.equal(lindahlExploitation(15, 10), 0.5);
  // a funded project nobody values: valuation shares undefined
  const odd = {
    valuations: [
      [100, 0],
      [100, 0],
    ],
    costs: [50, 10],
    budgets: [50, 50],
  };
  const r = cofundingRunMetrics(
    odd,
    [
      [0, 5],
      [0, 5],
    ],
    null,
  );
  assert.deepEqual(r.funded, [1]);
  assert.deepEqual(r.valuation_share, [null, null]);
  assert.deepEqual(r.contribution_share, [0.5, 0.5]);
  assert.deepEqual(r.free_rider_index, [null, null]);
  assert.equal(r.welfare, -10);
  // a pure free rider in a real deal
  const f = cofundingRunMetrics(
    draw,
    [
      [0, 0, 0],
      [50, 0, 0],
    ],
    null,
  );
  assert.deepEqual(f.contribution_share, [0, 1]);
  assert.deepEqual(f.free_rider_index, [null, 20 / 80 / 1]);
});
