/**
 * Seat neutrality of the protocol (issue 13): the same scripted strategy in both seats, on a
 * demo-sized grid (10 levels × 48 runs = 480 runs, 240 seat-swapped pairs) run through the CLI.
 * Nothing but the seat differs between the two players, so the report's first-seat advantage
 * must have a 95% interval that contains 0. The mean is recomputed here from runs.csv so the
 * check does not rest on the aggregate alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { bargain, readCsv, readJson, tempDir } from './helpers/grid.ts';

test('the same strategy in both seats shows no first-seat advantage (95% interval contains 0)', () => {
  const { dir, cleanup } = tempDir();
  try {
    const results = join(dir, 'results');
    const r = bargain(
      [
        'all',
        '--grid',
        'demo',
        '--weak',
        'scripted:boulware',
        '--strong',
        'scripted:boulware',
        '--runs',
        '48',
        '--results-dir',
        results,
        '--parallel',
        '4',
      ],
      { timeoutMs: 180_000 },
    );
    assert.equal(r.status, 0, r.stderr);

    // independent: seat 1 − seat 2 per run, averaged over each complete pair
    const { rows } = readCsv(join(results, 'runs.csv'));
    const runs = new Map<string, { pair: string; seat: number[] }>();
    for (const row of rows) {
      const k = `${row.experiment_id}/${row.run_index}`;
      const run = runs.get(k) ?? { pair: `${row.experiment_id}/${row.pair_index}`, seat: [] };
      run.seat[Number(row.seat)] = Number(row.utility);
      runs.set(k, run);
    }
    const pairs = new Map<string, number[]>();
    for (const run of runs.values()) pairs.set(run.pair, [...(pairs.get(run.pair) ?? []), run.seat[0] - run.seat[1]]);
    const diffs = [...pairs.values()].map((d) => {
      assert.equal(d.length, 2);
      return (d[0] + d[1]) / 2;
    });
    assert.equal(diffs.length, 240);
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;

    const agg = readJson(join(results, 'aggregates.json'));
    const first = agg.seat_effect.overall.stats.first_seat_advantage;
    assert.equal(agg.seat_effect.overall.pairs, 240);
    assert.ok(Math.abs(first.mean - mean) < 1e-4, `aggregate mean ${first.mean} vs recomputed ${mean}`);
    assert.ok(first.hi - first.lo > 0.1, `a degenerate interval proves nothing: [${first.lo}, ${first.hi}]`);
    assert.ok(
      first.lo <= 0 && 0 <= first.hi,
      `first-seat advantage ${first.mean} [${first.lo}, ${first.hi}] excludes 0`,
    );
  } finally {
    cleanup();
  }
});
