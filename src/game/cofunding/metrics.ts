/**
 * Per-run metrics of the co-funding game, over raw utilities (the discount scales everyone alike).
 * F is the funded set of the agreed contributions; V_j = Σ_i v_ij; X_j = Σ_i x_ij.
 *
 * - welfare: Σ_i U_i = Σ_{j∈F} (V_j − X_j); pledges above cost are spent, so overfunding lowers it.
 * - shares: U_i / welfare; null without a deal or when welfare ≤ 0.
 * - efficiency: welfare ÷ the optimal welfare (knapsack.ts); null when the optimum is ≤ 0
 *   (nothing worth funding is affordable); 0 without a deal; negative when the deal loses value.
 * - provision_rate: |F| / M; 0 without a deal.
 * - coordination_failures: with the budget left unspent R = Σ_i B_i − Σ_{j∈F} X_j (pledges to
 *   unfunded projects are unspent), the number of unfunded projects worth funding (V_j > c_j)
 *   with c_j ≤ R: each could still have been paid for by pooling what was left. Counted one by
 *   one, so two counted projects may not both fit in R. null without a deal (disagreement is
 *   not a coordination failure; efficiency and provision_rate already show it).
 * - exploitation: (U_i − U_i^L) / |U_i^L| against the baseline (Lindahl on the optimal set);
 *   null without a deal, without a baseline, or when U_i^L = 0.
 * - valuation_share: Σ_{j∈F} v_ij / Σ_{j∈F} V_j; contribution_share: Σ_{j∈F} x_ij / Σ_{j∈F} X_j
 *   (funded projects only). null without a deal or when F is empty; valuation_share also when
 *   nobody values F (Σ_{j∈F} V_j = 0). (Σ_{j∈F} X_j ≥ Σ_{j∈F} c_j ≥ 1 when F is non-empty.)
 * - free_rider_index: valuation_share ÷ contribution_share. Above 1 the agent pays a smaller share
 *   of the cost than it gets of the benefit (free-rides), below 1 a larger one; 1 is proportional.
 *   (Lindahl shares give exactly 1 only when c_j / V_j is the same on every funded project.)
 *   Zero cases: both shares 0 (values nothing funded, paid nothing) → 1, proportional;
 *   contribution share 0 with valuation share > 0 (a pure free rider, the ratio unbounded) → null,
 *   so read it with the two shares; null wherever a share is null.
 * - lindahl_distance: mean over agents and funded projects of |x_ij − x_ij^L(F)|, the Lindahl
 *   shares on the funded set itself, in budget units; null without a deal or when F is empty.
 * Pure.
 */
import { toCents } from './contributions.ts';
import { optimalFundedSet } from './knapsack.ts';
import { lindahlShares, type CofundingBaseline } from './lindahl.ts';
import { cofundingUtilities, fundedSet, totalCents, totalValuations, worthFunding } from './outcome.ts';

export interface CofundingDrawParts {
  valuations: readonly (readonly number[])[];
  costs: readonly number[];
  budgets: readonly number[];
}

export interface CofundingRunMetrics {
  welfare: number;
  shares: (number | null)[];
  /** the baseline's Lindahl utilities per seat; null without a baseline */
  baseline_utilities: number[] | null;
  exploitation: (number | null)[];
  /** the welfare-optimal funded set's welfare */
  optimal_welfare: number;
  efficiency: number | null;
  /** the funded projects, ascending; [] without a deal */
  funded: number[];
  provision_rate: number;
  /** Σ B_i − Σ_{j∈F} X_j; null without a deal */
  unspent_budget: number | null;
  coordination_failures: number | null;
  valuation_share: (number | null)[];
  contribution_share: (number | null)[];
  free_rider_index: (number | null)[];
  lindahl_distance: number | null;
}

/** (U − U^L) / |U^L|; null when U^L = 0. */
export function lindahlExploitation(u: number, uLindahl: number): number | null {
  return uLindahl === 0 ? null : (u - uLindahl) / Math.abs(uLindahl);
}

/** valuation share ÷ contribution share, with the zero cases documented above. */
export function freeRiderIndex(valuationShare: number | null, contributionShare: number | null): number | null {
  if (valuationShare === null || contributionShare === null) return null;
  if (contributionShare === 0) return valuationShare === 0 ? 1 : null;
  return valuationShare / contributionShare;
}

export function cofundingRunMetrics(
  draw: CofundingDrawParts,
  contributions: readonly (readonly number[])[] | null,
  baseline: CofundingBaseline | null,
): CofundingRunMetrics {
  const { valuations, costs, budgets } = draw;
  const n = valuations.length;
  const m = costs.length;
  const totalBudget = budgets.reduce((a, b) => a + b, 0);
  const optimal = baseline?.welfare ?? optimalFundedSet(valuations, costs, totalBudget).welfare;
  const baselineUtilities = baseline?.utilities ?? null;
  const none = () => new Array<null>(n).fill(null);
  if (!contributions) {
    return {
      welfare: 0,
      shares: none(),
      baseline_utilities: baselineUtilities,
      exploitation: none(),
      optimal_welfare: optimal,
      efficiency: optimal > 0 ? 0 : null,
      funded: [],
      provision_rate: 0,
      unspent_budget: null,
      coordination_failures: null,
      valuation_share: none(),
      contribution_share: none(),
      free_rider_index: none(),
      lindahl_distance: null,
    };
  }
  const raw = cofundingUtilities(valuations, costs, contributions);
  const welfare = raw.reduce((s, u) => s + toCents(u), 0) / 100;
  const funded = fundedSet(costs, contributions);
  const inF = new Set(funded);
  const pledged = totalCents(contributions, m);
  const spent = funded.reduce((s, j) => s + pledged[j], 0);
  const unspentCents = toCents(totalBudget) - spent;
  const coordinationFailures = worthFunding(valuations, costs).filter(
    (j) => !inF.has(j) && toCents(costs[j]) <= unspentCents,
  ).length;

  const V = totalValuations(valuations);
  const valueOfF = funded.reduce((s, j) => s + V[j], 0);
  const valuationShare = valuations.map((v) =>
    funded.length === 0 || valueOfF === 0 ? null : funded.reduce((s, j) => s + v[j], 0) / valueOfF,
  );
  const contributionShare = contributions.map((x) =>
    funded.length === 0 || spent === 0 ? null : funded.reduce((s, j) => s + toCents(x[j]), 0) / spent,
  );

  let lindahlDistance: number | null = null;
  if (funded.length > 0) {
    const shares = lindahlShares(valuations, costs, funded);
    let d = 0;
    for (let i = 0; i < n; i++) for (const j of funded) d += Math.abs(contributions[i][j] - shares[i][j]);
    lindahlDistance = d / (n * funded.length);
  }

  return {
    welfare,
    shares: raw.map((u) => (welfare > 0 ? u / welfare : null)),
    baseline_utilities: baselineUtilities,
    exploitation: raw.map((u, i) => (baselineUtilities ? lindahlExploitation(u, baselineUtilities[i]) : null)),
    optimal_welfare: optimal,
    efficiency: optimal > 0 ? welfare / optimal : null,
    funded,
    provision_rate: funded.length / m,
    unspent_budget: unspentCents / 100,
    coordination_failures: coordinationFailures,
    valuation_share: valuationShare,
    contribution_share: contributionShare,
    free_rider_index: valuationShare.map((s, i) => freeRiderIndex(s, contributionShare[i])),
    lindahl_distance: lindahlDistance,
  };
}
