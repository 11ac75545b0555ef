/**
 * Shared machinery of the scripted negotiators: enumerating candidate allocations,
 * estimating the other agents' values from their proposals, and picking the
 * allocation that meets an own-utility target while leaving the others the most.
 * Pure (reads only the observation).
 */
import { agentId, forEachAllocation, toAllocationMap, type AllocationMap } from '../../game/index.ts';
import type { Observation } from '../agent.ts';

const CANDIDATE_LIMIT = 4096;

export interface Candidate {
  owners: number[];
  own: number;
}

/** Every allocation when n^m is small; otherwise a structured sample (each item to self or one other). */
export function candidates(obs: Observation, cache: { list?: Candidate[] }): Candidate[] {
  if (cache.list) return cache.list;
  const { n, m } = obs.spec;
  const v = obs.values,
    me = obs.seat;
  const list: Candidate[] = [];
  if (Math.pow(n, m) <= CANDIDATE_LIMIT) {
    forEachAllocation(n, m, (o) => {
      let own = 0;
      for (let j = 0; j < m; j++) if (o[j] === me) own += v[j];
      list.push({ owners: o.slice(), own });
    });
  } else {
    // Greedy family: keep the k most valued items, hand the rest out round-robin among the others.
    const order = [...v.keys()].sort((a, b) => v[b] - v[a]);
    const others = [...Array(n).keys()].filter((s) => s !== me);
    for (let k = 0; k <= m; k++) {
      const o = new Array<number>(m);
      let own = 0;
      order.forEach((j, idx) => {
        if (idx < k) {
          o[j] = me;
          own += v[j];
        } else o[j] = others[(idx - k) % others.length];
      });
      list.push({ owners: o, own });
    }
  }
  cache.list = list;
  return list;
}

/** Estimated values of every agent: own are known; others' from what they claimed in their proposals. */
export function estimateValues(obs: Observation): number[][] {
  const { n, m } = obs.spec;
  const est = Array.from({ length: n }, () => new Array<number>(m).fill(1));
  for (const f of obs.public) {
    if (f.kind !== 'proposal') continue;
    const proposer = Number(f.from.slice(6)) - 1;
    const mine = f.allocation![f.from] ?? [];
    for (const j of mine) est[proposer][j] += 2;
  }
  for (let s = 0; s < n; s++) {
    const total = est[s].reduce((a, b) => a + b, 0);
    est[s] = est[s].map((x) => (100 * x) / total);
  }
  est[obs.seat] = obs.values.slice();
  return est;
}

export function utilityOf(values: readonly number[], owners: number[], seat: number): number {
  let u = 0;
  for (let j = 0; j < owners.length; j++) if (owners[j] === seat) u += values[j];
  return u;
}

/** Allocation with own utility >= floor that leaves the others the most (estimated); else the own-best one. */
export function bestOfferAbove(obs: Observation, cands: Candidate[], floor: number): Candidate {
  const est = estimateValues(obs);
  let best: Candidate | null = null,
    bestScore = -Infinity;
  for (const c of cands) {
    if (c.own < floor) continue;
    let others = 0;
    for (let s = 0; s < obs.spec.n; s++) if (s !== obs.seat) others += utilityOf(est[s], c.owners, s);
    const score = others + c.own * 1e-3; // prefer more for self among equals
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  if (best) return best;
  return cands.reduce((a, b) => (b.own > a.own ? b : a));
}

/** Allocation maximising the product of own and estimated others' utilities (estimated Nash point). */
export function estimatedNash(obs: Observation, cands: Candidate[]): Candidate {
  const est = estimateValues(obs);
  let best = cands[0],
    bestP = -1;
  for (const c of cands) {
    let p = Math.max(c.own, 1e-6);
    for (let s = 0; s < obs.spec.n; s++) if (s !== obs.seat) p *= Math.max(utilityOf(est[s], c.owners, s), 1e-6);
    if (p > bestP) {
      bestP = p;
      best = c;
    }
  }
  return best;
}

export function asMap(obs: Observation, c: Candidate): AllocationMap {
  return toAllocationMap(c.owners, obs.spec.n);
}

/** Own utility of each proposal on the table. */
export function offeredUtilities(obs: Observation): number[] {
  return (obs.proposals ?? []).map((p) =>
    (p.allocation![agentId(obs.seat)] ?? []).reduce((s, j) => s + obs.values[j], 0),
  );
}

/** Best own utility offered by anyone else in any earlier proposal. */
export function bestReceived(obs: Observation): number {
  let best = 0;
  for (const f of obs.public) {
    if (f.kind !== 'proposal' || f.from === obs.self) continue;
    best = Math.max(
      best,
      (f.allocation![obs.self] ?? []).reduce((s, j) => s + obs.values[j], 0),
    );
  }
  return best;
}

/** Progress through the game: 0 in round 1, 1 in the last round. */
export function progress(obs: Observation): number {
  return obs.spec.maxRounds <= 1 ? 1 : (obs.round - 1) / (obs.spec.maxRounds - 1);
}

/**
 * Time-dependent concession, shared by both games: own-utility target (of 100) at this
 * point of the game, 100·(1 − (1 − floor)·t^(1/β)).
 */
export const CONCESSION = {
  boulware: { beta: 0.2, floor: 0.5 },
  conceder: { beta: 3, floor: 0.3 },
  linear: { beta: 1, floor: 0.4 },
} as const;

export function timeTarget(beta: number, floor: number, obs: Observation): number {
  return 100 * (1 - (1 - floor) * Math.pow(progress(obs), 1 / beta));
}

export function topItems(obs: Observation, k = 2): string[] {
  return [...obs.values.keys()]
    .sort((a, b) => obs.values[b] - obs.values[a])
    .slice(0, k)
    .filter((j) => obs.values[j] > 0)
    .map((j) => obs.spec.items[j]);
}
