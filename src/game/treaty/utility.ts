/**
 * Treaty utilities. Agent i's raw utility of agreement a is
 *   U_i(a) = Σ_k w_ik · (1 − |p_ik − a_k| / 100),
 * in points of 100 (weights sum to 100); the round discount is applied elsewhere.
 * The score S_i(a) = Σ_k w_ik · (100 − |p_ik − a_k|) = 100·U_i(a) is an integer, so
 * utilities are exact until the one final division. Pure.
 */

/** One agent's integer score on one issue: w · (100 − |p − a|). */
export function issueScore(weight: number, position: number, agreement: number): number {
  return weight * (100 - Math.abs(position - agreement));
}

/** Integer scores S_i(a) = 100·U_i(a) per agent. */
export function treatyScores(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  agreement: readonly number[],
): number[] {
  return positions.map((p, i) => {
    let s = 0;
    for (let k = 0; k < agreement.length; k++) s += issueScore(weights[i][k], p[k], agreement[k]);
    return s;
  });
}

/** Raw utilities U_i(a) per agent, 0..100 (no discount). */
export function treatyUtilities(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  agreement: readonly number[],
): number[] {
  return treatyScores(positions, weights, agreement).map((s) => s / 100);
}
