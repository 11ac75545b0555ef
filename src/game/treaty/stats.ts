/**
 * Small statistics for the treaty generator: the standard normal CDF Φ, a seeded
 * standard normal sampler, and Spearman's rank correlation with mid-ranks. Pure.
 */
import type { Rng } from '../rng.ts';

const LOG_SQRT_2PI = 0.9189385332046727; // ln √(2π)

/**
 * Φ(x) by Marsaglia's series (J. Stat. Softw. 11(4), 2004): Φ(x) = ½ + φ(x)·(x + x³/3 + x⁵/(3·5) + …).
 * Absolute error below 1e-15 for |x| ≤ 8; beyond, Φ is within 7e-16 of 0 or 1 and we return that.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < -8) return 0;
  if (x > 8) return 1;
  const q = x * x;
  let s = x,
    t = 0,
    b = x,
    i = 1;
  while (s !== t) {
    t = s;
    i += 2;
    b *= q / i;
    s = t + b;
  }
  return 0.5 + s * Math.exp(-0.5 * q - LOG_SQRT_2PI);
}

/** A sampler of independent standard normals (Box–Muller on rng.next(); both halves used). */
export function normalSampler(rng: Rng): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - rng.next())); // 1 - u ∈ (0, 1]: log is finite
    const angle = 2 * Math.PI * rng.next();
    spare = r * Math.sin(angle);
    return r * Math.cos(angle);
  };
}

/** Ranks 1..n with ties given the mean of the ranks they span (mid-ranks). */
export function midRanks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((a, b) => x[a] - x[b]);
  const ranks = new Array<number>(x.length);
  for (let lo = 0; lo < order.length; ) {
    let hi = lo;
    while (hi + 1 < order.length && x[order[hi + 1]] === x[order[lo]]) hi++;
    const mid = (lo + hi) / 2 + 1;
    for (let j = lo; j <= hi; j++) ranks[order[j]] = mid;
    lo = hi + 1;
  }
  return ranks;
}

/** Pearson correlation; 0 when either vector is constant (no rank order to correlate). */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx,
      dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? 0 : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation (Pearson of mid-ranks); 0 when either vector is constant. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(midRanks(x), midRanks(y));
}
