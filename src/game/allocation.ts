/**
 * Allocations: each item to exactly one agent. The wire form (results, prompts) is
 * { "Agent_1": [item indices], ... }; the internal form is owner[item] = seat.
 * Pure; validation returns a value, never throws.
 */
import { agentId } from './items.ts';

export type AllocationMap = Record<string, number[]>;
/** owner[item] = seat index (0-based). */
export type Owners = number[];

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** Validates a parsed allocation map against n agents and m items. */
export function validateAllocation(x: unknown, n: number, m: number): Checked<Owners> {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) {
    return {
      ok: false,
      error:
        'the allocation must be an object mapping each agent (Agent_1..' +
        agentId(n - 1) +
        ') to a list of item indices',
    };
  }
  const owners: number[] = new Array(m).fill(-1);
  const valid = new Map<string, number>();
  for (let s = 0; s < n; s++) valid.set(agentId(s), s);
  for (const [key, items] of Object.entries(x as Record<string, unknown>)) {
    const seat = valid.get(key);
    if (seat === undefined)
      return { ok: false, error: `unknown agent "${key}": the agents are ${[...valid.keys()].join(', ')}` };
    if (!Array.isArray(items)) return { ok: false, error: `${key} must map to a list of item indices` };
    for (const it of items) {
      if (typeof it !== 'number' || !Number.isInteger(it) || it < 0 || it >= m) {
        return { ok: false, error: `${key} lists ${JSON.stringify(it)}, which is not an item index 0..${m - 1}` };
      }
      if (owners[it] === seat)
        return { ok: false, error: `${key} lists item ${it} more than once; list each item once` };
      if (owners[it] !== -1) {
        return {
          ok: false,
          error: `item ${it} is given to both ${agentId(owners[it])} and ${key}; each item goes to exactly one agent`,
        };
      }
      owners[it] = seat;
    }
  }
  const missing = owners.map((o, j) => (o === -1 ? j : -1)).filter((j) => j >= 0);
  if (missing.length)
    return {
      ok: false,
      error: `item${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not allocated; every item must go to exactly one agent`,
    };
  return { ok: true, value: owners };
}

export function toAllocationMap(owners: Owners, n: number): AllocationMap {
  const map: AllocationMap = {};
  for (let s = 0; s < n; s++) map[agentId(s)] = [];
  owners.forEach((s, j) => map[agentId(s)].push(j));
  return map;
}

/** Calls f for every allocation of m items to n agents (n^m of them), reusing one array. */
export function forEachAllocation(n: number, m: number, f: (owners: Owners) => void): void {
  const owners = new Array<number>(m).fill(0);
  for (;;) {
    f(owners);
    let j = 0;
    while (j < m && owners[j] === n - 1) {
      owners[j] = 0;
      j++;
    }
    if (j === m) return;
    owners[j]++;
  }
}
