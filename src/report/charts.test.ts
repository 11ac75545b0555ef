import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregate, type Aggregates } from './aggregate.ts';
import { buildChartSpecs, levelBins, MANY_LEVELS, type ChartDef } from './charts.ts';
import { MAX_PNG_SIDE, pngScale, renderCharts, type RenderedChart } from './render.ts';
import type { RunRow } from '../results/index.ts';
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

// ---------- grid shapes: synthetic runs.csv rows, any size, in a second ----------

/** Deterministic runs.csv rows: `runs` runs (seat-swapped pairs) per (weak, strong, level) cell, two seats each. */
function syntheticRows(g: {
  weak: string[];
  strong: string[];
  levels: number[];
  runs: number;
  score: (m: string) => number;
  rho?: number[];
}): RunRow[] {
  const rows: RunRow[] = [];
  let id = 0,
    s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const w of g.weak)
    for (const st of g.strong)
      for (const level of g.levels) {
        id++;
        const rho = g.rho ? g.rho[id % g.rho.length] : undefined;
        for (let run = 0; run < g.runs; run++) {
          // the advantage grows with the capability gap, less so at high competition
          const adv = (g.score(st) - g.score(w)) * 0.05 * (1 - level) + (rnd() - 0.5) * 20;
          const deal = rnd() < 0.9 - 0.3 * level;
          const strongSeat = run % 2;
          for (const role of ['strong', 'weak'] as const) {
            const u = deal ? 50 + (role === 'strong' ? adv : -adv) / 2 : 0;
            rows.push({
              experiment_id: id,
              weak_model: w,
              strong_model: st,
              pair: `${w}_vs_${st}`,
              competition_level: level,
              random_seed: id,
              run_index: run,
              pair_index: run >> 1,
              seats_swapped: strongSeat === 1,
              seat: role === 'strong' ? strongSeat : 1 - strongSeat,
              agent: `Agent_${role}`,
              model: role === 'strong' ? st : w,
              role,
              cosine_similarity: level,
              consensus: deal,
              round: deal ? 1 + Math.floor(rnd() * 8) : null,
              utility: u,
              raw_utility: u,
              share: deal ? u / 100 : null,
              welfare: deal ? 100 : 0,
              exploitation_index: deal ? (u - 50) / 50 : null,
              nash_utility: 50,
              pareto_optimal: deal,
              repairs: 0,
              voided: 0,
              calls: 0,
              input_tokens: 0,
              output_tokens: 0,
              reasoning_tokens: 0,
              cache_read_tokens: 0,
              cache_write_tokens: 0,
              cost_usd: 0,
              status: 'SUCCESS',
              value_entropy: 1.5,
              ...(rho === undefined ? {} : { game: 'treaty' as const, rho }),
            });
          }
        }
      }
  return rows;
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const levelsOf = (n: number) =>
  Array.from({ length: n }, (_, i) => Math.round((n === 1 ? 1 : i / (n - 1)) * 1e6) / 1e6);

function synthAgg(weak: string[], strong: string[], levels: number[], score: (m: string) => number, rho?: number[]) {
  const rows = syntheticRows({ weak, strong, levels, runs: 4, score, rho });
  return aggregate(rows, { resamples: 50, scores: Object.fromEntries([...weak, ...strong].map((m) => [m, score(m)])) });
}

const byIndex = (m: string) => Number(m.split('-').pop());
/** weak models score 1100–1134, strong ones 1250–1457: every pair has a gap, and gaps differ */
const SCORE = (m: string) => (m.startsWith('weak') ? 1100 + 17 * byIndex(m) : 1250 + 23 * byIndex(m));

// a 101-level × 3 weak × 10 strong grid (3,030 cells, 12,120 runs), treaty ρ as a second axis
const BIG = { weak: names('weak-model', 3), strong: names('strong-model-number', 10), levels: levelsOf(101) };
let bigCache: Promise<{ a: Aggregates; defs: ChartDef[]; charts: RenderedChart[] }> | undefined;
const big = () =>
  (bigCache ??= (async () => {
    const a = synthAgg(BIG.weak, BIG.strong, BIG.levels, SCORE, [0, 0.5, 1]);
    const defs = buildChartSpecs(a);
    return { a, defs, charts: await renderCharts(defs) };
  })());

/** Every chart drawn, its PNG within MAX_PNG_SIDE (read from the IHDR) and at 2× when the SVG allows, its SVG of sensible size. */
function assertBounded(charts: RenderedChart[], maxSvgKb: number) {
  for (const c of charts) {
    assert.ok(c.svg && c.png, `${c.id} drawn (${c.empty ?? ''})`);
    const png = pngInfo(c.png!);
    assert.ok(Math.max(png.width, png.height) <= MAX_PNG_SIDE, `${c.id} PNG ${png.width}×${png.height}`);
    const scale = pngScale(c.width!, c.height!);
    assert.equal(scale, 2, `${c.id}: an SVG of ${c.width}×${c.height} is drawn at 2×`);
    assert.equal(png.width, Math.round(c.width! * 2), `${c.id} PNG width`);
    assert.ok(png.inkFraction > 0.03, `${c.id} PNG has something drawn (${png.inkFraction})`);
    assert.ok(c.width! >= 300 && c.width! <= 2000, `${c.id} SVG width ${c.width}`);
    assert.ok(c.height! >= 200 && c.height! <= 2000, `${c.id} SVG height ${c.height}`);
    assert.ok(c.svg!.length <= maxSvgKb * 1024, `${c.id} SVG ${Math.round(c.svg!.length / 1024)} KB`);
  }
}

/** The `translate(x,y)` of each symbol in the mark group named `name`. */
function symbolsOf(svg: string, name: string): { x: number; y: number }[] {
  const groups = [...svg.matchAll(new RegExp(`class="mark-symbol role-mark ${name}"[^>]*>(.*?)</g>`, 'g'))];
  assert.equal(groups.length, 1, `one ${name} group`);
  return [...groups[0][1].matchAll(/translate\(([-\d.]+),([-\d.]+)\)/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
  }));
}

test('101 levels × 3 × 10: every plot renders, its PNG within 4,000 px and at 2×, its SVG under 2,000 px and 300 KB', async () => {
  const { charts } = await big();
  assert.deepEqual(
    charts.map((c) => c.id),
    [
      'heatmap',
      'advantage_vs_level',
      'scaling',
      'agreement_vs_level',
      'rounds_vs_level',
      'seat_effect',
      'advantage_vs_theta_by_rho',
    ],
  );
  assertBounded(charts, 300);
  // all inlined in index.html: together well under its 2 MB budget
  const total = charts.reduce((n, c) => n + c.svg!.length, 0);
  assert.ok(total < 1024 * 1024, `SVGs total ${Math.round(total / 1024)} KB`);
});

test('101 levels: the scaling plot is one slope panel, a point per level at the fitted slope, and a pooled scatter in ≤ 5 level bins', async () => {
  const { a, defs, charts } = await big();
  const def = defs.find((d) => d.id === 'scaling')!;
  const spec = def.spec as Record<string, any>;
  assert.equal(spec.facet, undefined, 'no panel per level');
  const [slopes, cells] = spec.hconcat;
  assert.equal(slopes.name, 'slopes');
  const fits = a.scaling.fits.filter((f) => f.level !== null);
  assert.equal(fits.length, 101);
  assert.ok(fits.every((f) => f.fit));
  // one row per level: the level's OLS slope and interval, per 100 score points
  assert.equal(slopes.data.values.length, 101);
  fits.forEach((f, i) => {
    const row = slopes.data.values[i];
    assert.equal(row.level, f.level);
    for (const [k, v] of [
      ['slope', f.fit!.slope],
      ['lo', f.fit!.lo],
      ['hi', f.fit!.hi],
    ] as const)
      assert.ok(Math.abs(row[k] - v * 100) < 5e-4, `level ${f.level} ${k}: ${row[k]} vs ${v * 100}`);
  });
  // the pooled slope is the reference line
  const pooled = a.scaling.fits.find((f) => f.level === null)!.fit!;
  assert.ok(
    slopes.layer.some((l: any) => l.mark.type === 'rule' && Math.abs(l.encoding.y.datum - pooled.slope * 100) < 5e-4),
    'a rule at the pooled slope',
  );
  // drawn: one symbol per level, left to right by level, heights a linear image of the slopes (so the values are what is drawn)
  const svg = charts.find((c) => c.id === 'scaling')!.svg!;
  const pts = symbolsOf(svg, 'slope_points_marks');
  assert.equal(pts.length, 101);
  for (let i = 1; i < pts.length; i++) assert.ok(pts[i].x > pts[i - 1].x, `point ${i} right of ${i - 1}`);
  const s = fits.map((f) => f.fit!.slope * 100);
  const [i0, i1] = [s.indexOf(Math.min(...s)), s.indexOf(Math.max(...s))];
  const k = (pts[i1].y - pts[i0].y) / (s[i1] - s[i0]);
  assert.ok(k < 0, 'a larger slope is drawn higher');
  s.forEach((v, i) => assert.ok(Math.abs(pts[0].y + k * (v - s[0]) - pts[i].y) < 0.25, `point ${i} at its slope`));
  // the scatter: every cell, coloured by one of 5 level bins named by their ranges in the legend
  const scatter = cells.layer.find((l: any) => l.name === 'cell_points');
  assert.equal(scatter.data.values.length, a.scaling.points.length);
  const labels = ['0.00–0.19', '0.20–0.39', '0.40–0.59', '0.60–0.79', '0.80–1.00'];
  assert.deepEqual(scatter.encoding.color.scale.domain, labels);
  for (const l of labels) assert.ok(svg.includes(`>${l}</text>`), `legend names ${l}`);
  assert.match(def.caption, /101 levels/);
});

test('101 levels: level plots draw lines and bands, not a point and a bar per level and series', async () => {
  const { a, charts } = await big();
  const drawnOf = (id: string) => drawn(charts.find((c) => c.id === id)!.svg!);
  // the per-pair advantage: a small panel per pair (30), each a band and a line
  const adv = drawnOf('advantage_vs_level');
  assert.equal(adv.area, 30);
  assert.equal(adv.line, 30);
  assert.equal(adv.symbol, undefined, 'no points');
  for (const id of ['agreement_vs_level', 'rounds_vs_level', 'seat_effect', 'advantage_vs_theta_by_rho']) {
    const d = drawnOf(id);
    assert.ok(d.line && d.area, `${id}: lines and bands ${JSON.stringify(d)}`);
    assert.equal(d.symbol, undefined, `${id}: no points`);
  }
  // the dashed zero line is one line per panel, not one per data row
  const zero = (svg: string) => svg.match(/stroke-dasharray="4,3"/g)?.length ?? 0;
  assert.equal(zero(charts.find((c) => c.id === 'advantage_vs_level')!.svg!), 30);
  assert.equal(zero(charts.find((c) => c.id === 'seat_effect')!.svg!), 2);
  assert.ok(a.levels.length > MANY_LEVELS);
});

test('the demo shape (3 × 4 × 10 levels) keeps a scaling panel per level and points with error bars', async () => {
  const a = synthAgg(names('weak-model', 3), names('strong-model-number', 4), levelsOf(10), SCORE);
  const defs = buildChartSpecs(a);
  const scaling = defs.find((d) => d.id === 'scaling')!.spec as Record<string, any>;
  assert.equal(scaling.facet.field, 'panel');
  assert.equal(scaling.facet.sort.length, 11, 'pooled + one panel per level');
  assert.equal(scaling.columns, 3);
  const charts = await renderCharts(defs);
  assertBounded(charts, 150);
  const svg = charts.find((c) => c.id === 'scaling')!.svg!;
  for (const l of a.levels) assert.ok(svg.includes(`>Level ${l}, 12 cells<`), `panel for level ${l}`);
  assert.ok(svg.includes('>All levels (pooled), 120 cells<'));
  for (const id of ['advantage_vs_level', 'agreement_vs_level', 'seat_effect']) {
    const d = drawn(charts.find((c) => c.id === id)!.svg!);
    assert.ok(d.symbol && d.rule && d.area, `${id}: points, bars and bands ${JSON.stringify(d)}`);
  }
});

test('20 weak × 20 strong models: the heatmap is ordered by capability score, every name whole, and stays within bounds', async () => {
  const weak = names('weak-llm-with-a-rather-long-name', 20),
    strong = names('strong-llm-with-a-rather-long-name', 20);
  // scores in an order unlike the names'; two strong models unscored go last, in their given order
  const score = (m: string) =>
    m.startsWith('weak') ? 1000 + ((byIndex(m) * 7) % 20) : 1300 + ((byIndex(m) * 11) % 20) * 5;
  const unscored = new Set([strong[3], strong[8]]);
  const rows = syntheticRows({ weak, strong, levels: [0.5], runs: 2, score });
  const a = aggregate(rows, {
    resamples: 50,
    scores: Object.fromEntries([...weak, ...strong].map((m) => [m, unscored.has(m) ? undefined : score(m)])),
  });
  const charts = await renderCharts(buildChartSpecs(a));
  assertBounded(
    charts.filter((c) => c.id !== 'scaling'),
    400,
  );
  const heat = charts.find((c) => c.id === 'heatmap')!;
  const spec = heat.spec as Record<string, any>;
  const weakOrder = [...weak].sort((x, y) => score(x) - score(y));
  const strongOrder = [
    ...strong.filter((m) => !unscored.has(m)).sort((x, y) => score(x) - score(y)),
    strong[3],
    strong[8],
  ];
  assert.deepEqual(spec.encoding.x.sort, weakOrder);
  assert.deepEqual(spec.encoding.y.sort, strongOrder);
  // drawn in that order: weak names left to right, strong names top to bottom, each whole
  const pos = (m: string, axis: 0 | 1) => {
    const hit = new RegExp(`translate\\(([-\\d.]+),([-\\d.]+)\\)[^>]*>${m}</text>`).exec(heat.svg!);
    assert.ok(hit, `${m} labelled whole`);
    return Number(hit[axis + 1]);
  };
  for (let i = 1; i < 20; i++) {
    assert.ok(pos(weakOrder[i], 0) > pos(weakOrder[i - 1], 0), `${weakOrder[i]} right of ${weakOrder[i - 1]}`);
    assert.ok(pos(strongOrder[i], 1) > pos(strongOrder[i - 1], 1), `${strongOrder[i]} below ${strongOrder[i - 1]}`);
  }
  assert.match(heat.caption, /order of capability score/);
});

test('a plot larger than 2,000 px is drawn smaller than 2×, its PNG still within 4,000 px', async () => {
  assert.equal(pngScale(1999, 300), 2);
  assert.ok(pngScale(9000, 200) * 9000 <= MAX_PNG_SIDE);
  const values = Array.from({ length: 50 }, (_, i) => ({ x: i, y: i % 7 }));
  const [c] = await renderCharts([
    {
      id: 'wide',
      title: 'wide',
      caption: '',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values },
        width: 5200,
        height: 300,
        mark: 'point',
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    },
  ]);
  const png = pngInfo(c.png!);
  assert.ok(c.width! > 5200);
  assert.ok(png.width <= MAX_PNG_SIDE && png.width > MAX_PNG_SIDE - 10, `PNG ${png.width}×${png.height}`);
  // the aspect ratio is kept
  assert.ok(Math.abs(png.width / png.height - c.width! / c.height!) < 0.05);
});

test('level bins: at most 5, equal width, each named by the range of its levels', () => {
  assert.deepEqual(levelBins(levelsOf(101)).labels, ['0.00–0.19', '0.20–0.39', '0.40–0.59', '0.60–0.79', '0.80–1.00']);
  assert.equal(levelBins(levelsOf(101)).bin(0.2), '0.20–0.39');
  assert.equal(levelBins(levelsOf(101)).bin(1), '0.80–1.00');
  assert.deepEqual(levelBins([0.1, 0.5, 0.9]).labels, ['0.10', '0.50', '0.90']);
  // an empty bin leaves no legend entry
  assert.deepEqual(levelBins([0, 0.01, 0.02, 0.03, 0.04, 1]).labels, ['0.00–0.04', '1.00']);
});
