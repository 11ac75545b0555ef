/**
 * `estimate` (DESIGN §3, Cost): calls, tokens and dollars per model, and a lower bound on
 * wall time from the rate budgets, before anything is spent.
 *
 * How: a sample of the pending experiments is negotiated offline, in-process, by the real
 * LLM agent (the same prompts, parsing and repair) against the mock server's negotiator,
 * which answers in character as a `linear` concession agent (or the strategy a sim: model
 * names). That gives calls per run and prompt sizes by level. Answers of real models are
 * longer than the simulated ones, so output tokens take at least a typical length per
 * phase, and reasoning models add half of their reasoning budget per call. Real models
 * may agree sooner or later than the proxy: the estimate also gives an upper bound
 * (every negotiation lasting all rounds).
 *
 * Prompt caching (prompt-cache-model.ts): each agent's simulated prompt sizes, call by call,
 * give the cached reads and writes per provider rule; dollars and the wall-time bound are
 * given with and without caching (only without under --no-prompt-cache).
 */
import { SimChatModel } from '../agents/sim/chat-model.ts';
import { createLlmAgentFactory, type LlmCallRecord } from '../agents/llm/index.ts';
import { isScripted, scriptedFactory } from '../agents/index.ts';
import { runSeries } from '../protocol/series.ts';
import type { ChatModel } from '../providers/types.ts';
import { callCostUsd } from '../providers/cost.ts';
import type { ModelResolver } from './model-resolver.ts';
import { cacheRule, cacheSplit, cachedCostUsd, NO_CACHE, type CacheRule } from './prompt-cache-model.ts';
import { specOf, type ExperimentConfig } from '../results/index.ts';

/** Typical answer lengths of real models per phase (tokens), a floor under the simulated ones. */
const TYPICAL_OUTPUT: Record<string, number> = {
  discussion: 120,
  thinking: 200,
  proposal: 120,
  voting: 60,
  reflection: 120,
};

/** Reasoning tokens per call assumed where the registry gives a reasoning model no budget. */
export const ASSUMED_REASONING_BUDGET = 1024;

export interface ModelEstimate {
  model: string;
  provider: string;
  route: string;
  calls: number;
  maxCalls: number;
  /** costUsd / maxCostUsd: without prompt caching (every input token at the input price) */
  inputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  maxCostUsd: number;
  /** with prompt caching: input tokens read from and written to the cache, and the dollars */
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cachedCostUsd: number;
  cachedMaxCostUsd: number;
  /** the provider's minimum cacheable prompt length for this model (null: no caching modelled) */
  minCacheableTokens: number | null;
  /** why caching is not modelled, or an assumption made for it */
  cacheNote?: string;
  /** reasoning tokens per call (half the budget) came from the assumed budget, not the registry */
  reasoningAssumed: boolean;
}

export interface ProviderBound {
  provider: string;
  calls: number;
  tokens: number;
  rpm: number;
  tpm: number;
  keys: number;
  minutes: number;
  limitedBy: 'rpm' | 'tpm';
}

export interface GridEstimate {
  experiments: number;
  calls: number;
  maxCalls: number;
  /** without prompt caching */
  costUsd: number;
  maxCostUsd: number;
  byModel: ModelEstimate[];
  /** per experiment id: expected calls and dollars without caching (for --max-cost) and with it */
  perExperiment: Map<number, { calls: number; costUsd: number; cachedCostUsd: number }>;
  /** per provider: calls and tokens, and the minutes its budgets (RPM and TPM) need at least, without caching */
  byProvider: ProviderBound[];
  wallLowerBoundS: number;
  /** with prompt caching; null under --no-prompt-cache */
  promptCache: null | {
    costUsd: number;
    maxCostUsd: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
    /** input-token dollars with caching as a share of those without */
    inputCostShare: number | null;
    /** TPM counts what each provider counts: Anthropic leaves cache reads out (on current models) */
    byProvider: ProviderBound[];
    wallLowerBoundS: number;
  };
  sampled: number;
}

/** One role's simulated calls: counts, tokens, and each agent's prompt sizes in call order (one chain per run). */
interface Shape {
  calls: number[];
  input: number[];
  output: number[];
  byPhase: Record<string, number>;
  chains: number[][];
}

/** Offline sample: per seat role, calls and tokens of one experiment of this config's shape. */
export async function simulate(
  c: ExperimentConfig,
  players: { weak: string; strong: string },
): Promise<{ weak: Shape; strong: Shape; rounds: number }> {
  const sims = new Map<string, ChatModel>();
  const simFor = (model: string): ChatModel => {
    let m = sims.get(model);
    if (!m) {
      // an API model is sampled by a proxy playing the brain's default strategy
      m = new SimChatModel(model.startsWith('sim:') ? model : 'estimate-proxy', 'estimate');
      sims.set(model, m);
    }
    return m;
  };
  const llm = createLlmAgentFactory({ chatModelFor: simFor, recordPrompt: 'delta' });
  const spec = specOf(c);
  const out = { weak: blank(), strong: blank(), rounds: 0 };
  const docs = await runSeries({
    spec,
    level: c.competition_level,
    seed: c.random_seed,
    numRuns: c.num_runs,
    players: [
      { model: players.weak, role: 'weak' },
      { model: players.strong, role: 'strong' },
    ],
    factory: (model, ctx) => (isScripted(model) ? scriptedFactory(model, ctx) : llm(model, ctx)),
    onRun: (doc, events) => {
      const chains = new Map<string, number[]>();
      for (const e of events) {
        if (e.type !== 'turn' || !e.calls) continue;
        const role = doc.agents.find((a) => a.agent === e.agent)!.role as 'weak' | 'strong';
        let chain = chains.get(e.agent);
        if (!chain) {
          chains.set(e.agent, (chain = []));
          out[role].chains.push(chain);
        }
        for (const call of e.calls as LlmCallRecord[]) {
          const s = out[role];
          s.calls.push(1);
          s.input.push(call.input_tokens);
          s.output.push(Math.max(call.output_tokens, TYPICAL_OUTPUT[call.phase] ?? 100));
          s.byPhase[call.phase] = (s.byPhase[call.phase] ?? 0) + 1;
          chain.push(call.input_tokens);
        }
      }
    },
  });
  out.rounds = docs.reduce((t, d) => t + (d.round ?? c.max_rounds), 0) / docs.length;
  return out;
}

/** The route the model would take now; without keys yet, its direct provider at list price. */
function routeOrDirect(
  resolver: ModelResolver,
  model: string,
): { provider: string; label: string; priceMultiplier: number; keyLabels: string[] } {
  try {
    return resolver.route(model);
  } catch {
    const e = resolver.registry.get(model);
    return { provider: e.provider, label: `${e.provider} (no key set yet)`, priceMultiplier: 1, keyLabels: [] };
  }
}

function blank(): Shape {
  return { calls: [], input: [], output: [], byPhase: {}, chains: [] };
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** A simulated sample of one role: mean calls and tokens per experiment, and every agent's prompt-size chain. */
interface RoleSample {
  calls: number;
  input: number;
  output: number;
  chains: number[][];
  picks: number;
}

export interface EstimateOptions {
  samplesPerLevel?: number;
  /** false (--no-prompt-cache): only the figures without caching */
  promptCache?: boolean;
  /** replaces the offline negotiation (tests: known prompt sizes) */
  simulate?: typeof simulate;
}

export async function estimateGrid(
  configs: ExperimentConfig[],
  resolver: ModelResolver,
  opts: EstimateOptions = {},
): Promise<GridEstimate> {
  const per = opts.samplesPerLevel ?? 2;
  const withCache = opts.promptCache !== false;
  const sim = opts.simulate ?? simulate;
  // Sample: the first `per` experiments of each (level, shape), played by the proxy
  // (or the sim: strategies when both sides are sim models, so a sim grid is exact in kind).
  const groups = new Map<string, ExperimentConfig[]>();
  const shapeKey = (c: ExperimentConfig) => {
    const play = (m: string) => (m.startsWith('sim:') || isScripted(m) ? m : 'proxy');
    return JSON.stringify([
      c.competition_level,
      c.num_items,
      c.max_rounds,
      c.num_runs,
      c.gamma_discount,
      c.discussion_turns,
      c.game ?? 'item-allocation',
      c.rho ?? null,
      c.num_issues ?? null,
      c.sigma ?? null,
      c.num_projects ?? null,
      play(c.weak_model),
      play(c.strong_model),
    ]);
  };
  for (const c of configs) {
    const k = shapeKey(c);
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(c);
  }
  const samples = new Map<string, { weak: RoleSample; strong: RoleSample }>();
  let sampled = 0;
  for (const [k, list] of groups) {
    const acc = {
      weak: { calls: 0, input: 0, output: 0, chains: [] as number[][], picks: 0 },
      strong: { calls: 0, input: 0, output: 0, chains: [] as number[][], picks: 0 },
    };
    const picks = list.slice(0, per);
    for (const c of picks) {
      const asProxy = (m: string) => (m.startsWith('sim:') || isScripted(m) ? m : 'sim:linear');
      const r = await sim(c, { weak: asProxy(c.weak_model), strong: asProxy(c.strong_model) });
      sampled++;
      for (const role of ['weak', 'strong'] as const) {
        acc[role].calls += r[role].calls.length;
        acc[role].input += sum(r[role].input);
        acc[role].output += sum(r[role].output);
        acc[role].chains.push(...r[role].chains);
      }
    }
    for (const role of ['weak', 'strong'] as const) {
      acc[role].calls /= picks.length;
      acc[role].input /= picks.length;
      acc[role].output /= picks.length;
      acc[role].picks = picks.length;
    }
    samples.set(k, acc);
  }

  // cached reads and writes per experiment of a shape and role, for one caching rule
  const splits = new Map<string, { read: number; write: number }>();
  const splitOf = (key: string, role: 'weak' | 'strong', x: RoleSample, rule: CacheRule) => {
    const id = JSON.stringify([key, role, rule.enabled, rule.minTokens, rule.step, rule.writes]);
    let v = splits.get(id);
    if (!v) {
      const t = cacheSplit(x.chains, rule);
      splits.set(id, (v = { read: t.read / x.picks, write: t.write / x.picks }));
    }
    return v;
  };

  const byModel = new Map<string, ModelEstimate>();
  const perExperiment = new Map<number, { calls: number; costUsd: number; cachedCostUsd: number }>();
  const provCalls = new Map<string, number>();
  const provTokens = new Map<string, number>();
  const provTokensCached = new Map<string, number>();
  let inputUsd = 0,
    inputUsdCached = 0;
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const c of configs) {
    const key = shapeKey(c);
    const s = samples.get(key)!;
    let expCalls = 0,
      expCost = 0,
      expCached = 0;
    for (const [role, model] of [
      ['weak', c.weak_model],
      ['strong', c.strong_model],
    ] as const) {
      if (isScripted(model)) continue;
      const entry = resolver.registry.get(model);
      const route = routeOrDirect(resolver, model);
      const x = s[role];
      const reasoningAssumed = entry.sampling.kind !== 'chat' && entry.sampling.reasoning_tokens === undefined;
      const reasoningPerCall =
        entry.sampling.kind === 'chat'
          ? 0
          : Math.round((entry.sampling.reasoning_tokens ?? ASSUMED_REASONING_BUDGET) / 2);
      const reasoning = x.calls * reasoningPerCall;
      const usage = { inputTokens: x.input, outputTokens: x.output + reasoning, reasoningTokens: reasoning };
      const cost = callCostUsd(entry.price, usage, route.priceMultiplier);
      // upper bound: every run lasts all rounds, every answer hits its phase cap
      const maxCalls = c.num_runs * (c.max_rounds * (3 + c.discussion_turns) + (c.max_rounds - 1)) * 1.1;
      const maxUsage = {
        inputTokens: (x.input / Math.max(1, x.calls)) * maxCalls * 1.5,
        outputTokens: maxCalls * (512 + reasoningPerCall * 2),
        reasoningTokens: maxCalls * reasoningPerCall * 2,
      };
      // caching follows the model's own provider (OpenRouter passes Anthropic's cache control through)
      const rule = withCache ? cacheRule(entry.provider, entry.model_id, entry.price) : NO_CACHE;
      const split = splitOf(key, role, x, rule);
      const cached = cachedCostUsd(
        entry.price,
        rule,
        { input: x.input, read: split.read, write: split.write, output: x.output + reasoning, reasoning },
        route.priceMultiplier,
      );
      // the longest negotiations cache at least the share the expected ones do (longer prompts, longer shared prefixes)
      const share = x.input > 0 ? { read: split.read / x.input, write: split.write / x.input } : { read: 0, write: 0 };
      const cachedMax = cachedCostUsd(
        entry.price,
        rule,
        {
          input: maxUsage.inputTokens,
          read: maxUsage.inputTokens * share.read,
          write: maxUsage.inputTokens * share.write,
          output: maxUsage.outputTokens,
          reasoning: maxUsage.reasoningTokens,
        },
        route.priceMultiplier,
      );
      const e = byModel.get(model) ?? {
        model,
        provider: route.provider,
        route: route.label,
        calls: 0,
        maxCalls: 0,
        inputTokens: 0,
        outputTokens: 0,
        reasoningTokens: 0,
        costUsd: 0,
        maxCostUsd: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        cachedCostUsd: 0,
        cachedMaxCostUsd: 0,
        minCacheableTokens: rule.enabled ? rule.minTokens : null,
        ...(rule.note ? { cacheNote: rule.note } : {}),
        reasoningAssumed,
      };
      e.calls += x.calls;
      e.maxCalls += maxCalls;
      e.inputTokens += x.input;
      e.outputTokens += x.output + reasoning;
      e.reasoningTokens += reasoning;
      e.costUsd += cost;
      e.maxCostUsd += callCostUsd(entry.price, maxUsage, route.priceMultiplier);
      e.cacheReadTokens += split.read;
      e.cacheWriteTokens += split.write;
      e.cachedCostUsd += cached;
      e.cachedMaxCostUsd += cachedMax;
      byModel.set(model, e);
      inputUsd += ((x.input * entry.price.input) / 1e6) * route.priceMultiplier;
      inputUsdCached += cachedCostUsd(
        entry.price,
        rule,
        { input: x.input, read: split.read, write: split.write, output: 0, reasoning: 0 },
        route.priceMultiplier,
      );
      const tokens = x.input + x.output + reasoning;
      add(provCalls, route.provider, x.calls);
      add(provTokens, route.provider, tokens);
      // only Anthropic's own budget leaves cache reads out (on the models its docs name); OpenAI's TPM counts them
      add(
        provTokensCached,
        route.provider,
        tokens - (route.provider === 'anthropic' && !rule.readsCountTowardTpm ? split.read : 0),
      );
      expCalls += x.calls;
      expCost += cost;
      expCached += cached;
    }
    perExperiment.set(c.experiment_id, { calls: expCalls, costUsd: expCost, cachedCostUsd: expCached });
  }
  const models = [...byModel.values()].sort((a, b) => b.costUsd - a.costUsd);
  const bounds = (tokensBy: Map<string, number>): ProviderBound[] =>
    [...provCalls]
      .map(([provider, calls]) => {
        const keys = Math.max(
          1,
          ...[...byModel.values()]
            .filter((m) => m.provider === provider)
            .map((m) => routeOrDirect(resolver, m.model).keyLabels.length),
        );
        const { rpm, tpm } = resolver.limits(provider);
        const tokens = tokensBy.get(provider) ?? 0;
        const byRpm = calls / (rpm * keys),
          byTpm = tokens / (tpm * keys);
        return {
          provider,
          calls,
          tokens,
          rpm,
          tpm,
          keys,
          minutes: Math.max(byRpm, byTpm),
          limitedBy: byTpm > byRpm ? ('tpm' as const) : ('rpm' as const),
        };
      })
      .sort((a, b) => b.minutes - a.minutes);
  const byProvider = bounds(provTokens);
  const cachedBounds = bounds(provTokensCached);
  return {
    experiments: configs.length,
    calls: sum(models.map((m) => m.calls)),
    maxCalls: sum(models.map((m) => m.maxCalls)),
    costUsd: sum(models.map((m) => m.costUsd)),
    maxCostUsd: sum(models.map((m) => m.maxCostUsd)),
    byModel: models,
    perExperiment,
    byProvider,
    wallLowerBoundS: byProvider.length ? byProvider[0].minutes * 60 : 0,
    promptCache: withCache
      ? {
          costUsd: sum(models.map((m) => m.cachedCostUsd)),
          maxCostUsd: sum(models.map((m) => m.cachedMaxCostUsd)),
          cacheReadTokens: sum(models.map((m) => m.cacheReadTokens)),
          cacheWriteTokens: sum(models.map((m) => m.cacheWriteTokens)),
          inputCostShare: inputUsd > 0 ? inputUsdCached / inputUsd : null,
          byProvider: cachedBounds,
          wallLowerBoundS: cachedBounds.length ? cachedBounds[0].minutes * 60 : 0,
        }
      : null,
    sampled,
  };
}
