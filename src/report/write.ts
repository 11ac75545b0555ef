/**
 * writeReport: the whole report of a results directory (DESIGN §5). Reads runs.csv and
 * results.csv (collect writes them first) and each experiment's result and transcript;
 * writes report/index.html, report/plots/*.svg|png and report/experiments/N.html, plus
 * aggregates.csv, aggregates.json and visualize_results.py beside the tables.
 * The report directory is built under a temporary name and swapped in whole, so a reader
 * never sees half a report and pages of experiments that vanished do not linger; the
 * other files are written atomically.
 * Experiments stream through one at a time (memory does not grow with the grid's
 * transcripts), and what has not changed since the last build (report/build.json: pages,
 * plots, the aggregates) is reused, linked from the previous report instead of rebuilt.
 */
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidAlive, writeFileAtomicallySync } from '../files.ts';
import { aggregate, type Aggregates } from './aggregate.ts';
import { aggregatesCsv, aggregatesJsonText, summarySection as compactSection } from './aggregate-files.ts';
import { buildChartSpecs, type ChartDef } from './charts.ts';
import { renderCharts, type RenderedChart } from './render.ts';
import { experimentPage } from './experiment-page.ts';
import {
  INDEX_DATA_FILE,
  indexData,
  indexPage,
  modelCosts,
  type IndexPageInput,
  type ModelCost,
  type Totals,
} from './index-page.ts';
import { assertResultsDir, insideDir, loadConfig, loadResult, loadTranscriptText, readTables } from './load.ts';
import { releaseGarbage } from './release-memory.ts';
import { BUILD_FILE, emptyBuild, jsonSafe, readBuild, sha1, stamp, type BuildRecord } from './build-cache.ts';
import type { ResultRow } from '../results/index.ts';
import { VISUALIZE_FILE } from '../results/layout.ts';
import { mergeServedModels, servedModelWarnings, type ServedModels } from '../results/index.ts';

export interface WriteReportOptions {
  /** capability score per model (registry `capability`, scripted `nominal_score`); unknown = left out of the scaling plot */
  scores?: Record<string, number | undefined>;
  /** precomputed aggregates (collect may have them already); otherwise computed from runs.csv */
  aggregates?: Aggregates;
  resamples?: number;
  seed?: number;
  /** write PNG copies of the plots (default true) */
  png?: boolean;
  title?: string;
  now?: () => Date;
  /** set summary.json's `aggregates` section when summary.json exists (default true) */
  mergeSummary?: boolean;
  /** reuse pages, plots and aggregates of the previous report whose inputs are unchanged (default true) */
  reuse?: boolean;
}

export interface ReportOutput {
  reportDir: string;
  indexPath: string;
  indexBytes: number;
  plots: string[];
  experimentPages: number;
  /** how many of the pages and plot files were taken over from the previous report unchanged */
  reused: { pages: number; plots: number; aggregates: boolean };
  aggregatesCsvPath: string;
  aggregatesJsonPath: string;
  visualizePath: string;
  aggregates: Aggregates;
  /** summary.json's `aggregates` section (compact; aggregates.json has everything) */
  summarySection: Record<string, unknown>;
  /** whether summary.json was updated with it */
  summaryMerged: boolean;
  warnings: string[];
}

const REPORT = 'report';
const BUILDING = /^\.report\.building-(\d+)$/;

/** Removes half-built report directories of processes that died. */
function sweepBuilding(dir: string): void {
  for (const name of readdirSync(dir)) {
    const m = BUILDING.exec(name) ?? /^\.report\.old-(\d+)$/.exec(name);
    if (m && Number(m[1]) !== process.pid && !pidAlive(Number(m[1])))
      rmSync(join(dir, name), { recursive: true, force: true });
  }
}

/** Takes a file of the previous report over unchanged: a hard link (no copy) where the filesystem allows. */
function carryOver(from: string, to: string): boolean {
  if (!existsSync(from)) return false;
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
  return true;
}

/** The aggregates, from the previous build when runs.csv and the options are the same. */
function aggregatesFor(
  runsCsvText: string,
  runs: Parameters<typeof aggregate>[0],
  o: { scores: Record<string, number | undefined>; resamples?: number; seed?: number },
  prev: BuildRecord,
  next: BuildRecord,
): { agg: Aggregates; reused: boolean } {
  const key = sha1(runsCsvText, JSON.stringify([o.scores, o.resamples ?? null, o.seed ?? null]));
  if (prev.aggregates?.key === key) {
    next.aggregates = prev.aggregates;
    return { agg: prev.aggregates.value, reused: true };
  }
  const agg = aggregate(runs, o);
  if (jsonSafe(agg)) next.aggregates = { key, value: agg };
  return { agg, reused: false };
}

/** Renders the plots whose spec changed; takes the others' files over from the previous report. */
async function writePlots(
  defs: ChartDef[],
  png: boolean,
  prevDir: string,
  building: string,
  prev: BuildRecord,
  next: BuildRecord,
): Promise<{ charts: RenderedChart[]; files: string[]; reused: number }> {
  const keyOf = (d: ChartDef) => sha1(JSON.stringify(d.spec), png ? 'png' : 'svg');
  const charts = new Map<string, RenderedChart>();
  let reused = 0;
  for (const d of defs) {
    const old = d.spec ? prev.plots[d.id] : undefined;
    if (!old || old.key !== keyOf(d)) continue;
    const svgPath = join(prevDir, 'plots', `${d.id}.svg`);
    if (!old.files.every((f) => existsSync(join(prevDir, 'plots', f)))) continue;
    for (const f of old.files) carryOver(join(prevDir, 'plots', f), join(building, 'plots', f));
    charts.set(d.id, { ...d, svg: readFileSync(svgPath, 'utf8'), width: old.width, height: old.height });
    next.plots[d.id] = old;
    reused += old.files.length;
  }
  const fresh = await renderCharts(
    defs.filter((d) => !charts.has(d.id)),
    { png },
  );
  for (const c of fresh) {
    charts.set(c.id, c);
    if (!c.svg) continue;
    const written = [`${c.id}.svg`];
    writeFileSync(join(building, 'plots', `${c.id}.svg`), c.svg);
    if (c.png) {
      writeFileSync(join(building, 'plots', `${c.id}.png`), c.png);
      written.push(`${c.id}.png`);
      c.png = undefined; // written: not held for the rest of the build
    }
    next.plots[c.id] = { key: keyOf(c), files: written, width: c.width, height: c.height };
  }
  // files in the plots' order, whatever was reused
  const files = defs.flatMap((d) => next.plots[d.id]?.files ?? []);
  return { charts: defs.map((d) => charts.get(d.id)!), files, reused };
}

/**
 * The tables, reduced to what the report keeps: the aggregates, the cost per model and
 * results.csv's rows. runs.csv's rows (two per run) are let go when this returns.
 */
function readAndAggregate(
  dir: string,
  opts: WriteReportOptions,
  scores: Record<string, number | undefined>,
  prev: BuildRecord,
  next: BuildRecord,
): { agg: Aggregates; reused: boolean; costs: ModelCost[]; results: ResultRow[] } {
  const tables = readTables(dir);
  const { agg, reused } = opts.aggregates
    ? { agg: opts.aggregates, reused: false }
    : aggregatesFor(tables.runsText, tables.runs, { scores, resamples: opts.resamples, seed: opts.seed }, prev, next);
  return { agg, reused, costs: modelCosts(tables.runs), results: tables.results };
}

interface PageSource {
  id: number;
  resultFile: string;
  transcriptFile: string | undefined;
  /** fingerprint of the result document's text */
  resultHash: string;
}

export async function writeReport(resultsDir: string, opts: WriteReportOptions = {}): Promise<ReportOutput> {
  assertResultsDir(resultsDir);
  const dir = resolve(resultsDir);
  const scores = opts.scores ?? {};
  const prevDir = join(dir, REPORT);
  const prev = opts.reuse === false ? emptyBuild() : readBuild(prevDir);
  const next = emptyBuild();
  const png = opts.png !== false;
  releaseGarbage(); // what came before (collect, in the same process)
  const { agg, reused: aggReused, costs, results } = readAndAggregate(dir, opts, scores, prev, next);
  releaseGarbage(); // runs.csv's rows and the aggregation's working data
  const warnings: string[] = [];

  // Pass 1, one result at a time: which experiments get a page (so pages can link to their
  // neighbours), the grid's totals and served models. Nothing of a result is kept but its fingerprint.
  const sources: PageSource[] = [];
  const totals: Totals = {
    calls: 0,
    input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0,
  };
  const served: (ServedModels | undefined)[] = [];
  for (const row of [...results].sort((a: ResultRow, b: ResultRow) => a.experiment_id - b.experiment_id)) {
    if (!row.result_file) continue;
    const loaded = loadResult(dir, row.result_file);
    if (!loaded.ok) {
      warnings.push(`experiment ${row.experiment_id}: ${loaded.error}; it has no page`);
      continue;
    }
    const r = loaded.value;
    sources.push({
      id: row.experiment_id,
      resultFile: row.result_file,
      transcriptFile: r.transcript_file,
      resultHash: sha1(loaded.text ?? ''),
    });
    totals.calls += r.calls ?? 0;
    totals.input_tokens += r.input_tokens ?? 0;
    totals.output_tokens += r.output_tokens ?? 0;
    totals.reasoning_tokens += r.reasoning_tokens ?? 0;
    // from the seats: results written before the totals existed have them there or nowhere (0)
    for (const run of r.runs)
      for (const a of run.agents) {
        totals.cache_read_tokens += a.cache_read_tokens ?? 0;
        totals.cache_write_tokens += a.cache_write_tokens ?? 0;
      }
    totals.cost_usd += r.cost_usd ?? 0;
    served.push(r.served_models);
  }
  // another model answering than the one requested changes what the numbers mean: said up front
  const servedWarnings = servedModelWarnings(mergeServedModels(served));

  sweepBuilding(dir);
  const building = join(dir, `.report.building-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'plots'), { recursive: true });
  mkdirSync(join(building, 'experiments'), { recursive: true });
  const title = opts.title ?? `Scaling experiment report: ${basename(dir)}`;
  let indexBytes = 0;
  let plots: string[] = [];
  let reusedPages = 0,
    reusedPlots = 0;
  try {
    // Pass 2: each page, rebuilt only when its inputs changed.
    sources.forEach((src, k) => {
      const prevId = k > 0 ? sources[k - 1].id : null;
      const nextId = k + 1 < sources.length ? sources[k + 1].id : null;
      const fingerprint = sha1(
        src.resultHash,
        stamp(src.transcriptFile ? insideDir(dir, src.transcriptFile) : null),
        stamp(join(dir, 'configs', `config_${src.id}.json`)),
        String(prevId),
        String(nextId),
        title,
      );
      const file = `${src.id}.html`;
      next.pages[src.id] = fingerprint;
      if (
        prev.pages[src.id] === fingerprint &&
        carryOver(join(prevDir, 'experiments', file), join(building, 'experiments', file))
      ) {
        reusedPages++;
        return;
      }
      const loaded = loadResult(dir, src.resultFile);
      if (!loaded.ok) {
        // rewritten between the passes by a grid still running: said, and built next time
        warnings.push(`experiment ${src.id}: ${loaded.error}; its page was not rebuilt`);
        delete next.pages[src.id];
        return;
      }
      const t = loadTranscriptText(dir, src.transcriptFile);
      const html = experimentPage({
        id: src.id,
        result: loaded.value,
        config: loadConfig(dir, src.id),
        transcript: t.text,
        transcriptNote: t.error,
        prev: prevId,
        next: nextId,
        gridTitle: title,
      });
      writeFileSync(join(building, 'experiments', file), html);
    });
    releaseGarbage(); // the pages' transcripts
    const drawn = await writePlots(buildChartSpecs(agg), png, prevDir, building, prev, next);
    plots = drawn.files.map((f) => join(dir, REPORT, 'plots', f));
    reusedPlots = drawn.reused;
    releaseGarbage(); // the plots' vega views
    const files = [
      'results.csv',
      'runs.csv',
      'aggregates.csv',
      'aggregates.json',
      'summary.json',
      'all_results.json',
      VISUALIZE_FILE,
    ]
      .filter((f) => f.startsWith('aggregates') || f === VISUALIZE_FILE || existsSync(join(dir, f)))
      .map((f) => ({ label: f, href: `../${f}` }));
    const input: IndexPageInput = {
      title,
      resultsDir,
      generatedAt: (opts.now?.() ?? new Date()).toISOString(),
      agg,
      charts: drawn.charts,
      results,
      costs,
      totals,
      pages: new Set(sources.map((s) => s.id)),
      scores,
      warnings,
      files,
      servedWarnings,
    };
    const html = indexPage(input);
    writeFileSync(join(building, INDEX_DATA_FILE), indexData(input));
    indexBytes = Buffer.byteLength(html);
    writeFileSync(join(building, 'index.html'), html);
    writeFileSync(join(building, BUILD_FILE), JSON.stringify(next) + '\n');

    // swap in whole
    const target = join(dir, REPORT);
    const old = join(dir, `.report.old-${process.pid}`);
    if (existsSync(target)) renameSync(target, old);
    renameSync(building, target);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(building, { recursive: true, force: true });
    throw e;
  }

  const summarySection = compactSection(agg);
  const aggregatesCsvPath = join(dir, 'aggregates.csv');
  const aggregatesJsonPath = join(dir, 'aggregates.json');
  const visualizePath = join(dir, VISUALIZE_FILE);
  writeFileAtomicallySync(aggregatesCsvPath, aggregatesCsv(agg));
  writeFileAtomicallySync(aggregatesJsonPath, aggregatesJsonText(agg));
  writeVisualizeScript(dir);
  const summaryMerged =
    opts.mergeSummary !== false && mergeIntoSummary(join(dir, 'summary.json'), summarySection, warnings);
  return {
    reportDir: join(dir, REPORT),
    indexPath: join(dir, REPORT, 'index.html'),
    indexBytes,
    plots,
    experimentPages: sources.length,
    reused: { pages: reusedPages, plots: reusedPlots, aggregates: aggReused },
    aggregatesCsvPath,
    aggregatesJsonPath,
    visualizePath,
    aggregates: agg,
    summarySection,
    summaryMerged,
    warnings,
  };
}

/** Sets summary.json's `aggregates` key (collect owns the rest of the file); false when there is no usable summary.json. */
function mergeIntoSummary(path: string, section: Record<string, unknown>, warnings: string[]): boolean {
  if (!existsSync(path)) return false;
  let summary: unknown;
  try {
    summary = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    warnings.push(
      `summary.json is not readable JSON (${(e as Error).message}); its aggregates section was not updated`,
    );
    return false;
  }
  if (!summary || typeof summary !== 'object' || Array.isArray(summary)) return false;
  writeFileAtomicallySync(
    path,
    JSON.stringify({ ...(summary as Record<string, unknown>), aggregates: section }, null, 2) + '\n',
  );
  return true;
}

/**
 * visualize_results.py, shipped beside this module: a standalone pandas + matplotlib script
 * for users who analyse in Python (the strong × weak advantage heatmap and the
 * advantage-vs-level plot from runs.csv). Located from this file, not the working directory.
 */
export const VISUALIZE_SOURCE = fileURLToPath(new URL(`./${VISUALIZE_FILE}`, import.meta.url));

/** Copies visualize_results.py into the results directory (atomically); returns its path. */
export function writeVisualizeScript(resultsDir: string): string {
  const p = join(resultsDir, VISUALIZE_FILE);
  writeFileAtomicallySync(p, readFileSync(VISUALIZE_SOURCE, 'utf8'));
  return p;
}
