/**
 * What a joint proposal does. contributions[i][j] is agent i's pledge to project j. Project j
 * is funded iff Σ_i x_ij ≥ c_j; agent i's raw utility is U_i = Σ_{j funded} (v_ij − x_ij):
 * pledges to unfunded projects cost nothing, pledges above the cost are spent all the same
 * (no refunds), and a pledge above one's own valuation makes that project a loss. The round
 * discount is applied elsewhere. Sums run in integer cents (contributions have at most 2
 * decimals, contributions.ts), so the funding test and utilities are exact. Pure.
 */
import { toCents } from './contributions.ts';

type Matrix = readonly (readonly number[])[];

/** Σ_i v_ij per project. */
export function totalValuations(valuations: Matrix): number[] {
  const out = new Array<number>(valuations[0]?.length ?? 0).fill(0);
  for (const v of valuations) v.forEach((x, j) => (out[j] += x));
  return out;
}

/** Σ_i x_ij per project, in integer cents. */
export function totalCents(contributions: Matrix, m: number): number[] {
  const out = new Array<number>(m).fill(0);
  for (const x of contributions) for (let j = 0; j < m; j++) out[j] += toCents(x[j]);
  return out;
}

/** The funded projects, ascending: those whose pledges reach their cost. */
export function fundedSet(costs: readonly number[], contributions: Matrix): number[] {
  const pledged = totalCents(contributions, costs.length);
  const set: number[] = [];
  costs.forEach((c, j) => {
    if (pledged[j] >= toCents(c)) set.push(j);
  });
  return set;
}

/** Projects worth funding: total valuation strictly above cost. */
export function worthFunding(valuations: Matrix, costs: readonly number[]): number[] {
  const total = totalValuations(valuations);
  return costs.flatMap((c, j) => (total[j] > c ? [j] : []));
}

/** Raw utilities U_i = Σ_{j funded} (v_ij − x_ij) per agent (no discount). */
export function cofundingUtilities(valuations: Matrix, costs: readonly number[], contributions: Matrix): number[] {
  const funded = fundedSet(costs, contributions);
  return valuations.map((v, i) => {
    let cents = 0;
    for (const j of funded) cents += toCents(v[j]) - toCents(contributions[i][j]);
    return cents / 100;
  });
}
