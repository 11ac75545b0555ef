/**
 * The diplomatic treaty on the Game interface: K issues, each a rate from 0% to 100%; a
 * proposal is an agreement vector of whole percentages; each agent weighs the issues
 * (integers summing to 100) and has an ideal position per issue. Utility is
 * Σ_k w_k · (1 − |p_k − a_k| / 100). Levels: θ (the competition level, the cosine of the
 * weights) and ρ (the rank correlation of the positions, in the spec). The math is in
 * this folder (index.ts); this file puts it on the interface. Pure.
 */
import type { Draw, Game, OutcomeMetrics } from '../game.ts';
import { commonDrawFields, commonStartFields, round6, round6OrNull } from '../game.ts';
import type { Rng } from '../rng.ts';
import { validateAgreement } from './agreement.ts';
import { treatyRunMetrics } from './metrics.ts';
import { treatyNash, type TreatyNash } from './nash.ts';
import { generateTreatyPreferences } from './preferences.ts';
import { treatyUtilities } from './utility.ts';

const positionsOf = (draw: Draw): number[][] => {
  if (!draw.positions) throw new Error('a treaty draw needs positions');
  return draw.positions;
};

function metrics(draw: Draw, agreement: number[] | null, nash: TreatyNash | null): OutcomeMetrics {
  const m = treatyRunMetrics(positionsOf(draw), draw.values, agreement, nash ?? undefined);
  return {
    welfare: round6(m.welfare),
    shares: m.shares,
    pareto_optimal: m.pareto_optimal,
    nash_utilities: m.nash_utilities,
    exploitation: m.exploitation,
    extra: { distance_from_nash: round6OrNull(m.nash_distance) },
  };
}

export const treaty: Game<number[], number[], TreatyNash> = {
  name: 'treaty',
  title: 'diplomatic treaty',
  termsKey: 'agreement',
  ballot: 'each',
  draw(spec, level, rng) {
    const p = generateTreatyPreferences(spec.n, spec.m, spec.rho!, level, rng);
    return {
      values: p.weights,
      cosine: p.weightCosine,
      positions: p.positions,
      rankCorrelation: p.positionCorrelation,
    };
  },
  validate: (x, spec) => validateAgreement(x, spec.m),
  toWire: (agreement) => agreement.slice(),
  randomWire: (spec, rng: Rng) => Array.from({ length: spec.m }, () => rng.int(101)),
  rawUtilities: (draw, agreement) => treatyUtilities(positionsOf(draw), draw.values, agreement),
  utilityRange: () => [0, 100],
  baseline: (draw) => treatyNash(positionsOf(draw), draw.values),
  metrics,
  startFields: (draw, spec) => ({
    ...commonStartFields(draw),
    issues: spec.items,
    positions: positionsOf(draw).map((p) => p.slice()),
    rank_correlation: draw.rankCorrelation?.[0][1] ?? null,
  }),
  drawFields: (draw, spec) => ({
    ...commonDrawFields(draw, spec),
    positions: positionsOf(draw),
    rank_correlation: round6(draw.rankCorrelation?.[0][1] ?? 0),
  }),
  runColumns: [
    {
      name: 'rank_correlation',
      kind: 'num',
      doc: "achieved Spearman rank correlation of the two seats' ideal positions over the issues",
    },
    {
      name: 'distance_from_nash',
      kind: 'num',
      doc: 'mean absolute distance (percentage points) of the agreement from the Nash agreement; empty without a deal',
    },
  ],
};
