import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate, type Aggregates } from './aggregate.ts';
import { buildChartSpecs } from './charts.ts';
import { renderCharts, type RenderedChart } from './render.ts';
import { readTables } from './load.ts';
import { capabilityScores } from '../grid/scores.ts';
import { buildFixtureGrid, type FixtureGrid } from './testing/fixture-grid.ts';
import { pngInfo } from './testing/png.ts';

async function aggOf(g: FixtureGrid, scored = true): Promise<Aggregates> {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-charts-'));
  try {
    await buildFixtureGrid(dir, g);
    const { runs } = readTables(dir);
    return aggregate(runs, { resamples: 300, scores: scored ? capabilityScores([...g.weak, ...g.strong]) : {} });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const GRID: FixtureGrid = {
  weak: ['scripted:conceder', 'scripted:random'],
  strong: ['scripted:boulware', 'scripted:nash'],
  levels: [0.2, 0.6, 1.0],
  numRuns: 4,
};

/** Data-mark containers that hold at least one drawn element, by mark type. */
function drawn(svg: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of svg.matchAll(
    /class="mark-(symbol|rect|rule|line|area|text) role-mark[^"]*"[^>]*><(path|line|text)\b/g,
  ))
    out[m[1]] = (out[m[1]] ?? 0) + 1;
  return out;
}

const byId = (cs: RenderedChart[], id: string) => cs.find((c) => c.id === id)!;

test('every chart of a grid renders to an SVG with its marks, titles and model names, and a valid PNG', async () => {
  const a = await aggOf(GRID);
  const charts = await renderCharts(buildChartSpecs(a));
  assert.deepEqual(
    charts.map((c) => c.id),
    ['heatmap', 'advantage_vs_level', 'scaling', 'agreement_vs_level', 'rounds_vs_level', 'seat_effect'],
  );
  for (const c of charts) {
    assert.ok(c.svg, `${c.id} rendered (${c.empty ?? ''})`);
    assert.match(c.svg!, /^<svg[^>]+width="[\d.]+" height="[\d.]+"/, c.id);
    const d = drawn(c.svg!);
    assert.ok(
      c.id === 'heatmap' ? d.rect && d.text : d.symbol && d.rule,
      `${c.id} draws its data marks: ${JSON.stringify(d)}`,
    );
    // self-contained and CSP-clean: no scripts, no style attributes or elements, no external references
    assert.doesNotMatch(c.svg!, /<script|<style|\sstyle="|<image|<foreignObject|href="(?!#)/i, c.id);
    const png = pngInfo(c.png!);
    assert.equal(png.width, Math.round(c.width! * 2), `${c.id} PNG width`);
    assert.equal(png.height, Math.round(c.height! * 2), `${c.id} PNG height`);
    assert.ok(
      png.width >= 600 && png.width <= 6000 && png.height >= 300 && png.height <= 6000,
      `${c.id} ${png.width}x${png.height}`,
    );
    assert.ok(png.inkFraction > 0.03, `${c.id} PNG has something drawn (${png.inkFraction})`);
  }
  for (const m of [...GRID.weak, ...GRID.strong])
    assert.ok(byId(charts, 'heatmap').svg!.includes(`>${m}</text>`), `heatmap labels ${m}`);
  for (const m of GRID.strong)
    assert.ok(byId(charts, 'advantage_vs_level').svg!.includes(`>${m}</text>`), `legend lists ${m}`);
  assert.match(byId(charts, 'advantage_vs_level').svg!, />Competition level</);
  assert.match(byId(charts, 'advantage_vs_level').svg!, />Advantage \(utility points\)</);
  assert.match(byId(charts, 'scaling').svg!, />Capability gap \(strong − weak score, points\)</);
  assert.match(byId(charts, 'scaling').svg!, /All levels \(pooled\), 12 cells/);
  // the heatmap prints each pair's mean advantage
  for (const g of a.by_pair)
    assert.ok(byId(charts, 'heatmap').svg!.includes(g.stats.advantage.mean!.toFixed(1)), `${g.weak}/${g.strong}`);
});

test('ids inside the SVGs are unique across charts, so they can share one page', async () => {
  const charts = await renderCharts(buildChartSpecs(await aggOf(GRID)), { png: false });
  const ids = charts.flatMap((c) => [...c.svg!.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
  assert.ok(ids.length > 0);
  assert.equal(new Set(ids).size, ids.length);
  for (const c of charts) {
    for (const m of c.svg!.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(m[1]), `${c.id} references #${m[1]}`);
  }
});

test('a single level: points with error bars, no bands; the seat effect still shows', async () => {
  const a = await aggOf({ ...GRID, levels: [0.5] });
  const defs = buildChartSpecs(a);
  const adv = JSON.stringify(defs.find((d) => d.id === 'advantage_vs_level')!.spec);
  assert.doesNotMatch(adv, /"area"/);
  assert.match(adv, /"rule"/);
  const charts = await renderCharts(defs, { png: false });
  for (const c of charts) {
    if (c.id === 'scaling') continue;
    assert.ok(c.svg, `${c.id}: ${c.empty}`);
    const d = drawn(c.svg!);
    assert.ok(c.id === 'heatmap' ? d.rect : d.symbol && d.rule, `${c.id} draws its marks: ${JSON.stringify(d)}`);
    assert.equal(d.area, undefined, `${c.id}: no band at a single level`);
  }
});

test('charts with nothing to show are empty entries with a reason, not blank plots', async () => {
  // random vs invalid: the diagnostic never proposes validly; with 1 round nobody agrees
  const a = await aggOf(
    { weak: ['scripted:invalid'], strong: ['scripted:boulware'], levels: [0.9], numRuns: 2, maxRounds: 1 },
    false,
  );
  assert.equal(a.overall.stats.agreement_rate.mean, 0);
  const charts = await renderCharts(buildChartSpecs(a), { png: false });
  assert.equal(byId(charts, 'rounds_vs_level').empty, 'no run reached an agreement yet');
  assert.equal(byId(charts, 'rounds_vs_level').svg, undefined);
  assert.equal(byId(charts, 'scaling').empty, 'no model has a capability score');
  assert.ok(byId(charts, 'agreement_vs_level').svg); // a rate of 0 is data
  const none = await renderCharts(buildChartSpecs(aggregate([])), { png: false });
  assert.ok(
    none.every((c) => c.empty && !c.svg),
    'no runs: every chart empty',
  );
});

test('ten strong models get ten distinct colours', async () => {
  const names = Array.from({ length: 10 }, (_, i) => `strong-model-with-a-long-name-${i}`);
  const defs = buildChartSpecs({ ...(await aggOf(GRID)), strong_models: names });
  const spec = JSON.stringify(defs.find((d) => d.id === 'agreement_vs_level')!.spec);
  const m = /"domain":(\[[^\]]*\]),"range":(\[[^\]]*\])/.exec(spec)!;
  const range = JSON.parse(m[2]) as string[];
  assert.equal(range.length, 11);
  assert.equal(new Set(range).size, 11);
});
