/**
 * The report's cost at two sizes, in the results layout, with the seed grid's model names
 * (each played by a scripted strategy, so the negotiations are real) and per-call token
 * and prompt records like an LLM grid's. Asserts nothing; prints figures.
 *
 * seed: 3 weak × 10 strong × 10 levels = 300 experiments × 4 runs, in process: wall and CPU
 *   time of writeReport and of its aggregation and chart parts. Target (issue 6): < 10 s.
 * 10k: 3 × 10 × 84 levels = 2,520 experiments × 4 runs = 10,080 runs, through the real CLI
 *   in child processes (so peak RSS is the command's own): `collect` (tables, then the whole
 *   report from scratch), `collect` again on the unchanged grid (reuse), `collect
 *   --no-report` + `report --rebuild`; then the sizes of index.html, its data and the pages,
 *   the plots' pixel sizes, and index.html opened in headless Chromium when it is installed.
 *   Targets (issue 17): collect + report < 15 s and < 400 MB; index.html < 2 MB, opens < 3 s.
 * levels101: 3 × 4 × 101 levels × 8 runs (9,696 runs): the plots' pixel sizes (< 4,000 px).
 *
 *   node --import tsx bench/report.ts [--size seed|10k|levels101|all] [--keep DIR] [--resamples 2000]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stageRunner, type Stage } from './cli-stage.ts';
import { loadRegistry } from '../src/providers/registry.ts';
import { PRESETS } from '../src/grid/presets.ts';
import { aggregate } from '../src/report/aggregate.ts';
import { buildChartSpecs } from '../src/report/charts.ts';
import { renderCharts } from '../src/report/render.ts';
import { readTables } from '../src/report/load.ts';
import { capabilityScores } from '../src/grid/scores.ts';
import { buildFixtureGrid } from '../src/report/testing/fixture-grid.ts';
import { pngInfo } from '../src/report/testing/png.ts';
import { writeReport } from '../src/report/write.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const keep = opt('--keep');
const resamples = Number(opt('--resamples') ?? 2000);
const size = opt('--size') ?? 'all';

const seed = PRESETS.seed;
const WEAK_PLAY = ['scripted:conceder', 'scripted:linear', 'scripted:random'];
const STRONG_PLAY = [
  'scripted:boulware',
  'scripted:nash',
  'scripted:tit-for-tat',
  'scripted:greedy',
  'scripted:linear',
];
const play = (m: string) => {
  const w = seed.weak.indexOf(m);
  if (w >= 0) return WEAK_PLAY[w % WEAK_PLAY.length];
  return STRONG_PLAY[seed.strong.indexOf(m) % STRONG_PLAY.length];
};
/** n evenly spaced levels from 0 to 1. */
const levels = (n: number) => Array.from({ length: n }, (_, i) => Math.round((i / (n - 1)) * 1e6) / 1e6);

function timed<T>(f: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage(),
    t0 = performance.now();
  return f().then((value) => {
    const c = process.cpuUsage(c0);
    return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
  });
}

function dirBytes(dir: string): { files: number; bytes: number; max: number } {
  let files = 0,
    bytes = 0,
    max = 0;
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    const s = statSync(p);
    if (s.isDirectory()) {
      const d = dirBytes(p);
      files += d.files;
      bytes += d.bytes;
      max = Math.max(max, d.max);
    } else {
      files++;
      bytes += s.size;
      max = Math.max(max, s.size);
    }
  }
  return { files, bytes, max };
}

const MB = (b: number) => `${(b / 1e6).toFixed(2)} MB`;

const line = (r: Stage) =>
  console.log(
    `  ${r.name.padEnd(44)} ${r.wallS.toFixed(2).padStart(6)} s wall   ${r.maxRssMb.toFixed(0).padStart(4)} MB peak RSS`,
  );

function plotSizes(reportDir: string): void {
  const dir = join(reportDir, 'plots');
  let longest = 0;
  const rows: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (f.endsWith('.png')) {
      const info = pngInfo(readFileSync(p));
      longest = Math.max(longest, info.width, info.height);
      rows.push(`${f} ${info.width}×${info.height} px ${MB(statSync(p).size)}`);
    } else rows.push(`${f} ${MB(statSync(p).size)}`);
  }
  console.log(`  plots: ${rows.join(' · ')}`);
  console.log(`  longest PNG side: ${longest} px   (target < 4,000 px)`);
}

/** index.html in headless Chromium: time to the load event and until the paginated tables have rows. */
async function openInChromium(index: string): Promise<void> {
  if (!existsSync('/usr/bin/chromium')) {
    console.log('  Chromium: /usr/bin/chromium not found, open time not measured');
    return;
  }
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const t0 = performance.now();
    await page.goto(pathToFileURL(index).href, { waitUntil: 'load', timeout: 120_000 });
    const load = (performance.now() - t0) / 1000;
    await page.waitForFunction(() => document.querySelectorAll('#experiments-table tbody tr a').length > 0, null, {
      timeout: 120_000,
    });
    const filled = (performance.now() - t0) / 1000;
    console.log(
      `  index.html in Chromium: load event ${load.toFixed(2)} s, experiment list filled ${filled.toFixed(2)} s   (target < 3 s)${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`,
    );
  } finally {
    await browser.close();
  }
}

async function seedSize(dir: string): Promise<void> {
  const built = await timed(() =>
    buildFixtureGrid(dir, {
      weak: seed.weak,
      strong: seed.strong,
      levels: seed.levels,
      numRuns: 4,
      play,
      fakeCalls: true,
    }),
  );
  console.log(`seed grid: ${built.value.length} experiments × 4 runs written in ${built.wall.toFixed(1)} s (${dir})`);
  const reg = loadRegistry();
  const scores = capabilityScores([...seed.weak, ...seed.strong], (m) => reg.capabilityScore(m));

  const { runs } = readTables(dir);
  const agg = await timed(async () => aggregate(runs, { scores, resamples }));
  const charts = await timed(() => renderCharts(buildChartSpecs(agg.value)));
  const full = await timed(() => writeReport(dir, { scores, resamples, reuse: false }));
  const out = full.value;
  const rep = dirBytes(out.reportDir);
  const pages = dirBytes(join(out.reportDir, 'experiments'));
  console.log(
    `  runs: ${agg.value.runs} (${runs.length} runs.csv rows), cells ${agg.value.by_cell.length}, bootstrap ${resamples} resamples`,
  );
  console.log(`  writeReport: ${full.wall.toFixed(2)} s wall, ${full.cpu.toFixed(2)} s CPU   (target < 10 s)`);
  console.log(
    `    of which aggregate: ${agg.wall.toFixed(2)} s wall, ${agg.cpu.toFixed(2)} s CPU; charts (SVG+PNG): ${charts.wall.toFixed(2)} s wall, ${charts.cpu.toFixed(2)} s CPU`,
  );
  console.log(`  index.html: ${MB(out.indexBytes)}   (target < 2 MB)`);
  console.log(`  experiment pages: ${out.experimentPages}, ${MB(pages.bytes)} total, largest ${MB(pages.max)}`);
  console.log(`  report directory: ${rep.files} files, ${MB(rep.bytes)}; plots: ${out.plots.length} files`);
  console.log(
    `  scaling: unscored models ${out.aggregates.scaling.unscored_models.join(', ') || 'none'}; pooled slope ${out.aggregates.scaling.fits[0].fit ? (out.aggregates.scaling.fits[0].fit.slope * 100).toFixed(2) : '–'} per 100 pts`,
  );
}

async function tenK(dir: string): Promise<void> {
  const built = await timed(() =>
    buildFixtureGrid(dir, {
      weak: seed.weak,
      strong: seed.strong,
      levels: levels(84),
      numRuns: 4,
      play,
      fakeCalls: true,
    }),
  );
  const grid = dirBytes(dir);
  console.log(
    `10k grid: ${built.value.length} experiments × 4 runs, 84 levels, written in ${built.wall.toFixed(1)} s (${dir}, ${MB(grid.bytes)})`,
  );
  const rd = ['--results-dir', dir];
  const work = mkdtempSync(join(tmpdir(), 'bargain-bench-report-usage-'));
  const stage = stageRunner(work);
  line(stage('collect (tables + whole report, from scratch)', ['collect', ...rd]));
  const again = stage('collect again, nothing changed (reuse)', ['collect', ...rd]);
  line(again);
  console.log(`    ${/Reused unchanged[^\n]*/.exec(again.stdout)?.[0] ?? ''}`);
  line(stage('collect --no-report', ['collect', '--no-report', ...rd]));
  line(stage('report --rebuild (everything from scratch)', ['report', '--rebuild', ...rd]));
  rmSync(work, { recursive: true, force: true });
  const reportDir = join(dir, 'report');
  const index = statSync(join(reportDir, 'index.html')).size;
  const data = readdirSync(reportDir)
    .filter((f) => f.endsWith('.js'))
    .map((f) => `${f} ${MB(statSync(join(reportDir, f)).size)}`);
  const pages = dirBytes(join(reportDir, 'experiments'));
  console.log(`  index.html: ${MB(index)}   (target < 2 MB)${data.length ? `; beside it: ${data.join(', ')}` : ''}`);
  console.log(`  experiment pages: ${pages.files}, ${MB(pages.bytes)} total, largest ${MB(pages.max)}`);
  plotSizes(reportDir);
  await openInChromium(join(reportDir, 'index.html'));
}

async function levels101(dir: string): Promise<void> {
  const built = await timed(() =>
    buildFixtureGrid(dir, {
      weak: seed.weak,
      strong: seed.strong.slice(0, 4),
      levels: levels(101),
      numRuns: 8,
      play,
      fakeCalls: true,
    }),
  );
  console.log(`101-level grid: ${built.value.length} experiments × 8 runs written in ${built.wall.toFixed(1)} s`);
  const work = mkdtempSync(join(tmpdir(), 'bargain-bench-report-usage-'));
  line(stageRunner(work)('collect (tables + whole report)', ['collect', '--results-dir', dir]));
  rmSync(work, { recursive: true, force: true });
  plotSizes(join(dir, 'report'));
}

async function main() {
  const sizes = size === 'all' ? ['seed', '10k', 'levels101'] : [size];
  for (const s of sizes) {
    const run = { seed: seedSize, '10k': tenK, levels101 }[s];
    if (!run) throw new Error(`unknown --size ${s}: use seed, 10k, levels101 or all`);
    const dir = keep ? resolve(keep, s) : mkdtempSync(join(tmpdir(), `bargain-bench-report-${s}-`));
    try {
      await run(dir);
    } finally {
      if (!keep) rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
