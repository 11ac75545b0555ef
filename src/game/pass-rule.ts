/**
 * The pass rule: a proposal passes with at least ceil(2n/3) accepts (unanimity for n = 2).
 * If several pass, most accepts wins; ties are broken by the run's seeded generator.
 * Pure.
 */
import type { Rng } from './rng.ts';

export function passThreshold(n: number): number {
  return n === 2 ? 2 : Math.ceil((2 * n) / 3);
}

export interface Tally {
  /** proposer seat of each proposal voted on */
  proposer: number;
  accepts: number;
  rejects: number;
  passed: boolean;
}

export interface TabulationResult {
  tallies: Tally[];
  /** index into tallies of the winning proposal, or null */
  winner: number | null;
  /** indices of the proposals tied for most accepts when a draw was needed */
  tieBetween: number[] | null;
}

/** accept[voter][k] = true if the voter accepted proposal k. */
export function tabulate(proposers: number[], accept: boolean[][], n: number, rng: Rng): TabulationResult {
  const need = passThreshold(n);
  const tallies: Tally[] = proposers.map((proposer, k) => {
    let accepts = 0;
    for (const row of accept) if (row[k]) accepts++;
    return { proposer, accepts, rejects: accept.length - accepts, passed: accepts >= need };
  });
  const passed = tallies.map((t, k) => (t.passed ? k : -1)).filter((k) => k >= 0);
  if (passed.length === 0) return { tallies, winner: null, tieBetween: null };
  const best = Math.max(...passed.map((k) => tallies[k].accepts));
  const top = passed.filter((k) => tallies[k].accepts === best);
  if (top.length === 1) return { tallies, winner: top[0], tieBetween: null };
  return { tallies, winner: top[rng.int(top.length)], tieBetween: top };
}
