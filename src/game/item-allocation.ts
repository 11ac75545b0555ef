/**
 * Item allocation (DESIGN §2) on the Game interface: m indivisible items, each to exactly
 * one agent; an agent's utility is the sum of its own values of its items. The level is the
 * cosine similarity of the value vectors (the competition level). Pure.
 */
import { toAllocationMap, validateAllocation, type AllocationMap, type Owners } from './allocation.ts';
import type { Draw, Game } from './game.ts';
import { commonDrawFields, commonStartFields } from './game.ts';
import { agentId } from './items.ts';
import { nashBargainingSolution, runMetrics, type NashSolution } from './metrics.ts';
import { generatePreferences } from './preferences.ts';
import type { Rng } from './rng.ts';
import { rawUtilities } from './utility.ts';

export const itemAllocation: Game<Owners, AllocationMap, NashSolution> = {
  name: 'item-allocation',
  title: 'item allocation',
  termsKey: 'allocation',
  ballot: 'each',
  draw: (spec, level, rng) => generatePreferences(spec.n, spec.m, level, rng),
  validate: (x, spec) => validateAllocation(x, spec.n, spec.m),
  toWire: (owners, spec) => toAllocationMap(owners, spec.n),
  randomWire(spec, rng: Rng) {
    const map: AllocationMap = {};
    for (let s = 0; s < spec.n; s++) map[agentId(s)] = [];
    for (let j = 0; j < spec.m; j++) map[agentId(rng.int(spec.n))].push(j);
    return map;
  },
  rawUtilities: (draw: Draw, owners) => rawUtilities(draw.values, owners),
  utilityRange: () => [0, 100],
  baseline: (draw) => nashBargainingSolution(draw.values),
  metrics(draw, owners, baseline) {
    return { ...runMetrics(draw.values, owners, baseline), extra: {} };
  },
  startFields: (draw, spec) => ({ ...commonStartFields(draw), items: spec.items }),
  drawFields: commonDrawFields,
  runColumns: [],
};
