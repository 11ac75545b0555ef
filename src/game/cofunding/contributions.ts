/**
 * Contribution vectors: what one agent pledges to each project this round. Amounts are in
 * budget units with at most 2 decimals (cents), so sums and the funding test are exact in
 * integer cents. Validation returns a value, never throws, and never clips or scales: an
 * offer outside the rules is an error the proposer sees, not a silent change. Pure.
 */
import type { Checked } from '../allocation.ts';
import { projectLabel } from './projects.ts';

/** Decimals allowed in a contribution. */
export const CONTRIBUTION_DECIMALS = 2;
const SCALE = 10 ** CONTRIBUTION_DECIMALS;

/** An amount in integer cents (exact for amounts with at most 2 decimals). */
export function toCents(x: number): number {
  return Math.round(x * SCALE) + 0; // + 0 turns −0 into 0
}

/** Whether x has at most 2 decimals, allowing for binary floating point (0.29 · 100 = 28.999…). */
function hasCents(x: number): boolean {
  const scaled = x * SCALE;
  return Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, Math.abs(scaled));
}

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v)));

/**
 * An array of exactly m finite numbers ≥ 0 with at most 2 decimals, summing to at most the
 * budget. Errors name the project (0-based index and name) and the rule. The value is the
 * amounts as given, normalised to their cents (k / 100), so float noise cannot reach the tally.
 */
export function validateContributions(x: unknown, m: number, budget: number): Checked<number[]> {
  const rule = `an amount of 0 or more per project, at most ${CONTRIBUTION_DECIMALS} decimals, summing to at most your budget of ${budget}`;
  if (!Array.isArray(x)) {
    return { ok: false, error: `the contributions must be a list of ${m} amounts, one per project: ${rule}` };
  }
  if (x.length !== m) {
    return {
      ok: false,
      error: `you list ${x.length} contribution${x.length === 1 ? '' : 's'} but there ${m === 1 ? 'is 1 project' : `are ${m} projects`}; give exactly one amount per project (0 for a project you do not fund)`,
    };
  }
  let total = 0;
  const cents: number[] = [];
  for (let j = 0; j < m; j++) {
    const v: unknown = x[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return { ok: false, error: `${projectLabel(j)} is ${show(v)}, not a number; give an amount from 0 to ${budget}` };
    }
    if (v < 0) {
      return {
        ok: false,
        error: `${projectLabel(j)} is ${v}, below 0; contributions cannot be negative (give 0 for a project you do not fund)`,
      };
    }
    if (!hasCents(v)) {
      return {
        ok: false,
        error: `${projectLabel(j)} is ${v}, with more than ${CONTRIBUTION_DECIMALS} decimals; give whole units or at most ${CONTRIBUTION_DECIMALS} decimals (e.g. ${(Math.floor(v * SCALE) / SCALE).toFixed(CONTRIBUTION_DECIMALS)})`,
      };
    }
    cents.push(toCents(v));
    total += cents[j];
  }
  if (total > toCents(budget)) {
    return {
      ok: false,
      error: `your contributions sum to ${total / SCALE}, above your budget of ${budget}; lower them (they are never scaled down)`,
    };
  }
  return { ok: true, value: cents.map((c) => c / SCALE) };
}
