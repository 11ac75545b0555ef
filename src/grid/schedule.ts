/**
 * The start order of experiments (DESIGN §3, §4): keep the bottleneck key busy from the
 * first minute. Each experiment has a demand per provider key (its expected calls ÷ the
 * key's RPM, i.e. minutes of that key's budget). Whenever a slot frees, the runner starts
 * the pending experiment that puts the most load on the keys with the most remaining
 * work, weighting each key by its share of the remaining load. With no demand at all
 * (offline grids) this is plain id order.
 */
import type { ExperimentConfig } from './config.ts';

export type Demand = Record<string, number>;

export class BottleneckScheduler {
  private readonly remaining = new Map<string, number>();

  constructor(pending: ExperimentConfig[], private readonly demandOf: (c: ExperimentConfig) => Demand) {
    for (const c of pending) for (const [k, v] of Object.entries(demandOf(c))) this.remaining.set(k, (this.remaining.get(k) ?? 0) + v);
  }

  /** Index into `pending` of the experiment to start next; marks its demand as taken. */
  pick(pending: ExperimentConfig[]): number {
    let max = 0;
    for (const v of this.remaining.values()) max = Math.max(max, v);
    let best = 0, bestScore = -1;
    if (max > 0) {
      pending.forEach((c, i) => {
        let score = 0;
        for (const [k, v] of Object.entries(this.demandOf(c))) score += v * ((this.remaining.get(k) ?? 0) / max);
        if (score > bestScore + 1e-12) { bestScore = score; best = i; }
      });
    }
    for (const [k, v] of Object.entries(this.demandOf(pending[best]))) this.remaining.set(k, (this.remaining.get(k) ?? 0) - v);
    return best;
  }
}
