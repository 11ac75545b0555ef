/**
 * The rate budget of one provider key (DESIGN §3): requests per minute and tokens per
 * minute over a sliding window, a concurrency cap, and a shared pause after a 429.
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
const WINDOW_MARGIN_MS = 500;

export class KeyBudget {
  private readonly sent: Sent[] = [];
  private readonly queue: Waiter[] = [];
  private inflight = 0;
  private current: number;
  private successes = 0;
  private pausedUntil = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;
  /** totals for progress displays and benches */
  readonly stats = { requests: 0, rateLimited: 0, queuedMs: 0, maxQueue: 0 };

  constructor(readonly key: string, readonly limits: KeyLimits, private readonly clock: Clock,
    private readonly setTimer: (fn: () => void, ms: number) => ReturnType<typeof setTimeout> = (fn, ms) => setTimeout(fn, ms),
    private readonly clearTimer: (t: ReturnType<typeof setTimeout>) => void = (t) => clearTimeout(t)) {
    this.current = Math.max(1, limits.concurrency);
  }

  get concurrency(): number { return this.current; }
  get paused(): boolean { return this.clock.now() < this.pausedUntil; }
  get queued(): number { return this.queue.length; }
  get active(): number { return this.inflight; }

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

  /** A 429: pause the key for everyone and halve its concurrency. */
  onRateLimit(retryAfterMs: number): void {
    this.stats.rateLimited++;
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + Math.max(0, retryAfterMs));
    this.current = Math.max(1, Math.floor(this.current / 2));
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
      this.inflight++;
      this.stats.requests++;
      const queuedMs = now - w.enqueuedAt;
      this.stats.queuedMs += queuedMs;
      let released = false;
      w.resolve({
        grantedAt: now, queuedMs,
        settle: (actual) => { entry.tokens = Math.max(0, actual); },
        release: () => { if (released) return; released = true; this.inflight--; this.pump(); },
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
