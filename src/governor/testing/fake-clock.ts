/** A manual clock for governor tests: timers fire only when the test advances time. */
import type { Clock } from '../clock.ts';

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

export class FakeClock implements Clock {
  t = 0;
  private timers: Timer[] = [];
  private ids = 0;
  now = (): number => this.t;
  setTimer = (fn: () => void, ms: number): ReturnType<typeof setTimeout> => {
    const id = ++this.ids;
    this.timers.push({ at: this.t + Math.max(0, ms), fn, id });
    return { id, unref() {} } as unknown as ReturnType<typeof setTimeout>;
  };
  clear(handle: unknown): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((x) => x.id !== id);
  }
  sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      this.setTimer(resolve, ms);
    });
  /** Advance time to `to`, firing due timers in order and letting promises settle between them. */
  async advanceTo(to: number): Promise<void> {
    await flush();
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > to) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
      await flush();
    }
    this.t = Math.max(this.t, to);
    await flush();
  }
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.t + ms);
  }
  get pending(): number {
    return this.timers.length;
  }
}

export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}
