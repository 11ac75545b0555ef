/** `bargain collect`: results tables and summary (then the report). */
import type { Command } from 'commander';
import { collect } from '../../grid/collect.ts';
import { loadConfigs } from '../../grid/grid.ts';
import type { Layout } from '../../results/layout.ts';
import { assertWritableDir, sweepTempFiles } from '../../files.ts';
import { layoutOf, withResultsDir } from '../shared.ts';
import { reportFor } from './report.ts';

export async function collectAndReport(
  layout: Layout,
  opts: { modelsFile?: string; report?: boolean } = {},
): Promise<string[]> {
  const lines = collectTables(layout);
  if (opts.report === false) {
    lines.push(`  No report (--no-report); write it with \`bargain report --results-dir ${layout.root}\``);
    return lines;
  }
  const { lines: report } = await reportFor(layout.root, opts);
  return [...lines, ...report];
}

/** Collects the tables and summary; returns the lines to print. Nothing of the results outlives it (the report streams its own). */
function collectTables(layout: Layout): string[] {
  const configs = loadConfigs(layout);
  assertWritableDir(layout.root, 'results directory');
  sweepTempFiles(layout.root); // leftovers of killed writers (e.g. SLURM tasks), so every file left parses
  const out = collect(layout, configs);
  const c = out.counts;
  const s = out.summary as Record<string, number | null>;
  return [
    `Collected ${configs.length} experiments in ${layout.root}: ${c.SUCCESS} successful, ${c.FAILED} failed, ${c.TIMEOUT} timeout, ` +
      `${c.RUNNING ? `${c.RUNNING} running (another process), ` : ''}${c.INCOMPLETE} incomplete, ${c.NOT_STARTED} not started` +
      (out.unknown.length
        ? `, ${out.unknown.length} with an unknown status (${out.unknown
            .slice(0, 5)
            .map((u) => `${u.id}: ${JSON.stringify(u.status)}`)
            .join(', ')}${out.unknown.length > 5 ? ', …' : ''})`
        : '') +
      ` (success rate ${s.success_rate === null ? '-' : (100 * s.success_rate!).toFixed(1) + '%'})`,
    `  Runs ${s.runs} | agreement rate ${fmt(s.agreement_rate)} | mean utility weak ${fmt(s.weak_utility)} strong ${fmt(s.strong_utility)} | advantage ${fmt(s.advantage)}` +
      (s.cost_usd ? ` | cost $${s.cost_usd.toFixed(4)}` : ''),
    `  Wrote ${['all_results.json', 'summary.json', 'results.csv', 'runs.csv'].map((f) => `${layout.root}/${f}`).join(', ')}`,
  ];
}

function fmt(x: number | null | undefined): string {
  return x === null || x === undefined ? '-' : x.toFixed(3);
}

export function registerCollect(program: Command): void {
  withResultsDir(
    program
      .command('collect')
      .description('collect results into all_results.json, summary.json, results.csv, runs.csv and the report')
      .option('--models <file>', 'a models JSON file (capability scores for the scaling plot)')
      .option('--no-report', 'write the tables and summary only; `bargain report` writes the report later'),
  ).action(async (f: { resultsDir: string; models?: string; report: boolean }) => {
    process.stdout.write(
      (await collectAndReport(layoutOf(f), { modelsFile: f.models, report: f.report })).join('\n') + '\n',
    );
  });
}
