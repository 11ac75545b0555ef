/**
 * Live progress for `run`: one rewritten line on a terminal, plain periodic lines otherwise.
 * `[150/300] Completed: 150 | Failed: 5 | Rate: 2.5/min | Elapsed: 3600s | ETA: 3600s`
 */
import type { BudgetSnapshot } from '../governor/governor.ts';
import { formatKeyLimits } from '../governor/describe.ts';

export interface ProgressState {
  total: number;
  done: number;
  failed: number;
  running: number;
  costUsd: number;
  extra?: () => string;
}

export class Progress {
  private timer: NodeJS.Timeout | null = null;
  private readonly t0 = Date.now();
  private readonly tty: boolean;
  private lastPlain = 0;
  constructor(
    private readonly s: ProgressState,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 10_000,
  ) {
    this.tty = Boolean(out.isTTY) && process.env.TERM !== 'dumb';
  }

  line(): string {
    const el = (Date.now() - this.t0) / 1000;
    const rate = el > 0 ? (this.s.done / el) * 60 : 0;
    const left = this.s.total - this.s.done;
    const eta = rate > 0 ? Math.round((left / rate) * 60) : null;
    return (
      `[${this.s.done}/${this.s.total}] Completed: ${this.s.done} | Failed: ${this.s.failed} | Running: ${this.s.running} | ` +
      `Rate: ${rate.toFixed(1)}/min | Elapsed: ${Math.round(el)}s | ETA: ${eta === null ? '?' : `${eta}s`}` +
      (this.s.costUsd > 0 ? ` | Cost: $${this.s.costUsd.toFixed(2)}` : '') +
      (this.s.extra ? this.s.extra() : '')
    );
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.tty ? 500 : 1000);
    this.timer.unref();
  }

  tick(force = false): void {
    if (this.tty) {
      this.out.write(`\r\x1b[2K${this.line()}`);
      return;
    }
    if (force || Date.now() - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = Date.now();
      this.out.write(this.line() + '\n');
    }
  }

  /** a message on its own line, without breaking the live line */
  note(msg: string): void {
    if (this.tty) this.out.write(`\r\x1b[2K${msg}\n${this.line()}`);
    else this.out.write(msg + '\n');
  }

  /** Ends the live line; with final = false (the run failed) it only clears it, so the error stands alone. */
  stop(final = true): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!final) {
      if (this.tty) this.out.write('\r\x1b[2K');
      return;
    }
    if (this.tty) this.out.write(`\r\x1b[2K${this.line()}\n`);
    else this.tick(true);
  }
}

/** The progress line's part for the governed keys: requests in the last minute against each key's budget. */
export function formatKeyRates(snap: readonly BudgetSnapshot[]): string {
  if (!snap.length) return '';
  return (
    ' | ' +
    snap
      .map((b) => {
        // "openai/OPENAI_API_KEY 12/10000 rpm / 30M tpm learned": the provider, the key's label, never the key
        const rest = formatKeyLimits(b).replace(/^[^:]*: /, '');
        return `${b.key} ${b.recent}/${rest}${b.paused ? ' (paused)' : ''}`;
      })
      .join(', ')
  );
}
