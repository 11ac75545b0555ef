/** Agreement validation: exactly K whole percentages 0..100; one-line errors naming issue and rule; no clipping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAgreement } from './agreement.ts';

function rejects(x: unknown, k: number, pattern: RegExp): void {
  const r = validateAgreement(x, k);
  assert.equal(r.ok, false, `${JSON.stringify(x)} should be rejected`);
  if (!r.ok) {
    assert.match(r.error, pattern);
    assert.ok(!r.error.includes('\n'), 'one line');
  }
}

test('a valid agreement is returned as a copy', () => {
  const x = [0, 100, 37, 50, 1];
  const r = validateAgreement(x, 5);
  assert.deepEqual(r, { ok: true, value: [0, 100, 37, 50, 1] });
  if (r.ok) assert.notEqual(r.value, x);
});

test('out of range, fractional, non-numbers: the issue index and name and the rule, never clipped', () => {
  rejects(
    [140, 0, 0],
    3,
    /^issue 0 \(Carbon cost on imports\) is 140, outside 0–100; give a whole percentage from 0 to 100$/,
  );
  rejects([0, -5, 0], 3, /^issue 1 \(Tariff reduction\) is -5, outside 0–100/);
  rejects([0, 0, 12.5], 3, /^issue 2 \(Fishing quota cut\) is 12\.5, not a whole number; give a whole percentage/);
  rejects([0, '50', 0], 3, /^issue 1 \(Tariff reduction\) is "50", not a number/);
  rejects([0, null, 0], 3, /^issue 1 .* is null, not a number/);
  rejects([Number.NaN], 1, /^issue 0 .* is NaN, not a number/);
  rejects([0, 0, Number.POSITIVE_INFINITY], 3, /is Infinity, not a number/);
});

test('wrong shape: not a list, or the wrong number of entries', () => {
  rejects({ a: 1 }, 3, /^the agreement must be a list of 3 whole percentages \(0–100\), one per issue$/);
  rejects('50,50', 2, /must be a list/);
  rejects([10, 20], 3, /^the agreement lists 2 percentages but the treaty has 3 issues; give exactly one per issue$/);
  rejects([10], 3, /lists 1 percentage but/);
  rejects([], 1, /lists 0 percentages/);
});
