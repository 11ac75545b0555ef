/** Pieces several commands share: the results-dir option, loading the grid, the agent factory. */
import type { Command } from 'commander';
import { DEFAULT_RESULTS_DIR, Layout } from '../results/layout.ts';
import { loadConfigs } from '../grid/grid.ts';
import { assertSafeResultsDir } from '../grid/generate.ts';
import {
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_MAX_WAIT_MS,
  ModelResolver,
  type LlmSettings,
} from '../grid/model-resolver.ts';
import { parseBaseUrlFlags } from '../providers/route.ts';
import { UserError } from '../errors.ts';
import { PHASES } from '../agents/agent.ts';
import { RetiredModelsError } from '../providers/lifecycle.ts';
import { checkedModels, checkModels, formatCheck, recentPass, rememberPasses } from '../grid/preflight.ts';
import { experimentState, isFinished } from '../grid/status.ts';
import { floatArg, intArg, modelUrlArg, providerValueArg } from './options.ts';
import type { ExperimentConfig } from '../results/index.ts';

export const DEFAULT_PARALLEL_OFFLINE = 4;
export const DEFAULT_PARALLEL_API = 32;

/** --parallel when not given: API grids wait on providers, so many experiments may be open at once. */
export function parallelFor(configs: ExperimentConfig[], given?: number): number {
  if (given !== undefined) return given;
  return configs.some((c) => !c.weak_model.startsWith('scripted:') || !c.strong_model.startsWith('scripted:'))
    ? DEFAULT_PARALLEL_API
    : DEFAULT_PARALLEL_OFFLINE;
}

export function withResultsDir(cmd: Command): Command {
  return cmd.option('--results-dir <dir>', 'results directory', DEFAULT_RESULTS_DIR);
}

export function withRunOptions(cmd: Command): Command {
  return cmd
    .option(
      '--parallel <n>',
      `experiments active at once (default ${DEFAULT_PARALLEL_OFFLINE} offline, ${DEFAULT_PARALLEL_API} with API models, where the rate budgets do the limiting)`,
      intArg('--parallel', 1, 10000),
    )
    .option('--timeout <seconds>', 'limit for each negotiation run of an experiment', intArg('--timeout', 1), 600)
    .option('--no-check', 'skip the one-call-per-model check before starting (a pass is remembered for an hour)');
}

/**
 * The check before a run (bargain check): one real call per API model of the experiments
 * about to start, unless --no-check, a pass within the hour, or only the mock's sim:
 * models (nothing to pay, nothing retired). A failed model stops everything before the
 * first experiment starts.
 */
export async function preflight(
  layout: Layout,
  resolver: ModelResolver,
  configs: ExperimentConfig[],
  f: { check?: boolean },
): Promise<void> {
  if (f.check === false) return;
  const pending = configs.filter((c) => !isFinished(experimentState(layout, c).status));
  const models = checkedModels(pending.flatMap((c) => [c.weak_model, c.strong_model]));
  if (models.length === 0 || models.every((m) => m.startsWith('sim:'))) return;
  const passed = recentPass(layout, resolver, models);
  if (passed) {
    process.stdout.write(`Model check: all ${models.length} passed since ${passed} (within the hour); not repeated.\n`);
    return;
  }
  process.stdout.write(
    `Checking ${models.length} model${models.length === 1 ? '' : 's'} with one call each before starting (--no-check skips):\n`,
  );
  const rows = await checkModels(resolver, models);
  process.stdout.write(
    formatCheck(rows)
      .map((l) => `  ${l}`)
      .join('\n') + '\n',
  );
  const bad = rows.filter((r) => !r.ok);
  rememberPasses(layout, resolver, rows);
  if (bad.length) {
    throw new UserError(
      `the check failed for ${bad.map((r) => r.model).join(', ')}; no experiment was started; fix: see the table above (bargain check repeats it), or pass --no-check to run anyway`,
    );
  }
}

export function layoutOf(o: { resultsDir: string }): Layout {
  assertSafeResultsDir(o.resultsDir); // never / or the home directory
  return new Layout(o.resultsDir);
}

export interface LlmFlags {
  models?: string;
  baseUrl?: string[];
  callTimeout?: number;
  maxWait?: number;
  rpm?: Record<string, number>;
  tpm?: Record<string, number>;
  concurrency?: Record<string, number>;
  cache?: boolean;
  /** false with --no-prompt-cache */
  promptCache?: boolean;
  maxTokensDiscussion?: number;
  maxTokensThinking?: number;
  maxTokensProposal?: number;
  maxTokensVoting?: number;
  maxTokensReflection?: number;
  maxTokensDefault?: number;
  allowRetired?: boolean;
  /** false with --no-check */
  check?: boolean;
}

/** Options of everything that talks to LLM providers: registry, routes, budgets, cache, token caps. */
export function withLlmOptions(cmd: Command, opts: { cache?: boolean; modelsFileFlag?: string } = {}): Command {
  cmd
    .option(
      `${opts.modelsFileFlag ?? '--models'} <file>`,
      'a models JSON file that extends or overrides the built-in registry',
    )
    .option('--base-url <model=url>', 'serve MODEL from an OpenAI-compatible server at URL, repeatable', modelUrlArg)
    .option(
      '--call-timeout <seconds>',
      `limit for one provider call before it is retried (default ${DEFAULT_CALL_TIMEOUT_MS / 1000})`,
      intArg('--call-timeout', 1),
    )
    .option(
      '--max-wait <seconds>',
      `longest pause honoured for one Retry-After (default ${DEFAULT_MAX_WAIT_MS / 1000})`,
      intArg('--max-wait', 1),
    )
    .option(
      '--rpm <provider=n>',
      "requests per minute per key of a provider (default: the registry's), repeatable",
      providerValueArg('--rpm', false),
    )
    .option(
      '--tpm <provider=n>',
      'tokens per minute per key of a provider, repeatable',
      providerValueArg('--tpm', true),
    )
    .option(
      '--concurrency <provider=n>',
      'requests in flight per key of a provider, repeatable',
      providerValueArg('--concurrency', true),
    )
    .option(
      '--allow-retired',
      "run models the registry lists as retired on today's date (a key still served them by arrangement); warns instead of refusing",
    );
  for (const phase of [...PHASES, 'default']) {
    cmd.option(
      `--max-tokens-${phase} <n>`,
      `output-token cap of the ${phase} phase${phase === 'default' ? ' (any phase without its own)' : ''}`,
      intArg(`--max-tokens-${phase}`, 1, 1_000_000),
    );
  }
  if (opts.cache !== false) cmd.option('--no-cache', 'do not read or write the response cache');
  cmd.option(
    '--no-prompt-cache',
    'do not ask providers to cache prompt prefixes (no Anthropic cache_control, no OpenAI prompt_cache_key); cached answers from runs with it are kept apart',
  );
  return cmd;
}

export function llmSettingsOf(f: LlmFlags & { modelsFile?: string }): LlmSettings {
  return {
    modelsFile: f.modelsFile ?? f.models,
    baseUrls: f.baseUrl ? parseBaseUrlFlags(f.baseUrl) : undefined,
    callTimeoutMs: f.callTimeout === undefined ? undefined : f.callTimeout * 1000,
    maxWaitMs: f.maxWait === undefined ? undefined : f.maxWait * 1000,
    rpm: f.rpm,
    tpm: f.tpm,
    concurrency: f.concurrency,
    noCache: f.cache === false,
    allowRetired: f.allowRetired,
    ...(f.promptCache === false ? { promptCache: false } : {}),
    maxTokens: Object.fromEntries(
      Object.entries({
        discussion: f.maxTokensDiscussion,
        thinking: f.maxTokensThinking,
        proposal: f.maxTokensProposal,
        voting: f.maxTokensVoting,
        reflection: f.maxTokensReflection,
        default: f.maxTokensDefault,
      }).filter(([, v]) => v !== undefined),
    ),
  };
}

export const maxCostArg = floatArg('--max-cost', (x) => x > 0, 'greater than 0 (US dollars)');

/** Loads and validates the selected configs and builds the agents they need (failing early on names and keys). */
export function loadGridFor(layout: Layout, ids?: number[], flags: LlmFlags = {}, opts: { routes?: boolean } = {}) {
  const configs = loadConfigs(layout, ids);
  const models = [...new Set(configs.flatMap((c) => [c.weak_model, c.strong_model]))];
  const resolver = new ModelResolver(layout, llmSettingsOf(flags));
  let factory;
  try {
    resolver.checkNames(
      models,
      resolver.expectedEnd(configs.filter((c) => !isFinished(experimentState(layout, c).status))),
    );
    if (opts.routes !== false) factory = resolver.factory(models);
  } catch (e) {
    if (e instanceof UserError && !(e instanceof RetiredModelsError)) {
      const where = configs.find(
        (c) => e.message.includes(`"${c.weak_model}"`) || e.message.includes(`"${c.strong_model}"`),
      );
      throw new UserError(`${where ? layout.config(where.experiment_id) + ': ' : ''}${e.message}`);
    }
    throw e;
  }
  return { configs, factory: factory!, resolver };
}

export function pairLabel(c: ExperimentConfig): string {
  return `${c.weak_model} vs ${c.strong_model} at level ${c.competition_level}`;
}
