/**
 * The pass rule: ceil(2n/3) accepts (unanimity for n = 2); most accepts wins among the
 * passing proposals; a tie for most is drawn with the seeded generator and recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, passThreshold, tabulate } from './index.ts';

// Worked by hand: ceil(2n/3) for n = 3..10 is
//   n=3: 6/3=2 -> 2   n=4: 8/3=2.67 -> 3   n=5: 10/3=3.33 -> 4   n=6: 12/3=4 -> 4
//   n=7: 14/3=4.67 -> 5   n=8: 16/3=5.33 -> 6   n=9: 18/3=6 -> 6   n=10: 20/3=6.67 -> 7
// and n = 2 needs both (unanimity).
const EXPECTED: Record<number, number> = { 2: 2, 3: 2, 4: 3, 5: 4, 6: 4, 7: 5, 8: 6, 9: 6, 10: 7 };

test('threshold is ceil(2n/3) for n = 3..10 and unanimity for n = 2', () => {
  for (let n = 2; n <= 10; n++) assert.equal(passThreshold(n), EXPECTED[n], `n = ${n}`);
});

/** accept[voter][k] for one proposal accepted by exactly `yes` of n voters. */
function votes(n: number, yesPerProposal: number[]): boolean[][] {
  return Array.from({ length: n }, (_, voter) => yesPerProposal.map((yes) => voter < yes));
}

test('a proposal passes exactly at the threshold, for every n', () => {
  for (let n = 2; n <= 10; n++) {
    const need = EXPECTED[n];
    const below = tabulate([0], votes(n, [need - 1]), n, createRng(1));
    assert.equal(below.winner, null, `n = ${n}: ${need - 1} accepts must not pass`);
    assert.deepEqual(below.tallies[0], { proposer: 0, accepts: need - 1, rejects: n - need + 1, passed: false });
    const at = tabulate([0], votes(n, [need]), n, createRng(1));
    assert.equal(at.winner, 0, `n = ${n}: ${need} accepts must pass`);
    assert.deepEqual(at.tallies[0], { proposer: 0, accepts: need, rejects: n - need, passed: true });
  }
});

test('most accepts wins among passing proposals, without a draw', () => {
  // n = 6, threshold 4: proposals get 4, 6, 5, 3 accepts -> proposals 0, 1, 2 pass, 1 wins
  const r = tabulate([0, 1, 2, 3], votes(6, [4, 6, 5, 3]), 6, createRng(1));
  assert.deepEqual(
    r.tallies.map((t) => t.passed),
    [true, true, true, false],
  );
  assert.equal(r.winner, 1);
  assert.equal(r.tieBetween, null);
  // proposer seats are carried through (proposal k need not come from seat k)
  assert.deepEqual(
    r.tallies.map((t) => t.proposer),
    [0, 1, 2, 3],
  );
  const s = tabulate([4, 2], votes(6, [3, 5]), 6, createRng(1));
  assert.equal(s.winner, 1);
  assert.equal(s.tallies[1].proposer, 2);
});

test('a tie for most accepts is drawn by the seeded generator: repeatable, recorded, and either can win', () => {
  // n = 5, threshold 4: proposals 0 and 2 both get 5, proposal 1 gets 4 (passes but is not top)
  const accept = votes(5, [5, 4, 5]);
  const winners = new Set<number>();
  for (let seed = 0; seed < 64; seed++) {
    const a = tabulate([0, 1, 2], accept, 5, createRng(seed));
    const b = tabulate([0, 1, 2], accept, 5, createRng(seed));
    assert.deepEqual(a, b, `seed ${seed}: same seed, same draw`);
    assert.deepEqual(a.tieBetween, [0, 2]);
    assert.ok(a.winner === 0 || a.winner === 2, `seed ${seed}: winner ${a.winner} was not tied for most`);
    winners.add(a.winner!);
  }
  assert.deepEqual([...winners].sort(), [0, 2], 'over 64 seeds both tied proposals win sometimes');
});

test('nothing passes: no winner and no draw', () => {
  const r = tabulate([0, 1], votes(2, [1, 1]), 2, createRng(1));
  assert.equal(r.winner, null);
  assert.equal(r.tieBetween, null);
  assert.deepEqual(
    r.tallies.map((t) => [t.accepts, t.rejects]),
    [
      [1, 1],
      [1, 1],
    ],
  );
});
