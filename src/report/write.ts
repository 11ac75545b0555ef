/**
 * writeReport: the whole report of a results directory (DESIGN §5). Reads runs.csv and
 * results.csv (collect writes them first) and each experiment's result and transcript;
 * writes report/index.html, report/plots/*.svg|png and report/experiments/N.html, plus
 * aggregates.csv, aggregates.json and visualize_results.py beside the tables.
 * The report directory is built under a temporary name and swapped in whole, so a reader
 * never sees half a report and pages of experiments that vanished do not linger; the
 * other files are written atomically.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pidAlive, writeFileAtomicallySync } from '../files.ts';
import { aggregate, type Aggregates } from './aggregate.ts';
import { aggregatesCsv, aggregatesJson, summarySection as compactSection } from './aggregate-files.ts';
import { buildChartSpecs } from './charts.ts';
import { renderCharts } from './render.ts';
import { experimentPage } from './experiment-page.ts';
import { INDEX_DATA_FILE, indexData, indexPage, type IndexPageInput, type Totals } from './index-page.ts';
import { assertResultsDir, loadConfig, loadResult, loadTranscript, readTables } from './load.ts';
import type { ResultFile } from '../results/index.ts';
import { VISUALIZE_FILE } from '../results/layout.ts';
import { mergeServedModels, servedModelWarnings } from '../results/index.ts';

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
}

export interface ReportOutput {
  reportDir: string;
  indexPath: string;
  indexBytes: number;
  plots: string[];
  experimentPages: number;
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

export async function writeReport(resultsDir: string, opts: WriteReportOptions = {}): Promise<ReportOutput> {
  assertResultsDir(resultsDir);
  const dir = resolve(resultsDir);
  const tables = readTables(resultsDir);
  const scores = opts.scores ?? {};
  const agg = opts.aggregates ?? aggregate(tables.runs, { scores, resamples: opts.resamples, seed: opts.seed });
  const charts = await renderCharts(buildChartSpecs(agg), { png: opts.png });
  const warnings: string[] = [];

  // Result files first (small), so pages can link to their neighbours.
  const results = new Map<number, ResultFile>();
  for (const row of [...tables.results].sort((a, b) => a.experiment_id - b.experiment_id)) {
    if (!row.result_file) continue;
    const r = loadResult(dir, row.result_file);
    if (r.ok) results.set(row.experiment_id, r.value);
    else warnings.push(`experiment ${row.experiment_id}: ${r.error}; it has no page`);
  }
  const totals: Totals = {
    calls: 0,
    input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0,
  };
  for (const r of results.values()) {
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
  }
  // another model answering than the one requested changes what the numbers mean: said up front
  const servedWarnings = servedModelWarnings(mergeServedModels([...results.values()].map((r) => r.served_models)));

  sweepBuilding(dir);
  const building = join(dir, `.report.building-${process.pid}`);
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'plots'), { recursive: true });
  mkdirSync(join(building, 'experiments'), { recursive: true });
  const title = opts.title ?? `Scaling experiment report: ${basename(dir)}`;
  let indexBytes = 0;
  const plots: string[] = [];
  try {
    const ids = [...results.keys()];
    ids.forEach((id, k) => {
      const result = results.get(id)!;
      const t = loadTranscript(dir, result.transcript_file);
      const note = t.error ?? (t.badLines ? `${t.badLines} unreadable line(s) skipped` : undefined);
      const html = experimentPage({
        id,
        result,
        config: loadConfig(dir, id),
        events: t.events,
        transcriptNote: note,
        prev: k > 0 ? ids[k - 1] : null,
        next: k + 1 < ids.length ? ids[k + 1] : null,
        gridTitle: title,
      });
      writeFileSync(join(building, 'experiments', `${id}.html`), html);
    });
    for (const c of charts) {
      if (!c.svg) continue;
      writeFileSync(join(building, 'plots', `${c.id}.svg`), c.svg);
      plots.push(join(dir, REPORT, 'plots', `${c.id}.svg`));
      if (c.png) {
        writeFileSync(join(building, 'plots', `${c.id}.png`), c.png);
        plots.push(join(dir, REPORT, 'plots', `${c.id}.png`));
      }
    }
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
      charts,
      results: tables.results,
      runs: tables.runs,
      totals,
      pages: new Set(ids),
      scores,
      warnings,
      files,
      servedWarnings,
    };
    const html = indexPage(input);
    writeFileSync(join(building, INDEX_DATA_FILE), indexData(input));
    indexBytes = Buffer.byteLength(html);
    writeFileSync(join(building, 'index.html'), html);

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
  writeFileAtomicallySync(aggregatesJsonPath, JSON.stringify(aggregatesJson(agg), null, 2) + '\n');
  writeVisualizeScript(dir);
  const summaryMerged =
    opts.mergeSummary !== false && mergeIntoSummary(join(dir, 'summary.json'), summarySection, warnings);
  return {
    reportDir: join(dir, REPORT),
    indexPath: join(dir, REPORT, 'index.html'),
    indexBytes,
    plots,
    experimentPages: results.size,
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
