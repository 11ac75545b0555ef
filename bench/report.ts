/**
 * Report generation for the full scaling grid: 3 weak × 10 strong models × 10 levels =
 * 300 experiments × 4 runs, in the results layout, with the seed grid's 13 model names
 * (each played by a scripted strategy, so the negotiations are real) and per-call token
 * and prompt records like an LLM grid's. Prints wall and CPU time of writeReport (and of
 * its aggregation and chart parts), the index page's size and the pages' sizes.
 * Targets (issue 6): < 10 s, index.html < 2 MB. Asserts nothing.
 *
 *   node --import tsx bench/report.ts [--keep DIR] [--resamples 2000]
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistry } from '../src/providers/registry.ts';
import { PRESETS } from '../src/grid/presets.ts';
import { aggregate } from '../src/report/aggregate.ts';
import { buildChartSpecs } from '../src/report/charts.ts';
import { renderCharts } from '../src/report/render.ts';
import { readTables } from '../src/report/load.ts';
import { capabilityScores } from '../src/grid/scores.ts';
import { buildFixtureGrid } from '../src/report/testing/fixture-grid.ts';
import { writeReport } from '../src/report/write.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const keep = opt('--keep');
const resamples = Number(opt('--resamples') ?? 2000);

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

async function main() {
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'bargain-bench-report-'));
  try {
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
    console.log(`grid: ${built.value.length} experiments × 4 runs written in ${built.wall.toFixed(1)} s (${dir})`);
    const reg = loadRegistry();
    const scores = capabilityScores([...seed.weak, ...seed.strong], (m) => reg.capabilityScore(m));

    const { runs } = readTables(dir);
    const agg = await timed(async () => aggregate(runs, { scores, resamples }));
    const charts = await timed(() => renderCharts(buildChartSpecs(agg.value)));
    const full = await timed(() => writeReport(dir, { scores, resamples }));
    const out = full.value;
    const rep = dirBytes(out.reportDir);
    const pages = dirBytes(join(out.reportDir, 'experiments'));
    console.log(
      `runs: ${agg.value.runs} (${runs.length} runs.csv rows), cells ${agg.value.by_cell.length}, bootstrap ${resamples} resamples`,
    );
    console.log(`writeReport: ${full.wall.toFixed(2)} s wall, ${full.cpu.toFixed(2)} s CPU   (target < 10 s)`);
    console.log(
      `  of which aggregate: ${agg.wall.toFixed(2)} s wall, ${agg.cpu.toFixed(2)} s CPU; charts (SVG+PNG): ${charts.wall.toFixed(2)} s wall, ${charts.cpu.toFixed(2)} s CPU`,
    );
    console.log(`index.html: ${MB(out.indexBytes)}   (target < 2 MB)`);
    console.log(`experiment pages: ${out.experimentPages}, ${MB(pages.bytes)} total, largest ${MB(pages.max)}`);
    console.log(`report directory: ${rep.files} files, ${MB(rep.bytes)}; plots: ${out.plots.length} files`);
    console.log(
      `scaling: unscored models ${out.aggregates.scaling.unscored_models.join(', ') || 'none'}; pooled slope ${out.aggregates.scaling.fits[0].fit ? (out.aggregates.scaling.fits[0].fit.slope * 100).toFixed(2) : '–'} per 100 pts`,
    );
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
