import { abortableSleep } from '../sleep.ts';

/** Time as an injectable dependency, so the governor's policy can be tested on a fake clock. */
export interface Clock {
  now(): number;
  /** resolves after ms; rejects with the signal's reason if aborted */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A clock that also sets timers (FakeClock does): what timeouts and a key budget's wake-ups run on. */
export interface TimerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout>;
  clear(handle: ReturnType<typeof setTimeout>): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => abortableSleep(Math.max(0, ms), signal),
};
