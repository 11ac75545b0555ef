/**
 * Per-run metrics of the treaty game over raw utilities (the discount scales every agent
 * alike), shaped like item allocation's RunMetrics plus one treaty-specific distance:
 * - welfare: Σ raw utilities; shares: U_i / welfare;
 * - nash_utilities: U_NBS (nash.ts); exploitation: (U − U_NBS) / U_NBS per seat;
 * - pareto_optimal: among integer agreements (pareto.ts); null when the exact check is too large;
 * - nash_distance: mean |a_k − a*_k| over issues, in percentage points, from the NBS agreement a*
 *   (the lexicographically smallest maximiser; when several agreements maximise the product,
 *   the distance is to that one, not to the nearest).
 * No deal: welfare 0, shares and exploitation null, pareto_optimal false (as item allocation),
 * nash_distance null. Pure.
 */
import { exploitationIndex } from '../metrics.ts';
import { type TreatyNash, treatyNash } from './nash.ts';
import { treatyParetoOptimal } from './pareto.ts';
import { treatyScores } from './utility.ts';

export interface TreatyRunMetrics {
  welfare: number;
  shares: (number | null)[];
  pareto_optimal: boolean | null;
  nash_utilities: number[] | null;
  exploitation: (number | null)[];
  /** mean absolute difference from the NBS agreement, percentage points (0..100) */
  nash_distance: number | null;
}

/** Metrics of an outcome; agreement null means no deal. nash is computed when not given. */
export function treatyRunMetrics(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  agreement: readonly number[] | null,
  nash: TreatyNash = treatyNash(positions, weights),
): TreatyRunMetrics {
  const n = positions.length;
  const nbs = nash.utilities;
  if (!agreement) {
    return {
      welfare: 0,
      shares: new Array(n).fill(null),
      pareto_optimal: false,
      nash_utilities: nbs,
      exploitation: new Array(n).fill(null),
      nash_distance: null,
    };
  }
  const scores = treatyScores(positions, weights, agreement); // integers: sums exact, one division each
  const total = scores.reduce((a, b) => a + b, 0);
  const raw = scores.map((x) => x / 100);
  const distance =
    nash.utilities === null
      ? null
      : agreement.reduce((s, a, k) => s + Math.abs(a - nash.agreement[k]), 0) / agreement.length;
  return {
    welfare: total / 100,
    shares: scores.map((x) => (total > 0 ? x / total : null)),
    pareto_optimal: treatyParetoOptimal(positions, weights, agreement),
    nash_utilities: nbs,
    exploitation: raw.map((x, s) => (nbs ? exploitationIndex(x, nbs[s]) : null)),
    nash_distance: distance,
  };
}
