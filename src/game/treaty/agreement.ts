/**
 * Treaty proposals: an agreement vector of K whole percentages, one per issue.
 * Validation returns a value, never throws, and never clips: a rate outside 0–100 is
 * an error the proposer should see, not a silent change to their offer. Pure.
 */
import type { Checked } from '../allocation.ts';
import { issueLabel as label } from './issues.ts';

/** An array of exactly k integers 0..100; errors name the issue (0-based index and name) and the rule. */
export function validateAgreement(x: unknown, k: number): Checked<number[]> {
  if (!Array.isArray(x)) {
    return { ok: false, error: `the agreement must be a list of ${k} whole percentages (0–100), one per issue` };
  }
  if (x.length !== k) {
    return {
      ok: false,
      error: `the agreement lists ${x.length} percentage${x.length === 1 ? '' : 's'} but the treaty has ${k} issues; give exactly one per issue`,
    };
  }
  for (let j = 0; j < k; j++) {
    const v: unknown = x[j];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return {
        ok: false,
        error: `${label(j)} is ${typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v))}, not a number; give a whole percentage from 0 to 100`,
      };
    }
    if (!Number.isInteger(v)) {
      return { ok: false, error: `${label(j)} is ${v}, not a whole number; give a whole percentage from 0 to 100` };
    }
    if (v < 0 || v > 100) {
      return { ok: false, error: `${label(j)} is ${v}, outside 0–100; give a whole percentage from 0 to 100` };
    }
  }
  return { ok: true, value: (x as number[]).slice() };
}
