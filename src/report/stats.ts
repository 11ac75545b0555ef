/**
 * Small statistics for the report: means, a seeded percentile bootstrap that resamples
 * whole units (runs, or seat-swapped pairs) so every metric of a replicate comes from the
 * same resampled runs, and ordinary least squares with a t-based 95% interval.
 * Pure and deterministic: the same inputs and seed give the same numbers.
 */
import { createRng } from '../game/index.ts';

export interface Stat {
  /** units that carry a value for this metric */
  n: number;
  mean: number | null;
  /** 95% interval; null when n = 0 */
  lo: number | null;
  hi: number | null;
}

export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Linear-interpolated quantile of a sorted array (type 7, as numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile bootstrap over units. `columns[k][u]` is metric k's value for unit u (null
 * when the unit has none, e.g. rounds to agreement of a run without a deal). Each
 * replicate draws n units with replacement and takes every metric's mean over the drawn
 * units that carry it. Returns one Stat per metric.
 */
export function bootstrap(
  columns: readonly (readonly (number | null)[])[],
  seed: number,
  resamples: number,
  level = 0.95,
): Stat[] {
  const units = columns.length ? columns[0].length : 0;
  const k = columns.length;
  const base: Stat[] = columns.map((col) => {
    const vals = col.filter((v): v is number => v !== null);
    return { n: vals.length, mean: mean(vals), lo: null, hi: null };
  });
  if (units === 0) return base;
  // unit-major matrix, NaN for "no value": one flat typed array keeps the hot loop monomorphic
  const mat = new Float64Array(units * k);
  for (let m = 0; m < k; m++) for (let u = 0; u < units; u++) mat[u * k + m] = columns[m][u] ?? NaN;
  const rng = createRng(seed);
  const reps: Float64Array[] = columns.map(() => new Float64Array(resamples));
  const nreps = new Int32Array(k);
  const sums = new Float64Array(k);
  const counts = new Int32Array(k);
  for (let b = 0; b < resamples; b++) {
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < units; i++) {
      const off = Math.floor(rng.next() * units) * k;
      for (let m = 0; m < k; m++) {
        const v = mat[off + m];
        if (v === v) {
          sums[m] += v;
          counts[m]++;
        }
      }
    }
    // a replicate with no value for a metric says nothing about it; it is left out
    for (let m = 0; m < k; m++) if (counts[m] > 0) reps[m][nreps[m]++] = sums[m] / counts[m];
  }
  const a = (1 - level) / 2;
  return base.map((s, m) => {
    if (s.n === 0 || nreps[m] === 0) return s;
    const sorted = reps[m].subarray(0, nreps[m]).sort();
    return { ...s, lo: quantileSorted(sorted, a), hi: quantileSorted(sorted, 1 - a) };
  });
}

// Two-sided 95% Student t critical values t_{0.975, df}.
const T975: Record<number, number> = {
  1: 12.706,
  2: 4.303,
  3: 3.182,
  4: 2.776,
  5: 2.571,
  6: 2.447,
  7: 2.365,
  8: 2.306,
  9: 2.262,
  10: 2.228,
  11: 2.201,
  12: 2.179,
  13: 2.16,
  14: 2.145,
  15: 2.131,
  16: 2.12,
  17: 2.11,
  18: 2.101,
  19: 2.093,
  20: 2.086,
  21: 2.08,
  22: 2.074,
  23: 2.069,
  24: 2.064,
  25: 2.06,
  26: 2.056,
  27: 2.052,
  28: 2.048,
  29: 2.045,
  30: 2.042,
  40: 2.021,
  60: 2.0,
  120: 1.98,
};

/** t_{0.975, df}: exact table to 30, then interpolated in 1/df towards the normal 1.960. */
export function t975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[Math.floor(df)];
  const knots: [number, number][] = [
    [30, 2.042],
    [40, 2.021],
    [60, 2.0],
    [120, 1.98],
    [Infinity, 1.96],
  ];
  for (let i = 0; i < knots.length - 1; i++) {
    const [d0, t0] = knots[i],
      [d1, t1] = knots[i + 1];
    if (df <= d1) {
      const w = (1 / d0 - 1 / df) / (1 / d0 - (d1 === Infinity ? 0 : 1 / d1));
      return t0 + w * (t1 - t0);
    }
  }
  return 1.96;
}

export interface OlsFit {
  n: number;
  slope: number;
  intercept: number;
  /** standard error of the slope; NaN with n = 2 */
  se: number;
  lo: number;
  hi: number;
  r2: number;
  /** for confidence bands: residual standard error, mean x, Sxx */
  s: number;
  xbar: number;
  sxx: number;
}

/** OLS of y on x; null with fewer than 3 points or no spread in x. */
export function ols(xs: readonly number[], ys: readonly number[]): OlsFit | null {
  const n = xs.length;
  if (n < 3 || ys.length !== n) return null;
  const xbar = mean(xs)!,
    ybar = mean(ys)!;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - xbar) ** 2;
    sxy += (xs[i] - xbar) * (ys[i] - ybar);
    syy += (ys[i] - ybar) ** 2;
  }
  if (sxx <= 1e-12 * Math.max(1, xbar * xbar)) return null;
  const slope = sxy / sxx;
  const intercept = ybar - slope * xbar;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i] - intercept - slope * xs[i]) ** 2;
  const s = Math.sqrt(sse / (n - 2));
  const se = s / Math.sqrt(sxx);
  const t = t975(n - 2);
  return {
    n,
    slope,
    intercept,
    se,
    lo: slope - t * se,
    hi: slope + t * se,
    r2: syy > 0 ? 1 - sse / syy : 1,
    s,
    xbar,
    sxx,
  };
}

/** 95% confidence band of the fitted mean at x. */
export function olsBand(f: OlsFit, x: number): { y: number; lo: number; hi: number } {
  const y = f.intercept + f.slope * x;
  const h = t975(f.n - 2) * f.s * Math.sqrt(1 / f.n + (x - f.xbar) ** 2 / f.sxx);
  return { y, lo: y - h, hi: y + h };
}
