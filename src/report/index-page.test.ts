import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { aggregate, METRIC_KEYS, type Group } from './aggregate.ts';
import { DATA_GLOBAL, idRanges, staticTable, type DataColumn, type TableData } from './data-table.ts';
import { cspFor } from './html.ts';
import { INDEX_DATA_FILE, INDEX_SCRIPT, indexData, indexPage, type IndexPageInput } from './index-page.ts';
import type { ResultRow } from '../results/index.ts';

const HOSTILE = '<img src=x onerror="window.__pwned=1">&amp;"\'\u2028';
const WEAK = [HOSTILE, 'scripted:linear', 'scripted:random'];
const STRONG = Array.from({ length: 10 }, (_, i) => `strong-${i}`);

function result(id: number, weak: string, strong: string, level: number, status = 'SUCCESS'): ResultRow {
  const ok = status === 'SUCCESS';
  return {
    experiment_id: id,
    weak_model: weak,
    strong_model: strong,
    competition_level: level,
    random_seed: id,
    num_runs: 4,
    status,
    exit_code: ok ? 0 : 1,
    duration_s: 1,
    runs_completed: ok ? 4 : 0,
    agreement_rate: ok ? 0.75 : null,
    mean_round: ok ? 2.5 : null,
    weak_utility: ok ? 40 : null,
    strong_utility: ok ? 55 : null,
    advantage: ok ? 15 : null,
    repairs: 0,
    voided: 0,
    calls: 0,
    cost_usd: 0,
    error: status === 'FAILED' ? `${HOSTILE} provider said no` : null,
    result_file: ok ? `r/${id}.json` : null,
    input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
  };
}

function group(weak: string | null, strong: string | null, level: number | null): Group {
  const stats = Object.fromEntries(
    METRIC_KEYS.map((k, i) => [
      k,
      i === 3 ? { n: 0, mean: null, lo: null, hi: null } : { n: 4, mean: -0.0001, lo: -1.5, hi: 2 },
    ]),
  ) as Group['stats'];
  return { weak, strong, level, runs: 4, experiments: 1, stats };
}

/** A grid of weak × strong × `levels` levels; every 7th experiment failed, every 11th never started. */
function input(levels: number): IndexPageInput {
  const ls = Array.from({ length: levels }, (_, i) => Math.round((i / Math.max(1, levels - 1)) * 1e6) / 1e6);
  const results: ResultRow[] = [];
  for (const w of WEAK)
    for (const s of STRONG)
      for (const l of ls) {
        const id = results.length;
        results.push(result(id, w, s, l, id % 7 === 3 ? 'FAILED' : id % 11 === 5 ? 'NOT_STARTED' : 'SUCCESS'));
      }
  const agg = {
    ...aggregate([], { resamples: 10 }),
    weak_models: WEAK,
    strong_models: STRONG,
    levels: ls,
    by_cell: results.map((r) => group(r.weak_model, r.strong_model, r.competition_level)),
    by_strong_level: STRONG.flatMap((s) => ls.map((l) => group(null, s, l))),
    by_level: ls.map((l) => group(null, null, l)),
    by_pair: WEAK.flatMap((w) => STRONG.map((s) => group(w, s, null))),
  };
  return {
    title: 'Grid',
    resultsDir: '/r',
    generatedAt: `2025-01-01T00:00:00.000Z#${levels}`,
    agg,
    charts: [],
    results,
    totals: {
      calls: 0,
      input_tokens: 0,
      output_tokens: 0,
      reasoning_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_usd: 0,
    },
    pages: new Set(results.filter((r) => r.result_file).map((r) => r.experiment_id)),
    scores: {},
    warnings: [],
    files: [],
  };
}

/** Runs the data file as a browser would and returns the one global it sets. */
function load(text: string): TableData {
  const window: Record<string, unknown> = {};
  runInNewContext(text, { window });
  assert.deepEqual(Object.keys(window), [DATA_GLOBAL]);
  return JSON.parse(JSON.stringify(window[DATA_GLOBAL])) as TableData; // into this realm, for deepEqual
}

const PAGED = ['experiments-table', 'failures-table', 'missing-table', 'cells-table', 'strong-level-table'];

test('the page stays the same size whatever the number of experiments and cells: their rows are in the data file', () => {
  const small = indexPage(input(2)); // 60 experiments
  const big = indexPage(input(84)); // 2,520 experiments, 2,520 cells, 840 strong × level rows
  // what grows is the one-axis tables (one row per level: by level) — about a row per level, not per experiment
  const perLevel = (big.length - small.length) / (84 - 2);
  assert.ok(perLevel < 2_500, `${perLevel.toFixed(0)} bytes per level`);
  assert.ok(big.length < 300_000, `${big.length} bytes`);
  const data = indexData(input(84));
  assert.ok(data.length > big.length, 'the rows moved to the data file');
  // loaded after the data file, by the page's own script, under a CSP that allows exactly those
  assert.ok(big.includes(`<script src="${INDEX_DATA_FILE}"></script>\n<script>${INDEX_SCRIPT}</script>`));
  assert.ok(big.includes(cspFor(INDEX_SCRIPT, true).replace(/'/g, '&#39;')));
});

test('the data file: one global, compact rows per paged table, the head and the kinds agree, pages as id ranges', () => {
  const p = input(5); // 150 experiments
  const html = indexPage(p);
  const d = load(indexData(p));
  assert.equal(d.build, p.generatedAt);
  assert.equal(html.match(/data-build="([^"]*)"/)![1], p.generatedAt);
  assert.deepEqual(Object.keys(d.tables).sort(), [...PAGED].sort());
  for (const id of PAGED) {
    const t = d.tables[id];
    const heads = html.match(new RegExp(`<table id="${id}"><thead><tr>(.*?)</tr>`))![1].match(/<th/g)!.length;
    assert.equal(t.k.length, heads, `${id}: one kind per column`);
    for (const row of t.r) assert.equal(row.length, heads, `${id}: a value per column`);
  }
  const failed = p.results.filter((r) => r.status === 'FAILED');
  assert.equal(d.tables['experiments-table'].r.length, 150);
  assert.equal(d.tables['failures-table'].r.length, failed.length);
  assert.equal(d.tables['missing-table'].r.length, p.results.filter((r) => r.status === 'NOT_STARTED').length);
  assert.equal(d.tables['cells-table'].r.length, 150);
  assert.equal(d.tables['strong-level-table'].r.length, 50);
  // display strings as the inline tables show them: stats as "mean lo hi", '' without a mean; ids as numbers
  const cell = d.tables['cells-table'].r[0];
  assert.deepEqual(cell.slice(0, 5), [HOSTILE, 'strong-0', '0', '4', '0.0 -1.5 2.0']);
  assert.equal(cell[7], '', 'no mean: empty');
  assert.equal(d.tables['failures-table'].r[0][0], failed[0].experiment_id);
  assert.equal(d.tables['failures-table'].r[0][5], `${HOSTILE} provider said no`);
  // pages: every experiment with a result, as ranges
  const ids = d.pages.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i));
  assert.deepEqual(
    ids,
    [...p.pages].sort((a, b) => a - b),
  );
  assert.ok(d.pages.length < p.pages.size);
});

test('a hostile model name or error text is escaped on the page and inert in the data file', () => {
  const p = input(3);
  const html = indexPage(p);
  const data = indexData(p);
  assert.ok(!html.includes('<img'), 'no raw markup on the page');
  assert.ok(
    html.includes('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;&amp;amp;&quot;&#39;'),
    'by pair shows it escaped',
  );
  assert.ok(!/[<\u2028\u2029]/.test(data), 'no raw <, U+2028 or U+2029 in the data file');
  assert.ok(
    load(data).tables['experiments-table'].r.some((r) => r[1] === HOSTILE),
    'the name comes back exactly',
  );
  // a hand-made shell id or label cannot break out of its attributes either
  assert.doesNotMatch(html, /<[^>]*\son[a-z]+=/i);
});

test('idRanges: sorted, deduplicated, consecutive ids merged', () => {
  assert.deepEqual(idRanges([]), []);
  assert.deepEqual(idRanges([5, 1, 2, 3, 3, 9, 10, 7]), [
    [1, 3],
    [5, 5],
    [7, 7],
    [9, 10],
  ]);
});

test('staticTable renders the same kinds inline: links only to pages that exist, stats with their interval, status rows', () => {
  type R = { id: number; s: string; st: string };
  const cols: DataColumn<R>[] = [
    { head: 'Experiment', kind: 'x', cell: (r) => r.id },
    { head: 'Stat', kind: 's', cell: (r) => r.s },
    { head: 'Status', kind: 'u', cell: (r) => r.st },
  ];
  const html = staticTable(
    [
      { id: 1, s: '1.0 0.5 1.5', st: 'SUCCESS' },
      { id: 2, s: '', st: 'FAILED' },
      { id: 3, s: '', st: '<b>x</b>' },
    ],
    cols,
    { pages: new Set([1]) },
  );
  assert.match(
    html,
    /<tr><td class="num"><a href="experiments\/1\.html">1<\/a><\/td><td class="num">1\.0 <span class="ci">\[0\.5, 1\.5\]<\/span><\/td><td><span class="status-SUCCESS">SUCCESS<\/span><\/td><\/tr>/,
  );
  assert.match(html, /<tr class="fail"><td class="num">2<\/td><td class="num"><span class="muted">–<\/span><\/td>/);
  assert.match(html, /<tr class="miss"><td class="num">3<\/td>.*<span>&lt;b&gt;x&lt;\/b&gt;<\/span>/);
});
