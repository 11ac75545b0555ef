/**
 * The preference generator's contract (DESIGN §2, issue 2): integer values >= 0
 * summing to 100 per agent, pairwise cosine = competition level (±0.01 for n = 2,
 * ±0.05 for n = 3..10 with m = round(2.5n)), deterministic per seed, varied across
 * seeds, and infeasible requests refused with a clear InfeasibleRequestError.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cosine, createRng, generatePreferences, InfeasibleRequestError, type Preferences } from './index.ts';

const LEVELS = Array.from({ length: 11 }, (_, i) => i / 10);

function checkVectors(p: Preferences, n: number, m: number, where: string): void {
  assert.equal(p.values.length, n, where);
  for (const v of p.values) {
    assert.equal(v.length, m, where);
    for (const x of v) assert.ok(Number.isInteger(x) && x >= 0, `${where}: value ${x} is not an integer >= 0`);
    assert.equal(v.reduce((a, b) => a + b, 0), 100, `${where}: ${JSON.stringify(v)} does not sum to 100`);
  }
}

test('n = 2: every level 0.0..1.0 x 1,000 seeds gives valid vectors within ±0.01, varied across seeds', () => {
  for (const level of LEVELS) {
    const distinct = new Set<string>();
    for (let seed = 0; seed < 1000; seed++) {
      const where = `level ${level} seed ${seed}`;
      const p = generatePreferences(2, 5, level, createRng(seed));
      checkVectors(p, 2, 5, where);
      // recompute the cosine from the vectors themselves, not the generator's own report
      const c = cosine(p.values[0], p.values[1]);
      assert.ok(Math.abs(c - level) <= 0.01, `${where}: cosine ${c} of ${JSON.stringify(p.values)}`);
      assert.ok(Math.abs(p.cosine[0][1] - c) < 1e-12, `${where}: reported cosine differs from the vectors'`);
      if (level === 1) assert.deepEqual(p.values[0], p.values[1], `${where}: level 1 must give identical vectors`);
      distinct.add(JSON.stringify(p.values));
    }
    assert.ok(distinct.size >= 500, `level ${level}: only ${distinct.size} distinct vector pairs over 1,000 seeds`);
  }
});

test('n = 2 with other item counts (2..10, 20, 50): within ±0.01 at every level', () => {
  for (const m of [2, 3, 4, 6, 7, 8, 9, 10, 20, 50]) {
    for (const level of LEVELS) {
      for (let seed = 0; seed < 40; seed++) {
        const where = `m ${m} level ${level} seed ${seed}`;
        const p = generatePreferences(2, m, level, createRng(seed));
        checkVectors(p, 2, m, where);
        const c = cosine(p.values[0], p.values[1]);
        assert.ok(Math.abs(c - level) <= 0.01, `${where}: cosine ${c}`);
      }
    }
  }
});

test('n = 2: the same seed gives the same vectors, including with other item counts', () => {
  for (const level of LEVELS) {
    for (const seed of [0, 1, 42, 123456789, 2 ** 32 + 7]) {
      for (const m of [2, 5, 8]) {
        const a = generatePreferences(2, m, level, createRng(seed));
        const b = generatePreferences(2, m, level, createRng(seed));
        assert.deepEqual(a, b, `level ${level} seed ${seed} m ${m}`);
      }
    }
  }
  // and a different seed gives a different draw (not one fixed shape)
  assert.notDeepEqual(generatePreferences(2, 5, 0.5, createRng(1)).values, generatePreferences(2, 5, 0.5, createRng(2)).values);
});

test('n = 3..10 with m = round(2.5n): every pairwise cosine within ±0.05 at every level', () => {
  for (let n = 3; n <= 10; n++) {
    const m = Math.round(2.5 * n);
    for (const level of LEVELS) {
      for (let seed = 0; seed < 30; seed++) {
        const where = `n ${n} m ${m} level ${level} seed ${seed}`;
        const p = generatePreferences(n, m, level, createRng(seed));
        checkVectors(p, n, m, where);
        for (let i = 0; i < n; i++) {
          for (let k = i + 1; k < n; k++) {
            const c = cosine(p.values[i], p.values[k]);
            assert.ok(Math.abs(c - level) <= 0.05, `${where}: cosine(${i}, ${k}) = ${c}`);
          }
        }
        if (level === 1) for (const v of p.values) assert.deepEqual(v, p.values[0], where);
      }
    }
  }
});

test('n = 3..10: deterministic per seed', () => {
  for (let n = 3; n <= 10; n++) {
    const m = Math.round(2.5 * n);
    assert.deepEqual(generatePreferences(n, m, 0.4, createRng(9)), generatePreferences(n, m, 0.4, createRng(9)));
  }
});

function refused(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof InfeasibleRequestError, `expected InfeasibleRequestError, got ${String(e)}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes('\n'), 'the message is one line');
    return true;
  });
}

test('infeasible requests are refused with a clear InfeasibleRequestError', () => {
  // level 0 needs disjoint supports: impossible with more agents than items
  refused(() => generatePreferences(4, 3, 0, createRng(1)), /impossible for 4 agents over 3 items; use at least 4 items or a higher level/);
  refused(() => generatePreferences(10, 9, 0, createRng(1)), /impossible for 10 agents over 9 items/);
  // one item: every pair of vectors is (100) and (100), cosine 1
  refused(() => generatePreferences(2, 1, 0.5, createRng(1)), /with 1 item every pair of value vectors has cosine 1, so level 0.5 is impossible; use more items/);
  refused(() => generatePreferences(3, 1, 0, createRng(1)), /cosine 1/);
  // levels outside [0, 1] and NaN
  refused(() => generatePreferences(2, 5, 1.5, createRng(1)), /competition level must be between 0 and 1 \(got 1.5\)/);
  refused(() => generatePreferences(2, 5, -0.1, createRng(1)), /between 0 and 1 \(got -0.1\)/);
  refused(() => generatePreferences(2, 5, Number.NaN, createRng(1)), /between 0 and 1 \(got NaN\)/);
  // bad sizes
  refused(() => generatePreferences(1, 5, 0.5, createRng(1)), /at least 2 agents/);
  refused(() => generatePreferences(2, 0, 0.5, createRng(1)), /at least 1 item/);
});

test('feasible edge cases are not refused', () => {
  // m = 1 at level 1 is fine (identical vectors), and level 0 with n = m is fine (one item each)
  assert.deepEqual(generatePreferences(2, 1, 1, createRng(3)).values, [[100], [100]]);
  const p = generatePreferences(4, 4, 0, createRng(3));
  checkVectors(p, 4, 4, 'n 4 m 4 level 0');
  for (let i = 0; i < 4; i++) for (let k = i + 1; k < 4; k++) assert.ok(cosine(p.values[i], p.values[k]) <= 0.05);
});
