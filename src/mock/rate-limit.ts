/**
 * The mock's unannounced rate limiting (DESIGN §3), checked in this order before a request is
 * answered: a format's first `count` requests refused (rateLimitFirst), timed 429 bursts per key
 * (a provider-side overload), and a per-key RPM as a sliding minute or a token bucket. Each
 * refusal carries the Retry-After a client should wait. Pure apart from its counters; time is
 * passed in. (The limits announced in OpenAI's and Anthropic's headers are limits.ts.)
 */
import { unit } from './faults.ts';

export interface RateLimitOptions {
  /** requests per minute allowed per key (0 or undefined: unlimited) */
  rpm?: number;
  /** per wire format (openai, anthropic, gemini, openrouter): the RPM of each key of that API, replacing rpm */
  rpmByFormat?: Partial<Record<string, number>>;
  /**
   * Enforce the RPM as a token bucket holding this many seconds of it, refilled at the RPM,
   * instead of a sliding minute (providers may enforce over short intervals; time-scaled
   * benches need it, as a sliding minute lets a run burst a whole minute's budget at once).
   */
  rpmBurstS?: number;
  /**
   * 429 bursts: every `everyMs`, each key is refused for `forMs` with Retry-After = the rest
   * of the burst (whole seconds, rounded up). Each key's schedule is shifted by a hash of
   * the key, so keys do not all burst at once.
   */
  rateLimitBursts?: { everyMs: number; forMs: number };
  /**
   * Per wire format (openai, anthropic, gemini, openrouter): its first `count` completion
   * requests answer that API's per-minute 429 with `retryAfterS` (for Gemini as RetryInfo in
   * the body, no header), as a fresh key at its limit does (tests of the wait).
   */
  rateLimitFirst?: Partial<Record<string, { count: number; retryAfterS: number }>>;
}

/** A refused request: which fault, the seconds to wait, and the RPM limit it names (none for a burst). */
export interface RateLimited {
  fault: 'rate_limit' | 'rate_limit_burst';
  retryAfterS: number;
  limit: number | undefined;
}

/** The RPM a fresh key at its limit names (rateLimitFirst). */
const FIRST_RPM = 60;

export class RateLimiter {
  private readonly windows = new Map<string, number[]>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly limitedFirst = new Map<string, number>();

  /** `started`: the server's start (ms), from which the burst schedule runs */
  constructor(
    private readonly opts: RateLimitOptions,
    private readonly started: number,
  ) {}

  /** Null if key `kh` of `format` may go on at `t` (and it is counted), else the refusal. */
  check(format: string, kh: string, t: number): RateLimited | null {
    const first = this.opts.rateLimitFirst?.[format];
    if (first && (this.limitedFirst.get(format) ?? 0) < first.count) {
      this.limitedFirst.set(format, (this.limitedFirst.get(format) ?? 0) + 1);
      return { fault: 'rate_limit', retryAfterS: first.retryAfterS, limit: FIRST_RPM };
    }
    const burst = this.burstCheck(kh, t);
    if (burst !== null) return { fault: 'rate_limit_burst', retryAfterS: burst, limit: undefined };
    const limit = this.opts.rpmByFormat?.[format] ?? this.opts.rpm;
    const wait = this.rpmCheck(kh, t, limit);
    if (wait !== null) return { fault: 'rate_limit', retryAfterS: wait, limit };
    return null;
  }

  /** Sliding one-minute window (or token bucket, rpmBurstS) per key: null if allowed (and counted), else seconds to wait. */
  private rpmCheck(key: string, t: number, limit: number | undefined): number | null {
    if (!limit) return null;
    if (this.opts.rpmBurstS) {
      const size = Math.max(1, (limit * this.opts.rpmBurstS) / 60);
      const perMs = limit / 60_000;
      const b = this.buckets.get(key) ?? { tokens: size, at: t };
      b.tokens = Math.min(size, b.tokens + Math.max(0, t - b.at) * perMs);
      b.at = Math.max(b.at, t);
      this.buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return null;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
    }
    const w = this.windows.get(key) ?? [];
    while (w.length && w[0] <= t - 60_000) w.shift();
    if (w.length >= limit) {
      this.windows.set(key, w);
      return Math.max(1, Math.ceil((w[0] + 60_000 - t) / 1000));
    }
    w.push(t);
    this.windows.set(key, w);
    return null;
  }

  /** Inside a 429 burst of this key: seconds left of it, else null. */
  private burstCheck(key: string, t: number): number | null {
    const b = this.opts.rateLimitBursts;
    if (!b || b.forMs <= 0 || b.everyMs <= 0) return null;
    const phase = (t - this.started + Math.floor(unit(key, 'burst') * b.everyMs)) % b.everyMs;
    return phase < b.forMs ? Math.max(1, Math.ceil((b.forMs - phase) / 1000)) : null;
  }
}
