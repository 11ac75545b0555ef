/**
 * Co-funding (participatory budgeting) on the Game interface: M threshold public projects
 * with public costs; every agent pledges a contribution vector within its private budget
 * each round, and the pledges together are the round's one joint proposal (ballot 'joint'):
 * the agents see only per-project totals and vote on it. A project is funded iff its pledges
 * reach its cost; U_i = Σ_{j funded} (v_ij − x_ij). Levels: α (the competition level, the
 * cosine of the valuations) and σ (total budget ÷ total cost, in the spec). The fairness
 * baseline is Lindahl shares on the welfare-optimal set (lindahl.ts). Pure.
 */
import type { Draw, Game, OutcomeMetrics } from '../game.ts';
import { commonDrawFields, commonStartFields, round6, round6OrNull } from '../game.ts';
import type { Rng } from '../rng.ts';
import { toCents, validateContributions } from './contributions.ts';
import { cofundingBaseline, type CofundingBaseline } from './lindahl.ts';
import { cofundingRunMetrics } from './metrics.ts';
import { cofundingUtilities, totalCents } from './outcome.ts';
import { generateCofundingPreferences } from './preferences.ts';

/** What every agent is shown of a joint proposal: per project, the total pledged and whether it is funded. */
export interface JointView {
  pledged: number[];
  funded: boolean[];
}

const partsOf = (draw: Draw) => {
  if (!draw.costs || !draw.budgets) throw new Error('a co-funding draw needs costs and budgets');
  return { valuations: draw.values, costs: draw.costs, budgets: draw.budgets };
};

/** A random legal pledge: a random part of the budget, split at random, in whole cents (never above the budget). */
function randomPledge(m: number, budget: number, rng: Rng): number[] {
  const cents = Math.floor(rng.next() * toCents(budget));
  const w = Array.from({ length: m }, () => (rng.next() < 0.3 ? 0 : rng.next()));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (sum > 0 ? Math.floor((x / sum) * cents) / 100 : 0));
}

function metrics(draw: Draw, contributions: number[][] | null, baseline: CofundingBaseline | null): OutcomeMetrics {
  const m = cofundingRunMetrics(partsOf(draw), contributions, baseline);
  return {
    welfare: round6(m.welfare),
    shares: m.shares,
    pareto_optimal: null,
    nash_utilities: m.baseline_utilities,
    exploitation: m.exploitation,
    extra: {
      efficiency: round6OrNull(m.efficiency),
      provision_rate: round6OrNull(m.provision_rate),
      coordination_failures: m.coordination_failures,
      lindahl_distance: round6OrNull(m.lindahl_distance),
    },
    seatExtra: { free_rider_index: m.free_rider_index.map(round6OrNull) },
  };
}

export const cofunding: Game<number[], number[], CofundingBaseline, number[][]> = {
  name: 'cofunding',
  title: 'co-funding',
  termsKey: 'contributions',
  ballot: 'joint',
  draw(spec, level, rng) {
    const p = generateCofundingPreferences(spec.n, spec.m, level, spec.sigma!, rng);
    return { values: p.valuations, cosine: p.cosine, costs: p.costs, budgets: p.budgets };
  },
  validate(x, spec, own) {
    if (own?.budget === undefined) return { ok: false, error: 'no budget is known for this agent' };
    return validateContributions(x, spec.m, own.budget);
  },
  toWire: (pledge) => pledge.slice(),
  randomWire: (spec, rng, own) => randomPledge(spec.m, own?.budget ?? 0, rng),
  combine: (pledges) => pledges.map((p) => p.slice()),
  agreementWire: (matrix) => matrix.map((p) => p.slice()),
  jointView(matrix, draw, spec): JointView {
    const { costs } = partsOf(draw);
    const cents = totalCents(matrix, spec.m);
    return { pledged: cents.map((c) => c / 100), funded: cents.map((c, j) => c >= toCents(costs[j])) };
  },
  rawUtilities: (draw, matrix) => {
    const { valuations, costs } = partsOf(draw);
    return cofundingUtilities(valuations, costs, matrix);
  },
  // a pledge above one's valuation of a funded project loses utility: at worst the whole budget
  utilityRange: (draw, seat) => [-partsOf(draw).budgets[seat], 100],
  baseline: (draw) => {
    const { valuations, costs, budgets } = partsOf(draw);
    return cofundingBaseline(valuations, costs, budgets);
  },
  metrics,
  startFields: (draw, spec) => ({
    ...commonStartFields(draw),
    projects: spec.items,
    costs: partsOf(draw).costs.slice(),
    budgets: partsOf(draw).budgets.slice(),
  }),
  drawFields: (draw, spec) => ({
    ...commonDrawFields(draw, spec),
    costs: partsOf(draw).costs,
    budgets: partsOf(draw).budgets,
  }),
  runColumns: [
    {
      name: 'efficiency',
      kind: 'num',
      doc: 'welfare ÷ the welfare-optimal funded set’s welfare (knapsack); empty when nothing worth funding is affordable',
    },
    { name: 'provision_rate', kind: 'num', doc: 'funded projects ÷ projects (0 without a deal)' },
    {
      name: 'coordination_failures',
      kind: 'int',
      doc: 'unfunded projects worth funding that the unspent budget could still have paid for; empty without a deal',
    },
    {
      name: 'lindahl_distance',
      kind: 'num',
      doc: 'mean |x_ij − Lindahl share| over agents and funded projects, in budget units; empty without a deal',
    },
    {
      name: 'free_rider_index',
      kind: 'num',
      perSeat: true,
      doc: 'the seat’s share of the funded projects’ value ÷ its share of their contributions (1 = proportional, above 1 = free-riding)',
    },
  ],
};
