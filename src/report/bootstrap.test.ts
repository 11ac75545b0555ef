/**
 * The fast bootstrap must give exactly the old numbers: bootstrap() against the frozen
 * reference (testing/reference-aggregate.ts) on seeded random inputs, with
 * assert.deepStrictEqual (bit-identical, −0 ≠ +0); its parts (the RNG replica, the
 * quantile selection) against what they replace; aggregate() against the reference
 * aggregate on a fixture grid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng, type Rng } from '../game/index.ts';
import { bootstrap, drawStream, tailQuantiles } from './bootstrap.ts';
import { quantileSorted } from './stats.ts';
import { aggregate } from './aggregate.ts';
import { readTables } from './load.ts';
import { buildFixtureGrid } from './testing/fixture-grid.ts';
import { referenceAggregate, referenceBootstrap } from './testing/reference-aggregate.ts';

test('drawStream replays createRng: Math.floor(rng.next() * units), draw for draw', () => {
  const seeds = [0, 1, 42, 20240607, 0xffffffff, 2 ** 31, 2 ** 40 + 5, -3, 123456789];
  for (const seed of seeds)
    for (const units of [1, 2, 3, 4, 7, 120, 3000, 10080, 2 ** 20]) {
      const rng = createRng(seed);
      const fill = drawStream(seed);
      // several calls in a row continue the stream; a shift multiplies the unit index by a power of two
      for (const [n, shift] of [
        [5, 0],
        [1000, 2],
        [1, 0],
        [777, 3],
      ]) {
        const out = new Int32Array(n);
        fill(out, units, n, shift);
        for (let i = 0; i < n; i++) {
          const want = Math.floor(rng.next() * units) * 2 ** shift;
          if (out[i] !== want)
            assert.fail(`seed ${seed} units ${units}: draw ${i} is ${out[i]}, createRng gives ${want}`);
        }
      }
    }
});

/** quantileSorted over a sorted copy: what tailQuantiles replaces. */
function sortedQuantiles(xs: ArrayLike<number>, lo: number, hi: number): [number, number] {
  const s = Float64Array.from(xs).sort();
  return [quantileSorted(s, lo), quantileSorted(s, hi)];
}

test('tailQuantiles equals quantiles of the sorted array, through the sampled tails and without them', () => {
  const rng = createRng(7);
  const arrays: [string, Float64Array][] = [];
  for (const n of [1, 2, 3, 10, 100, 1023, 1024, 2000, 5000]) {
    arrays.push([`uniform ${n}`, Float64Array.from({ length: n }, () => rng.next())]);
    arrays.push([`few values ${n}`, Float64Array.from({ length: n }, () => rng.int(5) / 4)]);
    arrays.push([`signed zeros ${n}`, Float64Array.from({ length: n }, () => [0, -0, 0.5, -0.5][rng.int(4)])]);
    arrays.push([`ascending ${n}`, Float64Array.from({ length: n }, (_, i) => i)]);
    arrays.push([`descending ${n}`, Float64Array.from({ length: n }, (_, i) => -i * 0.1)]);
    arrays.push([`constant ${n}`, new Float64Array(n).fill(0.3)]);
    arrays.push([
      `with infinities ${n}`,
      Float64Array.from({ length: n }, (_, i) => (i % 97 === 5 ? -Infinity : i % 89 === 3 ? Infinity : rng.next())),
    ]);
    // the strided sample sees only the small values at multiples of 16: its low threshold misses, the fallback selects in all
    arrays.push([
      `sample-blind ${n}`,
      Float64Array.from({ length: n }, (_, i) => (i % 16 === 0 ? -1 - i : 1000 + rng.next())),
    ]);
    arrays.push([
      `sample-blind high ${n}`,
      Float64Array.from({ length: n }, (_, i) => (i % 16 === 0 ? 1e6 + i : rng.next())),
    ]);
  }
  const levels = [0.95, 0.9, 0.99, 0.999, 0.5, 0.8, 0, 1, 0.3];
  for (const [name, xs] of arrays)
    for (const level of levels) {
      const a = (1 - level) / 2;
      const got = tailQuantiles(xs.slice(), a, 1 - a);
      assert.deepStrictEqual(got, sortedQuantiles(xs, a, 1 - a), `${name}, level ${level}`);
    }
  // ranks outside the array: the caller sorts, as before (the old code read undefined there)
  assert.equal(tailQuantiles(new Float64Array([1, 2, 3]), -0.1, 0.5), null);
  assert.equal(tailQuantiles(new Float64Array([1, 2, 3]), 0.5, 1.6), null);
});

type Col = (number | null)[];

/** One random metric column of `units` values: a kind of values and a pattern of gaps. */
function randomColumn(rng: Rng, units: number, prev: Col[]): Col {
  const kinds = [
    'float',
    'float',
    'tenths',
    'small int',
    'binary',
    'negative int',
    'big int',
    'constant',
    'signed zeros',
    'copy',
    'infinite',
    'nan',
  ];
  const kind = kinds[rng.int(kinds.length)];
  const constant = [0.1, 3, 0, -2.5, 1e-300][rng.int(5)];
  const value = (u: number): number => {
    switch (kind) {
      case 'float':
        return (rng.next() - 0.3) * 10 ** rng.int(6);
      case 'tenths':
        return rng.int(30) / 10;
      case 'small int':
        return rng.int(12);
      case 'binary':
        return rng.int(2);
      case 'negative int':
        return rng.int(11) - 5;
      case 'big int':
        return rng.int(2 ** 30) * 2 ** 10;
      case 'constant':
        return constant;
      case 'signed zeros':
        return rng.next() < 0.5 ? 0 : -0;
      case 'infinite':
        return u % 7 === 3 ? (rng.next() < 0.5 ? Infinity : -Infinity) : rng.next();
      default: // 'nan': counted in n (not null) but left out of the replicates, as before
        return rng.next() < 0.2 ? NaN : rng.next() * 100;
    }
  };
  const source = kind === 'copy' && prev.length ? prev[rng.int(prev.length)] : null;
  const gaps = ['none', 'none', 'sparse', 'dense', 'all', 'all but one', 'same as another'][rng.int(7)];
  const p = gaps === 'sparse' ? 0.1 : 0.7;
  const other = prev.length ? prev[rng.int(prev.length)] : null;
  const keep = rng.int(units);
  return Array.from({ length: units }, (_, u) => {
    const v = source ? source[u] : value(u);
    switch (gaps) {
      case 'none':
        return v;
      case 'all':
        return null;
      case 'all but one':
        return u === keep ? v : null;
      case 'same as another':
        return other && other[u] === null ? null : v;
      default:
        return rng.next() < p ? null : v;
    }
  });
}

function randomCase(rng: Rng, maxUnits: number, maxResamples: number) {
  const units = Math.max(1, Math.round(Math.exp(rng.next() * Math.log(maxUnits))));
  const resamples = Math.max(1, Math.round(Math.exp(rng.next() * Math.log(maxResamples))));
  const k = 1 + rng.int(12);
  const columns: Col[] = [];
  for (let m = 0; m < k; m++) columns.push(randomColumn(rng, units, columns));
  const level = [0.95, 0.95, 0.95, 0.9, 0.99, 0.5, 0.8, 0, 1][rng.int(9)];
  return { columns, seed: rng.int(2 ** 32), resamples, level };
}

test('bootstrap equals the reference bootstrap exactly on seeded random inputs', () => {
  const rng = createRng(20240607);
  const cases = [
    ...Array.from({ length: 400 }, () => randomCase(rng, 300, 2000)),
    ...Array.from({ length: 40 }, () => randomCase(rng, 3000, 2000)),
    // the report's shapes: cells of 4 runs, levels, pairs, all runs; 2,000 resamples at 95%
    ...[1, 2, 4, 12, 120, 336, 3000].map((units) => ({ ...randomCase(rng, units, 2), resamples: 2000, level: 0.95 })),
  ];
  for (const [i, c] of cases.entries()) {
    const want = referenceBootstrap(c.columns, c.seed, c.resamples, c.level);
    const got = bootstrap(c.columns, c.seed, c.resamples, c.level);
    assert.deepStrictEqual(
      got,
      want,
      `case ${i}: ${c.columns[0].length} units, ${c.columns.length} metrics, ${c.resamples} resamples, level ${c.level}`,
    );
  }
});

test('bootstrap equals the reference at the edges: no units, metrics or values, one unit, 0 or 1 resample, a level outside [0, 1]', () => {
  const cases: [Col[], number][] = [
    [[], 10],
    [[[]], 10],
    [[[], []], 10],
    [[[null, null, null]], 10],
    [[[5]], 10],
    [[[5], [null]], 10],
    [[[1, 2, 3]], 1],
    [[[1, 2, 3]], 0],
    [[[-0, -0]], 5],
    [
      [
        [0.1, 0.2, 0.3],
        [0.1, 0.2, 0.3],
        [1, 1, 1],
      ],
      50,
    ],
  ];
  for (const [columns, resamples] of cases)
    for (const level of [0.95, 1.5, -2])
      assert.deepStrictEqual(
        bootstrap(columns, 3, resamples, level),
        referenceBootstrap(columns, 3, resamples, level),
        `${JSON.stringify(columns)} at level ${level}`,
      );
});

test('aggregate on a fixture grid is exactly the reference aggregate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-stats-'));
  try {
    await buildFixtureGrid(dir, {
      weak: ['scripted:linear', 'scripted:conceder'],
      strong: ['scripted:nash', 'scripted:boulware'],
      levels: [0, 0.5, 0.9],
      numRuns: 4,
    });
    const { runs } = readTables(dir);
    const scores = {
      'scripted:linear': 1000,
      'scripted:conceder': 1050,
      'scripted:nash': 1200,
      'scripted:boulware': 1300,
    };
    for (const opts of [
      { resamples: 2000, scores },
      { resamples: 333, seed: 5 },
    ]) {
      const got = aggregate(runs, opts);
      const want = referenceAggregate(runs, opts);
      assert.deepStrictEqual(got, want);
      assert.equal(JSON.stringify(got), JSON.stringify(want));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
