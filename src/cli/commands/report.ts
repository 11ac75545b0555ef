/** `bargain report [--open]`: the HTML report of a results directory (collect runs the same). */
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadRegistry } from '../../providers/registry.ts';
import { writeReport, type ReportOutput } from '../../report/index.ts';
import { capabilityScores, type ScoreLookup } from '../../grid/scores.ts';
import { assertResultsDir, readResultsTable } from '../../report/load.ts';
import { assertWritableDir } from '../../files.ts';
import { withResultsDir } from '../shared.ts';

interface Flags {
  resultsDir: string;
  open?: boolean;
  models?: string;
  rebuild?: boolean;
}

/** Registry capability lookup (built-in registry, extended by a --models FILE). */
export async function registryScores(modelsFile?: string): Promise<ScoreLookup> {
  const reg = loadRegistry(modelsFile);
  return (m) => reg.capabilityScore(m);
}

/** Writes the report of `resultsDir`; returns the lines to print. Shared with collect. */
export async function reportFor(
  resultsDir: string,
  opts: { modelsFile?: string; rebuild?: boolean } = {},
): Promise<{ out: ReportOutput; lines: string[] }> {
  // every model of the grid, from results.csv (small), not runs.csv (two rows per run)
  const models = new Set(readResultsTable(resultsDir).flatMap((r) => [r.weak_model, r.strong_model]));
  const scores = capabilityScores(models, await registryScores(opts.modelsFile));
  const t0 = performance.now();
  const out = await writeReport(resultsDir, { scores, reuse: !opts.rebuild });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const a = out.aggregates;
  const lines = [
    `Report: ${out.indexPath} (${a.experiments} experiments with runs, ${a.runs} runs, ${out.experimentPages} experiment pages, ${out.plots.length} plot files, ${secs} s)`,
    `  Reused unchanged from the last report: ${out.reused.pages} of ${out.experimentPages} pages, ${out.reused.plots} of ${out.plots.length} plot files, ${out.reused.aggregates ? 'the aggregates' : 'no aggregates'}`,
    `  Open ${pathToFileURL(resolve(out.indexPath)).href}`,
    `  Wrote ${out.aggregatesCsvPath}, ${out.aggregatesJsonPath}, ${out.visualizePath}`,
  ];
  if (a.scaling.unscored_models.length)
    lines.push(`  Scaling plot leaves out (no capability score): ${a.scaling.unscored_models.join(', ')}`);
  for (const w of out.warnings) lines.push(`  Warning: ${w}`);
  return { out, lines };
}

/** Opens a file in the desktop's browser; false when no opener exists (headless machines). */
function openInBrowser(path: string): Promise<boolean> {
  const url = pathToFileURL(resolve(path)).href;
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  return new Promise((res) => {
    try {
      const child = spawn(cmd, args as string[], { detached: true, stdio: 'ignore' });
      child.once('error', () => res(false));
      child.once('spawn', () => {
        child.unref();
        res(true);
      });
    } catch {
      res(false);
    }
  });
}

export function registerReport(program: Command): void {
  withResultsDir(
    program
      .command('report')
      .description(
        'write the HTML report (report/index.html, plots, a page per experiment) from runs.csv and results.csv',
      ),
  )
    .option('--open', 'open report/index.html in the default browser')
    .option('--models <file>', 'model registry file extending the built-in one (for capability scores)')
    .option('--rebuild', 'rebuild every page and plot (by default those whose inputs are unchanged are reused)')
    .action(async (f: Flags) => {
      // one line before any work, instead of a failed mkdir deep inside the report's build
      assertResultsDir(f.resultsDir);
      assertWritableDir(f.resultsDir, 'results directory');
      const { out, lines } = await reportFor(f.resultsDir, { modelsFile: f.models, rebuild: f.rebuild });
      process.stdout.write(lines.join('\n') + '\n');
      if (f.open && !(await openInBrowser(out.indexPath))) {
        process.stdout.write(`  No browser opener found (xdg-open/open); open ${out.indexPath} yourself\n`);
      }
    });
}
