/**
 * The treaty generator's contract: weights from generatePreferences (cosine θ ± 0.01 for two
 * agents), positions integers 0..100 whose rank correlation is ρ (pooled over draws, within
 * three computed standard errors), refusal of ρ below the n-agent bound with the bound in a
 * one-line message, determinism per seed, and the seed's forks (ρ never moves weights, θ never
 * moves positions).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosine, InfeasibleRequestError } from '../preferences.ts';
import { createRng } from '../rng.ts';
import { generateTreatyPreferences, latentCorrelation, rhoLowerBound } from './preferences.ts';
import { spearman } from './stats.ts';

const LEVELS = Array.from({ length: 11 }, (_, i) => i / 10);

test('θ: two agents, K = 5, every level 0.0..1.0 × 1,000 seeds: weight cosine within ±0.01', () => {
  for (const theta of LEVELS) {
    for (let seed = 0; seed < 1000; seed++) {
      const p = generateTreatyPreferences(2, 5, 0, theta, createRng(seed));
      const c = cosine(p.weights[0], p.weights[1]); // from the vectors, not the report
      assert.ok(Math.abs(c - theta) <= 0.01, `θ ${theta} seed ${seed}: cosine ${c}`);
      assert.ok(Math.abs(p.weightCosine[0][1] - c) < 1e-12, 'reported cosine is the achieved one');
      for (const w of p.weights) {
        assert.ok(w.every((x) => Number.isInteger(x) && x >= 0));
        assert.equal(
          w.reduce((a, b) => a + b, 0),
          100,
        );
      }
      for (const row of p.positions) assert.ok(row.every((x) => Number.isInteger(x) && x >= 0 && x <= 100));
    }
  }
});

test('ρ: pooled rank correlation of seats 0 and 1 over 2,000 draws (K = 5) is ρ within 3 standard errors', (t) => {
  const K = 5,
    draws = 2000;
  for (const rho of [-0.5, 0, 0.5, 0.9]) {
    const x: number[] = [],
      y: number[] = [];
    let mean = 0,
      meanSq = 0;
    for (let seed = 0; seed < draws; seed++) {
      const p = generateTreatyPreferences(2, K, rho, 0.5, createRng(seed));
      x.push(...p.positions[0]);
      y.push(...p.positions[1]);
      const r = p.positionCorrelation[0][1];
      assert.equal(r, spearman(p.positions[0], p.positions[1]));
      mean += r / draws;
      meanSq += (r * r) / draws;
    }
    // Issues and draws are independent, so the pool is N = 10,000 iid pairs. Standard error of
    // Spearman's correlation on the Fisher z scale: √(1.06 / (N − 3)) (Fieller, Hartley & Pearson
    // 1957). The integer positions (101 equiprobable values) shift the population value by about
    // 1e-4, far below that.
    const N = x.length;
    const pooled = spearman(x, y);
    const se = Math.sqrt(1.06 / (N - 3));
    const z = (Math.atanh(pooled) - Math.atanh(rho)) / se;
    t.diagnostic(
      `ρ ${rho}: pooled ${pooled.toFixed(4)} (z = ${z.toFixed(2)}, SE_z ${se.toFixed(4)}); mean of per-draw values ${mean.toFixed(4)}`,
    );
    assert.ok(Math.abs(z) <= 3, `ρ ${rho}: pooled ${pooled} is ${z.toFixed(2)} standard errors away`);
    // The per-draw value over only K = 5 issues is biased towards 0: for a Gaussian copula,
    // E[r_s] = ((K − 2)·ρ + 3·τ) / (K + 1) with Kendall's τ = (2/π)·asin(r). Checked within 4 SE
    // (ties among 5 positions in 101 values move it slightly).
    const tau = (2 / Math.PI) * Math.asin(latentCorrelation(rho));
    const expected = ((K - 2) * rho + 3 * tau) / (K + 1);
    const seMean = Math.sqrt((meanSq - mean * mean) / draws);
    assert.ok(Math.abs(mean - expected) <= 4 * seMean, `ρ ${rho}: per-draw mean ${mean}, expected ${expected}`);
  }
});

test('ρ = 1 gives identical positions, ρ = −1 (two agents) mirror images 100 − p', () => {
  for (let seed = 0; seed < 200; seed++) {
    const same = generateTreatyPreferences(3, 12, 1, 0.3, createRng(seed));
    assert.deepEqual(same.positions[1], same.positions[0]);
    assert.deepEqual(same.positions[2], same.positions[0]);
    const mirror = generateTreatyPreferences(2, 12, -1, 0.3, createRng(seed));
    assert.deepEqual(
      mirror.positions[1],
      mirror.positions[0].map((p) => 100 - p),
    );
  }
});

test('positions are equiprobable on 0..100 (⌊101·Φ(z)⌋, not rounding, which halves 0 and 100)', () => {
  const counts = new Array<number>(101).fill(0);
  let total = 0;
  for (let seed = 0; seed < 4000; seed++) {
    for (const row of generateTreatyPreferences(2, 12, 0.3, 0.5, createRng(seed)).positions) {
      for (const p of row) counts[p]++;
      total += row.length;
    }
  }
  // 96,000 positions: 950.5 expected per value, SD ≈ 30.7. Rounding would give ≈ 480 at 0 and 100.
  for (const v of [0, 1, 50, 99, 100]) {
    assert.ok(Math.abs(counts[v] - total / 101) < 5 * Math.sqrt(total / 101), `value ${v}: ${counts[v]} of ${total}`);
  }
});

function refused(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InfeasibleRequestError, `expected InfeasibleRequestError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'the message is one line');
    return true;
  });
}

test('n = 3: ρ below −0.4826 is refused with the bound in the message; just above is accepted', () => {
  const bound = rhoLowerBound(3);
  assert.ok(Math.abs(bound - (6 / Math.PI) * Math.asin(-0.25)) < 1e-15);
  assert.ok(Math.abs(latentCorrelation(bound) - -0.5) < 1e-12, 'the bound is the ρ whose latent r is −1/(n − 1)');
  refused(
    () => generateTreatyPreferences(3, 5, -0.9, 0.5, createRng(1)),
    /^ρ = -0\.9 is impossible for 3 agents: all pairs cannot be that anti-correlated; use ρ ≥ -0\.48$/,
  );
  refused(() => generateTreatyPreferences(3, 5, -0.49, 0.5, createRng(1)), /use ρ ≥ -0\.48$/);
  refused(() => generateTreatyPreferences(4, 5, -0.4, 0.5, createRng(1)), /for 4 agents.*use ρ ≥ -0\.31$/);
  // the suggested value and values just above the bound work
  for (const rho of [-0.48, bound + 1e-9, bound]) {
    const p = generateTreatyPreferences(3, 12, rho, 0.5, createRng(2));
    for (const row of p.positions) assert.ok(row.every((x) => Number.isInteger(x) && x >= 0 && x <= 100));
  }
  // two agents reach −1
  assert.equal(rhoLowerBound(2), -1);
  generateTreatyPreferences(2, 5, -1, 0.5, createRng(3));
});

test('other refusals: ρ outside −1..1, K outside 1..12, fewer than 2 agents', () => {
  refused(() => generateTreatyPreferences(2, 5, 1.5, 0.5, createRng(1)), /ρ = 1\.5 is not a rank correlation/);
  refused(() => generateTreatyPreferences(2, 5, Number.NaN, 0.5, createRng(1)), /not a rank correlation/);
  refused(() => generateTreatyPreferences(2, 13, 0, 0.5, createRng(1)), /1 to 12 issues \(got 13\)/);
  refused(() => generateTreatyPreferences(2, 0, 0, 0.5, createRng(1)), /1 to 12 issues/);
  refused(() => generateTreatyPreferences(1, 5, 0, 0.5, createRng(1)), /at least 2 agents/);
  // θ is checked by generatePreferences: one issue cannot have cosine below 1
  refused(() => generateTreatyPreferences(2, 1, 0, 0.5, createRng(1)), /1 item/);
});

test('deterministic per seed; ρ never changes the weights and θ never changes the positions', () => {
  for (const seed of [0, 7, 123456789]) {
    assert.deepEqual(
      generateTreatyPreferences(3, 8, 0.2, 0.6, createRng(seed)),
      generateTreatyPreferences(3, 8, 0.2, 0.6, createRng(seed)),
    );
    const a = generateTreatyPreferences(2, 8, -0.5, 0.6, createRng(seed));
    const b = generateTreatyPreferences(2, 8, 0.7, 0.6, createRng(seed));
    const c = generateTreatyPreferences(2, 8, -0.5, 0.1, createRng(seed));
    assert.deepEqual(a.weights, b.weights);
    assert.deepEqual(a.positions, c.positions);
  }
  assert.notDeepEqual(
    generateTreatyPreferences(2, 5, 0, 0.5, createRng(1)).positions,
    generateTreatyPreferences(2, 5, 0, 0.5, createRng(2)).positions,
  );
});

test('the achieved position correlation matrix: symmetric, unit diagonal, 0 for a constant vector', () => {
  const p = generateTreatyPreferences(3, 6, 0.4, 0.5, createRng(4));
  for (let i = 0; i < 3; i++) {
    assert.equal(p.positionCorrelation[i][i], 1);
    for (let j = 0; j < 3; j++) assert.equal(p.positionCorrelation[i][j], p.positionCorrelation[j][i]);
  }
  // one issue: every position vector is constant, so no rank order: 0
  const one = generateTreatyPreferences(2, 1, 0.5, 1, createRng(5));
  assert.deepEqual(one.positionCorrelation, [
    [0, 0],
    [0, 0],
  ]);
});
