/**
 * The rate governor (DESIGN §3): one KeyBudget per provider key (each rotated key has its
 * own), created on first use with its provider's limits. The retry policy that consults it
 * is the provider layer's withRetry (one policy for every call): an attempt takes a permit,
 * a 429 pauses the key for everyone (capped by --max-wait) and is never a failure. Each
 * key's budget starts from its provider's limits and learns what the provider announces.
 * BARGAIN_GOVERNOR_TRACE=FILE appends each grant and each pause, on the governor's clock,
 * as JSON lines: the schedule it kept, which arrival times at a server only approximate.
 */
import { appendFileSync } from 'node:fs';
import { realClock, type Clock, type TimerClock } from './clock.ts';
import { KeyBudget, type KeyLimits, type LimitsView, type Permit, type TokenCharge } from './key-budget.ts';

export interface GovernorOptions {
  /** per provider name (openai, anthropic, google, openrouter, compatible, sim) */
  limits: Record<string, KeyLimits>;
  /** fallback for providers not listed */
  defaultLimits?: KeyLimits;
  clock?: Clock;
  /** told of every grant and every pause (default: BARGAIN_GOVERNOR_TRACE's file, else none) */
  trace?: (e: TraceEvent) => void;
}

/** A permit granted at `grant`, or the key paused from `pause` until `until` (a 429), in the clock's ms. */
export type TraceEvent = { key: string; grant: number } | { key: string; pause: number; until: number };

export interface BudgetSnapshot {
  provider: string;
  key: string;
  rpm: number;
  tpm: number;
  recent: number;
  active: number;
  concurrency: number;
  queued: number;
  paused: boolean;
  requests: number;
  rateLimited: number;
  /** the budgets in force and where they came from (learned from headers, capped by the user, …) */
  limits: LimitsView;
}

export class Governor {
  private readonly budgets = new Map<string, { provider: string; budget: KeyBudget }>();
  readonly clock: Clock;
  private readonly trace: ((e: TraceEvent) => void) | undefined;

  constructor(readonly opts: GovernorOptions) {
    this.clock = opts.clock ?? realClock;
    const file = process.env.BARGAIN_GOVERNOR_TRACE;
    this.trace = opts.trace ?? (file ? (e) => appendFileSync(file, `${JSON.stringify(e)}\n`) : undefined);
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
      const c = this.clock as Clock & Partial<TimerClock>;
      const setTimer = c.setTimer && c.clear ? c.setTimer : undefined;
      const clearTimer = c.setTimer && c.clear ? (t: ReturnType<typeof setTimeout>) => c.clear!(t) : undefined;
      const budget = this.trace
        ? new TracedKeyBudget(id, this.limitsFor(provider), this.clock, this.trace, setTimer, clearTimer)
        : new KeyBudget(id, this.limitsFor(provider), this.clock, setTimer, clearTimer);
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
      provider,
      key: b.key,
      rpm: b.rpm,
      tpm: b.tpm,
      recent: b.recentRequests(now),
      active: b.active,
      concurrency: b.concurrency,
      queued: b.queued,
      paused: b.paused,
      requests: b.stats.requests,
      rateLimited: b.stats.rateLimited,
      limits: b.view(),
    }));
  }
}

/** A KeyBudget that reports its grants and pauses. */
class TracedKeyBudget extends KeyBudget {
  constructor(
    key: string,
    limits: KeyLimits,
    private readonly time: Clock,
    private readonly trace: (e: TraceEvent) => void,
    setTimer?: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>,
    clearTimer?: (t: ReturnType<typeof setTimeout>) => void,
  ) {
    super(key, limits, time, setTimer, clearTimer);
  }
  override acquire(tokens: number | TokenCharge, signal?: AbortSignal): Promise<Permit> {
    return super.acquire(tokens, signal).then((p) => {
      this.trace({ key: this.key, grant: p.grantedAt });
      return p;
    });
  }
  override onRateLimit(retryAfterMs: number): void {
    const at = this.time.now();
    super.onRateLimit(retryAfterMs);
    this.trace({ key: this.key, pause: at, until: at + Math.max(0, retryAfterMs) });
  }
}
