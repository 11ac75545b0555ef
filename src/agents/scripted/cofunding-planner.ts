/**
 * Shared machinery of the scripted co-funding negotiators: reading the joint proposals
 * (per project: total pledged, funded) out of the observation, the own-utility arithmetic,
 * a belief about the others' valuations learned from the aggregates, and turning planned
 * pledges into a legal contribution vector (whole cents, never over the own budget).
 * An agent sees only aggregates, never another's pledge: what the others gave to a project
 * is the total pledged minus its own pledge. Pure (reads only its arguments).
 */
import type { Observation } from '../agent.ts';
import { progress } from './planner.ts';
import { toCents } from '../../game/cofunding/contributions.ts';
import type { JointView } from '../../game/cofunding/game.ts';

export { toCents };
export type { JointView };

/** A joint view of m projects, or null when x is not one. */
export function asJointView(x: unknown, m: number): JointView | null {
  if (!x || typeof x !== 'object') return null;
  const { pledged, funded } = x as Partial<JointView>;
  if (!Array.isArray(pledged) || !Array.isArray(funded) || pledged.length !== m || funded.length !== m) return null;
  if (!pledged.every((p) => typeof p === 'number' && Number.isFinite(p))) return null;
  return { pledged, funded: funded.map((f) => f === true) };
}

/** A round's joint proposal as the agent saw it, with its own pledge when the observation records it. */
export interface RoundRecord {
  view: JointView;
  own?: number[];
}

/** The joint proposal of every round that had one (rounds up to and including the current one). */
export function jointRecords(obs: Observation): Map<number, RoundRecord> {
  const out = new Map<number, RoundRecord>();
  for (const f of obs.public) {
    if (f.kind !== 'proposal' || f.from !== 'all') continue;
    const view = asJointView(f.joint, obs.spec.m);
    if (view) out.set(f.round, { view, ...(f.contributions ? { own: f.contributions } : {}) });
  }
  return out;
}

/**
 * Own utility of a joint proposal: U = Σ_{j funded} (v_j − x_j), own pledges to unfunded projects
 * cost nothing. In cents, so it is exact for pledges of whole cents. The one place the scripted
 * negotiators do co-funding utility arithmetic.
 */
export function ownUtility(values: readonly number[], pledge: readonly number[], funded: readonly boolean[]): number {
  let cents = 0;
  for (let j = 0; j < values.length; j++) if (funded[j]) cents += toCents(values[j]) - toCents(pledge[j] ?? 0);
  return cents / 100;
}

/** Public costs and the own budget (in cents), with safe fallbacks for a malformed observation. */
export function costsOf(obs: Observation): number[] {
  return Array.from({ length: obs.spec.m }, (_, j) => Math.max(0, obs.costs?.[j] ?? 0));
}

export function budgetCents(obs: Observation): number {
  const b = obs.budget ?? 0;
  return Number.isFinite(b) && b > 0 ? Math.floor(b * 100 + 1e-6) : 0;
}

/**
 * What an agent believes at the start of a round, learned from the joint proposals before it.
 * `others[j]` estimates Σ_{k≠i} v_kj, the others' total valuation of project j.
 */
export interface Belief {
  others: number[];
  /** the others' total pledge per project in the latest earlier round that had a joint proposal */
  lastOthers: number[] | null;
  /** the same, in the latest such round before that */
  prevOthers: number[] | null;
  /** own pledge in the previous round (made whether or not a joint proposal formed) */
  lastOwn: number[] | null;
}

export const PRIOR_MARGIN = 0.25;
/**
 * Before any aggregate: the others' valuation of a project is at least an even spread of their
 * points and, optimistically, enough to make the project worth PRIOR_MARGIN more than its cost.
 */
export function priorBelief(obs: Observation): Belief {
  const { n, m } = obs.spec;
  const c = costsOf(obs);
  const others = c.map((cj, j) => Math.max((100 * (n - 1)) / m, (1 + PRIOR_MARGIN) * cj - obs.values[j]));
  return { others, lastOthers: null, prevOthers: null, lastOwn: null };
}

/**
 * The belief after a round in which the agent pledged `own` and the joint proposal was `view`
 * (null: no joint proposal formed). The others' pledge O_j = pledged_j − own_j reveals their
 * valuation as proportional contributors would: O_j / own_j = V_{-i,j} / v_ij, so V_{-i,j} ≈ v_ij·O_j/own_j
 * (and at least O_j, which a rational contributor values its pledge above). The estimate moves
 * halfway there each round, so a pledge of nothing, round after round, reads as valuing nothing:
 * the free rider's lever on a proportional contributor.
 */
export function observe(b: Belief, obs: Observation, own: readonly number[], view: JointView | null): Belief {
  if (!view) return { ...b, lastOwn: own.slice() };
  const cap = 100 * (obs.spec.n - 1);
  const o = view.pledged.map((p, j) => Math.max(0, toCents(p) - toCents(own[j] ?? 0)) / 100);
  const others = b.others.map((e, j) => {
    // pledging nothing myself, I learn only that they value it at least what they pledged
    const seen = own[j] > 0 ? (obs.values[j] * o[j]) / own[j] : e;
    return Math.min(cap, Math.max(seen, o[j]));
  });
  return { others, lastOthers: o, prevOthers: b.lastOthers, lastOwn: own.slice() };
}

/** Estimated Lindahl share x_ij^L = c_j · v_ij / (v_ij + V̂_{-i,j}): 0 for a project the agent does not value. */
export function lindahlShare(v: number, cost: number, others: number): number {
  return v > 0 ? (cost * v) / (v + Math.max(0, others)) : 0;
}

/** Progress through the game at round k: 0 in round 1, 1 in the last. */
export function progressAt(obs: Observation, k: number): number {
  return progress({ ...obs, round: k });
}

/**
 * Planned pledges (any non-negative reals) to a legal vector in whole cents: each rounded up
 * (so shares meant to add up to a cost reach it), then, best own gain per unit pledged first,
 * those that fit the budget are kept and the rest dropped (a partial pledge funds nothing
 * by itself). Returns cents.
 */
export function fitBudget(plan: readonly number[], gain: readonly number[], budget: number): number[] {
  const cents = plan.map((x) => (Number.isFinite(x) && x > 0 ? Math.ceil(x * 100 - 1e-6) : 0));
  const order = cents
    .map((c, j) => j)
    .filter((j) => cents[j] > 0)
    .sort((a, b) => gain[b] / cents[b] - gain[a] / cents[a] || a - b);
  let left = budget;
  const out = new Array<number>(plan.length).fill(0);
  for (const j of order) {
    if (cents[j] <= left) {
      out[j] = cents[j];
      left -= cents[j];
    }
  }
  return out;
}

/** Cents to the wire: non-negative amounts of at most 2 decimals whose sum (in cents) is within the budget. */
export function toWire(cents: readonly number[], budget: number): number[] {
  const c = cents.map((x) => (Number.isFinite(x) && x > 0 ? Math.floor(x) : 0));
  let over = c.reduce((a, b) => a + b, 0) - budget;
  while (over > 0) {
    // a guard: callers stay within budget; trim the largest pledge if one did not
    const j = c.indexOf(Math.max(...c));
    const cut = Math.min(over, c[j]);
    c[j] -= cut;
    over -= cut;
  }
  return c.map((x) => x / 100);
}

/** The k projects the agent values most. */
export function topProjects(obs: Observation, k = 2): string[] {
  return [...obs.values.keys()]
    .sort((a, b) => obs.values[b] - obs.values[a] || a - b)
    .slice(0, k)
    .filter((j) => obs.values[j] > 0)
    .map((j) => obs.spec.items[j]);
}
