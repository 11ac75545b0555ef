/** Treaty utilities: a hand-worked example, exact integer scores, and bounds 0..100. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../rng.ts';
import { generateTreatyPreferences } from './preferences.ts';
import { issueScore, treatyScores, treatyUtilities } from './utility.ts';

test('hand example: U = Σ w·(1 − |p − a|/100)', () => {
  // Agent 1: positions (20, 80), weights (70, 30); agent 2: positions (60, 0), weights (25, 75).
  // Agreement (40, 40):
  //   agent 1: 70·(1 − 20/100) + 30·(1 − 40/100) = 56 + 18 = 74
  //   agent 2: 25·(1 − 20/100) + 75·(1 − 40/100) = 20 + 45 = 65
  const positions = [
    [20, 80],
    [60, 0],
  ];
  const weights = [
    [70, 30],
    [25, 75],
  ];
  assert.deepEqual(treatyUtilities(positions, weights, [40, 40]), [74, 65]);
  assert.deepEqual(treatyScores(positions, weights, [40, 40]), [7400, 6500]);
  // agent 1's ideal: 100 for it; agent 2: 25·(1 − 40/100) + 75·(1 − 80/100) = 15 + 15 = 30
  assert.deepEqual(treatyUtilities(positions, weights, [20, 80]), [100, 30]);
  assert.equal(issueScore(30, 0, 100), 0);
});

test('utilities are exact: one division of an integer score, e.g. 0.1 + 0.2 style sums never appear', () => {
  // w = (33, 33, 34), distances (1, 2, 3): score 33·99 + 33·98 + 34·97 = 9799 → 97.99 exactly as a literal
  assert.deepEqual(treatyUtilities([[50, 50, 50]], [[33, 33, 34]], [51, 48, 53]), [97.99]);
});

test('utilities lie in 0..100 and scores are integers, over generated games and random agreements', () => {
  const rng = createRng(3);
  for (let seed = 0; seed < 300; seed++) {
    const p = generateTreatyPreferences(3, 3 + (seed % 10), 0, (seed % 11) / 10, createRng(seed));
    const a = p.positions[0].map(() => rng.int(101));
    for (const s of treatyScores(p.positions, p.weights, a)) assert.ok(Number.isInteger(s) && s >= 0 && s <= 10000);
    for (const u of treatyUtilities(p.positions, p.weights, a)) assert.ok(u >= 0 && u <= 100);
    // an agent's own ideal gives exactly 100
    p.positions.forEach((ideal, i) => assert.equal(treatyUtilities(p.positions, p.weights, ideal)[i], 100));
  }
});
