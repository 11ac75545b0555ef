/**
 * Which Agent a model name becomes (DESIGN §3): scripted:<strategy> offline; every other
 * name through the registry, routed to its provider, behind one retry policy that consults
 * the rate governor, with the response cache in front and the cost meter (cost-meter.ts)
 * around it. Unknown names, missing keys and bad model files fail before anything runs, with
 * the fix. One ModelResolver per process: it owns the governor (per-key budgets), the cache
 * and the cost meter that progress shows, and tells the scheduler what each experiment asks
 * of each provider and what each provider's key can serve.
 */
import { checkScriptedModel, isScripted, scriptedFactory, UnknownModelError } from '../agents/index.ts';
import { createLlmAgentFactory, type PhaseTokenCaps } from '../agents/llm/index.ts';
import type { AgentFactory } from '../agents/agent.ts';
import { UserError } from '../errors.ts';
import {
  createChatModel,
  loadEnv,
  loadRegistry,
  resolveRoute,
  type ProviderEnv,
  type Registry,
  type Route,
} from '../providers/index.ts';
import { addDays, assertUsable, today } from '../providers/lifecycle.ts';
import type { FetchFn } from '../providers/clients.ts';
import { PROVIDER_NAMES, type ProviderName } from '../providers/env.ts';
import type { ChatModel, ChatRequest } from '../providers/types.ts';
import { CostMeter, metered } from './cost-meter.ts';
import { Governor } from '../governor/governor.ts';
import type { KeyLimits } from '../governor/key-budget.ts';
import type { Layout } from '../results/layout.ts';
import { ResponseCache, withCache } from './response-cache.ts';
import type { Demand } from './schedule.ts';
import type { ExperimentConfig } from '../results/index.ts';

export interface LlmSettings {
  /** --models FILE: extends or overrides the registry */
  modelsFile?: string;
  /** --base-url MODEL=URL */
  baseUrls?: Record<string, string>;
  /** --call-timeout, ms per attempt */
  callTimeoutMs?: number;
  /** --max-wait: longest single Retry-After pause honoured, ms */
  maxWaitMs?: number;
  rpm?: Record<string, number>;
  tpm?: Record<string, number>;
  concurrency?: Record<string, number>;
  /** --no-cache */
  noCache?: boolean;
  /** false with --no-prompt-cache: no request asks a provider to cache its prompt prefix */
  promptCache?: boolean;
  maxTokens?: Partial<PhaseTokenCaps>;
  /** --allow-retired: warn about retired models instead of refusing the grid */
  allowRetired?: boolean;
  /** the run date for lifecycle checks, YYYY-MM-DD (default today) */
  runDate?: string;
  /** tests: a fixed environment instead of process env + ./.env */
  env?: ProviderEnv;
  fetch?: FetchFn;
}

export const DEFAULT_CALL_TIMEOUT_MS = 180_000;
export const DEFAULT_MAX_WAIT_MS = 600_000;
/** Calls one seat makes per negotiation round (discussion, thinking, proposal, vote, reflection). */
const CALLS_PER_ROUND = 5;
/** A typical call's latency, for weighing concurrency caps in the start order before any is measured. */
const TYPICAL_LATENCY_MS = 2000;
/** A typical call's prompt plus answer, for weighing TPM against RPM in the start order (before any is measured). */
const TOKENS_PER_CALL = 4000;

/** lifecycle warnings already printed by this process (several commands check the same grid twice) */
const warned = new Set<string>();

/** --no-prompt-cache: every request says promptCache: false. */
function withoutPromptCache(inner: ChatModel): ChatModel {
  return {
    spec: 'v1',
    provider: inner.provider,
    modelId: inner.modelId,
    get keyLabel() {
      return inner.keyLabel;
    },
    generate: (req: ChatRequest) => inner.generate({ ...req, promptCache: false }),
  };
}

export class ModelResolver {
  private registryCache: Registry | null = null;
  private envCache: ProviderEnv | null = null;
  private governorCache: Governor | null = null;
  private readonly chats = new Map<string, ChatModel>();
  private readonly routes = new Map<string, Route>();
  private lifecycleChecked = false;
  readonly meter = new CostMeter();
  /** models a provider refused for good during this process (not found, unsupported parameter): model -> reason */
  readonly unavailable = new Map<string, string>();
  readonly cache: ResponseCache | null;

  constructor(
    readonly layout: Layout | null,
    readonly settings: LlmSettings = {},
  ) {
    this.cache = layout && !settings.noCache ? new ResponseCache(layout.abs(layout.cacheDir)) : null;
  }

  get registry(): Registry {
    return (this.registryCache ??= loadRegistry(this.settings.modelsFile));
  }
  get env(): ProviderEnv {
    return (this.envCache ??= this.settings.env ?? loadEnv());
  }

  limits(provider: string): KeyLimits {
    const base = this.registry.limits(provider as ProviderName);
    return {
      rpm: this.settings.rpm?.[provider] ?? base.rpm,
      tpm: this.settings.tpm?.[provider] ?? base.tpm,
      concurrency: this.settings.concurrency?.[provider] ?? base.concurrency,
      // --rpm/--tpm are caps the limits a provider announces never raise; registry defaults are replaced by them
      origin: {
        rpm: this.settings.rpm?.[provider] !== undefined ? 'user' : 'default',
        tpm: this.settings.tpm?.[provider] !== undefined ? 'user' : 'default',
      },
    };
  }

  get governor(): Governor {
    if (!this.governorCache) {
      const limits: Record<string, KeyLimits> = {};
      for (const p of PROVIDER_NAMES) limits[p] = this.limits(p);
      this.governorCache = new Governor({ limits });
    }
    return this.governorCache;
  }

  /**
   * Throws a UserError for a name that is neither a scripted strategy nor in the registry,
   * then a RetiredModelsError (one line per model) for API models retired on the run date,
   * before anything is sent; warns (once per process) about models retiring before `until`.
   */
  checkNames(models: string[], until?: string): void {
    this.checkKnown(models);
    this.lifecycleChecked = true;
    const on = this.settings.runDate ?? today();
    const api = models.filter((m) => !isScripted(m));
    for (const w of assertUsable(this.registry, api, {
      on,
      until: until ?? addDays(on, 1),
      allowRetired: this.settings.allowRetired,
    })) {
      if (!warned.has(w)) {
        warned.add(w);
        process.stderr.write(`bargain: ${w}\n`);
      }
    }
  }

  /**
   * The day a grid is expected to end if started now: each provider's expected calls over
   * the calls a minute its key can serve, the slowest provider deciding (at least a day).
   */
  expectedEnd(configs: readonly ExperimentConfig[]): string {
    const calls: Record<string, number> = {};
    for (const c of configs) {
      for (const m of [c.weak_model, c.strong_model]) {
        if (isScripted(m)) continue;
        // no key yet is no reason to fail here: the model's own provider stands in for its route
        let p: string;
        try {
          p = this.route(m).provider;
        } catch {
          p = this.registry.find(m)?.provider ?? 'sim';
        }
        calls[p] = (calls[p] ?? 0) + c.num_runs * c.max_rounds * CALLS_PER_ROUND * 0.5;
      }
    }
    const minutes = Math.max(0, ...Object.entries(calls).map(([p, n]) => n / Math.max(1e-9, this.capacity(p))));
    return addDays(this.settings.runDate ?? today(), Math.max(1, Math.ceil(minutes / 1440)));
  }

  /** Unknown names and bad scripted strategies only (no lifecycle). */
  checkKnown(models: string[]): void {
    for (const m of models) {
      if (m.startsWith('scripted:')) {
        try {
          checkScriptedModel(m);
        } catch (e) {
          if (e instanceof UnknownModelError) throw new UserError(e.message);
          throw e;
        }
      } else {
        this.registry.get(m); // UserError with near names
      }
    }
  }

  /** The route of an API model; throws a UserError naming the key to set. */
  route(model: string): Route {
    let r = this.routes.get(model);
    if (!r)
      this.routes.set(
        model,
        (r = resolveRoute(model, { env: this.env, registry: this.registry, baseUrls: this.settings.baseUrls })),
      );
    return r;
  }

  chatModel(model: string): ChatModel {
    let m = this.chats.get(model);
    if (!m) {
      const s = this.settings;
      let chat: ChatModel = createChatModel(model, {
        env: this.env,
        registry: this.registry,
        baseUrls: s.baseUrls,
        fetch: s.fetch,
        governor: this.governor,
        callTimeoutMs: s.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
        retry: { maxRetryAfterMs: s.maxWaitMs ?? DEFAULT_MAX_WAIT_MS },
      });
      if (this.cache) chat = withCache(chat, this.cache, model);
      m = metered(chat, this.meter, model, (name, why) => {
        if (!this.unavailable.has(name)) this.unavailable.set(name, why);
      });
      // every call (the agents' and the model check's) before the response cache keys it
      if (s.promptCache === false) m = withoutPromptCache(m);
      this.chats.set(model, m);
    }
    return m;
  }

  /** An agent factory for these models; routes are resolved now so a missing key fails before any work. */
  factory(models: string[]): AgentFactory {
    if (this.lifecycleChecked) this.checkKnown(models);
    else this.checkNames(models);
    const api = [...new Set(models.filter((m) => !isScripted(m)))];
    for (const m of api) this.route(m);
    const llm = api.length
      ? createLlmAgentFactory({
          chatModelFor: (m) => this.chatModel(m),
          maxTokens: this.settings.maxTokens,
          contextWindowFor: (m) => this.registry.find(m)?.context_window,
          // each call records only what is new since the agent's previous call (10x smaller
          // transcripts); expandPrompts rebuilds the full prompts
          recordPrompt: 'delta',
          ...(this.settings.promptCache === false ? { promptCache: false } : {}),
        })
      : null;
    return (model, ctx) => (isScripted(model) ? scriptedFactory(model, ctx) : llm!(model, ctx));
  }

  /**
   * What an experiment asks of each provider (for the bottleneck-first scheduler): expected
   * calls ≈ runs × rounds × calls per round per seat, halved as a typical agreement point;
   * only the ratios between experiments and keys matter.
   */
  demand(c: ExperimentConfig): Demand {
    const d: Demand = {};
    for (const m of [c.weak_model, c.strong_model]) {
      if (isScripted(m)) continue;
      const provider = this.route(m).provider;
      d[provider] = (d[provider] ?? 0) + c.num_runs * c.max_rounds * CALLS_PER_ROUND * 0.5;
    }
    return d;
  }

  /**
   * Calls a minute a provider's key can serve: what its budget was measured to sustain once
   * it has answered (its concurrency cap at the real latency may bind before its RPM), else
   * its budgets (RPM, TPM at a typical call's size, concurrency at a typical latency).
   * Rotated keys are fallbacks used one at a time, so they do not add capacity.
   */
  capacity(provider: string): number {
    const live = this.governorCache?.throughput(provider);
    if (live) return live;
    const l = this.limits(provider);
    return Math.min(l.rpm, l.tpm / TOKENS_PER_CALL, (l.concurrency * 60_000) / TYPICAL_LATENCY_MS);
  }

  /**
   * How much running work keeps a provider's key busy, in experiments' shares of calls:
   * twice its concurrency cap (as lowered after 429s), so each permit has a call waiting;
   * no limit while the key, already answering, has neither a queue nor a full cap (underfed).
   */
  saturation(provider: string): number {
    const keys = this.governorCache?.snapshot().filter((b) => b.provider === provider) ?? [];
    if (keys.some((b) => b.requests > 0 && b.queued === 0 && b.active < b.concurrency && !b.paused)) return Infinity;
    return 2 * (keys.length ? Math.max(...keys.map((b) => b.concurrency)) : this.limits(provider).concurrency);
  }
}
