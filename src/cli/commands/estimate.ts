/** `bargain estimate`: calls, tokens and dollars per model, and a lower bound on wall time, before running. */
import type { Command } from 'commander';
import { ASSUMED_REASONING_BUDGET, estimateGrid, type GridEstimate } from '../../grid/estimate.ts';
import { experimentState, isFinished } from '../../grid/status.ts';
import { parseJobsFor } from '../../grid/grid.ts';
import { intArg } from '../options.ts';
import { layoutOf, loadGridFor, withLlmOptions, withResultsDir, type LlmFlags } from '../shared.ts';

interface EstimateFlags extends LlmFlags {
  resultsDir: string;
  jobs?: string;
  samples: number;
  json?: boolean;
  promptCache?: boolean;
}

const money = (x: number) => `$${x < 10 ? x.toFixed(4) : x.toFixed(2)}`;
const big = (x: number) => Math.round(x).toLocaleString('en-US');
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** The estimate as text: per model, with and without prompt caching, then the wall-time bound per provider. */
export function estimateText(est: GridEstimate, head: string): string {
  const pc = est.promptCache;
  const lines = [
    head,
    '',
    `  ${'model'.padEnd(20)} ${'route'.padEnd(26)} ${'calls'.padStart(8)} ${'input tok'.padStart(12)} ${'output tok'.padStart(12)} ${'of which reasoning'.padStart(18)} ${'dollars'.padStart(10)} ${'at most'.padStart(10)}`,
    ...est.byModel.map(
      (m) =>
        `  ${m.model.padEnd(20)} ${m.route.padEnd(26)} ${big(m.calls).padStart(8)} ${big(m.inputTokens).padStart(12)} ${big(m.outputTokens).padStart(12)} ${big(m.reasoningTokens).padStart(18)} ${money(m.costUsd).padStart(10)} ${money(m.maxCostUsd).padStart(10)}`,
    ),
    `  ${'total'.padEnd(20)} ${''.padEnd(26)} ${big(est.calls).padStart(8)} ${''.padStart(12)} ${''.padStart(12)} ${''.padStart(18)} ${money(est.costUsd).padStart(10)} ${money(est.maxCostUsd).padStart(10)}`,
    '',
  ];
  if (pc) {
    lines.push(
      "With prompt caching (each call re-sends the agent's previous prompt as its prefix; --no-prompt-cache turns it off):",
      `  ${'model'.padEnd(20)} ${'cached in tok'.padStart(14)} ${'cached share'.padStart(12)} ${'cache write tok'.padStart(16)} ${'min cacheable'.padStart(13)} ${'dollars'.padStart(10)} ${'at most'.padStart(10)}`,
      ...est.byModel.map(
        (m) =>
          `  ${m.model.padEnd(20)} ${big(m.cacheReadTokens).padStart(14)} ${(m.inputTokens ? pct(m.cacheReadTokens / m.inputTokens) : '–').padStart(12)} ${big(m.cacheWriteTokens).padStart(16)} ${(m.minCacheableTokens === null ? 'none' : big(m.minCacheableTokens)).padStart(13)} ${money(m.cachedCostUsd).padStart(10)} ${money(m.cachedMaxCostUsd).padStart(10)}${m.cacheNote ? `  (${m.cacheNote})` : ''}`,
      ),
      `  ${'total'.padEnd(20)} ${big(pc.cacheReadTokens).padStart(14)} ${''.padStart(12)} ${big(pc.cacheWriteTokens).padStart(16)} ${''.padStart(13)} ${money(pc.costUsd).padStart(10)} ${money(pc.maxCostUsd).padStart(10)}`,
      `Dollars: ${money(est.costUsd)} expected (at most ${money(est.maxCostUsd)}) without caching; ${money(pc.costUsd)} (at most ${money(pc.maxCostUsd)}) with it` +
        (pc.inputCostShare === null ? '.' : `: input-token dollars at ${pct(pc.inputCostShare)} of the uncached.`),
      '',
    );
  } else {
    lines.push(
      `Dollars: ${money(est.costUsd)} expected, at most ${money(est.maxCostUsd)}, without prompt caching (--no-prompt-cache).`,
      '',
    );
  }
  const cachedBy = new Map((pc?.byProvider ?? []).map((p) => [p.provider, p]));
  for (const p of est.byProvider) {
    const c = cachedBy.get(p.provider);
    lines.push(
      `  ${p.provider}: ${big(p.calls)} calls, ${big(p.tokens)} tokens at ${big(p.rpm)} rpm / ${big(p.tpm)} tpm × ${p.keys} key${p.keys === 1 ? '' : 's'} → at least ${p.minutes.toFixed(1)} min (${p.limitedBy === 'tpm' ? 'tokens per minute' : 'requests per minute'} bind; raise with --${p.limitedBy} ${p.provider}=N to match your tier)` +
        (c
          ? `; with caching ${big(c.tokens)} tokens count → at least ${c.minutes.toFixed(1)} min${c.tokens < p.tokens ? " (cache reads do not count toward Anthropic's input tokens per minute)" : ''}`
          : ''),
    );
  }
  if (est.byProvider.length) {
    lines.push(
      `Wall time: at least ${(est.wallLowerBoundS / 60).toFixed(1)} min (the busiest provider's budget${est.byProvider[0] ? `: ${est.byProvider[0].provider}` : ''}); latency adds to it.` +
        (pc
          ? ` With prompt caching: at least ${(pc.wallLowerBoundS / 60).toFixed(1)} min${pc.byProvider[0] ? ` (${pc.byProvider[0].provider})` : ''}.`
          : ''),
    );
  } else {
    lines.push('No API calls: scripted experiments only.');
  }
  const assumed = est.byModel.filter((m) => m.reasoningAssumed).map((m) => m.model);
  lines.push(
    'Assumes models negotiate like a linear concession agent (calls, prompt sizes) and typical answer lengths;',
    `reasoning models spend half of their reasoning budget per call — an assumption; where the registry gives no budget, ${big(ASSUMED_REASONING_BUDGET)} is assumed${assumed.length ? ` (${assumed.join(', ')})` : ''};`,
    '"at most" assumes every negotiation runs all rounds with every answer at its cap. Response-cache hits cost nothing and are not subtracted.',
  );
  if (pc)
    lines.push(
      "Caching assumes each agent's next call comes within the cache lifetime (5 min) and hits; providers cache best-effort, so the figures without caching are the bound.",
    );
  return lines.join('\n') + '\n';
}

export function registerEstimate(program: Command): void {
  const cmd = withLlmOptions(
    withResultsDir(
      program
        .command('estimate')
        .description(
          'predict calls, tokens, dollars (with and without prompt caching) and a lower bound on wall time for the experiments not yet complete',
        )
        .option('--jobs <list>', 'only these experiment ids, e.g. 0-99,120')
        .option('--samples <k>', 'experiments simulated per competition level', intArg('--samples', 1, 50), 2)
        .option('--json', 'print the estimate as JSON'),
    ),
    { cache: false },
  );
  // run's shared options may carry --no-prompt-cache already; estimate needs it either way
  if (!cmd.options.some((o) => o.long === '--no-prompt-cache'))
    cmd.option('--no-prompt-cache', 'estimate without prompt caching (only the figures without it)');
  cmd.action(async (f: EstimateFlags) => {
    const layout = layoutOf(f);
    const { configs, resolver } = loadGridFor(layout, f.jobs ? parseJobsFor(layout, f.jobs) : undefined, f, {
      routes: false,
    });
    const pending = configs.filter((c) => !isFinished(experimentState(layout, c).status));
    const est = await estimateGrid(pending, resolver, {
      samplesPerLevel: f.samples,
      promptCache: f.promptCache !== false,
    });
    if (f.json) {
      process.stdout.write(
        JSON.stringify({ ...est, perExperiment: Object.fromEntries(est.perExperiment) }, null, 2) + '\n',
      );
      return;
    }
    process.stdout.write(
      estimateText(
        est,
        `Estimate for ${pending.length} of ${configs.length} experiments not yet complete in ${layout.root} (${est.sampled} simulated offline):`,
      ),
    );
  });
}
