import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XSS_PAYLOADS } from '../agents/scripted/strategies.ts';
import { UserError } from '../errors.ts';
import { CSS, cspFor, SCRIPT } from './html.ts';
import { DATA_GLOBAL, type TableData } from './data-table.ts';
import { INDEX_DATA_FILE, INDEX_SCRIPT } from './index-page.ts';
import { EXPERIMENT_SCRIPT } from './experiment-page.ts';
import { drawTimelines } from './testing/timelines.ts';
import { capabilityScores } from '../grid/scores.ts';
import { buildFixtureGrid, type FixtureGrid } from './testing/fixture-grid.ts';
import { writeReport, writeVisualizeScript } from './write.ts';
import { parseCsv } from '../results/index.ts';

function tmp(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-report-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

async function report(g: FixtureGrid) {
  const t = tmp();
  await buildFixtureGrid(t.dir, g);
  const out = await writeReport(t.dir, { scores: capabilityScores([...g.weak, ...g.strong]), resamples: 200 });
  const pages = readdirSync(join(t.dir, 'report', 'experiments')).map((f) =>
    readFileSync(join(t.dir, 'report', 'experiments', f), 'utf8'),
  );
  return { ...t, out, index: readFileSync(out.indexPath, 'utf8'), data: indexDataOf(t.dir), pages };
}

/** report/index-data.js: exactly one assignment of JSON to the global, with no raw `<` or line separators. */
function indexDataOf(dir: string): TableData {
  const text = readFileSync(join(dir, 'report', INDEX_DATA_FILE), 'utf8');
  const prefix = `window.${DATA_GLOBAL} = `;
  assert.ok(text.startsWith(prefix) && text.endsWith(';\n'), 'one assignment to the global');
  const json = text.slice(prefix.length, -2);
  assert.doesNotMatch(json, /[<\u2028\u2029]/, 'no raw < or line separators in the data');
  return JSON.parse(json);
}

const INDEX = { script: INDEX_SCRIPT, dataScripts: [INDEX_DATA_FILE] };

/**
 * Static checks every page must pass: our CSP, exactly our one script (the default, or the
 * page's own, e.g. the index's) plus the named data scripts from beside the page, no handler
 * attributes, nothing remote.
 */
function assertSafePage(html: string, name: string, opts: { script?: string; dataScripts?: string[] } = {}) {
  const script = opts.script ?? SCRIPT;
  const data = opts.dataScripts ?? [];
  const csp = cspFor(script, data.length > 0);
  assert.ok(
    html.includes(`<meta http-equiv="Content-Security-Policy" content="${csp.replace(/'/g, '&#39;')}">`),
    `${name}: CSP meta`,
  );
  // besides inert JSON data blocks, which hold no "<" (so nothing in them can end them early)
  const blocks = html.match(/<script type="application\/json" id="[\w-]+">[^<]*<\/script>/g) ?? [];
  assert.equal((html.match(/<script\b/gi) ?? []).length, 1 + data.length + blocks.length, `${name}: script elements`);
  assert.ok(html.includes(`<script>${script}</script>`), `${name}: the script is ours`);
  for (const src of data) assert.ok(html.includes(`<script src="${src}"></script>`), `${name}: data script ${src}`);
  assert.equal((html.match(/<style\b/gi) ?? []).length, 1, `${name}: one style element`);
  assert.ok(html.includes(`<style>${CSS}</style>`), `${name}: the stylesheet is ours`);
  const tags = html.match(/<[a-z][^>]*>/gi) ?? [];
  for (const tag of tags) {
    assert.doesNotMatch(tag, /\son[a-z]+\s*=/i, `${name}: event handler attribute in ${tag.slice(0, 80)}`);
    // a script's src must be one of the named data scripts; other references stay within the report
    const src = /^<script src="([^"]*)">$/.exec(tag);
    if (src) {
      assert.ok(data.includes(src[1]), `${name}: unexpected script ${tag}`);
      continue;
    }
    assert.doesNotMatch(
      tag,
      /\s(src|href|xlink:href|action|srcdoc)\s*=\s*"(?!#|data:,|\.\.\/|plots\/|experiments\/|\d+\.html)/i,
      `${name}: remote or unexpected reference in ${tag.slice(0, 120)}`,
    );
    assert.doesNotMatch(
      tag,
      /^<(iframe|img|object|embed|link(?! rel="icon" href="data:,")|base|form|svg onload)/i,
      `${name}: forbidden element ${tag.slice(0, 60)}`,
    );
  }
}

test('a grid with failures, timeouts, interrupted and unstarted experiments: correct report that says what is missing', async () => {
  const fates: Record<number, 'FAILED' | 'TIMEOUT' | 'INCOMPLETE' | 'NOT_STARTED'> = {
    1: 'FAILED',
    2: 'TIMEOUT',
    4: 'INCOMPLETE',
    5: 'NOT_STARTED',
    6: 'NOT_STARTED',
  };
  const r = await report({
    weak: ['scripted:conceder', 'scripted:random'],
    strong: ['scripted:boulware', 'scripted:nash'],
    levels: [0.3, 0.9],
    fate: (id) => fates[id] ?? 'SUCCESS',
    runsBeforeFailure: 1,
    fakeCalls: true,
  });
  try {
    const { index, out } = r;
    assertSafePage(index, 'index', INDEX);
    // headline: 8 experiments, counted by status
    assert.match(index, /3 success · 1 failed · 1 timeout · 1 incomplete · 2 not started/);
    assert.match(index, /<div class="k">Experiments<\/div><div class="v">8<\/div>/);
    assert.match(index, /<div class="k">Success rate<\/div><div class="v">37\.5%<\/div>/); // 3 of 8
    // runs: 3 successes × 4 + failed 1 + timeout 1 = 14
    assert.equal(out.aggregates.runs, 14);
    assert.match(
      index,
      /<div class="k">Runs completed<\/div><div class="v">14<\/div><div class="small muted">of 32 planned/,
    );
    // failures and missing: shells on the page, their rows (raw text, shown with textContent) in index-data.js
    const { data } = r;
    assert.equal(data.build, index.match(/data-build="([^"]+)"/)![1], 'the data file is of this build');
    assert.deepEqual(data.pages, [
      [0, 3],
      [7, 7],
    ]);
    assert.match(index, /<h2 id="failures">Failures<\/h2><div class="datatable" data-table="failures-table"/);
    assert.match(index, /<h2 id="missing">Missing<\/h2><p>.*<div class="datatable" data-table="missing-table"/);
    const failures = data.tables['failures-table'];
    assert.deepEqual(failures.k, ['x', 't', 'n', 'u', 'n', 't']);
    assert.deepEqual(
      failures.r.map((row) => row.slice(0, 5)),
      [
        [1, 'scripted:conceder vs scripted:boulware', '0.9', 'FAILED', '1 / 4'],
        [2, 'scripted:conceder vs scripted:nash', '0.3', 'TIMEOUT', '1 / 4'],
      ],
    );
    assert.match(String(failures.r[0][5]), /provider returned 500 <b>Internal<\/b> "error"/);
    assert.match(String(failures.r[1][5]), /exceeded the 600 s timeout/);
    const missing = data.tables['missing-table'];
    assert.deepEqual(
      missing.r.map((row) => [row[0], row[3]]),
      [
        [4, 'INCOMPLETE'],
        [5, 'NOT_STARTED'],
        [6, 'NOT_STARTED'],
      ],
    );
    // every experiment, in order; no row data inline on the page
    const experiments = data.tables['experiments-table'];
    assert.deepEqual(
      experiments.r.map((row) => row[0]),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    assert.equal(
      experiments.k.length,
      (index.match(/<table id="experiments-table"><thead><tr>(.*?)<\/tr>/)![1].match(/<th/g) ?? []).length,
    );
    assert.doesNotMatch(index, /exceeded the 600 s timeout/);
    assert.match(index, /3 of 8 experiments have no result yet<\/b> \(1 incomplete, 2 not started\)/);
    assert.match(index, /bargain run --results-dir/);
    assert.match(index, /bargain retry --results-dir/);
    // pages exist exactly for experiments with a result; none for missing ones
    assert.equal(out.experimentPages, 5);
    assert.deepEqual(readdirSync(join(r.dir, 'report', 'experiments')).sort(), [
      '0.html',
      '1.html',
      '2.html',
      '3.html',
      '7.html',
    ]);
    assert.doesNotMatch(index, /href="experiments\/[456]\.html"/);
    const failedPage = readFileSync(join(r.dir, 'report', 'experiments', '1.html'), 'utf8');
    assertSafePage(failedPage, 'failed page', { script: EXPERIMENT_SCRIPT });
    assert.match(failedPage, /<div class="notice bad"><b>FAILED<\/b>: .*provider returned 500 &lt;b&gt;/);
    assert.match(failedPage, /3 of 4 runs did not complete/);
    assert.match(failedPage, /id="run-0"/);
    assert.doesNotMatch(failedPage, /id="run-1"/);
    // plots still render from what exists
    assert.ok(r.out.plots.some((p) => p.endsWith('heatmap.svg')));
    // cost and tokens are summed from the result files
    assert.ok(out.aggregates.runs > 0);
    assert.doesNotMatch(index, /<div class="k">Tokens<\/div><div class="v">0</);
  } finally {
    r.done();
  }
});

test('transcript text is escaped everywhere: the xss payloads appear only as text', async () => {
  const r = await report({
    weak: ['scripted:xss'],
    strong: ['scripted:boulware'],
    levels: [0.5],
    numRuns: 2,
    fakeCalls: true,
  });
  try {
    assert.equal(r.pages.length, 1);
    assertSafePage(r.pages[0], 'xss page', { script: EXPERIMENT_SCRIPT });
    for (const p of XSS_PAYLOADS) assert.ok(!r.pages[0].includes(p), 'no payload raw in the page as written');
    // the timelines as drawn by the page's script when opened
    const page = await drawTimelines(r.pages[0]);
    for (const p of XSS_PAYLOADS) {
      const escaped = p
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
      assert.ok(page.includes(escaped), `payload shown escaped: ${p.slice(0, 40)}`);
      assert.ok(!page.includes(p), 'payload never raw');
    }
    // in discussion, in private notes and in raw outputs
    assert.match(page, /<p class="text">[^<]*&lt;script&gt;window\.__pwned=1&lt;\/script&gt;/);
    assert.match(page, /<details class="private note">(?:(?!<\/details>).)*__pwned/s);
    assertSafePage(r.index, 'xss index', INDEX);
  } finally {
    r.done();
  }
});

test('a grid still running and a single-level grid: no crash, non-empty plots, the page says what is missing', async () => {
  const running = await report({
    weak: ['scripted:linear'],
    strong: ['scripted:nash', 'scripted:greedy'],
    levels: [0.1, 0.5, 0.9],
    fate: (id) => (id >= 4 ? (id === 4 ? 'INCOMPLETE' : 'NOT_STARTED') : 'SUCCESS'),
  });
  try {
    assert.match(running.index, /2 of 6 experiments have no result yet/);
    assert.equal(running.out.experimentPages, 4);
    assert.match(running.index, /id="plot-advantage_vs_level" class="plot"><svg/);
  } finally {
    running.done();
  }
  const single = await report({
    weak: ['scripted:conceder', 'scripted:random'],
    strong: ['scripted:boulware'],
    levels: [0.7],
  });
  try {
    assert.match(single.index, /Every experiment of the grid completed successfully/);
    for (const id of ['heatmap', 'advantage_vs_level', 'agreement_vs_level', 'rounds_vs_level', 'seat_effect']) {
      assert.match(single.index, new RegExp(`id="plot-${id}" class="plot"><svg`), id);
    }
    // two weak × one strong at one level: 2 cells, too few for a slope, and the page says why
    assert.match(single.index, /2 cell\(s\) with scores; a slope needs at least 3/);
  } finally {
    single.done();
  }
});

test('regenerating replaces the report whole: no stale pages, no leftover build directories', async () => {
  const t = tmp();
  try {
    await buildFixtureGrid(t.dir, { weak: ['scripted:linear'], strong: ['scripted:nash'], levels: [0.2, 0.4, 0.6] });
    await writeReport(t.dir, { resamples: 50, png: false });
    assert.deepEqual(readdirSync(join(t.dir, 'report', 'experiments')).sort(), ['0.html', '1.html', '2.html']);
    // the grid is regenerated smaller; a dead process left a half-built report behind
    rmSync(join(t.dir, 'configs'), { recursive: true });
    await buildFixtureGrid(t.dir, { weak: ['scripted:linear'], strong: ['scripted:nash'], levels: [0.2] });
    rmSync(join(t.dir, 'summary.json')); // a tree without one (the real collect writes it)
    const dead = join(t.dir, '.report.building-999999999');
    mkdirSync(dead);
    writeFileSync(join(dead, 'index.html'), 'half');
    const out = await writeReport(t.dir, { resamples: 50, png: false });
    assert.deepEqual(readdirSync(join(t.dir, 'report', 'experiments')), ['0.html']);
    assert.ok(!existsSync(dead));
    assert.deepEqual(
      readdirSync(t.dir).filter((n) => n.startsWith('.report')),
      [],
    );
    assert.deepEqual(
      readdirSync(join(t.dir, 'report', 'plots')).filter((n) => n.endsWith('.png')),
      [],
    ); // png: false
    // aggregates.csv and aggregates.json beside the tables
    const csv = parseCsv(readFileSync(out.aggregatesCsvPath, 'utf8'));
    assert.deepEqual(csv[0], [
      'grouping',
      'weak_model',
      'strong_model',
      'competition_level',
      'metric',
      'n',
      'mean',
      'ci_low',
      'ci_high',
      'unit',
    ]);
    const json = JSON.parse(readFileSync(out.aggregatesJsonPath, 'utf8'));
    assert.equal(json.runs, 4);
    assert.equal(json.by_cell.length, 1);
    assert.equal(out.summaryMerged, false); // no summary.json here
  } finally {
    t.done();
  }
});

test('summary.json gets a compact aggregates section; its other keys stay; a corrupt one is left alone', async () => {
  const t = tmp();
  try {
    await buildFixtureGrid(t.dir, { weak: ['scripted:linear'], strong: ['scripted:nash'], levels: [0.2, 0.4] });
    writeFileSync(join(t.dir, 'summary.json'), JSON.stringify({ total_experiments: 2, success_rate: 1 }));
    const out = await writeReport(t.dir, { resamples: 50, png: false });
    assert.equal(out.summaryMerged, true);
    const s = JSON.parse(readFileSync(join(t.dir, 'summary.json'), 'utf8'));
    assert.equal(s.total_experiments, 2);
    assert.equal(s.success_rate, 1);
    assert.equal(s.aggregates.runs, 8);
    assert.equal(s.aggregates.by_level.length, 2);
    assert.equal(s.aggregates.overall.stats.advantage.n, 8);
    assert.equal(s.aggregates.by_cell, undefined); // cells live in aggregates.json
    assert.deepEqual(s.aggregates.details, { json: 'aggregates.json', csv: 'aggregates.csv' });
    writeFileSync(join(t.dir, 'summary.json'), '{ broken');
    const again = await writeReport(t.dir, { resamples: 50, png: false });
    assert.equal(again.summaryMerged, false);
    assert.match(again.warnings.join('\n'), /summary\.json is not readable JSON/);
    assert.equal(readFileSync(join(t.dir, 'summary.json'), 'utf8'), '{ broken');
  } finally {
    t.done();
  }
});

test('a missing results directory or missing tables is one clear error and writes nothing', async () => {
  const t = tmp();
  try {
    await assert.rejects(
      writeReport(join(t.dir, 'nope')),
      (e: unknown) =>
        e instanceof UserError && /results directory .*nope not found; pass --results-dir/.test(e.message),
    );
    await assert.rejects(
      writeReport(t.dir),
      (e: unknown) =>
        e instanceof UserError && /runs\.csv not found; run `bargain collect --results-dir/.test(e.message),
    );
    assert.deepEqual(readdirSync(t.dir), []);
  } finally {
    t.done();
  }
});

test('visualize_results.py is written beside the tables and compiles (and runs when pandas is present)', async (t) => {
  const r = await report({
    weak: ['scripted:conceder', 'scripted:random'],
    strong: ['scripted:boulware', 'scripted:nash'],
    levels: [0.2, 0.8],
  });
  try {
    const py = r.out.visualizePath;
    assert.ok(readFileSync(py, 'utf8').includes('def heatmap('));
    if (spawnSync('python3', ['--version']).status !== 0) {
      t.diagnostic('python3 not found: py_compile skipped');
      return;
    }
    const c = spawnSync('python3', ['-m', 'py_compile', py], { encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    // run it with the first python that has pandas and matplotlib (pyenv shims may shadow Debian's)
    const py3 = ['python3', '/usr/bin/python3'].find(
      (p) => spawnSync(p, ['-c', 'import pandas, matplotlib'], { encoding: 'utf8' }).status === 0,
    );
    if (!py3) {
      t.diagnostic('pandas/matplotlib not installed: visualize_results.py compiled but not run');
      return;
    }
    const run = spawnSync(py3, [py, '--resamples', '200'], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(run.status, 0, run.stderr);
    for (const f of ['heatmap_advantage.png', 'advantage_vs_level.png'])
      assert.ok(existsSync(join(r.dir, 'python_plots', f)), f);
  } finally {
    r.done();
  }
});

test('visualize_results.py is the packaged file, found beside the module whatever the working directory', () => {
  const src = readFileSync(new URL('./visualize_results.py', import.meta.url), 'utf8');
  assert.ok(src.startsWith('#!/usr/bin/env python3\n'));
  const a = tmp(),
    b = tmp();
  const cwd = process.cwd();
  try {
    process.chdir(a.dir); // a cwd with no src/report in it
    const p = writeVisualizeScript(b.dir);
    assert.equal(p, join(b.dir, 'visualize_results.py'));
    assert.equal(readFileSync(p, 'utf8'), src, 'a byte-for-byte copy of the packaged script');
  } finally {
    process.chdir(cwd);
    a.done();
    b.done();
  }
});

test('cached input: the headline card and the per-model table sum cache reads and writes; older tables without the columns read as 0', async () => {
  const r = await report({
    weak: ['scripted:conceder'],
    strong: ['scripted:boulware', 'scripted:nash'],
    levels: [0.5],
    numRuns: 2,
    fakeCalls: true,
  });
  try {
    assertSafePage(r.index, 'index', INDEX);
    // recomputed here from the tables the report reads
    const [head, ...rows] = parseCsv(readFileSync(join(r.dir, 'runs.csv'), 'utf8')).filter((x) => x.length > 1);
    const col = (row: string[], k: string) => Number(row[head.indexOf(k)]);
    const per = new Map<string, { input: number; read: number; write: number }>();
    for (const row of rows) {
      const m = row[head.indexOf('model')];
      const t = per.get(m) ?? { input: 0, read: 0, write: 0 };
      t.input += col(row, 'input_tokens');
      t.read += col(row, 'cache_read_tokens');
      t.write += col(row, 'cache_write_tokens');
      per.set(m, t);
    }
    const all = [...per.values()].reduce((a, b) => ({
      input: a.input + b.input,
      read: a.read + b.read,
      write: a.write + b.write,
    }));
    assert.ok(all.read > 0 && all.write > 0 && all.read < all.input, JSON.stringify(all));
    const fmt = (x: number) => x.toLocaleString('en-US');
    assert.match(
      r.index,
      new RegExp(
        `<div class="k">Cached input</div><div class="v">${((100 * all.read) / all.input).toFixed(1)}%</div><div class="small muted">${fmt(all.read)} of ${fmt(all.input)} input tokens read from the prompt cache · ${fmt(all.write)} written`,
      ),
    );
    const cost = r.index.slice(r.index.indexOf('id="cost"'), r.index.indexOf('id="failures"'));
    assert.match(r.index, /<a href="#cost">Cost<\/a>/);
    assert.equal(per.size, 3);
    for (const [m, t] of per) {
      assert.match(
        cost,
        new RegExp(
          `<td>${m}</td>.*?<td class="num">${fmt(t.input)}</td><td class="num">${((100 * t.read) / t.input).toFixed(1)}% <span class="ci">${fmt(t.read)}</span></td><td class="num">${fmt(t.write)}</td>`,
        ),
        m,
      );
    }

    // the same directory with tables from before the cache columns: the report still builds, cache tokens as 0
    const strip = (file: string, drop: string[]) => {
      const t = parseCsv(readFileSync(join(r.dir, file), 'utf8')).filter((x) => x.length > 1);
      const keep = t[0].map((h, k) => (drop.includes(h) ? -1 : k)).filter((k) => k >= 0);
      writeFileSync(
        join(r.dir, file),
        t
          .map((row) => keep.map((k) => (/[",\n]/.test(row[k]) ? `"${row[k].replace(/"/g, '""')}"` : row[k])).join(','))
          .join('\n') + '\n',
      );
    };
    strip('runs.csv', ['cache_read_tokens', 'cache_write_tokens']);
    strip('results.csv', [
      'input_tokens',
      'output_tokens',
      'reasoning_tokens',
      'cache_read_tokens',
      'cache_write_tokens',
    ]);
    const again = await writeReport(r.dir, { resamples: 50 });
    const index = readFileSync(again.indexPath, 'utf8');
    const table = index.slice(index.indexOf('id="cost"'), index.indexOf('id="failures"'));
    assert.match(table, /<td class="num">0\.0% <span class="ci">0<\/span><\/td>/);
  } finally {
    r.done();
  }
});

test('method section: level construction, the Nash rule, and value entropy and runs without a Nash point by level recomputed from the result files; older tables say it is missing', async () => {
  const r = await report({
    weak: ['scripted:conceder'],
    strong: ['scripted:boulware'],
    levels: [0.2, 1.0],
    numRuns: 4,
  });
  try {
    const method = r.index.slice(r.index.indexOf('<h2 id="method">'));
    assert.match(method, /<b>Level construction\.<\/b>.*integers summing to 100.*±0\.01 .*±0\.05 .*identical copy/s);
    assert.match(method, /<h3 id="value-entropy">Value entropy by level<\/h3>.*confound/s);
    assert.match(
      method,
      /<b>Nash point and exploitation index\.<\/b>.*mean of their distinct utility vectors.*maximum product 0.*undefined/s,
    );
    // recomputed from the preferences in the result files: mean over agents, then over the level's runs
    const h = (v: number[]) => v.reduce((s, x) => (x > 0 ? s - (x / 100) * Math.log2(x / 100) : s), 0);
    const want = new Map<number, number[]>();
    const noNash = new Map<number, number>();
    const dirs = readdirSync(r.dir, { recursive: true })
      .map(String)
      .filter((f) => /result_\d+\.json$/.test(f));
    for (const f of dirs) {
      const doc = JSON.parse(readFileSync(join(r.dir, f), 'utf8'));
      const l = want.get(doc.competition_level) ?? [];
      for (const run of doc.runs) {
        l.push(run.preferences.reduce((s: number, v: number[]) => s + h(v), 0) / run.preferences.length);
        if (run.agents[0].nash_utility === null)
          noNash.set(doc.competition_level, (noNash.get(doc.competition_level) ?? 0) + 1);
      }
      want.set(doc.competition_level, l);
    }
    const table = method.slice(method.indexOf('id="entropy-table"'), method.indexOf('</table>'));
    for (const [level, hs] of [...want].sort((a, b) => a[0] - b[0])) {
      const mean = hs.reduce((a, b) => a + b, 0) / hs.length;
      assert.match(
        table,
        new RegExp(
          `<td class="num">${level}</td><td class="num">${hs.length}</td><td class="num">${mean.toFixed(3)}</td><td class="num">${noNash.get(level) ?? 0}</td>`,
        ),
        `level ${level}`,
      );
    }
    assert.equal(want.size, 2);

    // runs.csv from before the column: the table gives way to a note with the fix
    const t = parseCsv(readFileSync(join(r.dir, 'runs.csv'), 'utf8')).filter((x) => x.length > 1);
    const drop = t[0].indexOf('value_entropy');
    writeFileSync(
      join(r.dir, 'runs.csv'),
      t.map((row) => row.filter((_, k) => k !== drop).join(',')).join('\n') + '\n',
    );
    const again = readFileSync((await writeReport(r.dir, { resamples: 50 })).indexPath, 'utf8');
    assert.ok(!again.includes('id="entropy-table"'));
    assert.match(again, /Not recorded in these tables .*re-run <code>bargain collect<\/code>/);
  } finally {
    r.done();
  }
});
