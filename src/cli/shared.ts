/** Pieces several commands share: the results-dir option, loading the grid, the agent factory. */
import type { Command } from 'commander';
import { DEFAULT_RESULTS_DIR, Layout } from '../grid/layout.ts';
import { loadConfigs } from '../grid/grid.ts';
import { resolveFactory } from '../grid/agents.ts';
import type { ExperimentConfig } from '../grid/config.ts';
import { UserError } from '../errors.ts';
import { intArg } from './options.ts';

export function withResultsDir(cmd: Command): Command {
  return cmd.option('--results-dir <dir>', 'results directory', DEFAULT_RESULTS_DIR);
}

export function withRunOptions(cmd: Command): Command {
  return cmd
    .option('--parallel <n>', 'experiments active at once', intArg('--parallel', 1, 10000), 4)
    .option('--timeout <seconds>', 'limit for each negotiation run of an experiment', intArg('--timeout', 1), 600);
}

export function layoutOf(o: { resultsDir: string }): Layout {
  return new Layout(o.resultsDir);
}

export function loadGridFor(layout: Layout, ids?: number[]) {
  const configs = loadConfigs(layout, ids);
  const models = [...new Set(configs.flatMap((c) => [c.weak_model, c.strong_model]))];
  let factory;
  try {
    factory = resolveFactory(models);
  } catch (e) {
    if (e instanceof UserError) {
      const where = configs.find((c) => e.message.includes(`"${c.weak_model}"`) || e.message.includes(`"${c.strong_model}"`));
      throw new UserError(`${where ? layout.config(where.experiment_id) + ': ' : ''}${e.message}`);
    }
    throw e;
  }
  return { configs, factory };
}

export function pairLabel(c: ExperimentConfig): string {
  return `${c.weak_model} vs ${c.strong_model} at level ${c.competition_level}`;
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
