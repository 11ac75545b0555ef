/** `bargain run` (all selected experiments, resumable) and `bargain run-one` (one experiment, e.g. a SLURM task). */
import type { Command } from 'commander';
import { ExitError, UserError } from '../../errors.ts';
import { assertWritableDir, sweepTempFiles } from '../../files.ts';
import { parseJobsFor } from '../../grid/grid.ts';
import { Interrupted, NotRunHere, runExperiment } from '../../grid/experiment.ts';
import { discardSaved, saveFinished, settleRerun } from '../../grid/rerun.ts';
import { experimentState, isFinished } from '../../grid/status.ts';
import {
  layoutOf,
  loadGridFor,
  maxCostArg,
  preflight,
  withLlmOptions,
  withResultsDir,
  withRunOptions,
  type LlmFlags,
} from '../shared.ts';
import { runSession } from '../run-session.ts';

interface RunFlags extends LlmFlags {
  resultsDir: string;
  parallel?: number;
  timeout: number;
  jobs?: string;
  maxCost?: number;
}

export function registerRun(program: Command): void {
  withLlmOptions(
    withRunOptions(
      withResultsDir(
        program
          .command('run')
          .description('run every selected experiment not yet complete, with live progress (resumable)')
          .option('--jobs <list>', 'only these experiment ids, e.g. 0-99,120')
          .option(
            '--max-cost <usd>',
            'start no experiment that would take the spend past this many dollars',
            maxCostArg,
          ),
      ),
    ),
  ).action(async (f: RunFlags) => {
    const layout = layoutOf(f);
    const { configs, factory, resolver } = loadGridFor(layout, f.jobs ? parseJobsFor(layout, f.jobs) : undefined, f);
    assertWritableDir(layout.root, 'results directory');
    await preflight(layout, resolver, configs, f);
    const { exitCode } = await runSession(layout, configs, factory, {
      parallel: f.parallel,
      timeoutSec: f.timeout,
      resolver,
      maxCostUsd: f.maxCost,
    });
    if (exitCode !== 0) throw new ExitError(exitCode);
  });

  withLlmOptions(
    program
      .command('run-one')
      .description('run one experiment (JOB_ID, else $SLURM_ARRAY_TASK_ID); exit 0/1/124 for SUCCESS/FAILED/TIMEOUT')
      .argument('[job_id]', 'experiment id')
      .option('--results-dir <dir>', 'results directory', 'experiments/results/scaling_experiment')
      .option(
        '--timeout <seconds>',
        'limit for each negotiation run',
        (v) => {
          const n = Number(v);
          if (!/^\d+$/.test(v) || n < 1)
            throw new UserError(`--timeout takes a whole number of seconds ≥ 1 (got "${v}")`);
          return n;
        },
        600,
      )
      .option(
        '--force',
        'run it again even if it finished (the earlier result is archived; a failed re-run never replaces a SUCCESS)',
      ),
  ).action(
    async (jobArg: string | undefined, f: LlmFlags & { resultsDir: string; timeout: number; force?: boolean }) => {
      const raw = jobArg ?? process.env.SLURM_ARRAY_TASK_ID;
      if (raw === undefined || raw === '')
        throw new UserError('run-one needs a JOB_ID argument (or SLURM_ARRAY_TASK_ID in the environment)');
      if (!/^\d+$/.test(raw)) throw new UserError(`JOB_ID must be a whole number (got "${raw}")`);
      const layout = layoutOf(f);
      const { configs, factory } = loadGridFor(layout, [Number(raw)], f);
      // Finished means finished: a SLURM task or a stray command does not redo (or undo) a result.
      const before = experimentState(layout, configs[0]);
      if (isFinished(before.status) && !f.force) {
        process.stdout.write(
          `Experiment ${raw} already finished with status: ${before.status} (${layout.abs(layout.result(configs[0]))}); nothing to do ` +
            '(--force runs it again; a failed re-run never replaces a SUCCESS)\n',
        );
        return;
      }
      assertWritableDir(layout.root, 'results directory');
      // A killed earlier attempt of this task may have left temporary files: sweep this experiment's directories.
      for (const d of [layout.logsDir, configs[0].output_dir]) sweepTempFiles(layout.abs(d), 0);
      const hard = new AbortController();
      const stop = () => hard.abort(new Error('stopped by signal'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const saved = isFinished(before.status) ? saveFinished(layout, configs[0], before) : null;
      try {
        // --force: run it although finished (the earlier result stays beside until settleRerun decides);
        // otherwise the lease's re-check skips one another process finished meanwhile
        const r = await runExperiment(layout, configs[0], {
          factory,
          timeoutMs: f.timeout * 1000,
          hardStop: hard.signal,
          ...(f.force ? { runIf: () => true } : {}),
        });
        const kept = saved ? settleRerun(layout, configs[0], saved, r) : null;
        process.stdout.write(
          `Experiment ${r.experiment_id} completed with status: ${r.status}${r.error ? ` (${r.error})` : ''}${kept ? `; ${kept}` : ''}\n`,
        );
        if (r.exit_code !== 0) throw new ExitError(r.exit_code);
      } catch (e) {
        if (e instanceof Interrupted) {
          if (saved) discardSaved(layout, saved); // nothing replaced the earlier result
          process.stderr.write(`bargain: experiment ${raw} interrupted; no result written\n`);
          throw new ExitError(130);
        }
        // another live process runs it (its lease), or it finished meanwhile: nothing to do here
        if (e instanceof NotRunHere) {
          if (saved) discardSaved(layout, saved);
          process.stdout.write(`Experiment ${raw} not run here: ${e.message}\n`);
          return;
        }
        throw e;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    },
  );
}
