/** The treaty's issue list and parameter bounds. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueNames, TREATY_ISSUES, TREATY_PARAMS, treatyIssues } from './issues.ts';

test('at least 12 distinct issues, each saying what 0% and 100% mean', () => {
  assert.ok(TREATY_ISSUES.length >= 12);
  assert.equal(new Set(TREATY_ISSUES.map((i) => i.name)).size, TREATY_ISSUES.length);
  for (const i of TREATY_ISSUES) {
    assert.ok(i.name.length > 0 && i.zero.length > 0 && i.full.length > 0, JSON.stringify(i));
    assert.notEqual(i.zero, i.full);
  }
});

test('parameter bounds: K 1..12 (default 5), ρ −1..1 (default 0), θ 0..1', () => {
  assert.deepEqual([TREATY_PARAMS.issues.min, TREATY_PARAMS.issues.max, TREATY_PARAMS.issues.default], [1, 12, 5]);
  assert.deepEqual([TREATY_PARAMS.rho.min, TREATY_PARAMS.rho.max, TREATY_PARAMS.rho.default], [-1, 1, 0]);
  assert.deepEqual([TREATY_PARAMS.theta.min, TREATY_PARAMS.theta.max], [0, 1]);
  assert.ok(TREATY_PARAMS.issues.max <= TREATY_ISSUES.length);
});

test('treatyIssues(k) is the first k issues; k outside 1..12 is refused', () => {
  assert.deepEqual(issueNames(2), [TREATY_ISSUES[0].name, TREATY_ISSUES[1].name]);
  assert.equal(treatyIssues(12).length, 12);
  for (const k of [0, 13, 2.5, Number.NaN]) assert.throws(() => treatyIssues(k), RangeError);
});
