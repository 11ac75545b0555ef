/**
 * Per-issue candidate tables shared by the Nash search and the Pareto check. Pure.
 *
 * Candidates: an agreement that maximises the Nash product, or dominates another, can keep
 * a_k within [lo_k, hi_k], the span of the positions of the agents with positive weight on k:
 * outside it a step towards the span raises every such agent and leaves the rest unchanged.
 * An issue nobody weighs changes no utility: it gets one candidate, the smallest value.
 */
import { issueScore } from './utility.ts';

export const FULL_GRID: readonly number[] = Array.from({ length: 101 }, (_, i) => i);

/** One issue's candidate agreements (ascending) and every agent's score at each. */
export interface IssueTable {
  values: number[];
  /** scores[c][i] = s_ik(values[c]) */
  scores: number[][];
  /** indices of candidates where λ·s_k can be largest (next to a kink); enough for the relaxation */
  peaks: number[];
}

/** Throws RangeError unless positions are integers 0..100 and weights integers >= 0, n × K each. */
export function checkInstance(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
): void {
  const n = positions.length;
  if (n < 1 || weights.length !== n) throw new RangeError('positions and weights need one row per agent');
  const K = positions[0].length;
  if (K < 1) throw new RangeError('the treaty needs at least one issue');
  for (let i = 0; i < n; i++) {
    if (positions[i].length !== K || weights[i].length !== K)
      throw new RangeError('every row needs one entry per issue');
    for (let k = 0; k < K; k++) {
      const p = positions[i][k],
        w = weights[i][k];
      if (!Number.isInteger(p) || p < 0 || p > 100) throw new RangeError(`position ${p} is not an integer 0..100`);
      if (!Number.isInteger(w) || w < 0) throw new RangeError(`weight ${w} is not an integer >= 0`);
    }
  }
}

function checkGrid(grid: readonly number[]): void {
  if (grid.length === 0) throw new RangeError('the grid needs at least one value');
  for (let i = 0; i < grid.length; i++) {
    const g = grid[i];
    if (!Number.isInteger(g) || g < 0 || g > 100 || (i > 0 && g <= grid[i - 1])) {
      throw new RangeError('grid values must be ascending integers 0..100');
    }
  }
}

export function issueTables(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  grid: readonly number[] = FULL_GRID,
): IssueTable[] {
  checkGrid(grid);
  return positions[0].map((_, k) => issueTable(positions, weights, k, grid));
}

/** The candidates of issue k on the grid, and the candidates next to kinks. */
function issueTable(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  k: number,
  grid: readonly number[],
): IssueTable {
  const n = positions.length;
  const kinks: number[] = [];
  for (let i = 0; i < n; i++) if (weights[i][k] > 0) kinks.push(positions[i][k]);
  let values: number[];
  if (kinks.length === 0) {
    values = [grid[0]]; // nobody cares: the smallest value is the lexicographic choice
  } else {
    const lo = Math.min(...kinks),
      hi = Math.max(...kinks);
    // On a grid, the last grid value ≤ lo and the first ≥ hi bound the span (step 1's unit step is a grid step).
    let from = 0,
      to = grid.length - 1;
    for (let g = 0; g < grid.length; g++) if (grid[g] <= lo) from = g;
    for (let g = grid.length - 1; g >= 0; g--) if (grid[g] >= hi) to = g;
    values = grid.slice(from, to + 1);
  }
  const scores = values.map((a) => positions.map((p, i) => issueScore(weights[i][k], p[k], a)));
  // λ·s_k is concave piecewise linear with kinks at positions, so on a grid its maximum is at a
  // grid value next to a kink.
  const peaks = new Set<number>();
  for (const p of kinks) {
    let below = 0,
      above = values.length - 1;
    for (let c = 0; c < values.length; c++) if (values[c] <= p) below = c;
    for (let c = values.length - 1; c >= 0; c--) if (values[c] >= p) above = c;
    peaks.add(below).add(above);
  }
  if (peaks.size === 0) peaks.add(0);
  return { values, scores, peaks: [...peaks] };
}
