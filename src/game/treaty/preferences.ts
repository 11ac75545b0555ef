/**
 * The treaty game's private preferences: per agent an ideal position per issue
 * (integer 0..100) and importance weights (non-negative integers summing to 100).
 *
 * Weights: generatePreferences from ../preferences.ts at level θ, so every pair of
 * weight vectors has cosine θ (±0.01 for two agents), exactly as item values do.
 *
 * Positions: a Gaussian copula with Spearman correlation ρ. Per issue, independently,
 * the agents' latent normals have pairwise correlation r = 2·sin(πρ/6) (the Pearson r whose
 * rank correlation is ρ), and position = min(100, ⌊101·Φ(z)⌋). We use that map rather than
 * round(100·Φ(z)) because it gives every position 0..100 probability 1/101, whereas rounding
 * gives 0 and 100 half the probability of the rest. ρ = 1 gives identical positions, and
 * ρ = −1 (two agents) mirror images p and 100 − p.
 *
 * For n agents sharing one r, the latent correlation matrix (1 − r)·I + r·11ᵀ is positive
 * semi-definite iff r ≥ −1/(n − 1); lower ρ is refused with the bound in the message.
 *
 * Randomness: weights and positions use separate forks of rng (labels 'weights' and
 * 'positions'), so for one seed changing ρ leaves the weights unchanged and changing θ
 * leaves the positions unchanged; and the latent normals for one seed do not depend on ρ, so
 * nearby ρ give nearby positions (common random numbers across levels). Pure and deterministic per rng.
 */
import { cosineMatrix, generatePreferences, InfeasibleRequestError } from '../preferences.ts';
import type { Rng } from '../rng.ts';
import { TREATY_PARAMS } from './issues.ts';
import { normalCdf, normalSampler, spearman } from './stats.ts';

export const POSITION_MAX = 100;

export interface TreatyPreferences {
  /** positions[agent][issue]: ideal agreement, integer 0..100 */
  positions: number[][];
  /** weights[agent][issue]: importance, integers >= 0 summing to 100 per agent */
  weights: number[][];
  /** achieved pairwise cosine of the weight vectors */
  weightCosine: number[][];
  /** achieved pairwise Spearman correlation of positions over the K issues (mid-ranks; 0 if a vector is constant) */
  positionCorrelation: number[][];
}

/** Latent Pearson correlation whose Spearman (rank) correlation under a Gaussian copula is ρ. */
export function latentCorrelation(rho: number): number {
  if (rho >= 1) return 1; // 2·sin(π/6) is 0.9999999999999999 in floating point
  if (rho <= -1) return -1;
  return 2 * Math.sin((Math.PI * rho) / 6);
}

/** The smallest ρ that n agents can share pairwise: the ρ whose latent r is −1/(n − 1). */
export function rhoLowerBound(n: number): number {
  return n <= 2 ? -1 : (6 / Math.PI) * Math.asin(-1 / (2 * (n - 1)));
}

function checkRequest(n: number, k: number, rho: number): void {
  if (!Number.isInteger(n) || n < 2) throw new InfeasibleRequestError(`need at least 2 agents (got ${n})`);
  const { min, max } = TREATY_PARAMS.issues;
  if (!Number.isInteger(k) || k < min || k > max) {
    throw new InfeasibleRequestError(
      `the treaty has ${min} to ${max} issues (got ${k}); use a whole number in that range`,
    );
  }
  if (!(rho >= -1 && rho <= 1)) {
    throw new InfeasibleRequestError(`ρ = ${rho} is not a rank correlation; use a value from −1 to 1`);
  }
  const bound = rhoLowerBound(n);
  if (rho < bound - 1e-12) {
    const usable = Math.ceil(bound * 100 - 1e-9) / 100; // rounded up: the suggestion itself is feasible
    throw new InfeasibleRequestError(
      `ρ = ${rho} is impossible for ${n} agents: all pairs cannot be that anti-correlated; use ρ ≥ ${usable}`,
    );
  }
}

/** Positions: n × k integers 0..100 from the equicorrelated Gaussian copula described above. */
function drawPositions(n: number, k: number, rho: number, rng: Rng): number[][] {
  const r = latentCorrelation(rho);
  // z = α·e + (γ − α)·mean(e)·1 with e iid N(0,1) has Var z_i = 1 and Cov = r when
  // α² = 1 − r and γ² = 1 + (n − 1)·r (the eigenvalues of the target matrix).
  const alpha = Math.sqrt(Math.max(0, 1 - r));
  const gamma = Math.sqrt(Math.max(0, 1 + (n - 1) * r));
  const normal = normalSampler(rng);
  const positions = Array.from({ length: n }, () => new Array<number>(k));
  const e = new Array<number>(n);
  for (let j = 0; j < k; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) {
      e[i] = normal();
      mean += e[i] / n;
    }
    for (let i = 0; i < n; i++) {
      const z = alpha * e[i] + (gamma - alpha) * mean;
      positions[i][j] = Math.min(POSITION_MAX, Math.floor((POSITION_MAX + 1) * normalCdf(z)));
    }
    // r = −1 (two agents): z₁ = −z₀ exactly, and ⌊101·Φ(−z)⌋ = 100 − ⌊101·Φ(z)⌋; set it so
    // floating point cannot break the mirror.
    if (r === -1) positions[1][j] = POSITION_MAX - positions[0][j];
  }
  return positions;
}

export function generateTreatyPreferences(
  n: number,
  k: number,
  rho: number,
  theta: number,
  rng: Rng,
): TreatyPreferences {
  checkRequest(n, k, rho);
  const weights = generatePreferences(n, k, theta, rng.fork('weights')).values;
  const positions = drawPositions(n, k, rho, rng.fork('positions'));
  return {
    positions,
    weights,
    weightCosine: cosineMatrix(weights),
    positionCorrelation: positions.map((a) => positions.map((b) => spearman(a, b))),
  };
}
