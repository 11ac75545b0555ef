/**
 * The rate governor (DESIGN §3): one KeyBudget per provider key, and the one retry policy
 * every provider call goes through. A 429 pauses that key for everyone for its
 * Retry-After (capped by maxWait) and is never a failure; 5xx, timeouts and resets back
 * off with jitter a bounded number of times; key errors go back to the caller, which
 * rotates keys (each key has its own budget). Queued time stops the run's work timer.
 */
import { ProviderError } from '../providers/types.ts';
import { realClock, type Clock } from './clock.ts';
import { KeyBudget, type KeyLimits } from './key-budget.ts';
import { currentWorkTimer } from './work-timer.ts';

export interface GovernorOptions {
  /** per provider name (openai, anthropic, google, openrouter, compatible, sim) */
  limits: Record<string, KeyLimits>;
  /** fallback for providers not listed */
  defaultLimits?: KeyLimits;
  /** longest single pause honoured for a Retry-After (default 10 min) */
  maxWaitMs?: number;
  /** retries of transient errors per call (default 6) */
  transientRetries?: number;
  /** 429 retries per call before giving up (default 100: a 429 is a wait, not a failure) */
  rateLimitRetries?: number;
  clock?: Clock;
  random?: () => number;
}

export interface BudgetSnapshot {
  provider: string; key: string; rpm: number; tpm: number; recent: number; active: number;
  concurrency: number; queued: number; paused: boolean; requests: number; rateLimited: number;
}

export class Governor {
  private readonly budgets = new Map<string, { provider: string; budget: KeyBudget }>();
  readonly clock: Clock;
  readonly maxWaitMs: number;
  readonly transientRetries: number;
  readonly rateLimitRetries: number;
  private readonly random: () => number;

  constructor(readonly opts: GovernorOptions) {
    this.clock = opts.clock ?? realClock;
    this.maxWaitMs = opts.maxWaitMs ?? 600_000;
    this.transientRetries = opts.transientRetries ?? 6;
    this.rateLimitRetries = opts.rateLimitRetries ?? 100;
    this.random = opts.random ?? Math.random;
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

  snapshot(): BudgetSnapshot[] {
    const now = this.clock.now();
    return [...this.budgets.values()].map(({ provider, budget: b }) => ({
      provider, key: b.key, rpm: b.limits.rpm, tpm: b.limits.tpm, recent: b.recentRequests(now), active: b.active,
      concurrency: b.concurrency, queued: b.queued, paused: b.paused, requests: b.stats.requests, rateLimited: b.stats.rateLimited,
    }));
  }

  /** Exponential backoff with full jitter: base 0.5 s doubling, capped at 30 s. */
  backoffMs(attempt: number): number {
    const cap = Math.min(30_000, 500 * 2 ** attempt);
    return cap / 2 + this.random() * (cap / 2);
  }

  /**
   * Runs `call` under the key's budget with the retry policy. `estTokens` is charged
   * to the TPM window up front and corrected with `tokensOf(result)`.
   */
  async run<T>(provider: string, keyLabel: string, estTokens: number, call: (attempt: number) => Promise<T>,
    opts: { signal?: AbortSignal; tokensOf?: (r: T) => number; onRetry?: (e: ProviderError, waitMs: number) => void } = {}): Promise<{ value: T; attempts: number; queuedMs: number }> {
    const budget = this.budget(provider, keyLabel);
    const timer = currentWorkTimer();
    let transient = 0, limited = 0, queuedMs = 0;
    for (let attempt = 1; ; attempt++) {
      timer?.pause();
      let permit;
      try {
        permit = await budget.acquire(estTokens, opts.signal);
      } finally {
        timer?.resume();
      }
      queuedMs += permit.queuedMs;
      try {
        const value = await call(attempt);
        permit.settle(opts.tokensOf ? opts.tokensOf(value) : estTokens);
        budget.onSuccess();
        return { value, attempts: attempt, queuedMs };
      } catch (e) {
        if (!(e instanceof ProviderError) || opts.signal?.aborted) throw e;
        if (e.kind === 'rate_limit') {
          if (++limited > this.rateLimitRetries) throw e;
          const wait = Math.min(e.retryAfterMs ?? this.backoffMs(limited - 1), this.maxWaitMs);
          budget.onRateLimit(wait);
          opts.onRetry?.(e, wait);
          continue;                         // the wait happens in acquire, as queued time
        }
        if (e.kind === 'transient') {
          if (++transient > this.transientRetries) throw e;
          const wait = this.backoffMs(transient - 1);
          opts.onRetry?.(e, wait);
          await this.clock.sleep(wait, opts.signal);
          continue;
        }
        throw e;                            // key and fatal errors: the caller decides
      } finally {
        permit.release();
      }
    }
  }
}
