/**
^ * Capability scores for the report's scaling plot (the report takes them as data): scripted:<strategy> (and sim:<strategy>, the mock
 * server playing that strategy) take the strategy's nominal_score; every other model takes
 * what the registry lookup returns (the registry's `capability`, an arena score). A model
 * with no score is left out of the scaling plot, and the report says so.
 */
import { STRATEGIES } from '../agents/index.ts';

export type ScoreLookup = (model: string) => number | null | undefined;

export function nominalScore(model: string): number | undefined {
  const m = /^(?:scripted|sim):(.+)$/.exec(model);
  return m ? STRATEGIES.find((s) => s.name === m[1])?.nominal_score : undefined;
}

export function capabilityScores(models: Iterable<string>, registry?: ScoreLookup): Record<string, number | undefined> {
  const out: Record<string, number | undefined> = {};
  for (const m of models) {
    let s: number | null | undefined;
    if (!m.startsWith('scripted:')) {
      try {
        s = registry?.(m);
      } catch {
        s = undefined;
      } // an unknown name has no score; it is not an error here
    }
    out[m] = typeof s === 'number' && Number.isFinite(s) ? s : nominalScore(m);
  }
  return out;
}
