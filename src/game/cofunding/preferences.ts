/**
 * The co-funding game's draw: private valuations, public integer costs, equal private budgets.
 *
 * Valuations: generatePreferences from ../preferences.ts at level α, so each agent's valuations
 * are non-negative integers summing to 100 and every pair has cosine α (±0.01 for two agents),
 * exactly as item values and treaty weights do.
 *
 * Costs: c_j = max(1, round(f_j · V_j)) with V_j = Σ_i v_ij (the project's total valuation) and
 * f_j uniform in [0.5, 1.5). f_j < 1 makes a project worth funding (V_j > c_j), f_j > 1 not, so
 * about half the projects are worth funding whatever α. A project nobody values (V_j = 0) is
 * priced against the mean total valuation per project instead, c_j = max(1, round(f_j · 100·n/M)):
 * a typically priced project that no one wants, which still draws on the shared budget.
 *
 * Budgets: equal whole units, B_i = max(1, round(σ · Σ_j c_j / n)). Rounding moves the total by at
 * most n/2 units, so |Σ B / Σ c − σ| ≤ n / (2 · Σ c). Since c_j ≥ f_j·V_j − ½ ≥ V_j/2 − ½ and
 * Σ V_j = 100·n, Σ c ≥ 50·n − M/2 ≥ 50·n − 6, and the tolerance is at most BUDGET_TOLERANCE = 0.011
 * for every draw (n ≥ 2, M ≤ 12); for typical draws (Σ c ≈ 100·n) it is 0.005. The floor of 1
 * unit binds only when σ < n / (2 · Σ c), i.e. σ below about 0.011.
 *
 * Randomness: valuations and costs use separate forks of rng ('valuations', 'costs'), and the
 * f_j do not depend on α or σ, so for one seed changing σ changes only the budgets, and changing
 * α leaves every f_j unchanged. Pure and deterministic per rng.
 */
import { cosineMatrix, generatePreferences, InfeasibleRequestError, TOTAL_VALUE } from '../preferences.ts';
import type { Rng } from '../rng.ts';
import { COFUNDING_PARAMS } from './projects.ts';

/** |Σ budgets / Σ costs − σ| is at most this for every draw with σ ≥ 0.011 (see above). */
export const BUDGET_TOLERANCE = 0.011;
/** Cost factors f_j are uniform in [COST_FACTOR_MIN, COST_FACTOR_MIN + 1). */
export const COST_FACTOR_MIN = 0.5;

export interface CofundingPreferences {
  /** valuations[agent][project]: integers ≥ 0 summing to 100 per agent */
  valuations: number[][];
  /** achieved pairwise cosine of the valuation vectors */
  cosine: number[][];
  /** costs[project]: integers ≥ 1 */
  costs: number[];
  /** budgets[agent]: whole units, equal across agents, for the whole game */
  budgets: number[];
}

function checkRequest(n: number, m: number, alpha: number, sigma: number): void {
  if (!Number.isInteger(n) || n < 2) throw new InfeasibleRequestError(`need at least 2 agents (got ${n})`);
  const { min, max } = COFUNDING_PARAMS.projects;
  if (!Number.isInteger(m) || m < min || m > max) {
    throw new InfeasibleRequestError(
      `the game has ${min} to ${max} projects (got ${m}); use a whole number in that range`,
    );
  }
  if (!(alpha >= 0 && alpha <= 1))
    throw new InfeasibleRequestError(`α = ${alpha} is outside [0, 1]; use a value from 0 to 1`);
  if (!(sigma > 0 && sigma <= 1)) {
    throw new InfeasibleRequestError(`σ = ${sigma} is outside (0, 1]; use a budget ratio above 0 and at most 1`);
  }
  // generatePreferences refuses these too, but speaks of items.
  if (m === 1 && alpha !== 1) {
    throw new InfeasibleRequestError(
      `with 1 project every pair of valuation vectors has cosine 1, so α = ${alpha} is impossible; use more projects or α = 1`,
    );
  }
}

/** c_j = max(1, round(f_j · V_j)), or against the mean valuation per project when V_j = 0. */
export function projectCosts(valuations: readonly (readonly number[])[], factors: readonly number[]): number[] {
  const n = valuations.length;
  const m = factors.length;
  const meanValue = (TOTAL_VALUE * n) / m;
  return factors.map((f, j) => {
    let total = 0;
    for (let i = 0; i < n; i++) total += valuations[i][j];
    return Math.max(1, Math.round(f * (total > 0 ? total : meanValue)));
  });
}

/** Equal whole budgets whose total is σ · Σ costs to within n/2 units (at least 1 unit each). */
export function equalBudgets(n: number, costs: readonly number[], sigma: number): number[] {
  const totalCost = costs.reduce((a, b) => a + b, 0);
  const each = Math.max(1, Math.round((sigma * totalCost) / n));
  return new Array<number>(n).fill(each);
}

export function generateCofundingPreferences(
  n: number,
  m: number,
  alpha: number,
  sigma: number,
  rng: Rng,
): CofundingPreferences {
  checkRequest(n, m, alpha, sigma);
  const valuations = generatePreferences(n, m, alpha, rng.fork('valuations')).values;
  const costRng = rng.fork('costs');
  const factors = Array.from({ length: m }, () => COST_FACTOR_MIN + costRng.next());
  const costs = projectCosts(valuations, factors);
  return { valuations, cosine: cosineMatrix(valuations), costs, budgets: equalBudgets(n, costs, sigma) };
}
