/**
 * Lindahl shares, the fairness baseline: on a funded set S each agent pays for a project in
 * proportion to how much it values it, x_ij^L = c_j · v_ij / Σ_k v_kj, so Σ_i x_ij^L = c_j exactly
 * the cost (no over- or under-funding). A project in S that nobody values is split equally,
 * c_j / n. Lindahl utilities U_i^L = Σ_{j∈S} (v_ij − x_ij^L) = Σ_{j∈S} v_ij · (1 − c_j / Σ_k v_kj):
 * on projects worth funding every agent gains, in proportion to its valuation.
 *
 * The per-run baseline (the analogue of the Nash point) is Lindahl on the welfare-optimal set
 * (knapsack.ts). It respects the joint budget, not necessarily each agent's own: an agent who
 * values the chosen projects highly may owe more than its budget; `withinBudgets` says whether
 * every agent's Lindahl total fits. Pure.
 */
import { optimalFundedSet } from './knapsack.ts';

type Matrix = readonly (readonly number[])[];

/** x^L[i][j] on the set; 0 for projects outside it. */
export function lindahlShares(valuations: Matrix, costs: readonly number[], set: readonly number[]): number[][] {
  const n = valuations.length;
  const shares = valuations.map(() => new Array<number>(costs.length).fill(0));
  for (const j of set) {
    let total = 0;
    for (let i = 0; i < n; i++) total += valuations[i][j];
    for (let i = 0; i < n; i++) shares[i][j] = total > 0 ? (costs[j] * valuations[i][j]) / total : costs[j] / n;
  }
  return shares;
}

/** U_i^L = Σ_{j∈S} (v_ij − x_ij^L) per agent. */
export function lindahlUtilities(valuations: Matrix, costs: readonly number[], set: readonly number[]): number[] {
  const shares = lindahlShares(valuations, costs, set);
  return valuations.map((v, i) => set.reduce((u, j) => u + v[j] - shares[i][j], 0));
}

export interface CofundingBaseline {
  /** the welfare-optimal funded set, ascending (knapsack.ts's tie rule) */
  set: number[];
  /** its welfare Σ_{j∈S} (Σ_i v_ij − c_j) */
  welfare: number;
  /** Lindahl contributions on the set, shares[agent][project] */
  shares: number[][];
  /** Lindahl utilities per seat */
  utilities: number[];
  /** whether every agent's Lindahl total is within its own budget */
  withinBudgets: boolean;
}

/** Lindahl on the welfare-optimal set under the joint budget Σ_i B_i. */
export function cofundingBaseline(
  valuations: Matrix,
  costs: readonly number[],
  budgets: readonly number[],
): CofundingBaseline {
  const { set, welfare } = optimalFundedSet(
    valuations,
    costs,
    budgets.reduce((a, b) => a + b, 0),
  );
  const shares = lindahlShares(valuations, costs, set);
  const EPS = 1e-9; // shares are float quotients; a total equal to the budget must count as within
  return {
    set,
    welfare,
    shares,
    utilities: lindahlUtilities(valuations, costs, set),
    withinBudgets: shares.every((x, i) => x.reduce((a, b) => a + b, 0) <= budgets[i] + EPS),
  };
}
