/** `bargain report` through the real CLI: the report of a small grid, and bad input as one line with the fix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { bargain, tempDir } from './helpers/grid.ts';

/** The opener runs detached: wait for what it writes (the limit only a failsafe for a loaded machine). */
function waitForFile(p: string, ms = 60_000): boolean {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (existsSync(p) && readFileSync(p, 'utf8').trim()) return true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  return false;
}

test('bargain report writes the report of a collected grid, says where, and --open opens it', () => {
  const d = tempDir('bargain-report-cli-');
  try {
    const dir = join(d.dir, 'results');
    for (const args of [
      [
        'generate',
        '--grid',
        'demo',
        '--weak',
        'scripted:linear',
        '--strong',
        'scripted:nash,scripted:boulware',
        '--levels',
        '0.3,0.9',
        '--runs',
        '2',
      ],
      ['run', '--parallel', '2'],
      ['collect'],
    ]) {
      const r = bargain([...args, '--results-dir', dir]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    // --open hands the page's file:// URL to the desktop opener (a recording stand-in here)
    const bin = join(d.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\necho "$@" > ${JSON.stringify(join(d.dir, 'opened'))}\n`, {
      mode: 0o755,
    });
    const r = bargain(['report', '--results-dir', dir, '--open'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(waitForFile(join(d.dir, 'opened')), 'the opener ran');
    assert.equal(
      readFileSync(join(d.dir, 'opened'), 'utf8').trim(),
      pathToFileURL(join(dir, 'report', 'index.html')).href,
    );
    assert.match(
      r.stdout,
      /^Report: .*results\/report\/index\.html \(4 experiments with runs, 8 runs, 4 experiment pages, 12 plot files/m,
    );
    assert.match(r.stdout, /Open file:\/\/.*index\.html/);
    assert.ok(existsSync(join(dir, 'report', 'index.html')));
    assert.deepEqual(readdirSync(join(dir, 'report', 'experiments')).sort(), ['0.html', '1.html', '2.html', '3.html']);
    for (const f of ['aggregates.csv', 'aggregates.json', 'visualize_results.py'])
      assert.ok(existsSync(join(dir, f)), f);
    // a second invocation gives the same numbers, intervals included
    const first = readFileSync(join(dir, 'aggregates.csv'), 'utf8');
    const again = bargain(['report', '--results-dir', dir]);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(readFileSync(join(dir, 'aggregates.csv'), 'utf8'), first);
    assert.match(
      first,
      /^weak_strong_level,scripted:linear,scripted:nash,0\.3,advantage,2,-?[\d.]+,-?[\d.]+,-?[\d.]+,/m,
    );
    // collect's summary.json keeps its counts and gains the aggregates
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    assert.equal(summary.total_experiments, 4);
    assert.equal(summary.aggregates.runs, 8);
  } finally {
    d.cleanup();
  }
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
  } finally {
    d.cleanup();
  }
});

test('bargain report --help documents --open and --results-dir', () => {
  const r = bargain(['report', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--open/);
  assert.match(r.stdout, /--results-dir <dir>/);
});
