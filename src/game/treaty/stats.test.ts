/**
 * The treaty's small statistics: Φ against reference values (to 1e-12), its symmetry,
 * mid-ranks and Spearman with ties and constant vectors, and the normal sampler's moments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../rng.ts';
import { midRanks, normalCdf, normalSampler, spearman } from './stats.ts';

test('Φ matches reference values to 1e-12 and is symmetric', () => {
  // Reference values (R: pnorm, printed to 16 digits).
  const reference: [number, number][] = [
    [0, 0.5],
    [0.5, 0.6914624612740131],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145707],
    [1.96, 0.9750021048517795],
    [-2, 0.022750131948179195],
    [3, 0.9986501019683699],
    [-5, 2.866515718791939e-7],
    [7.5, 0.9999999999999681],
  ];
  for (const [x, p] of reference) assert.ok(Math.abs(normalCdf(x) - p) < 1e-12, `Φ(${x}) = ${normalCdf(x)}, want ${p}`);
  for (let x = -8; x <= 8; x += 0.37) assert.ok(Math.abs(normalCdf(x) + normalCdf(-x) - 1) < 1e-14, `symmetry at ${x}`);
  assert.equal(normalCdf(-9), 0);
  assert.equal(normalCdf(9), 1);
  // monotone where steps of 0.01 move Φ by more than its absolute error (~1e-16)
  for (let x = -6; x < 6; x += 0.01) assert.ok(normalCdf(x + 0.01) > normalCdf(x), `monotone at ${x}`);
});

test('mid-ranks give tied values the mean of the ranks they span', () => {
  assert.deepEqual(midRanks([10, 30, 20]), [1, 3, 2]);
  assert.deepEqual(midRanks([5, 1, 5, 5, 0]), [4, 2, 4, 4, 1]);
  assert.deepEqual(midRanks([7, 7]), [1.5, 1.5]);
});

test('Spearman: monotone maps give ±1, ties use mid-ranks, a constant vector gives 0 (not NaN)', () => {
  assert.equal(spearman([1, 2, 3, 4], [10, 40, 90, 160]), 1);
  assert.equal(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  assert.equal(spearman([3, 3, 3], [1, 2, 3]), 0);
  assert.equal(spearman([5], [7]), 0);
  // ranks (1.5, 1.5, 3) and (1, 2, 3): Pearson of those is √3/2
  assert.ok(Math.abs(spearman([0, 0, 9], [1, 2, 3]) - Math.sqrt(3) / 2) < 1e-15);
});

test('the normal sampler is deterministic per seed with mean 0 and variance 1', () => {
  const a = normalSampler(createRng(5)),
    b = normalSampler(createRng(5));
  for (let i = 0; i < 10; i++) assert.equal(a(), b());
  const draw = normalSampler(createRng(11));
  const N = 100_000;
  let s = 0,
    s2 = 0,
    below = 0;
  for (let i = 0; i < N; i++) {
    const z = draw();
    s += z;
    s2 += z * z;
    if (z < 1) below++;
  }
  // 5 standard errors: mean SE 1/√N, variance SE √(2/N), P(z < 1) SE √(p(1-p)/N)
  assert.ok(Math.abs(s / N) < 5 / Math.sqrt(N), `mean ${s / N}`);
  assert.ok(Math.abs(s2 / N - 1) < 5 * Math.sqrt(2 / N), `variance ${s2 / N}`);
  const p = normalCdf(1);
  assert.ok(Math.abs(below / N - p) < 5 * Math.sqrt((p * (1 - p)) / N), `P(z < 1) ${below / N}`);
});
