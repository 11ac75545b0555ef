/**
 * The --max-cost admission policy (DESIGN §3 Cost): an experiment may start only while what is
 * already spent, plus what the running experiments are expected to cost, plus its own expected
 * cost stays within the cap. The first refusal is the runner's reason to start nothing more.
 * `budgetGate` is pure (spend and estimates are passed in); `maxCostGate` feeds it the grid's
 * estimate and the resolver's cost meter.
 */
import type { Layout } from '../results/layout.ts';
import type { ExperimentConfig } from '../results/index.ts';
import { estimateGrid } from './estimate.ts';
import type { ModelResolver } from './model-resolver.ts';
import { experimentState, isFinished } from './status.ts';

export interface BudgetGate {
  /** true: start it (its expected cost is reserved until `done`); else why nothing more starts */
  admit(c: ExperimentConfig): true | string;
  /** it finished or was skipped: its reservation is released */
  done(c: ExperimentConfig): void;
}

/** `expectedUsd`: an experiment's expected cost; `spentUsd`: the dollars spent so far, read at each admission. */
export function budgetGate(
  capUsd: number,
  expectedUsd: (c: ExperimentConfig) => number,
  spentUsd: () => number,
): BudgetGate {
  const running = new Map<number, number>();
  return {
    admit: (c) => {
      const mine = expectedUsd(c);
      let reserved = 0;
      for (const v of running.values()) reserved += v;
      const spent = spentUsd();
      if (spent + reserved + mine > capUsd) {
        return (
          `--max-cost $${capUsd.toFixed(2)} reached: spent $${spent.toFixed(4)}, ` +
          `running experiments expected to need $${reserved.toFixed(4)} more, the next one $${mine.toFixed(4)}`
        );
      }
      running.set(c.experiment_id, mine);
      return true;
    },
    done: (c) => {
      running.delete(c.experiment_id);
    },
  };
}

/** The gate for a grid: its unfinished experiments estimated as they will be billed, the resolver's meter as the spend. */
export async function maxCostGate(
  configs: readonly ExperimentConfig[],
  layout: Layout,
  resolver: ModelResolver,
  capUsd: number,
): Promise<BudgetGate> {
  const pending = configs.filter((c) => !isFinished(experimentState(layout, c).status));
  const est = await estimateGrid(pending, resolver);
  // the expected cost as it will be billed: cached input at its price unless --no-prompt-cache
  const caching = resolver.settings.promptCache !== false;
  return budgetGate(
    capUsd,
    (c) => {
      const e = est.perExperiment.get(c.experiment_id);
      return (caching ? e?.cachedCostUsd : e?.costUsd) ?? 0;
    },
    () => resolver.meter.usd,
  );
}
