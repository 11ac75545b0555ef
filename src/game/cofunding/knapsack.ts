/**
 * The welfare-optimal funded set under the joint budget: the set S maximising
 *   W(S) = Σ_{j∈S} (Σ_i v_ij − c_j)   subject to   Σ_{j∈S} c_j ≤ Σ_i B_i,
 * a 0/1 knapsack. Valuations and costs are integers, so a dynamic programme over whole budget
 * units is exact (capacity ⌊total budget⌋).
 *
 * Tie rule, among sets of maximum welfare: fewest projects, then the lexicographically smallest
 * ascending index list. So a project of welfare exactly 0 is never in the set, and the answer does
 * not depend on seat order. The programme runs over suffixes j..M−1: at equal (welfare, count),
 * taking j wins, because a set containing j starts with j and one without it starts higher; and
 * two sets that both take (or both skip) j compare as their remainders do, which the suffix
 * already ordered. Pure.
 */
import { totalValuations } from './outcome.ts';

export interface FundedSetOptimum {
  /** ascending project indices */
  set: number[];
  /** W(set), an integer */
  welfare: number;
}

interface Cell {
  welfare: number;
  count: number;
  /** whether the best set takes this step's project */
  take: boolean;
}

export function optimalFundedSet(
  valuations: readonly (readonly number[])[],
  costs: readonly number[],
  totalBudget: number,
): FundedSetOptimum {
  const m = costs.length;
  const gain = totalValuations(valuations).map((v, j) => v - costs[j]);
  for (const c of costs)
    if (!Number.isInteger(c) || c < 0) throw new Error(`costs must be whole numbers ≥ 0 (got ${c})`);
  // Only projects of positive welfare can be in the set (the tie rule drops welfare-0 ones).
  const positiveCost = costs.reduce((s, c, j) => (gain[j] > 0 ? s + c : s), 0);
  const cap = Math.max(0, Math.min(Math.floor(totalBudget), positiveCost));
  // best[j][b]: the best set from projects j..m−1 within capacity b.
  const best: Cell[][] = Array.from({ length: m + 1 }, () => []);
  for (let b = 0; b <= cap; b++) best[m][b] = { welfare: 0, count: 0, take: false };
  for (let j = m - 1; j >= 0; j--) {
    for (let b = 0; b <= cap; b++) {
      const skip = best[j + 1][b];
      let cell: Cell = { welfare: skip.welfare, count: skip.count, take: false };
      if (gain[j] > 0 && costs[j] <= b) {
        const rest = best[j + 1][b - costs[j]];
        const w = rest.welfare + gain[j];
        const k = rest.count + 1;
        if (w > cell.welfare || (w === cell.welfare && k <= cell.count)) cell = { welfare: w, count: k, take: true };
      }
      best[j][b] = cell;
    }
  }
  const set: number[] = [];
  let b = cap;
  for (let j = 0; j < m; j++) {
    if (best[j][b].take) {
      set.push(j);
      b -= costs[j];
    }
  }
  return { set, welfare: best[0][cap].welfare };
}
