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
 */
import type { Clock } from './clock.ts';

export interface KeyLimits {
  rpm: number;
  tpm: number;
  concurrency: number;
}

interface Waiter {
  tokens: number;
  resolve: (p: Permit) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  enqueuedAt: number;
}

interface Sent { at: number; tokens: number }

export interface Permit {
  /** when the request was let through */
  grantedAt: number;
  /** ms spent queued for the local budget */
  queuedMs: number;
  /** report the real token count once known (corrects the window) */
  settle(actualTokens: number): void;
  release(): void;
}

/** Counting requests at send time, with a margin so arrival jitter never crowds a window. */
const WINDOW_MS = 60_000;
const WINDOW_MARGIN_MS = 1000;
/** The pacing bucket holds this much of the budget (at least BURST_MIN): the largest burst after an idle spell. */
const BURST_MS = 1000;
const BURST_MIN = 10;

export class KeyBudget {
  private readonly sent: Sent[] = [];
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
  /** totals for progress displays and benches */
  readonly stats = { requests: 0, rateLimited: 0, queuedMs: 0, maxQueue: 0 };
  /** moving averages of a permit's hold time (the call's latency) and of a request's tokens */
  private latencyMs: number | null = null;
  private tokensPerRequest: number | null = null;

  constructor(readonly key: string, readonly limits: KeyLimits, private readonly clock: Clock,
    private readonly setTimer: (fn: () => void, ms: number) => ReturnType<typeof setTimeout> = (fn, ms) => setTimeout(fn, ms),
    private readonly clearTimer: (t: ReturnType<typeof setTimeout>) => void = (t) => clearTimeout(t)) {
    this.current = Math.max(1, limits.concurrency);
    this.bucket = this.bucketSize;
    this.bucketAt = clock.now();
  }

  private get bucketSize(): number {
    const rpm = this.limits.rpm;
    return Math.max(1, Math.min(rpm, Math.max(BURST_MIN, (rpm * BURST_MS) / WINDOW_MS)));
  }
  /** ms per request at the paced rate: the window's rate */
  private get spacing(): number { return (WINDOW_MS + WINDOW_MARGIN_MS) / this.limits.rpm; }

  private refill(now: number): void {
    if (now > this.bucketAt) this.bucket = Math.min(this.bucketSize, this.bucket + (now - this.bucketAt) / this.spacing);
    this.bucketAt = Math.max(this.bucketAt, now);
  }

  get concurrency(): number { return this.current; }
  get paused(): boolean { return this.clock.now() < this.pausedUntil; }
  get queued(): number { return this.queue.length; }
  get active(): number { return this.inflight; }

  /**
   * Requests a minute this key can sustain now: the least of its RPM, its TPM at the
   * measured tokens per request, and its (current) concurrency at the measured latency.
   * Null until a request has been answered.
   */
  throughput(): number | null {
    if (this.latencyMs === null) return null;
    const byConcurrency = (this.current * WINDOW_MS) / Math.max(1, this.latencyMs);
    const byTokens = this.tokensPerRequest ? (this.limits.tpm * WINDOW_MS) / ((WINDOW_MS + WINDOW_MARGIN_MS) * this.tokensPerRequest) : Infinity;
    return Math.min((this.limits.rpm * WINDOW_MS) / (WINDOW_MS + WINDOW_MARGIN_MS), byTokens, byConcurrency);
  }

  /** requests sent in the last minute */
  recentRequests(now = this.clock.now()): number {
    this.prune(now);
    return this.sent.length;
  }

  acquire(tokens: number, signal?: AbortSignal): Promise<Permit> {
    return new Promise<Permit>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const w: Waiter = { tokens: Math.max(0, Math.min(tokens, this.limits.tpm)), resolve, reject, signal, enqueuedAt: this.clock.now() };
      if (signal) {
        w.onAbort = () => {
          const i = this.queue.indexOf(w);
          if (i >= 0) { this.queue.splice(i, 1); reject(signal.reason); this.pump(); }
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
    if (++this.successes >= this.current) { this.current++; this.successes = 0; this.pump(); }
  }

  private prune(now: number): void {
    while (this.sent.length && this.sent[0].at <= now - WINDOW_MS - WINDOW_MARGIN_MS) this.sent.shift();
  }

  /** Earliest time the head waiter may go, or 0 if now; Infinity if it waits on a release. */
  private readyAt(w: Waiter, now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil;
    if (this.inflight >= this.current) return Infinity;
    this.prune(now);
    let at = now;
    this.refill(now);
    if (this.bucket < 1) at = Math.max(at, now + Math.ceil((1 - this.bucket) * this.spacing));
    if (this.sent.length >= this.limits.rpm) {
      at = Math.max(at, this.sent[this.sent.length - this.limits.rpm].at + WINDOW_MS + WINDOW_MARGIN_MS);
    }
    let tokens = 0;
    for (const s of this.sent) tokens += s.tokens;
    if (tokens + w.tokens > this.limits.tpm) {
      // wait until enough old entries leave the window
      let free = tokens + w.tokens - this.limits.tpm;
      for (const s of this.sent) {
        free -= s.tokens;
        if (free <= 0) { at = Math.max(at, s.at + WINDOW_MS + WINDOW_MARGIN_MS); break; }
      }
    }
    return at <= now ? 0 : at;
  }

  private pump(): void {
    for (;;) {
      const w = this.queue[0];
      if (!w) return;
      const now = this.clock.now();
      const at = this.readyAt(w, now);
      if (at === Infinity) return;                 // a release will pump again
      if (at > 0) { this.wakeAt(at, now); return; }
      this.queue.shift();
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      const entry: Sent = { at: now, tokens: w.tokens };
      this.sent.push(entry);
      this.bucket -= 1;
      this.inflight++;
      this.stats.requests++;
      const queuedMs = now - w.enqueuedAt;
      this.stats.queuedMs += queuedMs;
      let released = false;
      w.resolve({
        grantedAt: now, queuedMs,
        settle: (actual) => {
          entry.tokens = Math.max(0, actual);
          this.tokensPerRequest = ewma(this.tokensPerRequest, entry.tokens);
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

  private wakeAt(at: number, now: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) this.clearTimer(this.timer);
    this.timerAt = at;
    this.timer = this.setTimer(() => { this.timer = null; this.timerAt = Infinity; this.pump(); }, at - now + 1);
  }
}

function ewma(prev: number | null, x: number): number {
  return prev === null ? x : prev * 0.95 + x * 0.05;
}
