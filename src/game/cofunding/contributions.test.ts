/**
 * Contribution validation: M finite amounts ≥ 0 with at most 2 decimals summing to at most the
 * budget; errors are one readable line naming the project and the rule; nothing is clipped or scaled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateContributions } from './contributions.ts';

function rejects(x: unknown, m: number, budget: number, ...patterns: RegExp[]): string {
  const r = validateContributions(x, m, budget);
  assert.equal(r.ok, false, `${JSON.stringify(x)} was accepted`);
  if (r.ok) return '';
  assert.ok(!r.error.includes('\n'), `not one line: ${r.error}`);
  for (const p of patterns) assert.match(r.error, p);
  return r.error;
}

test('accepts whole and 2-decimal amounts up to the budget, unchanged', () => {
  for (const x of [
    [0, 0, 0, 0, 0],
    [100, 0, 0, 0, 0],
    [20, 20, 20, 20, 20],
    [33.33, 33.33, 33.34, 0, 0], // sums to the budget although 33.33 + 33.33 + 33.34 ≠ 100 in floating point
    [0.29, 0.01, 10.5, 0, 0],
  ]) {
    const r = validateContributions(x, 5, 100);
    assert.ok(r.ok, `${JSON.stringify(x)}: ${r.ok ? '' : r.error}`);
    if (r.ok) assert.deepEqual(r.value, x);
  }
  const r = validateContributions([-0, 0], 2, 10);
  assert.ok(r.ok && Object.is(r.value[0], 0), 'a −0 comes back as 0');
  // a fractional budget is compared in cents too
  assert.ok(validateContributions([0.1, 0.2], 2, 0.3).ok);
});

test('over budget: the sum, the budget, and that nothing is scaled down', () => {
  const e = rejects([50, 50, 30, 0, 0], 5, 100);
  assert.equal(e, 'your contributions sum to 130, above your budget of 100; lower them (they are never scaled down)');
  rejects([100.01, 0, 0, 0, 0], 5, 100, /sum to 100\.01, above your budget of 100/);
  rejects([33.34, 33.33, 33.34], 3, 100, /sum to 100\.01/);
});

test('negative, non-number and too-precise amounts name the project and the rule', () => {
  rejects([10, -5, 0, 0, 0], 5, 100, /^project 1 \(Public library extension\) is -5, below 0/, /cannot be negative/);
  rejects([10, 0, '5', 0, 0], 5, 100, /^project 2 \(Protected bike lanes\) is "5", not a number/);
  rejects([null, 0, 0, 0, 0], 5, 100, /^project 0 \(Community solar array\) is null, not a number/);
  rejects([0, 0, 0, Number.NaN, 0], 5, 100, /^project 3 .* is NaN, not a number/);
  rejects([0, 0, 0, 0, Number.POSITIVE_INFINITY], 5, 100, /^project 4 .* is Infinity, not a number/);
  rejects([0, [1], 0, 0, 0], 5, 100, /^project 1 .* is \[1\], not a number/);
  rejects([0, 0, 3.141, 0, 0], 5, 100, /^project 2 .* is 3\.141, with more than 2 decimals/, /e\.g\. 3\.14/);
  rejects([0.001, 0, 0, 0, 0], 5, 100, /more than 2 decimals/);
});

test('wrong shape: not a list, or the wrong number of amounts', () => {
  rejects({ 0: 10 }, 5, 100, /must be a list of 5 amounts, one per project/);
  rejects('10, 20', 5, 100, /must be a list of 5 amounts/);
  rejects(undefined, 5, 100, /must be a list/);
  rejects([10, 20, 30, 40], 5, 100, /you list 4 contributions but there are 5 projects; give exactly one amount/);
  rejects([10, 20], 1, 100, /you list 2 contributions but there is 1 project/);
  rejects([], 3, 100, /you list 0 contributions/);
});
