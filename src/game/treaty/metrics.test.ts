/**
 * Treaty run metrics on hand-worked games: a deal (welfare, shares, exploitation against
 * U_NBS, Pareto optimality, distance from the Nash agreement), the Nash deal itself, no deal,
 * and an undefined Nash point.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../rng.ts';
import { treatyRunMetrics } from './metrics.ts';
import { treatyNash } from './nash.ts';
import { generateTreatyPreferences } from './preferences.ts';

// Opposite agents trading two issues: the Nash agreement is (0, 100) with utilities (80, 80)
// (see nash.test.ts).
const positions = [
  [0, 0],
  [100, 100],
];
const weights = [
  [80, 20],
  [20, 80],
];

test('a split-the-difference deal: welfare, shares, exploitation, dominated, 50 points from the Nash agreement', () => {
  // (50, 50) gives each 80·0.5 + 20·0.5 = 50.
  assert.deepEqual(treatyRunMetrics(positions, weights, [50, 50]), {
    welfare: 100,
    shares: [0.5, 0.5],
    pareto_optimal: false,
    nash_utilities: [80, 80],
    exploitation: [-0.375, -0.375], // (50 − 80) / 80
    nash_distance: 50, // (|50 − 0| + |50 − 100|) / 2
  });
});

test('an unequal deal: agent 1 gains against the Nash point, agent 2 loses', () => {
  // (0, 60): agent 1 80 + 20·0.4 = 88; agent 2 0 + 80·0.6 = 48.
  const m = treatyRunMetrics(positions, weights, [0, 60]);
  assert.equal(m.welfare, 136);
  assert.deepEqual(m.shares, [88 / 136, 48 / 136]);
  assert.deepEqual(m.exploitation, [(88 - 80) / 80, (48 - 80) / 80]);
  assert.equal(m.pareto_optimal, true); // issue 0 at agent 1's ideal, issue 1 between: on the frontier
  assert.equal(m.nash_distance, 20);
});

test('the Nash deal itself: exploitation 0, Pareto optimal, distance 0; a given nash is used as is', () => {
  const g = generateTreatyPreferences(2, 6, 0.2, 0.4, createRng(12));
  const nash = treatyNash(g.positions, g.weights);
  assert.ok(nash.utilities);
  const m = treatyRunMetrics(g.positions, g.weights, nash.agreement, nash);
  assert.deepEqual(m, treatyRunMetrics(g.positions, g.weights, nash.agreement));
  assert.equal(m.pareto_optimal, true);
  assert.equal(m.nash_distance, 0);
  if (nash.maximisers === 1) assert.deepEqual(m.exploitation, [0, 0]);
});

test('no deal: welfare 0, shares and exploitation null, not Pareto optimal, no distance', () => {
  assert.deepEqual(treatyRunMetrics(positions, weights, null), {
    welfare: 0,
    shares: [null, null],
    pareto_optimal: false,
    nash_utilities: [80, 80],
    exploitation: [null, null],
    nash_distance: null,
  });
});

test('undefined Nash point: no exploitation or distance, the rest as usual', () => {
  const zero = [
    [100, 0],
    [0, 0],
  ];
  const m = treatyRunMetrics(positions, zero, [0, 0]);
  assert.deepEqual(m, {
    welfare: 100,
    shares: [1, 0],
    pareto_optimal: true,
    nash_utilities: null,
    exploitation: [null, null],
    nash_distance: null,
  });
});
