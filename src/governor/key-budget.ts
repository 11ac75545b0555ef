/**
 * The rate budget of one provider key (DESIGN §3): requests per minute and tokens per
 * minute over a sliding window, a concurrency cap, and a shared pause after a 429.
 * Requests are also paced: a token bucket refilled at the window's rate, holding a second
 * of the budget (at least 10 requests), spreads them over the minute instead of sending
 * the whole minute's budget at once and idling (providers may enforce RPM over shorter
 * intervals, and an even stream is less exposed to transit jitter at window edges). The
 * sliding window stays the hard limit. The key also measures its answers' latency and size, so
 * the start order can tell how many requests a minute it can really serve (throughput()).
 * Waiters are served first come, first served. Concurrency halves on a 429 and grows
 * back by one after each `current` consecutive successes (additive increase,
 * multiplicative decrease), so a rate-limited key backs off for everyone at once.
 * Limits a response announces (OpenAI, Anthropic headers: rate-headers.ts) replace the
 * registry's guessed budget; a user's --rpm/--tpm stays a cap; the announced `remaining` and
 * `reset` hold sends the provider would refuse. The window keeps running sums (O(1) amortised
 * per request); only a request that must wait scans it for when enough has left.
 */
import type { Clock } from './clock.ts';
import type { LimitReading, RateLimitSnapshot } from '../providers/types.ts';

/** Where a configured budget came from: the user's --rpm/--tpm (a cap announced limits never
 *  exceed) or the registry's default (a guess that announced limits replace). */
export type LimitOrigin = 'user' | 'default';

export interface KeyLimits {
  rpm: number;
  tpm: number;
  concurrency: number;
  /** absent = 'default' */
  origin?: { rpm?: LimitOrigin; tpm?: LimitOrigin };
}

/** A request's tokens as charged up front: its prompt and its output cap. */
export interface TokenCharge {
  input: number;
  output: number;
}

/** What one rpm / tpm budget is now: the announced limit (learned), the user's cap below an
 *  announced limit (capped), the user's value with nothing announced yet (user), or the default. */
export type BudgetSource = 'learned' | 'capped' | 'user' | 'default';

export interface LimitsView {
  rpm: number;
  /** the TPM window: input + output, or Anthropic's input tokens per minute when `split` */
  tpm: number;
  /** Anthropic's output tokens per minute (Infinity when not learned) */
  otpm: number;
  split: boolean;
  rpmSource: BudgetSource;
  tpmSource: BudgetSource;
}

interface Waiter {
  charge: TokenCharge;
  resolve: (p: Permit) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  enqueuedAt: number;
}

/** One granted request in the window: its tokens charged to the TPM window and to the output window. */
interface Sent {
  at: number;
  tokens: number;
  output: number;
  seq: number;
  charged: number;
  chargedOut: number;
  live: boolean;
}

/**
 * What the provider last said was left of one limit, as of one of our requests (anchored by
 * grant number), and how fast it refills: both providers replenish continuously (Anthropic:
 * "continuously replenished up to your maximum", https://platform.claude.com/docs/en/api/rate-limits;
 * OpenAI's reset is the time until the limit is back to its initial state, e.g. 12ms for a
 * request at 5,000 RPM, https://platform.openai.com/docs/guides/rate-limits; read 2026-12-02),
 * so the missing part comes back at (limit − remaining) ÷ reset, not all at the reset.
 */
interface Steer {
  remaining: number;
  at: number;
  until: number;
  perMs: number | null;
  seq: number;
  charged: number;
  chargedOut: number;
}

export interface Permit {
  /** when the request was let through */
  grantedAt: number;
  /** ms spent queued for the local budget */
  queuedMs: number;
  /** report the tokens that really counted (corrects the window); a number counts wholly against the TPM window */
  settle(actual: number | TokenCharge): void;
  /** the limits this request's response (or 429) announced: they become the key's budget and steer it */
  learn(snapshot: RateLimitSnapshot | undefined): void;
  release(): void;
}

/** Counting requests at send time, with a margin so arrival jitter never crowds a window. */
const WINDOW_MS = 60_000;
const WINDOW_MARGIN_MS = 1000;
/** The pacing bucket holds this much of the budget (at least BURST_MIN): the largest burst after an idle spell. */
const BURST_MS = 1000;
const BURST_MIN = 10;
const SPAN = WINDOW_MS + WINDOW_MARGIN_MS;

export class KeyBudget {
  /** the window, oldest first, from `head` (a deque on an array: O(1) amortised pushes and pops) */
  private sent: Sent[] = [];
  private head = 0;
  /** running sums over the window */
  private winTokens = 0;
  private winOutput = 0;
  /** grants so far, and the tokens charged at grant (never corrected): anchors for the provider's `remaining` */
  private seq = 0;
  private chargedTotal = 0;
  private chargedOutTotal = 0;
  private readonly queue: Waiter[] = [];
  private inflight = 0;
  private current: number;
  private successes = 0;
  private pausedUntil = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  /** pacing bucket: requests that may go at once; refilled at rpm per (window + margin) */
  private bucket: number;
  private bucketAt: number;
  /** the budgets in force (configured, then learned) */
  private rpmNow: number;
  private tpmNow: number;
  private otpmNow = Infinity;
  /** Anthropic with announced ITPM/OTPM: the TPM window counts input tokens only, the output window output */
  private split = false;
  private rpmSource: BudgetSource;
  private tpmSource: BudgetSource;
  private steer: { requests?: Steer; tokens?: Steer; output?: Steer } = {};
  /** totals for progress displays and benches */
  readonly stats = { requests: 0, rateLimited: 0, queuedMs: 0, maxQueue: 0 };
  /** moving averages of a permit's hold time (the call's latency) and of a request's tokens */
  private latencyMs: number | null = null;
  private tokensPerRequest: number | null = null;
  private outputPerRequest: number | null = null;

  constructor(
    readonly key: string,
    readonly limits: KeyLimits,
    private readonly clock: Clock,
    private readonly setTimer: (fn: () => void, ms: number) => ReturnType<typeof setTimeout> = (fn, ms) =>
      setTimeout(fn, ms),
    private readonly clearTimer: (t: ReturnType<typeof setTimeout>) => void = (t) => clearTimeout(t),
  ) {
    this.current = Math.max(1, limits.concurrency);
    this.rpmNow = limits.rpm;
    this.tpmNow = limits.tpm;
    this.rpmSource = limits.origin?.rpm === 'user' ? 'user' : 'default';
    this.tpmSource = limits.origin?.tpm === 'user' ? 'user' : 'default';
    this.bucket = this.bucketSize;
    this.bucketAt = clock.now();
  }

  get rpm(): number {
    return this.rpmNow;
  }
  get tpm(): number {
    return this.tpmNow;
  }
  view(): LimitsView {
    return {
      rpm: this.rpmNow,
      tpm: this.tpmNow,
      otpm: this.otpmNow,
      split: this.split,
      rpmSource: this.rpmSource,
      tpmSource: this.tpmSource,
    };
  }

  private get bucketSize(): number {
    const rpm = this.rpmNow;
    return Math.max(1, Math.min(rpm, Math.max(BURST_MIN, (rpm * BURST_MS) / WINDOW_MS)));
  }
  /** ms per request at the paced rate: the window's rate */
  private get spacing(): number {
    return SPAN / this.rpmNow;
  }

  private refill(now: number): void {
    if (now > this.bucketAt) this.bucket += (now - this.bucketAt) / this.spacing;
    this.bucket = Math.min(this.bucketSize, this.bucket);
    this.bucketAt = Math.max(this.bucketAt, now);
  }

  get concurrency(): number {
    return this.current;
  }
  get paused(): boolean {
    return this.clock.now() < this.pausedUntil;
  }
  get queued(): number {
    return this.queue.length;
  }
  get active(): number {
    return this.inflight;
  }

  /**
   * Requests a minute this key can sustain now: the least of its RPM, its TPM (and OTPM) at
   * the measured tokens per request, and its (current) concurrency at the measured latency.
   * Null until a request has been answered.
   */
  throughput(): number | null {
    if (this.latencyMs === null) return null;
    const byConcurrency = (this.current * WINDOW_MS) / Math.max(1, this.latencyMs);
    const byTokens = this.tokensPerRequest ? (this.tpmNow * WINDOW_MS) / (SPAN * this.tokensPerRequest) : Infinity;
    const byOutput =
      this.outputPerRequest && Number.isFinite(this.otpmNow)
        ? (this.otpmNow * WINDOW_MS) / (SPAN * this.outputPerRequest)
        : Infinity;
    return Math.min((this.rpmNow * WINDOW_MS) / SPAN, byTokens, byOutput, byConcurrency);
  }

  /** requests sent in the last minute */
  recentRequests(now = this.clock.now()): number {
    this.prune(now);
    return this.sent.length - this.head;
  }

  /** `tokens`: a number counts wholly against the TPM window; a charge splits prompt and output cap. */
  acquire(tokens: number | TokenCharge, signal?: AbortSignal): Promise<Permit> {
    return new Promise<Permit>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const charge =
        typeof tokens === 'number'
          ? { input: Math.max(0, tokens), output: 0 }
          : { input: Math.max(0, tokens.input), output: Math.max(0, tokens.output) };
      const w: Waiter = { charge, resolve, reject, signal, enqueuedAt: this.clock.now() };
      if (signal) {
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) {
            this.queue.splice(i, 1);
            reject(signal.reason);
            this.pump();
          }
        };
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.queue.push(w);
      this.stats.maxQueue = Math.max(this.stats.maxQueue, this.queue.length);
      this.pump();
    });
  }

  /**
   * A 429: pause the key for everyone and halve its concurrency. 429s that come back while
   * the key is already paused answer requests sent before the pause: they extend the pause
   * but do not halve again (one overload, one decrease).
   */
  onRateLimit(retryAfterMs: number): void {
    this.stats.rateLimited++;
    const now = this.clock.now();
    if (now >= this.pausedUntil) this.current = Math.max(1, Math.floor(this.current / 2));
    this.pausedUntil = Math.max(this.pausedUntil, now + Math.max(0, retryAfterMs));
    this.successes = 0;
    this.pump();
  }

  onSuccess(): void {
    if (this.current >= this.limits.concurrency) return;
    if (++this.successes >= this.current) {
      this.current++;
      this.successes = 0;
      this.pump();
    }
  }

  /** tokens a charge puts in the TPM window and the output window under the key's current rule */
  private windows(c: TokenCharge): { tokens: number; output: number } {
    return { tokens: this.split ? c.input : c.input + c.output, output: c.output };
  }

  private prune(now: number): void {
    const edge = now - SPAN;
    while (this.head < this.sent.length && this.sent[this.head].at <= edge) {
      const e = this.sent[this.head++];
      this.winTokens -= e.tokens;
      this.winOutput -= e.output;
      e.live = false;
    }
    if (this.head > 1024 && this.head * 2 > this.sent.length) {
      this.sent = this.sent.slice(this.head);
      this.head = 0;
    }
    if (this.head === this.sent.length) {
      this.winTokens = 0;
      this.winOutput = 0;
    } // no drift from float sums
  }

  /** When enough of the window has left for `need` more under `limit` (summing `pick` from the oldest). */
  private freedAt(total: number, need: number, limit: number, pick: (s: Sent) => number): number {
    let free = total + need - limit;
    for (let i = this.head; i < this.sent.length; i++) {
      free -= pick(this.sent[i]);
      if (free <= 0) return this.sent[i].at + SPAN;
    }
    return this.sent.length > this.head ? this.sent[this.sent.length - 1].at + SPAN : 0;
  }

  /** The provider's own count: hold while what it said was left, less what we sent since, cannot cover this request. */
  private steerAt(now: number, tokens: number, output: number): number {
    let at = 0;
    const { requests: r, tokens: t, output: o } = this.steer;
    if (r) at = Math.max(at, refilledAt(r, now, this.seq - r.seq, 1));
    if (t) at = Math.max(at, refilledAt(t, now, this.chargedTotal - t.charged, tokens));
    if (o) at = Math.max(at, refilledAt(o, now, this.chargedOutTotal - o.chargedOut, output));
    return at;
  }

  /** Earliest time the head waiter may go, or 0 if now; Infinity if it waits on a release. */
  private readyAt(w: Waiter, now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil;
    if (this.inflight >= this.current) return Infinity;
    this.prune(now);
    let at = now;
    this.refill(now);
    if (this.bucket < 1) at = Math.max(at, now + Math.ceil((1 - this.bucket) * this.spacing));
    const size = this.sent.length - this.head;
    if (size >= this.rpmNow)
      at = Math.max(at, this.sent[this.sent.length - Math.max(1, Math.floor(this.rpmNow))].at + SPAN);
    const c = this.windows(w.charge);
    const tokens = Math.min(c.tokens, this.tpmNow);
    const output = Math.min(c.output, this.otpmNow);
    if (this.winTokens + tokens > this.tpmNow)
      at = Math.max(
        at,
        this.freedAt(this.winTokens, tokens, this.tpmNow, (s) => s.tokens),
      );
    if (this.winOutput + output > this.otpmNow)
      at = Math.max(
        at,
        this.freedAt(this.winOutput, output, this.otpmNow, (s) => s.output),
      );
    at = Math.max(at, this.steerAt(now, tokens, output));
    return at <= now ? 0 : at;
  }

  private pump(): void {
    for (;;) {
      const w = this.queue[0];
      if (!w) return;
      const now = this.clock.now();
      const at = this.readyAt(w, now);
      if (at === Infinity) return; // a release will pump again
      if (at > 0) {
        this.wakeAt(at, now);
        return;
      }
      this.queue.shift();
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      const c = this.windows(w.charge);
      const tokens = Math.min(c.tokens, this.tpmNow);
      const output = Math.min(c.output, this.otpmNow);
      this.seq++;
      this.chargedTotal += tokens;
      this.chargedOutTotal += output;
      const entry: Sent = {
        at: now,
        tokens,
        output,
        seq: this.seq,
        charged: this.chargedTotal,
        chargedOut: this.chargedOutTotal,
        live: true,
      };
      this.sent.push(entry);
      this.winTokens += tokens;
      this.winOutput += output;
      this.bucket -= 1;
      this.inflight++;
      this.stats.requests++;
      const queuedMs = now - w.enqueuedAt;
      this.stats.queuedMs += queuedMs;
      let released = false;
      w.resolve({
        grantedAt: now,
        queuedMs,
        settle: (actual) => this.settle(entry, actual),
        learn: (snapshot) => {
          if (snapshot) this.learn(snapshot, entry);
        },
        release: () => {
          if (released) return;
          released = true;
          this.inflight--;
          this.latencyMs = ewma(this.latencyMs, this.clock.now() - now);
          this.pump();
        },
      });
    }
  }

  private settle(entry: Sent, actual: number | TokenCharge): void {
    const c =
      typeof actual === 'number'
        ? { tokens: Math.max(0, actual), output: 0 }
        : this.windows({ input: Math.max(0, actual.input), output: Math.max(0, actual.output) });
    if (entry.live) {
      this.winTokens += c.tokens - entry.tokens;
      this.winOutput += c.output - entry.output;
    }
    entry.tokens = c.tokens;
    entry.output = c.output;
    this.tokensPerRequest = ewma(this.tokensPerRequest, entry.tokens);
    if (typeof actual !== 'number') this.outputPerRequest = ewma(this.outputPerRequest, entry.output);
  }

  /**
   * Announced limits become the budget: a registry default is replaced, a user's --rpm/--tpm
   * stays a cap (the least of the two). Anthropic's separate input and output limits make two
   * windows (input tokens against ITPM, output against OTPM) unless the user capped --tpm: then
   * one window of input + output under min(cap, ITPM), which keeps both. `remaining`/`reset`
   * steer the sends (steerAt), anchored at the request that carried them.
   */
  private learn(s: RateLimitSnapshot, entry: Sent): void {
    const userRpm = this.limits.origin?.rpm === 'user';
    const userTpm = this.limits.origin?.tpm === 'user';
    const rl = positive(s.requests?.limit);
    if (rl !== undefined) {
      this.rpmNow = userRpm ? Math.min(this.limits.rpm, rl) : rl;
      this.rpmSource = userRpm && this.limits.rpm < rl ? 'capped' : 'learned';
    }
    const itpm = positive(s.inputTokens?.limit);
    const tl = positive(s.tokens?.limit);
    if (itpm !== undefined) {
      this.split = !userTpm;
      this.tpmNow = userTpm ? Math.min(this.limits.tpm, itpm) : itpm;
      this.otpmNow = positive(s.outputTokens?.limit) ?? Infinity;
      this.tpmSource = userTpm && this.limits.tpm < itpm ? 'capped' : 'learned';
    } else if (tl !== undefined) {
      this.split = false;
      this.tpmNow = userTpm ? Math.min(this.limits.tpm, tl) : tl;
      this.tpmSource = userTpm && this.limits.tpm < tl ? 'capped' : 'learned';
    }
    const now = this.clock.now();
    this.steer.requests = steerFrom(this.steer.requests, s.requests, entry, now);
    this.steer.tokens = steerFrom(this.steer.tokens, s.inputTokens ?? s.tokens, entry, now);
    this.steer.output = steerFrom(this.steer.output, s.outputTokens, entry, now);
    this.pump();
  }

  private wakeAt(at: number, now: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) this.clearTimer(this.timer);
    this.timerAt = at;
    this.timer = this.setTimer(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        this.pump();
      },
      at - now + 1,
    );
  }
}

function positive(x: number | undefined): number | undefined {
  return x !== undefined && Number.isFinite(x) && x > 0 ? x : undefined;
}

/** The newer reading (by the request it answers) replaces the older; one without remaining+reset steers nothing. */
function steerFrom(prev: Steer | undefined, r: LimitReading | undefined, entry: Sent, now: number): Steer | undefined {
  if (!r || r.remaining === undefined || r.resetMs === undefined) return prev;
  if (prev && prev.seq > entry.seq) return prev;
  // per-minute limits refill within a window; a longer reset is a per-day quota, left to the 429 path
  const resetMs = Math.min(r.resetMs, SPAN);
  const missing = r.limit !== undefined && r.limit > r.remaining ? r.limit - r.remaining : null;
  return {
    remaining: r.remaining,
    at: now,
    until: now + resetMs,
    perMs: missing !== null && resetMs > 0 ? missing / resetMs : null,
    seq: entry.seq,
    charged: entry.charged,
    chargedOut: entry.chargedOut,
  };
}

/**
 * When `need` more fits under a reading, given `sentSince` charged after the request it
 * answered: now if it already fits; else when the refill since the reading covers the
 * shortfall (at the latest the reset); without a known limit, the reset.
 */
function refilledAt(s: Steer, now: number, sentSince: number, need: number): number {
  if (now >= s.until) return 0;
  const short = need + sentSince - s.remaining;
  if (short <= 0) return 0;
  if (s.perMs === null) return s.until;
  return Math.min(s.until, s.at + Math.ceil(short / s.perMs));
}

function ewma(prev: number | null, x: number): number {
  return prev === null ? x : prev * 0.95 + x * 0.05;
}
