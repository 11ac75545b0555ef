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
 */
import { answer } from '../mock/brain.ts';
import { makeSpec } from '../game/index.ts';
import { createLlmAgentFactory, estimateTokens, type LlmCallRecord } from '../agents/llm/index.ts';
import { isScripted, scriptedFactory } from '../agents/index.ts';
import { runSeries } from '../protocol/series.ts';
import type { ChatModel, ChatRequest, ChatResult } from '../providers/types.ts';
import { callCostUsd } from '../providers/cost.ts';
import type { ExperimentConfig } from './config.ts';
import type { ModelResolver } from './agents.ts';

/** Typical answer lengths of real models per phase (tokens), a floor under the simulated ones. */
const TYPICAL_OUTPUT: Record<string, number> = { discussion: 120, thinking: 200, proposal: 120, voting: 60, reflection: 120 };

export interface ModelEstimate {
  model: string; provider: string; route: string; calls: number; maxCalls: number;
  inputTokens: number; outputTokens: number; reasoningTokens: number; costUsd: number; maxCostUsd: number;
}

export interface GridEstimate {
  experiments: number;
  calls: number;
  maxCalls: number;
  costUsd: number;
  maxCostUsd: number;
  byModel: ModelEstimate[];
  /** per experiment id: expected calls and dollars (for --max-cost) */
  perExperiment: Map<number, { calls: number; costUsd: number }>;
  /** per provider: calls and tokens, and the minutes its budgets (RPM and TPM) need at least */
  byProvider: { provider: string; calls: number; tokens: number; rpm: number; tpm: number; keys: number; minutes: number; limitedBy: 'rpm' | 'tpm' }[];
  wallLowerBoundS: number;
  sampled: number;
}

interface Shape { calls: number[]; input: number[]; output: number[]; byPhase: Record<string, number> }

/** Offline sample: per seat role, calls and tokens of one experiment of this config's shape. */
async function simulate(c: ExperimentConfig, players: { weak: string; strong: string }): Promise<{ weak: Shape; strong: Shape; rounds: number }> {
  const sims = new Map<string, ChatModel>();
  const simFor = (model: string): ChatModel => {
    let m = sims.get(model);
    if (!m) {
      const id = model.startsWith('sim:') ? model : 'estimate-proxy';
      m = {
        spec: 'v1', provider: 'sim', modelId: id, keyLabel: 'none',
        async generate(req: ChatRequest): Promise<ChatResult> {
          const a = await answer(id, req.messages);
          return { text: a.text, finishReason: 'stop', usage: { inputTokens: estimateTokens(req.messages), outputTokens: Math.ceil(a.text.length / 4), reasoningTokens: 0 },
            warnings: [], provider: 'sim', modelId: id, route: 'estimate' };
        },
      };
      sims.set(model, m);
    }
    return m;
  };
  const llm = createLlmAgentFactory({ chatModelFor: simFor, recordPrompt: 'delta' });
  const spec = makeSpec({ n: 2, m: c.num_items, maxRounds: c.max_rounds, gamma: c.gamma_discount, discussionTurns: c.discussion_turns });
  const out = { weak: blank(), strong: blank(), rounds: 0 };
  const docs = await runSeries({
    spec, level: c.competition_level, seed: c.random_seed, numRuns: c.num_runs,
    players: [{ model: players.weak, role: 'weak' }, { model: players.strong, role: 'strong' }],
    factory: (model, ctx) => (isScripted(model) ? scriptedFactory(model, ctx) : llm(model, ctx)),
    onRun: (doc, events) => {
      for (const e of events) {
        if (e.type !== 'turn' || !e.calls) continue;
        const role = doc.agents.find((a) => a.agent === e.agent)!.role as 'weak' | 'strong';
        for (const call of e.calls as LlmCallRecord[]) {
          const s = out[role];
          s.calls.push(1); s.input.push(call.input_tokens); s.output.push(Math.max(call.output_tokens, TYPICAL_OUTPUT[call.phase] ?? 100));
          s.byPhase[call.phase] = (s.byPhase[call.phase] ?? 0) + 1;
        }
      }
    },
  });
  out.rounds = docs.reduce((t, d) => t + (d.round ?? c.max_rounds), 0) / docs.length;
  return out;
}

/** The route the model would take now; without keys yet, its direct provider at list price. */
function routeOrDirect(resolver: ModelResolver, model: string): { provider: string; label: string; priceMultiplier: number; keyLabels: string[] } {
  try {
    return resolver.route(model);
  } catch {
    const e = resolver.registry.get(model);
    return { provider: e.provider, label: `${e.provider} (no key set yet)`, priceMultiplier: 1, keyLabels: [] };
  }
}

function blank(): Shape { return { calls: [], input: [], output: [], byPhase: {} }; }
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

export async function estimateGrid(configs: ExperimentConfig[], resolver: ModelResolver, opts: { samplesPerLevel?: number } = {}): Promise<GridEstimate> {
  const per = opts.samplesPerLevel ?? 2;
  // Sample: the first `per` experiments of each (level, shape), played by the proxy
  // (or the sim: strategies when both sides are sim models, so a sim grid is exact in kind).
  const groups = new Map<string, ExperimentConfig[]>();
  const shapeKey = (c: ExperimentConfig) => {
    const play = (m: string) => (m.startsWith('sim:') || isScripted(m) ? m : 'proxy');
    return JSON.stringify([c.competition_level, c.num_items, c.max_rounds, c.num_runs, c.gamma_discount, c.discussion_turns, play(c.weak_model), play(c.strong_model)]);
  };
  for (const c of configs) { const k = shapeKey(c); if (!groups.has(k)) groups.set(k, []); groups.get(k)!.push(c); }
  const samples = new Map<string, { weak: { calls: number; input: number; output: number }; strong: { calls: number; input: number; output: number } }>();
  let sampled = 0;
  for (const [k, list] of groups) {
    const acc = { weak: { calls: 0, input: 0, output: 0 }, strong: { calls: 0, input: 0, output: 0 } };
    const picks = list.slice(0, per);
    for (const c of picks) {
      const asProxy = (m: string) => (m.startsWith('sim:') || isScripted(m) ? m : 'sim:linear');
      const r = await simulate(c, { weak: asProxy(c.weak_model), strong: asProxy(c.strong_model) });
      sampled++;
      for (const role of ['weak', 'strong'] as const) {
        acc[role].calls += r[role].calls.length; acc[role].input += sum(r[role].input); acc[role].output += sum(r[role].output);
      }
    }
    for (const role of ['weak', 'strong'] as const) { acc[role].calls /= picks.length; acc[role].input /= picks.length; acc[role].output /= picks.length; }
    samples.set(k, acc);
  }

  const byModel = new Map<string, ModelEstimate>();
  const perExperiment = new Map<number, { calls: number; costUsd: number }>();
  const provCalls = new Map<string, number>();
  const provTokens = new Map<string, number>();
  for (const c of configs) {
    const s = samples.get(shapeKey(c))!;
    let expCalls = 0, expCost = 0;
    for (const [role, model] of [['weak', c.weak_model], ['strong', c.strong_model]] as const) {
      if (isScripted(model)) continue;
      const entry = resolver.registry.get(model);
      const route = routeOrDirect(resolver, model);
      const x = s[role];
      const reasoningPerCall = entry.sampling.kind === 'chat' ? 0 : Math.round((entry.sampling.reasoning_tokens ?? 1024) / 2);
      const reasoning = x.calls * reasoningPerCall;
      const usage = { inputTokens: x.input, outputTokens: x.output + reasoning, reasoningTokens: reasoning };
      const cost = callCostUsd(entry.price, usage, route.priceMultiplier);
      // upper bound: every run lasts all rounds, every answer hits its phase cap
      const maxCalls = c.num_runs * (c.max_rounds * (3 + c.discussion_turns) + (c.max_rounds - 1)) * 1.1;
      const maxUsage = { inputTokens: (x.input / Math.max(1, x.calls)) * maxCalls * 1.5, outputTokens: maxCalls * (512 + reasoningPerCall * 2), reasoningTokens: maxCalls * reasoningPerCall * 2 };
      const e = byModel.get(model) ?? { model, provider: route.provider, route: route.label, calls: 0, maxCalls: 0, inputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0, maxCostUsd: 0 };
      e.calls += x.calls; e.maxCalls += maxCalls; e.inputTokens += x.input; e.outputTokens += x.output + reasoning; e.reasoningTokens += reasoning;
      e.costUsd += cost; e.maxCostUsd += callCostUsd(entry.price, maxUsage, route.priceMultiplier);
      byModel.set(model, e);
      provCalls.set(route.provider, (provCalls.get(route.provider) ?? 0) + x.calls);
      provTokens.set(route.provider, (provTokens.get(route.provider) ?? 0) + x.input + x.output + reasoning);
      expCalls += x.calls; expCost += cost;
    }
    perExperiment.set(c.experiment_id, { calls: expCalls, costUsd: expCost });
  }
  const models = [...byModel.values()].sort((a, b) => b.costUsd - a.costUsd);
  const byProvider = [...provCalls].map(([provider, calls]) => {
    const keys = Math.max(1, ...[...byModel.values()].filter((m) => m.provider === provider).map((m) => routeOrDirect(resolver, m.model).keyLabels.length));
    const { rpm, tpm } = resolver.limits(provider);
    const tokens = provTokens.get(provider) ?? 0;
    const byRpm = calls / (rpm * keys), byTpm = tokens / (tpm * keys);
    return { provider, calls, tokens, rpm, tpm, keys, minutes: Math.max(byRpm, byTpm), limitedBy: byTpm > byRpm ? 'tpm' as const : 'rpm' as const };
  }).sort((a, b) => b.minutes - a.minutes);
  return {
    experiments: configs.length,
    calls: sum(models.map((m) => m.calls)), maxCalls: sum(models.map((m) => m.maxCalls)),
    costUsd: sum(models.map((m) => m.costUsd)), maxCostUsd: sum(models.map((m) => m.maxCostUsd)),
    byModel: models, perExperiment, byProvider,
    wallLowerBoundS: byProvider.length ? byProvider[0].minutes * 60 : 0,
    sampled,
  };
}
