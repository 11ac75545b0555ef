import type { ExperimentConfig } from '../results/index.ts';
/**
 * The start order of experiments (DESIGN §3, §4): keep the bottleneck key busy from the
 * first minute, and every other key busy enough that it does not become the bottleneck
 * at the end. Each experiment has a demand per provider key (its expected calls); each key
 * a capacity (the calls a minute it can serve now: its budgets, or what it was measured to
 * sustain, which can be less when its concurrency cap meets slow answers). A key's
 * remaining time is its pending demand ÷ its capacity. Whenever a slot frees, the runner
 * starts the pending experiment whose demand, in time of each key, weighted by that key's
 * share of the longest remaining time, is largest — counting only keys that are not yet
 * saturated: once the running experiments put enough work on a key to keep it busy (its
 * saturation, e.g. twice its concurrency cap, in experiments' shares of calls), more work
 * there would only queue while a slot could feed another key. With no demand at all
 * (offline grids) this is plain id order.
 */

/** expected calls per provider key (or any work unit, with capacity in the same unit per minute) */
export type Demand = Record<string, number>;

export interface KeyViews {
  /** work a minute the key serves now (default 1: demand is already in time) */
  capacity?: (key: string) => number;
  /** running experiments' summed share of calls on the key that keeps it busy (default: no limit) */
  saturation?: (key: string) => number;
}

/** weight of a saturated key's work: only breaks ties between experiments that feed no open key */
const SATURATED = 0.01;

export class BottleneckScheduler {
  private readonly remaining = new Map<string, number>();
  /** running experiments' shares of calls per key */
  private readonly pressure = new Map<string, number>();
  private readonly running = new Map<number, Demand>();

  constructor(
    pending: ExperimentConfig[],
    private readonly demandOf: (c: ExperimentConfig) => Demand,
    private readonly views: KeyViews = {},
  ) {
    for (const c of pending)
      for (const [k, v] of Object.entries(demandOf(c))) this.remaining.set(k, (this.remaining.get(k) ?? 0) + v);
  }

  /** Index into `pending` of the experiment to start next; marks its demand as taken (call done() when it ends). */
  pick(pending: ExperimentConfig[]): number {
    const cap = new Map<string, number>();
    const weight = new Map<string, number>();
    let max = 0;
    for (const [k, v] of this.remaining) {
      cap.set(k, Math.max(1e-9, this.views.capacity?.(k) ?? 1));
      max = Math.max(max, v / cap.get(k)!);
    }
    for (const [k, v] of this.remaining) {
      const open = (this.pressure.get(k) ?? 0) < (this.views.saturation?.(k) ?? Infinity);
      weight.set(k, max > 0 ? ((v / cap.get(k)! / max) * (open ? 1 : SATURATED)) / cap.get(k)! : 0);
    }
    let best = 0,
      bestScore = -1;
    if (max > 0) {
      pending.forEach((c, i) => {
        let score = 0;
        for (const [k, v] of Object.entries(this.demandOf(c))) score += v * (weight.get(k) ?? 0);
        if (score > bestScore + 1e-12) {
          bestScore = score;
          best = i;
        }
      });
    }
    const c = pending[best];
    const d = this.demandOf(c);
    const total = Object.values(d).reduce((a, b) => a + b, 0);
    for (const [k, v] of Object.entries(d)) {
      this.remaining.set(k, (this.remaining.get(k) ?? 0) - v);
      if (total > 0) this.pressure.set(k, (this.pressure.get(k) ?? 0) + v / total);
    }
    this.running.set(c.experiment_id, d);
    return best;
  }

  /** An experiment picked earlier has ended: its keys have room again. */
  done(c: ExperimentConfig): void {
    const d = this.running.get(c.experiment_id);
    if (!d) return;
    this.running.delete(c.experiment_id);
    const total = Object.values(d).reduce((a, b) => a + b, 0);
    if (total > 0)
      for (const [k, v] of Object.entries(d))
        this.pressure.set(k, Math.max(0, (this.pressure.get(k) ?? 0) - v / total));
  }
}
