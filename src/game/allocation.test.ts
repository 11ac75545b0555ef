/** Allocation validation: each item to exactly one agent, with an error that says what is wrong. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachAllocation, toAllocationMap, validateAllocation } from './index.ts';

function rejects(x: unknown, n: number, m: number, pattern: RegExp): void {
  const r = validateAllocation(x, n, m);
  assert.equal(r.ok, false, `${JSON.stringify(x)} was accepted`);
  if (!r.ok) assert.match(r.error, pattern);
}

test('a complete allocation is accepted and turned into owners[item] = seat', () => {
  assert.deepEqual(validateAllocation({ Agent_1: [0, 2], Agent_2: [1, 3, 4] }, 2, 5), {
    ok: true,
    value: [0, 1, 0, 1, 1],
  });
  // an agent may get nothing, listed as [] or left out
  assert.deepEqual(validateAllocation({ Agent_1: [], Agent_2: [0, 1, 2] }, 2, 3), { ok: true, value: [1, 1, 1] });
  assert.deepEqual(validateAllocation({ Agent_3: [1], Agent_1: [0] }, 3, 2), { ok: true, value: [0, 2] });
});

test('invalid allocations are refused with the exact problem', () => {
  rejects(
    { Agent_1: [0, 1], Agent_2: [2, 3] },
    2,
    5,
    /^item 4 not allocated; every item must go to exactly one agent$/,
  );
  rejects({ Agent_1: [0], Agent_2: [] }, 2, 3, /^items 1, 2 not allocated/);
  rejects({ Agent_1: [0, 1], Agent_2: [1, 2] }, 2, 3, /^item 1 is given to both Agent_1 and Agent_2/);
  rejects({ Agent_1: [0, 0, 1, 2] }, 2, 3, /^Agent_1 lists item 0 more than once/);
  rejects({ Agent_1: [0, 1], Agent_3: [2] }, 2, 3, /^unknown agent "Agent_3": the agents are Agent_1, Agent_2$/);
  rejects({ agent_1: [0, 1, 2] }, 2, 3, /unknown agent "agent_1"/);
  rejects({ Agent_1: [0, 1, 5] }, 2, 3, /^Agent_1 lists 5, which is not an item index 0..2$/);
  rejects({ Agent_1: [0, 1, -1] }, 2, 3, /lists -1/);
  rejects({ Agent_1: [0, 1, 1.5] }, 2, 3, /lists 1.5/);
  rejects({ Agent_1: [0, 1, '2'] }, 2, 3, /lists "2"/);
  rejects({ Agent_1: [0, 1, null] }, 2, 3, /lists null/);
  rejects({ Agent_1: 0 }, 2, 3, /^Agent_1 must map to a list of item indices$/);
  for (const bad of [null, undefined, 'Agent_1 gets all', 3, [[0, 1, 2]], true]) {
    rejects(
      bad,
      2,
      3,
      /^the allocation must be an object mapping each agent \(Agent_1..Agent_2\) to a list of item indices$/,
    );
  }
});

test('toAllocationMap inverts validation, listing every agent', () => {
  const owners = [2, 0, 2, 1];
  const map = toAllocationMap(owners, 4);
  assert.deepEqual(map, { Agent_1: [1], Agent_2: [3], Agent_3: [0, 2], Agent_4: [] });
  assert.deepEqual(validateAllocation(map, 4, 4), { ok: true, value: owners });
});

test('forEachAllocation visits all n^m allocations exactly once', () => {
  for (const [n, m] of [
    [2, 1],
    [2, 5],
    [3, 4],
    [4, 3],
  ]) {
    const seen = new Set<string>();
    forEachAllocation(n, m, (o) => {
      assert.equal(o.length, m);
      assert.ok(o.every((s) => Number.isInteger(s) && s >= 0 && s < n));
      seen.add(o.join(','));
    });
    assert.equal(seen.size, n ** m, `n ${n} m ${m}`);
  }
});
