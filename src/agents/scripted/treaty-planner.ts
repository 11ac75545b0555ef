/**
 * Shared machinery of the scripted treaty negotiators: an opponent model learned from
 * the others' proposals (ideal ≈ first proposal, weight ≈ how little they move on an
 * issue), the estimated Pareto frontier (the agreement meeting an own-utility target
 * that leaves the others the most) and the estimated Nash agreement.
 * Pure (reads only the observation and its arguments).
 */
import { treatyUtilities } from '../../game/treaty/utility.ts';
import type { Observation } from '../agent.ts';

/** A seat's (possibly estimated) ideal positions and weights (summing to 100). */
export interface Stance {
  positions: readonly number[];
  weights: readonly number[];
}

/** An issue the seat has always fully given up on keeps this fraction of an unmoved issue's weight. */
const WEIGHT_FLOOR = 0.1;

/** Utility of an agreement to a seat, 0..100, by the game's own formula (estimated weights may be fractional). */
export function stanceUtility(s: Stance, agreement: readonly number[]): number {
  return treatyUtilities([s.positions], [s.weights], agreement)[0];
}

function own(obs: Observation): Stance {
  return { positions: obs.positions ?? new Array<number>(obs.spec.m).fill(50), weights: obs.values };
}

/** Every earlier-or-current proposal of each seat, in order (seat-indexed). */
function proposalsBySeat(obs: Observation): number[][][] {
  const by: number[][][] = Array.from({ length: obs.spec.n }, () => []);
  for (const f of obs.public) {
    if (f.kind !== 'proposal' || !f.agreement) continue;
    by[Number(f.from.slice(6)) - 1].push(f.agreement);
  }
  return by;
}

/**
 * Estimated stance of every seat (own exact; others from their proposals), or null for a
 * seat that has proposed nothing yet (nothing to go on). A seat's ideal is taken to be its
 * opening proposal; an issue weighs the less, the further the seat has since moved on it,
 * as a fraction of the way to the farthest other known position (mean over its later
 * proposals, so one swing does not settle the estimate).
 */
export function estimateStances(obs: Observation): (Stance | null)[] {
  const by = proposalsBySeat(obs);
  const openings = by.map((props, s) => (s === obs.seat ? own(obs).positions : props[0]));
  return by.map((props, s) => {
    if (s === obs.seat) return own(obs);
    if (props.length === 0) return null;
    const first = props[0];
    const raw = first.map((q, k) => {
      let reach = 10; // a move of a few points between near-identical positions says little
      openings.forEach((o, t) => {
        if (t !== s && o) reach = Math.max(reach, Math.abs(o[k] - q));
      });
      let moved = 0;
      for (let r = 1; r < props.length; r++) moved += Math.min(1, Math.abs(props[r][k] - q) / reach);
      const f = props.length > 1 ? moved / (props.length - 1) : 0;
      return 1 - (1 - WEIGHT_FLOOR) * f;
    });
    const total = raw.reduce((a, b) => a + b, 0);
    return { positions: first.slice(), weights: raw.map((x) => (100 * x) / total) };
  });
}

/** The others (seats with an estimate), for the planners below. */
function others(obs: Observation, est: (Stance | null)[]): Stance[] {
  return est.filter((s, i): s is Stance => s !== null && i !== obs.seat);
}

/** Σ_j v_jk · (1 − |q_jk − a| / 100): the others' utility from issue k at rate a. */
function issueSum(os: readonly Stance[], k: number, a: number): number {
  let s = 0;
  for (const o of os) s += o.weights[k] * (1 - Math.abs(o.positions[k] - a) / 100);
  return s;
}

interface Segment {
  issue: number;
  from: number;
  to: number;
  /** others' gain per own point given up */
  ratio: number;
  /** own points given up per percentage point moved */
  cost: number;
  order: number;
}

/**
 * The agreement with own utility >= target that leaves the others the most (their summed
 * estimated utility). Each issue's others' sum is concave, peaking at their weighted median,
 * so moving from the own ideal towards it yields segments of falling gain per own point;
 * taking segments best ratio first is optimal (a fractional knapsack). For two agents this
 * concedes issues in order of own weight ÷ the other's weight. Whole percentages throughout.
 */
export function frontierOffer(me: Stance, os: readonly Stance[], target: number): number[] {
  const a = me.positions.map((x) => Math.round(x));
  if (os.length === 0) return a;
  const segs: Segment[] = [];
  for (let k = 0; k < a.length; k++) {
    const start = a[k];
    // the rate the others like best (the first maximiser, from the own side)
    let peak = start,
      best = issueSum(os, k, start);
    const dir = [-1, 1];
    for (const d of dir) {
      for (let x = start + d; x >= 0 && x <= 100; x += d) {
        const v = issueSum(os, k, x);
        if (v > best + 1e-9 || (v > best - 1e-9 && Math.abs(x - start) < Math.abs(peak - start))) {
          best = v;
          peak = x;
        }
      }
    }
    if (peak === start) continue;
    const step = Math.sign(peak - start);
    // breakpoints: the others' positions strictly between own ideal and the peak
    const stops = [
      ...new Set(
        os.map((o) => Math.round(o.positions[k])).filter((q) => (q - start) * step > 0 && (peak - q) * step > 0),
      ),
      peak,
    ].sort((x, y) => (x - y) * step);
    const cost = me.weights[k] / 100;
    let from = start;
    stops.forEach((to, i) => {
      const gain = (issueSum(os, k, to) - issueSum(os, k, from)) / Math.abs(to - from);
      if (gain > 1e-12) segs.push({ issue: k, from, to, ratio: cost > 0 ? gain / cost : Infinity, cost, order: i });
      from = to;
    });
  }
  segs.sort((x, y) => y.ratio - x.ratio || x.issue - y.issue || x.order - y.order);
  let budget = Math.max(0, 100 - target);
  const blocked = new Set<number>();
  for (const g of segs) {
    if (blocked.has(g.issue) || a[g.issue] !== g.from) continue;
    const len = Math.abs(g.to - g.from);
    if (g.cost * len <= budget + 1e-9) {
      a[g.issue] = g.to;
      budget -= g.cost * len;
    } else {
      // g.cost > 0 here: free segments always fit
      const d = Math.floor((budget + 1e-9) / g.cost);
      a[g.issue] = g.from + Math.sign(g.to - g.from) * d;
      budget -= g.cost * d;
      blocked.add(g.issue);
    }
  }
  return a;
}

/**
 * The agreement maximising the product of everyone's (estimated) utility: coordinate ascent
 * over whole percentages. The log-product is concave and its kinks lie along single issues,
 * so a point no single issue's change improves is (up to the grid) the maximum.
 */
export function nashAgreement(stances: readonly Stance[]): number[] {
  const k = stances[0].positions.length;
  const a = Array.from({ length: k }, (_, j) =>
    Math.round(stances.reduce((s, x) => s + x.positions[j], 0) / stances.length),
  );
  const u = stances.map((s) => stanceUtility(s, a));
  const part = (s: Stance, j: number, x: number) => s.weights[j] * (1 - Math.abs(s.positions[j] - x) / 100);
  const score = (j: number, x: number) => {
    let t = 0;
    for (let i = 0; i < stances.length; i++) {
      t += Math.log(Math.max(u[i] - part(stances[i], j, a[j]) + part(stances[i], j, x), 1e-9));
    }
    return t;
  };
  for (let sweep = 0; sweep < 50; sweep++) {
    let changed = false;
    for (let j = 0; j < k; j++) {
      let bx = a[j],
        bs = score(j, a[j]);
      for (let x = 0; x <= 100; x++) {
        const v = score(j, x);
        if (v > bs + 1e-12) {
          bs = v;
          bx = x;
        }
      }
      if (bx !== a[j]) {
        for (let i = 0; i < stances.length; i++) u[i] += part(stances[i], j, bx) - part(stances[i], j, a[j]);
        a[j] = bx;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return a;
}

/** The frontier offer at an own-utility target, by the opponent model learned so far. */
export function offerAbove(obs: Observation, target: number): number[] {
  const est = estimateStances(obs);
  return frontierOffer(own(obs), others(obs, est), target);
}

/** The estimated Nash agreement; the own ideal while no one else has proposed. */
export function estimatedNash(obs: Observation): number[] {
  const est = estimateStances(obs);
  const os = others(obs, est);
  if (os.length === 0) return own(obs).positions.map((x) => Math.round(x));
  return nashAgreement([own(obs), ...os]);
}

export function ownUtility(obs: Observation, agreement: readonly number[]): number {
  return stanceUtility(own(obs), agreement);
}

/** Own utility of each proposal on the table. */
export function offeredUtilities(obs: Observation): number[] {
  return (obs.proposals ?? []).map((p) => ownUtility(obs, p.agreement!));
}

/** Own utility of the best proposal the other seats made in each round before `before` that had one, oldest first. */
export function receivedByRound(obs: Observation, before = Infinity): number[] {
  const best = new Map<number, number>();
  for (const f of obs.public) {
    if (f.kind !== 'proposal' || f.from === obs.self || !f.agreement || f.round >= before) continue;
    best.set(f.round, Math.max(best.get(f.round) ?? 0, ownUtility(obs, f.agreement)));
  }
  return [...best.keys()].sort((a, b) => a - b).map((r) => best.get(r)!);
}

/** Best own utility offered by anyone else in any earlier proposal, in whole points. */
export function bestReceived(obs: Observation): number {
  return Math.round(Math.max(0, ...receivedByRound(obs)));
}

/** The k issues the agent weighs most. */
export function topIssues(obs: Observation, k = 2): string[] {
  return [...obs.values.keys()]
    .sort((a, b) => obs.values[b] - obs.values[a])
    .slice(0, k)
    .filter((j) => obs.values[j] > 0)
    .map((j) => obs.spec.items[j]);
}
