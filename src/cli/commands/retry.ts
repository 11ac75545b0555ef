/** `bargain retry`: re-run FAILED, TIMEOUT and INCOMPLETE experiments, then collect. */
import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { ExitError, UserError } from '../../errors.ts';
import { assertWritableDir } from '../../files.ts';
import { prepareRetry, retryCandidates } from '../../grid/retry.ts';
import { experimentState } from '../../grid/status.ts';
import { describeIds } from '../../grid/grid.ts';
import {
  layoutOf,
  loadGridFor,
  maxCostArg,
  pairLabel,
  preflight,
  withLlmOptions,
  withResultsDir,
  withRunOptions,
  type LlmFlags,
} from '../shared.ts';
import { runSession } from '../run-session.ts';
import { collectAndReport } from './collect.ts';
import { rejectSbatchOnly, submitRetry, withSbatchOptions, type SbatchFlags } from './slurm.ts';

interface RetryFlags extends SbatchFlags, Omit<LlmFlags, 'rpm' | 'tpm' | 'concurrency'> {
  resultsDir: string;
  parallel?: number;
  timeout: number;
  yes?: boolean;
  slurm?: boolean;
  maxCost?: number;
}

export function registerRetry(program: Command): void {
  withSbatchOptions(
    withLlmOptions(
      withRunOptions(
        withResultsDir(
          program
            .command('retry')
            .description('re-run FAILED, TIMEOUT and INCOMPLETE experiments (logs archived), then collect')
            .option('--yes', 'do not ask for confirmation')
            .option(
              '--max-cost <usd>',
              'start no experiment that would take the spend past this many dollars',
              maxCostArg,
            )
            .option(
              '--slurm',
              'submit them as a SLURM job array instead of running here (with the "slurm submit" options below)',
            ),
        ),
      ),
    ),
  ).action(async (f: RetryFlags) => {
    const layout = layoutOf(f);
    if (!f.slurm) rejectSbatchOnly(f);
    const { configs, factory, resolver } = loadGridFor(layout, undefined, f);
    const todo = retryCandidates(layout, configs);
    const running = configs
      .map((c) => experimentState(layout, c))
      .filter((s) => s.status === 'RUNNING')
      .map((s) => s.config.experiment_id);
    // a live lease: another process runs them now; their logs and flags are not ours to touch
    const runningNote = running.length
      ? `${running.length} experiment${running.length === 1 ? '' : 's'} RUNNING in another process (${describeIds(running)}), left alone.\n`
      : '';
    if (todo.length === 0) {
      process.stdout.write(runningNote + 'Nothing to retry: no FAILED, TIMEOUT or INCOMPLETE experiments.\n');
      return;
    }
    if (runningNote) process.stdout.write(runningNote);
    assertWritableDir(layout.root, 'results directory');
    process.stdout.write(
      `${todo.length} experiment${todo.length === 1 ? '' : 's'} to retry:\n` +
        todo
          .map(
            (s) =>
              `  ${s.config.experiment_id}: ${pairLabel(s.config)} — ${s.status}${s.result?.error ? `: ${s.result.error}` : s.note ? ` (${s.note})` : ''}`,
          )
          .join('\n') +
        '\n',
    );
    if (!f.yes) {
      if (!process.stdin.isTTY)
        throw new UserError('retry asks for confirmation on a terminal; pass --yes to run without asking');
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = (await rl.question('Retry them now? [y/N] ')).trim().toLowerCase();
      rl.close();
      if (answer !== 'y' && answer !== 'yes') {
        process.stdout.write('Nothing changed.\n');
        return;
      }
    }
    await preflight(
      layout,
      resolver,
      todo.map((s) => s.config),
      f,
    );
    if (f.slurm) {
      submitRetry(layout, todo, f, () => prepareRetry(layout, todo));
      return;
    }
    const ready = prepareRetry(layout, todo);
    const { exitCode } = await runSession(
      layout,
      ready.map((s) => s.config),
      factory,
      { parallel: f.parallel, timeoutSec: f.timeout, resolver, maxCostUsd: f.maxCost },
    );
    process.stdout.write((await collectAndReport(layout, { modelsFile: f.models })).join('\n') + '\n');
    if (exitCode !== 0) throw new ExitError(exitCode);
  });
}
