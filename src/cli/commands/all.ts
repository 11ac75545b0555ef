/** `bargain all`: check → generate (unless the configs already match) → run → collect → summary. */
import type { Command } from 'commander';
import { ExitError } from '../../errors.ts';
import { hasAnyResults, planFrom, sameGrid } from '../../grid/generate.ts';
import { experimentState } from '../../grid/status.ts';
import { describeIds } from '../../grid/grid.ts';
import { ModelResolver } from '../../grid/model-resolver.ts';
import { assertWritableDir } from '../../files.ts';
import { addGridFlags, generateFrom, overridesOf, type GenerateFlags } from './generate.ts';
import {
  layoutOf,
  parallelFor,
  llmSettingsOf,
  loadGridFor,
  maxCostArg,
  preflight,
  withLlmOptions,
  withResultsDir,
  withRunOptions,
  type LlmFlags,
} from '../shared.ts';
import { runSession } from '../run-session.ts';
import { collectAndReport } from './collect.ts';

interface AllFlags extends GenerateFlags, Omit<LlmFlags, 'models'> {
  parallel?: number;
  timeout: number;
  dryRun?: boolean;
  maxCost?: number;
}

export function registerAll(program: Command): void {
  withLlmOptions(
    withRunOptions(
      withResultsDir(
        addGridFlags(
          program
            .command('all')
            .description('the whole pipeline: generate (unless done) → run → collect')
            .option(
              '--max-cost <usd>',
              'start no experiment that would take the spend past this many dollars',
              maxCostArg,
            )
            .option('--dry-run', 'print what would run and what is already done; run nothing'),
        ),
      ),
    ),
  ).action(async (f: AllFlags) => {
    const layout = layoutOf(f);
    const { grid, configs } = planFrom(f.grid, overridesOf(f));
    const check = new ModelResolver(null, llmSettingsOf(f));
    check.checkNames([...grid.weak, ...grid.strong], check.expectedEnd(configs));
    if (f.dryRun) {
      const matches = sameGrid(layout, configs);
      const states = configs.map((c) =>
        matches ? experimentState(layout, c) : { config: c, status: 'NOT_STARTED' as const },
      );
      const done = states.filter((s) => s.status === 'SUCCESS' || s.status === 'FAILED' || s.status === 'TIMEOUT');
      const todo = states.filter((s) => !done.includes(s));
      process.stdout.write(
        [
          `Dry run for ${layout.root}: ${configs.length} experiments (${grid.weak.length} weak × ${grid.strong.length} strong × ${grid.levels.length} levels, ${grid.num_runs} runs each)`,
          matches
            ? '  Configs already generated and matching.'
            : hasAnyResults(layout) && !f.force
              ? `  Configs differ from the grid already in ${layout.root}, which has results: the real run would refuse (add --force to move the old grid to archive/, or use another --results-dir).`
              : `  Configs would be (re)generated${hasAnyResults(layout) ? ' (the old grid moved to archive/ first)' : ''}.`,
          `  Already done: ${done.length}${done.length ? ` (${describeIds(done.map((s) => s.config.experiment_id))})` : ''}`,
          `  Would run: ${todo.length}${todo.length ? ` (${describeIds(todo.map((s) => s.config.experiment_id))})` : ''} with --parallel ${parallelFor(configs, f.parallel)}`,
          'Nothing was run or written.',
        ].join('\n') + '\n',
      );
      return;
    }
    check.factory([...grid.weak, ...grid.strong]); // fail before writing anything if a model cannot run (keys, routes)
    assertWritableDir(layout.root, 'results directory');
    process.stdout.write(generateFrom(layout, f).message + '\n');
    const { configs: loaded, factory, resolver } = loadGridFor(layout, undefined, f);
    await preflight(layout, resolver, loaded, f);
    const { exitCode } = await runSession(layout, loaded, factory, {
      parallel: f.parallel,
      timeoutSec: f.timeout,
      resolver,
      maxCostUsd: f.maxCost,
    });
    process.stdout.write((await collectAndReport(layout, { modelsFile: f.models })).join('\n') + '\n');
    if (exitCode !== 0) throw new ExitError(exitCode);
  });
}
