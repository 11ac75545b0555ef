/**
 * The strength-gradient measurement shared by the scripted strategy tests and bench/gradient.ts:
 * two scripted strategies over seat-swapped pairs of runs (runs 0 and 1 of runSeries, same
 * preferences), so position and preference luck cancel within a seed. Not used by the product.
 */
import type { GameSpec } from '../../../game/index.ts';
import { runSeries } from '../../../protocol/series.ts';
import { scriptedFactory } from '../../index.ts';

export interface HeadToHead {
  /** mean utility of a, and of b, over every run */
  meanA: number;
  meanB: number;
  /** share of runs that reached consensus */
  agreement: number;
  /** mean round of those that did; null if none */
  meanRound: number | null;
}

/** Runs seeds baseSeed … baseSeed + seeds - 1, each a seat-swapped pair of `scripted:a` vs `scripted:b` at one level. */
export async function headToHead(
  spec: GameSpec,
  a: string,
  b: string,
  level: number,
  seeds: number,
  baseSeed = 0,
): Promise<HeadToHead> {
  let sumA = 0,
    sumB = 0,
    runs = 0,
    deals = 0,
    rounds = 0;
  for (let k = 0; k < seeds; k++) {
    const docs = await runSeries({
      spec,
      level,
      seed: baseSeed + k,
      numRuns: 2,
      factory: scriptedFactory,
      players: [
        { model: `scripted:${a}`, role: null },
        { model: `scripted:${b}`, role: null },
      ],
    });
    for (const d of docs) {
      runs++;
      for (const ag of d.agents) {
        if (ag.model === `scripted:${a}`) sumA += ag.utility;
        else sumB += ag.utility;
      }
      if (d.consensus) {
        deals++;
        rounds += d.round!;
      }
    }
  }
  return {
    meanA: sumA / runs,
    meanB: sumB / runs,
    agreement: deals / runs,
    meanRound: deals ? rounds / deals : null,
  };
}
