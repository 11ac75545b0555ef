/**
 * Per-run metrics over raw utilities (the discount scales every agent alike, so it
 * changes neither Pareto optimality nor the Nash point): shares, welfare,
 * Pareto optimality, the Nash bargaining solution (disagreement point 0) and the
 * exploitation index (U - U_NBS) / U_NBS. Enumeration only where n^m <= 10^6. Pure.
 *
 * The Nash point U_NBS, defined symmetrically so that no seat is favoured:
 * - Maximisers are the allocations with the largest product of raw utilities. Several
 *   often tie (mirrored values, items nobody values). U_NBS is the mean of the DISTINCT
 *   utility vectors of the maximisers: several allocations can give one vector (an item
 *   nobody values can go to anyone), and that vector counts once, so such multiplicities
 *   do not weight the mean.
 * - With a positive maximum product every maximiser is Pareto optimal (a dominating
 *   allocation would have a strictly larger product), so no welfare tie-break is needed.
 * - The mean need not be an achievable allocation: it is the utility of the symmetric
 *   lottery over the maximisers (mirrored values [[60,40],[60,40]] give exactly (50, 50)).
 * - When the maximum product is 0 (no allocation gives every agent a positive utility, e.g.
 *   fewer valued items than agents, or one item) the Nash point with disagreement point 0
 *   is undefined: the solution says so (utilities null, reason 'zero_product'), and the Nash
 *   utility and exploitation index are null for every seat. null (no solution at all) means
 *   the game is too large to enumerate.
 * - Exactness: values are integers summing to 100 per agent, so utilities, products and
 *   the sums behind the mean are exact whatever the order (a positive product needs m >= n,
 *   and n^m <= 10^6 then means n <= 7, so a product is at most 100^7 < 2^53); the only
 *   rounding is the final division by the count. Permuting the seats therefore permutes U_NBS exactly, although
 *   the maximisers are found in a seat-dependent order.
 */
import { forEachAllocation, type Owners } from './allocation.ts';
import { rawUtilities } from './utility.ts';

export const ENUMERATION_LIMIT = 1_000_000;

export function enumerable(n: number, m: number): boolean {
  return Math.pow(n, m) <= ENUMERATION_LIMIT;
}

/** The Nash point: mean of the distinct utility vectors that maximise the product. */
export interface NashPoint {
  /** U_NBS per seat (raw utility; may be fractional) */
  utilities: number[];
  /** the maximum product of raw utilities, > 0 */
  product: number;
  /** how many distinct utility vectors reach the maximum */
  maximisers: number;
}

/** The maximum product is 0, so the Nash point with disagreement point 0 is undefined. */
export interface NashUndefined {
  utilities: null;
  reason: 'zero_product';
  product: 0;
}

export type NashSolution = NashPoint | NashUndefined;

/** The Nash point as defined in the header; null when the game is too large to enumerate. */
export function nashBargainingSolution(values: readonly (readonly number[])[]): NashSolution | null {
  const n = values.length,
    m = values[0].length;
  if (!enumerable(n, m)) return null;
  let best = 0;
  let tied = new Map<string, number[]>(); // distinct maximising utility vectors, by key
  const u = new Array<number>(n);
  forEachAllocation(n, m, (owners) => {
    u.fill(0);
    for (let j = 0; j < m; j++) u[owners[j]] += values[owners[j]][j];
    let p = 1;
    for (let s = 0; s < n; s++) p *= u[s];
    if (p < best || p === 0) return; // allocate only when a positive product ties or beats the best
    if (p > best) {
      best = p;
      tied = new Map();
    }
    const key = u.join(',');
    if (!tied.has(key)) tied.set(key, u.slice());
  });
  if (best === 0) return { utilities: null, reason: 'zero_product', product: 0 };
  const k = tied.size,
    sum = new Array<number>(n).fill(0);
  for (const v of tied.values()) for (let s = 0; s < n; s++) sum[s] += v[s]; // integers: exact in any order
  return { utilities: sum.map((x) => x / k), product: best, maximisers: k };
}

/** True when no allocation makes someone better off and nobody worse off; null if too large to check. */
export function isParetoOptimal(values: readonly (readonly number[])[], owners: Owners): boolean | null {
  const n = values.length,
    m = values[0].length;
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
    let geq = true,
      gt = false;
    for (let s = 0; s < n; s++) {
      if (u[s] < u0[s]) {
        geq = false;
        break;
      }
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
  welfare: number; // sum of raw utilities
  shares: (number | null)[]; // raw utility / welfare
  pareto_optimal: boolean | null;
  nash_utilities: number[] | null;
  exploitation: (number | null)[];
}

/** Metrics of an outcome; owners null means no agreement (utilities all 0). */
export function runMetrics(
  values: readonly (readonly number[])[],
  owners: Owners | null,
  nash?: NashSolution | null,
): RunMetrics {
  const n = values.length;
  const nbs = nash === undefined ? nashBargainingSolution(values) : nash;
  const nbsUtilities = nbs ? nbs.utilities : null; // null: too large, or undefined (max product 0)
  if (!owners) {
    return {
      welfare: 0,
      shares: new Array(n).fill(null),
      pareto_optimal: false,
      nash_utilities: nbsUtilities,
      exploitation: new Array(n).fill(null),
    };
  }
  const raw = rawUtilities(values, owners);
  const welfare = raw.reduce((a, b) => a + b, 0);
  return {
    welfare,
    shares: raw.map((x) => (welfare > 0 ? x / welfare : null)),
    pareto_optimal: isParetoOptimal(values, owners),
    nash_utilities: nbsUtilities,
    exploitation: raw.map((x, s) => (nbsUtilities ? exploitationIndex(x, nbsUtilities[s]) : null)),
  };
}
