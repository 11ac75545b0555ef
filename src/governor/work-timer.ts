/**
 * The per-run timeout (DESIGN §4): it counts time spent working and waiting on providers,
 * not time queued for the local rate budget. A WorkTimer is an abortable deadline that
 * stops while the run is queued; the current run's timer travels in AsyncLocalStorage so
 * the governor can pause it without the protocol or agents knowing about timeouts.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TimerClock } from './clock.ts';

export class TimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`timed out after ${ms / 1000} s of work`);
    this.name = 'TimeoutError';
  }
}

/** Real timers by default; a FakeClock in tests, so queue time is not wall-clock bound. */
const realTimers: TimerClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle),
};

export class WorkTimer {
  private readonly controller = new AbortController();
  private remaining: number;
  private startedAt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pauses = 0;

  constructor(
    readonly ms: number,
    private readonly clock: TimerClock = realTimers,
  ) {
    this.remaining = ms;
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  private arm(): void {
    this.startedAt = this.clock.now();
    this.timer = this.clock.setTimer(
      () => this.controller.abort(new TimeoutError(this.ms)),
      Math.max(0, this.remaining),
    );
  }

  /** Stop the clock (nested pauses allowed). */
  pause(): void {
    if (this.pauses++ > 0 || this.expired || !this.timer) return;
    this.clock.clear(this.timer);
    this.timer = null;
    this.remaining -= this.clock.now() - this.startedAt;
  }

  resume(): void {
    if (this.pauses === 0 || --this.pauses > 0 || this.expired) return;
    this.arm();
  }

  dispose(): void {
    if (this.timer) this.clock.clear(this.timer);
    this.timer = null;
  }
}

const storage = new AsyncLocalStorage<WorkTimer>();

export function withWorkTimer<T>(timer: WorkTimer, fn: () => Promise<T>): Promise<T> {
  return storage.run(timer, fn);
}

export function currentWorkTimer(): WorkTimer | undefined {
  return storage.getStore();
}
