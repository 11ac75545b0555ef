/**
 * The report reuses what has not changed (report/build.json) and rebuilds what has: a
 * reused report is byte for byte the report a full rebuild writes, a changed transcript
 * rebuilds its page only, changed runs redraw the plots and recompute the aggregates, and
 * a different report code rebuilds everything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { capabilityScores } from '../grid/scores.ts';
import { collect } from '../grid/collect.ts';
import { loadConfigs } from '../grid/grid.ts';
import { Layout } from '../results/layout.ts';
import { buildFixtureGrid } from './testing/fixture-grid.ts';
import { writeReport, type WriteReportOptions } from './write.ts';
import { BUILD_FILE } from './build-cache.ts';
import { runLines } from './testing/timelines.ts';

const GRID = { weak: ['scripted:conceder', 'scripted:random'], strong: ['scripted:boulware'], levels: [0.2, 0.8] };
const OPTS: WriteReportOptions = {
  scores: capabilityScores([...GRID.weak, ...GRID.strong]),
  resamples: 50,
  now: () => new Date('2026-01-01T00:00:00Z'),
};

/** Every file of the report directory: name → { text, inode }. */
function snapshot(dir: string): Map<string, { text: string; ino: number }> {
  const out = new Map<string, { text: string; ino: number }>();
  const walk = (d: string, rel: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p, `${rel}${n}/`);
      else out.set(rel + n, { text: readFileSync(p, 'latin1'), ino: statSync(p).ino });
    }
  };
  walk(join(dir, 'report'), '');
  return out;
}

async function grid() {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-reuse-'));
  await buildFixtureGrid(dir, { ...GRID, numRuns: 2 });
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('an unchanged grid: every page, plot and the aggregates are reused, and the report equals a full rebuild', async () => {
  const g = await grid();
  try {
    const first = await writeReport(g.dir, OPTS);
    assert.deepEqual(first.reused, { pages: 0, plots: 0, aggregates: false });
    const a = snapshot(g.dir);
    const second = await writeReport(g.dir, OPTS);
    assert.deepEqual(second.reused, { pages: 4, plots: second.plots.length, aggregates: true });
    assert.ok(second.plots.length >= 4);
    const b = snapshot(g.dir);
    for (const [name, f] of a) {
      if (!name.startsWith('experiments/') && !name.startsWith('plots/')) continue;
      // taken over, not rewritten: the same file (a hard link), with the same bytes
      assert.equal(b.get(name)?.ino, f.ino, `${name} was rewritten`);
      assert.equal(b.get(name)?.text, f.text, name);
    }
    assert.deepEqual(second.aggregates, first.aggregates);
    const rebuilt = await writeReport(g.dir, { ...OPTS, reuse: false });
    assert.deepEqual(rebuilt.reused, { pages: 0, plots: 0, aggregates: false });
    const c = snapshot(g.dir);
    assert.deepEqual([...c.keys()].sort(), [...b.keys()].sort());
    // vega numbers gradient ids per process (gradient_0, _1 …): the one difference a rebuild in the same process makes
    const norm = (t: string) => t.replace(/gradient_\d+/g, 'gradient_N');
    for (const [name, f] of c)
      assert.equal(norm(f.text), norm(b.get(name)!.text), `${name}: reused and rebuilt differ`);
  } finally {
    g.done();
  }
});

test('a changed transcript rebuilds its page only; changed runs recompute the aggregates and redraw the plots', async () => {
  const g = await grid();
  try {
    await writeReport(g.dir, OPTS);
    const before = snapshot(g.dir);
    const layout = new Layout(g.dir);
    const [c0, c1] = loadConfigs(layout);
    appendFileSync(
      layout.abs(layout.transcript(c1)),
      JSON.stringify({ type: 'mystery', run: 0, note: 'added after the first report' }) + '\n',
    );
    const out = await writeReport(g.dir, OPTS);
    assert.equal(out.reused.pages, 3);
    assert.equal(out.reused.aggregates, true);
    const after = snapshot(g.dir);
    const page = `experiments/${c1.experiment_id}.html`;
    assert.notEqual(after.get(page)!.ino, before.get(page)!.ino);
    assert.match(await runLines(after.get(page)!.text, 0), /added after the first report/);
    assert.equal(
      after.get(`experiments/${c0.experiment_id}.html`)!.ino,
      before.get(`experiments/${c0.experiment_id}.html`)!.ino,
    );

    // a result changes (its utilities): collect rewrites runs.csv, so the numbers and plots are new
    const resultPath = layout.abs(layout.result(c0));
    const doc = JSON.parse(readFileSync(resultPath, 'utf8'));
    for (const run of doc.runs) for (const a of run.agents) if (a.role === 'strong') a.utility = 99;
    writeFileSync(resultPath, JSON.stringify(doc, null, 2) + '\n');
    collect(layout, loadConfigs(layout));
    const changed = await writeReport(g.dir, OPTS);
    assert.equal(changed.reused.aggregates, false);
    assert.equal(changed.reused.pages, 3);
    assert.ok(changed.reused.plots < changed.plots.length, 'some plot redrawn');
    const fresh = await writeReport(g.dir, { ...OPTS, reuse: false });
    assert.deepEqual(changed.aggregates, fresh.aggregates);
  } finally {
    g.done();
  }
});

test('another version of the report code, or an unreadable build record: everything is rebuilt', async () => {
  const g = await grid();
  try {
    await writeReport(g.dir, OPTS);
    const path = join(g.dir, 'report', BUILD_FILE);
    const rec = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...rec, code: 'an older bargain' }));
    assert.deepEqual((await writeReport(g.dir, OPTS)).reused, { pages: 0, plots: 0, aggregates: false });
    writeFileSync(path, '{ not json');
    assert.deepEqual((await writeReport(g.dir, OPTS)).reused, { pages: 0, plots: 0, aggregates: false });
    assert.ok(existsSync(join(g.dir, 'report', BUILD_FILE)));
  } finally {
    g.done();
  }
});

test('an experiment that lost its result: its page goes, its neighbours are rebuilt with new links', async () => {
  const g = await grid();
  try {
    await writeReport(g.dir, OPTS);
    const layout = new Layout(g.dir);
    const configs = loadConfigs(layout);
    const [c0, c1, c2] = configs;
    rmSync(layout.abs(layout.result(c1)));
    collect(layout, configs);
    const out = await writeReport(g.dir, OPTS);
    const pages = readdirSync(join(g.dir, 'report', 'experiments')).sort();
    assert.ok(!pages.includes(`${c1.experiment_id}.html`));
    assert.equal(out.experimentPages, 3);
    assert.equal(out.reused.pages, 1, 'only the page whose neighbours did not change');
    const p0 = readFileSync(join(g.dir, 'report', 'experiments', `${c0.experiment_id}.html`), 'utf8');
    assert.match(p0, new RegExp(`href="${c2.experiment_id}\\.html"`));
    assert.doesNotMatch(p0, new RegExp(`href="${c1.experiment_id}\\.html"`));
  } finally {
    g.done();
  }
});
