/**
 * Per-run metrics over raw utilities (the discount scales every agent alike, so it
 * changes neither Pareto optimality nor the Nash point): shares, welfare,
 * Pareto optimality, the Nash bargaining solution (disagreement point 0) and the
 * exploitation index (U - U_NBS) / U_NBS. Enumeration only where n^m <= 10^6. Pure.
 */
import { forEachAllocation, type Owners } from './allocation.ts';
import { rawUtilities } from './utility.ts';

export const ENUMERATION_LIMIT = 1_000_000;

export function enumerable(n: number, m: number): boolean {
  return Math.pow(n, m) <= ENUMERATION_LIMIT;
}

export interface NashSolution {
  owners: Owners;
  /** raw utility of each agent at the Nash point */
  utilities: number[];
  product: number;
}

/**
 * The allocation maximising the product of raw utilities. Ties: higher welfare,
 * then the first in enumeration order, so the point is unique and repeatable.
 */
export function nashBargainingSolution(values: readonly (readonly number[])[]): NashSolution | null {
  const n = values.length, m = values[0].length;
  if (!enumerable(n, m)) return null;
  let best: NashSolution | null = null;
  let bestWelfare = -1;
  const u = new Array<number>(n);
  forEachAllocation(n, m, (owners) => {
    u.fill(0);
    for (let j = 0; j < m; j++) u[owners[j]] += values[owners[j]][j];
    let p = 1, w = 0;
    for (let s = 0; s < n; s++) { p *= u[s]; w += u[s]; }
    if (!best || p > best.product || (p === best.product && w > bestWelfare)) {
      best = { owners: owners.slice(), utilities: u.slice(), product: p };
      bestWelfare = w;
    }
  });
  return best;
}

/** True when no allocation makes someone better off and nobody worse off; null if too large to check. */
export function isParetoOptimal(values: readonly (readonly number[])[], owners: Owners): boolean | null {
  const n = values.length, m = values[0].length;
  // With additive values, an allocation is Pareto optimal iff no reassignment dominates it;
  // quick necessary check: every item must go to someone who values it when anyone does.
  const u0 = rawUtilities(values, owners);
  for (let j = 0; j < m; j++) {
    if (values[owners[j]][j] === 0 && values.some((v) => v[j] > 0)) return false;
  }
  if (!enumerable(n, m)) return null;
  let dominated = false;
  const u = new Array<number>(n);
  forEachAllocation(n, m, (o) => {
    if (dominated) return;
    u.fill(0);
    for (let j = 0; j < m; j++) u[o[j]] += values[o[j]][j];
    let geq = true, gt = false;
    for (let s = 0; s < n; s++) {
      if (u[s] < u0[s]) { geq = false; break; }
      if (u[s] > u0[s]) gt = true;
    }
    if (geq && gt) dominated = true;
  });
  return !dominated;
}

export function exploitationIndex(u: number, uNbs: number): number | null {
  return uNbs > 0 ? (u - uNbs) / uNbs : null;
}

export interface RunMetrics {
  welfare: number;          // sum of raw utilities
  shares: (number | null)[]; // raw utility / welfare
  pareto_optimal: boolean | null;
  nash_utilities: number[] | null;
  exploitation: (number | null)[];
}

/** Metrics of an outcome; owners null means no agreement (utilities all 0). */
export function runMetrics(values: readonly (readonly number[])[], owners: Owners | null, nash?: NashSolution | null): RunMetrics {
  const n = values.length;
  const nbs = nash === undefined ? nashBargainingSolution(values) : nash;
  if (!owners) {
    return {
      welfare: 0, shares: new Array(n).fill(null), pareto_optimal: false,
      nash_utilities: nbs ? nbs.utilities : null, exploitation: new Array(n).fill(null),
    };
  }
  const raw = rawUtilities(values, owners);
  const welfare = raw.reduce((a, b) => a + b, 0);
  return {
    welfare,
    shares: raw.map((x) => (welfare > 0 ? x / welfare : null)),
    pareto_optimal: isParetoOptimal(values, owners),
    nash_utilities: nbs ? nbs.utilities : null,
    exploitation: raw.map((x, s) => (nbs ? exploitationIndex(x, nbs.utilities[s]) : null)),
  };
}
