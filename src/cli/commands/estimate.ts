/** `bargain estimate`: calls, tokens and dollars per model, and a lower bound on wall time, before running. */
import type { Command } from 'commander';
import { estimateGrid } from '../../grid/estimate.ts';
import { experimentState, isFinished } from '../../grid/status.ts';
import { parseJobsFor } from '../../grid/grid.ts';
import { intArg } from '../options.ts';
import { layoutOf, loadGridFor, withLlmOptions, withResultsDir, type LlmFlags } from '../shared.ts';

interface EstimateFlags extends LlmFlags { resultsDir: string; jobs?: string; samples: number; json?: boolean }

const money = (x: number) => `$${x < 10 ? x.toFixed(4) : x.toFixed(2)}`;
const big = (x: number) => Math.round(x).toLocaleString('en-US');

export function registerEstimate(program: Command): void {
  withLlmOptions(withResultsDir(program.command('estimate')
    .description('predict calls, tokens, dollars and a lower bound on wall time for the experiments not yet complete')
    .option('--jobs <list>', 'only these experiment ids, e.g. 0-99,120')
    .option('--samples <k>', 'experiments simulated per competition level', intArg('--samples', 1, 50), 2)
    .option('--json', 'print the estimate as JSON')), { cache: false })
    .action(async (f: EstimateFlags) => {
      const layout = layoutOf(f);
      const { configs, resolver } = loadGridFor(layout, f.jobs ? parseJobsFor(layout, f.jobs) : undefined, f, { routes: false });
      const pending = configs.filter((c) => !isFinished(experimentState(layout, c).status));
      const est = await estimateGrid(pending, resolver, { samplesPerLevel: f.samples });
      if (f.json) {
        process.stdout.write(JSON.stringify({ ...est, perExperiment: Object.fromEntries(est.perExperiment) }, null, 2) + '\n');
        return;
      }
      const lines = [
        `Estimate for ${pending.length} of ${configs.length} experiments not yet complete in ${layout.root} (${est.sampled} simulated offline):`,
        '',
        `  ${'model'.padEnd(20)} ${'route'.padEnd(26)} ${'calls'.padStart(8)} ${'input tok'.padStart(12)} ${'output tok'.padStart(12)} ${'of which reasoning'.padStart(18)} ${'dollars'.padStart(10)} ${'at most'.padStart(10)}`,
        ...est.byModel.map((m) => `  ${m.model.padEnd(20)} ${m.route.padEnd(26)} ${big(m.calls).padStart(8)} ${big(m.inputTokens).padStart(12)} ${big(m.outputTokens).padStart(12)} ${big(m.reasoningTokens).padStart(18)} ${money(m.costUsd).padStart(10)} ${money(m.maxCostUsd).padStart(10)}`),
        `  ${'total'.padEnd(20)} ${''.padEnd(26)} ${big(est.calls).padStart(8)} ${''.padStart(12)} ${''.padStart(12)} ${''.padStart(18)} ${money(est.costUsd).padStart(10)} ${money(est.maxCostUsd).padStart(10)}`,
        '',
        ...est.byProvider.map((p) => `  ${p.provider}: ${big(p.calls)} calls, ${big(p.tokens)} tokens at ${big(p.rpm)} rpm / ${big(p.tpm)} tpm × ${p.keys} key${p.keys === 1 ? '' : 's'} → at least ${p.minutes.toFixed(1)} min (${p.limitedBy === 'tpm' ? 'tokens per minute' : 'requests per minute'} bind; raise with --${p.limitedBy} ${p.provider}=N to match your tier)`),
        est.byProvider.length
          ? `Wall time: at least ${(est.wallLowerBoundS / 60).toFixed(1)} min (the busiest provider's budget${est.byProvider[0] ? `: ${est.byProvider[0].provider}` : ''}); latency adds to it.`
          : 'No API calls: scripted experiments only.',
        'Assumes models negotiate like a linear concession agent (calls, prompt sizes), typical answer lengths, and half of each reasoning budget;',
        '"at most" assumes every negotiation runs all rounds with every answer at its cap. Cache hits cost nothing and are not subtracted.',
      ];
      process.stdout.write(lines.join('\n') + '\n');
    });
}
