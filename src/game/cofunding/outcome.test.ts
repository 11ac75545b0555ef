/**
 * Funding and utilities on hand-computed cases: a project is funded iff the pledges reach its
 * cost; U_i = Σ_{j funded} (v_ij − x_ij); pledges to unfunded projects are free; a pledge above
 * one's valuation makes a negative project utility; sums are exact in cents.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cofundingUtilities, fundedSet, totalValuations, worthFunding } from './outcome.ts';

const valuations = [
  [60, 40, 0],
  [20, 30, 50],
];
const costs = [50, 80, 30];

test('funded iff the pledges reach the cost; unfunded pledges cost nothing', () => {
  const x = [
    [30, 40, 0],
    [20, 30, 25],
  ];
  // pledged [50, 70, 25] against [50, 80, 30]: only project 0 (exactly at cost)
  assert.deepEqual(fundedSet(costs, x), [0]);
  assert.deepEqual(cofundingUtilities(valuations, costs, x), [30, 0]);
});

test('a contribution above one’s valuation gives a negative project utility', () => {
  const x = [
    [10, 40, 0],
    [40, 40, 30],
  ];
  // pledged [50, 80, 30]: all funded. A: (60−10) + (40−40) + (0−0) = 50; B: (20−40) + (30−40) + (50−30) = −10
  assert.deepEqual(fundedSet(costs, x), [0, 1, 2]);
  assert.deepEqual(cofundingUtilities(valuations, costs, x), [50, -10]);
});

test('overfunding is spent, not refunded', () => {
  const x = [
    [40, 0, 0],
    [40, 0, 0],
  ];
  assert.deepEqual(fundedSet(costs, x), [0]);
  assert.deepEqual(cofundingUtilities(valuations, costs, x), [20, -20]);
});

test('sums are exact in cents: 0.7 + 0.2 + 0.1 funds a project of cost 1', () => {
  assert.ok(0.7 + 0.2 + 0.1 < 1, 'the floating-point sum falls short, so this case tests the cents');
  const v = [[10], [10], [10]];
  const x = [[0.7], [0.2], [0.1]];
  assert.deepEqual(fundedSet([1], x), [0]);
  assert.deepEqual(cofundingUtilities(v, [1], x), [9.3, 9.8, 9.9]);
  assert.deepEqual(fundedSet([1], [[0.7], [0.2], [0.09]]), []);
});

test('no pledges: nothing funded, all utilities 0; worth funding means Σ v > c strictly', () => {
  const zero = [
    [0, 0, 0],
    [0, 0, 0],
  ];
  assert.deepEqual(fundedSet(costs, zero), []);
  assert.deepEqual(cofundingUtilities(valuations, costs, zero), [0, 0]);
  assert.deepEqual(totalValuations(valuations), [80, 70, 50]);
  assert.deepEqual(worthFunding(valuations, costs), [0, 2]);
  assert.deepEqual(worthFunding(valuations, [80, 69, 51]), [1]); // 80 = 80 is not worth funding
});
