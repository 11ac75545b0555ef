/** `bargain report` through the real CLI: the report of a small grid, and bad input as one line with the fix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bargain, tempDir } from './helpers/grid.ts';

test('bargain report writes the report of a collected grid and says where', () => {
  const d = tempDir('bargain-report-cli-');
  try {
    const dir = join(d.dir, 'results');
    for (const args of [
      ['generate', '--grid', 'demo', '--weak', 'scripted:linear', '--strong', 'scripted:nash,scripted:boulware', '--levels', '0.3,0.9', '--runs', '2'],
      ['run', '--parallel', '2'],
      ['collect'],
    ]) {
      const r = bargain([...args, '--results-dir', dir]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    const r = bargain(['report', '--results-dir', dir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Report: .*results\/report\/index\.html \(4 experiments with runs, 8 runs, 4 experiment pages, 12 plot files/m);
    assert.match(r.stdout, /Open file:\/\/.*index\.html/);
    assert.ok(existsSync(join(dir, 'report', 'index.html')));
    assert.deepEqual(readdirSync(join(dir, 'report', 'experiments')).sort(), ['0.html', '1.html', '2.html', '3.html']);
    for (const f of ['aggregates.csv', 'aggregates.json', 'visualize_results.py']) assert.ok(existsSync(join(dir, f)), f);
    // collect's summary.json keeps its counts and gains the aggregates
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.total_experiments, 4);
    assert.equal(summary.aggregates.runs, 8);
  } finally { d.cleanup(); }
});

test('bargain report on a missing directory or before collect: one line naming the fix, exit 2', () => {
  const d = tempDir('bargain-report-cli-');
  try {
    const missing = bargain(['report', '--results-dir', join(d.dir, 'nope')]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /^bargain: results directory .*nope not found; pass --results-dir DIR/);
    const early = bargain(['report', '--results-dir', d.dir]);
    assert.equal(early.status, 2);
    assert.match(early.stderr, /^bargain: table .*runs\.csv not found; run `bargain collect --results-dir .*` first/);
    assert.deepEqual(readdirSync(d.dir), []);
  } finally { d.cleanup(); }
});

test('bargain report --help documents --open and --results-dir', () => {
  const r = bargain(['report', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--open/);
  assert.match(r.stdout, /--results-dir <dir>/);
});
