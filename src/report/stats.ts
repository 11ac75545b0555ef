/**
 * Small statistics for the report: means, quantiles, and ordinary least squares with a
 * t-based 95% interval (the bootstrap is bootstrap.ts).
 * Pure and deterministic: the same inputs and seed give the same numbers.
 */

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
