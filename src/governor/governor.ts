/**
 * The rate governor (DESIGN §3): one KeyBudget per provider key (each rotated key has its
 * own), created on first use with its provider's limits. The retry policy that consults it
 * is the provider layer's withRetry (one policy for every call): an attempt takes a permit,
 * a 429 pauses the key for everyone (capped by --max-wait) and is never a failure. Each
 * key's budget starts from its provider's limits and learns what the provider announces.
 */
import { realClock, type Clock } from './clock.ts';
import { KeyBudget, type KeyLimits, type LimitsView } from './key-budget.ts';

export interface GovernorOptions {
  /** per provider name (openai, anthropic, google, openrouter, compatible, sim) */
  limits: Record<string, KeyLimits>;
  /** fallback for providers not listed */
  defaultLimits?: KeyLimits;
  clock?: Clock;
}

export interface BudgetSnapshot {
  provider: string; key: string; rpm: number; tpm: number; recent: number; active: number;
  concurrency: number; queued: number; paused: boolean; requests: number; rateLimited: number;
  /** the budgets in force and where they came from (learned from headers, capped by the user, …) */
  limits: LimitsView;
}

export class Governor {
  private readonly budgets = new Map<string, { provider: string; budget: KeyBudget }>();
  readonly clock: Clock;

  constructor(readonly opts: GovernorOptions) {
    this.clock = opts.clock ?? realClock;
  }

  limitsFor(provider: string): KeyLimits {
    const l = this.opts.limits[provider] ?? this.opts.defaultLimits;
    if (!l) throw new Error(`no rate limits configured for provider ${provider}`);
    return l;
  }

  budget(provider: string, keyLabel: string): KeyBudget {
    const id = `${provider}/${keyLabel}`;
    let b = this.budgets.get(id);
    if (!b) {
      const c = this.clock as Clock & { setTimer?: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>; clear?: (t: unknown) => void };
      const budget = c.setTimer && c.clear
        ? new KeyBudget(id, this.limitsFor(provider), this.clock, c.setTimer, (t) => c.clear!(t))
        : new KeyBudget(id, this.limitsFor(provider), this.clock);
      this.budgets.set(id, (b = { provider, budget }));
    }
    return b.budget;
  }

  /** Requests a minute the provider's busiest-known key can sustain now (KeyBudget.throughput), null before any answer. */
  throughput(provider: string): number | null {
    let best: number | null = null;
    for (const b of this.budgets.values()) {
      if (b.provider !== provider) continue;
      const t = b.budget.throughput();
      if (t !== null && (best === null || t > best)) best = t;
    }
    return best;
  }

  snapshot(): BudgetSnapshot[] {
    const now = this.clock.now();
    return [...this.budgets.values()].map(({ provider, budget: b }) => ({
      provider, key: b.key, rpm: b.rpm, tpm: b.tpm, recent: b.recentRequests(now), active: b.active,
      concurrency: b.concurrency, queued: b.queued, paused: b.paused, requests: b.stats.requests, rateLimited: b.stats.rateLimited,
      limits: b.view(),
    }));
  }
}
