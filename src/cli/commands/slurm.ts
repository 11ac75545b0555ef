/**
 * `bargain slurm script|submit|status|cancel` (DESIGN §6): the grid as a SLURM job array.
 * Flags become typed options here; planning, validation, writing and submitting live in
 * src/cluster. Also exports what `retry --slurm` needs.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { UserError } from '../../errors.ts';
import { countTasks, isActive } from '../../cluster/status.ts';
import { gridBudgets, type BudgetOverrides } from '../../cluster/budgets.ts';
import { readJobs, jobsPath } from '../../cluster/jobs.ts';
import { compactIds, type SbatchOptions, type SbatchPlan } from '../../cluster/plan.ts';
import { sacctTasks, scancel, squeueTasks } from '../../cluster/slurm.ts';
import { buildPlan, pendingIds, submitPlan, writeSbatch, type Submitted } from '../../cluster/submit.ts';
import { loadConfigs } from '../../grid/grid.ts';
import { assertWritableDir } from '../../files.ts';
import type { Layout } from '../../results/layout.ts';
import { DEFAULT_RESULTS_DIR } from '../../results/layout.ts';
import { experimentState, type ExperimentState } from '../../grid/status.ts';
import { intArg, providerValueArg } from '../options.ts';
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
import { shellQuote } from '../../cluster/shell.ts';

/** The sbatch flags are the plan's options (less `forward`, which is built from the LLM flags). */
export interface SbatchFlags extends BudgetOverrides, LlmFlags, Omit<SbatchOptions, 'forward'> {
  resultsDir: string;
}

/** The array options shared by `slurm script`, `slurm submit` and `retry --slurm`. */
export function withSbatchOptions(cmd: Command): Command {
  cmd
    .option(
      '--tasks <k>',
      'array tasks (default: min(experiments, 10)); = number of experiments: one experiment per task',
      intArg('--tasks', 1),
    )
    .option(
      '--max-running <p>',
      'tasks running at once, the %P of the array (default: all); rate budgets are divided by it',
      intArg('--max-running', 1),
    )
    .option('--time <limit>', "time limit per task, e.g. 04:00:00 (default: the partition's)")
    .option('--mem <size>', "memory per task, e.g. 4G (default: the partition's)")
    .option('--partition <name>', "SLURM partition (default: the cluster's default)")
    .option('--account <name>', 'SLURM account to charge')
    .option('--job-name <name>', 'SLURM job name (default: bargain)')
    .option('--extra <line>', "an extra '#SBATCH …' line, repeatable", (v: string, acc: string[] = []) => [...acc, v]);
  // The rate flags may already be there (the runner's own --rpm/--tpm/--concurrency, same form).
  const has = (long: string) => cmd.options.some((o) => o.long === long);
  if (!has('--rpm'))
    cmd.option(
      '--rpm <provider=n>',
      "requests per minute for a provider across all tasks (default: the registry's), repeatable",
      providerValueArg('--rpm', false),
    );
  if (!has('--tpm'))
    cmd.option(
      '--tpm <provider=n>',
      'tokens per minute for a provider across all tasks, repeatable',
      providerValueArg('--tpm', true),
    );
  if (!has('--max-cost'))
    cmd.option('--max-cost <usd>', 'dollars for the whole array, split evenly over the tasks', maxCostArg);
  if (!has('--concurrency'))
    cmd.option(
      '--concurrency <provider=n>',
      'requests in flight for a provider across all tasks, repeatable',
      providerValueArg('--concurrency', true),
    );
  return cmd;
}

/** For commands that only submit with --slurm: array options without it are a mistake worth naming. */
export function rejectSbatchOnly(f: SbatchFlags): void {
  const given = (['tasks', 'maxRunning', 'time', 'mem', 'partition', 'account', 'extra', 'jobName'] as const).filter(
    (k) => f[k] !== undefined,
  );
  if (given.length) {
    const flag = '--' + given[0].replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    throw new UserError(`${flag} only applies to a SLURM submission; add --slurm, or leave it out to retry here`);
  }
}

/** The LLM options each task's bargain process gets as given (rates are divided separately; paths made absolute). */
export function forwardedArgs(f: LlmFlags): string[] {
  const out: string[] = [];
  if (f.models !== undefined) out.push('--models', resolve(f.models));
  for (const b of f.baseUrl ?? []) out.push('--base-url', b);
  if (f.callTimeout !== undefined) out.push('--call-timeout', String(f.callTimeout));
  if (f.maxWait !== undefined) out.push('--max-wait', String(f.maxWait));
  for (const [phase, v] of [
    ['discussion', f.maxTokensDiscussion],
    ['thinking', f.maxTokensThinking],
    ['proposal', f.maxTokensProposal],
    ['voting', f.maxTokensVoting],
    ['reflection', f.maxTokensReflection],
    ['default', f.maxTokensDefault],
  ] as const) {
    if (v !== undefined) out.push(`--max-tokens-${phase}`, String(v));
  }
  if (f.cache === false) out.push('--no-cache');
  if (f.promptCache === false) out.push('--no-prompt-cache');
  // the tasks run the grid the user accepted: they must not refuse it again
  if (f.allowRetired) out.push('--allow-retired');
  // the check passed at submit time stands for the array's tasks (they would each call every model)
  if (f.check === false) out.push('--no-check');
  return out;
}

export function sbatchOptionsOf(f: SbatchFlags): SbatchOptions {
  return {
    tasks: f.tasks,
    maxRunning: f.maxRunning,
    time: f.time,
    mem: f.mem,
    partition: f.partition,
    account: f.account,
    extra: f.extra,
    jobName: f.jobName,
    parallel: f.parallel,
    timeout: f.timeout,
    forward: forwardedArgs(f),
    maxCost: f.maxCost,
  };
}

/**
 * The one path from flags to an array's plan, for `slurm script`, `slurm submit` and `retry --slurm`:
 * the experiments' configs (names and keys checked first: a task should not fail on them), the
 * rate budgets of the models they use, and the plan; with the resolver for the model check.
 */
function planArray(layout: Layout, ids: number[], f: SbatchFlags, purpose?: string) {
  const { configs, resolver } = loadGridFor(layout, ids, f);
  const budgets = gridBudgets(
    [...new Set(configs.flatMap((c) => [c.weak_model, c.strong_model]))],
    { rpm: f.rpm, tpm: f.tpm, concurrency: f.concurrency },
    f.models,
  );
  return { plan: buildPlan(layout, ids, sbatchOptionsOf(f), budgets, purpose), configs, resolver };
}

/** "array 0-9%4 (10 shards, at most 4 running at once)" */
function arrayShape(p: SbatchPlan): string {
  return `array ${p.array} (${p.mode === 'shards' ? `${p.tasks} shards` : 'one experiment per task'}, at most ${p.maxRunning} running at once)`;
}

function rd(layout: Layout): string {
  return layout.root === DEFAULT_RESULTS_DIR ? '' : ` --results-dir ${shellQuote(layout.root)}`;
}

function describeSubmitted(layout: Layout, s: Submitted, what: string): string[] {
  const p = s.plan;
  const n = p.shards.reduce((t, x) => t + x.length, 0);
  return [
    `Submitted SLURM job ${s.jobId}: ${n} ${what} as ${arrayShape(p)}`,
    `  Script:      ${s.path}`,
    `  Task output: ${p.resultsDir}/logs/slurm_${s.jobId}_<task>.out`,
    `  Watch it:    bargain slurm status${rd(layout)}   (or: squeue -j ${s.jobId})`,
    `  Stop it:     bargain slurm cancel${rd(layout)}`,
    `  Afterwards:  bargain collect${rd(layout)}; resubmit failures with: bargain retry --slurm --yes${rd(layout)}`,
  ];
}

/** `retry --slurm`: submit the retry candidates as an array; their logs/flags are cleared only once SLURM accepted the job. */
export function submitRetry(layout: Layout, todo: ExperimentState[], f: SbatchFlags, prepare: () => void): void {
  const ids = todo.map((s) => s.config.experiment_id);
  const { plan } = planArray(layout, ids, f, 'failed or unfinished experiments (retry)');
  const s = submitPlan(layout, plan, f.partition, 'retry', prepare);
  process.stdout.write(describeSubmitted(layout, s, 'experiments to retry').join('\n') + '\n');
}

function countStates(states: ExperimentState[]): Record<string, number> {
  const c: Record<string, number> = { SUCCESS: 0, FAILED: 0, TIMEOUT: 0, RUNNING: 0, INCOMPLETE: 0, NOT_STARTED: 0 };
  for (const s of states) c[s.status]++;
  return c;
}

export function registerSlurm(program: Command): void {
  const slurm = program
    .command('slurm')
    .description('run the grid as a SLURM job array: script, submit, status, cancel');

  withSbatchOptions(
    withLlmOptions(
      withRunOptions(
        withResultsDir(
          slurm
            .command('script')
            .description(
              'write <results-dir>/slurm/submit.sbatch for the experiments not yet complete (does not submit); ' +
                '--rpm/--tpm/--concurrency are the budgets of all tasks together, divided by --max-running',
            ),
        ),
      ),
    ),
  ).action((f: SbatchFlags) => {
    const layout = layoutOf(f);
    const ids = pendingIds(layout, loadConfigs(layout));
    assertWritableDir(layout.root, 'results directory');
    const { plan } = planArray(layout, ids, f);
    const { path, note } = writeSbatch(layout, plan, f.partition);
    process.stdout.write(
      `Wrote ${path}: ${ids.length} experiments as ${arrayShape(plan)}` +
        `${note ? ` (${note})` : ''}\nSubmit it with: sbatch ${path}   (or: bargain slurm submit${rd(layout)} with the same options, which also records the job)\n`,
    );
  });

  withSbatchOptions(
    withLlmOptions(
      withRunOptions(
        withResultsDir(
          slurm
            .command('submit')
            .description(
              'write the script and submit it with sbatch; records the job in <results-dir>/slurm/jobs.json; ' +
                '--rpm/--tpm/--concurrency are the budgets of all tasks together, divided by --max-running',
            ),
        ),
      ),
    ),
  ).action(async (f: SbatchFlags) => {
    const layout = layoutOf(f);
    const ids = pendingIds(layout, loadConfigs(layout));
    const { plan, configs, resolver } = planArray(layout, ids, f);
    await preflight(layout, resolver, configs, f);
    const s = submitPlan(layout, plan, f.partition, 'grid');
    process.stdout.write(describeSubmitted(layout, s, 'experiments').join('\n') + '\n');
  });

  withResultsDir(
    slurm
      .command('status')
      .description(
        'array tasks pending/running/finished (squeue, sacct where accounting exists) and experiments completed/failed',
      ),
  ).action((f: { resultsDir: string }) => {
    const layout = layoutOf(f);
    const states = loadConfigs(layout).map((c) => experimentState(layout, c));
    const jobs = readJobs(layout).jobs;
    const lines: string[] = [];
    if (jobs.length === 0) {
      lines.push(`No SLURM jobs recorded in ${jobsPath(layout)}; submit one with: bargain slurm submit${rd(layout)}`);
    } else {
      const ids = jobs.map((j) => j.job_id);
      const queued = squeueTasks(ids);
      const accounted = sacctTasks(ids);
      for (const j of jobs) {
        const c = countTasks(j, queued, accounted);
        const bad = Object.entries(c.notCompleted)
          .map(([s, n]) => `${n} ${s.toLowerCase()}`)
          .join(', ');
        lines.push(
          `Job ${j.job_id} (${j.kind}, array ${j.array}, submitted ${j.submitted_at}): ${c.running} running, ${c.pending} pending, ` +
            `${c.done} finished${bad ? ` (${bad})` : ''}${isActive(j, queued) ? '' : ' — no longer in the queue'}` +
            ` [${c.source === 'squeue' ? 'from squeue; no accounting, so a task gone from the queue counts as finished' : 'from squeue and sacct'}]`,
        );
      }
    }
    const c = countStates(states);
    lines.push(
      `Experiments in ${layout.root}: ${states.length} total — ${c.SUCCESS} successful, ${c.FAILED} failed, ${c.TIMEOUT} timeout, ` +
        `${c.RUNNING} running, ${c.INCOMPLETE} incomplete (stopped before finishing), ${c.NOT_STARTED} not started`,
    );
    const failed = states
      .filter((s) => s.status === 'FAILED' || s.status === 'TIMEOUT')
      .map((s) => s.config.experiment_id);
    if (failed.length)
      lines.push(
        `  Failed or timed out: ${compactIds(failed)}; resubmit with: bargain retry --slurm --yes${rd(layout)}`,
      );
    process.stdout.write(lines.join('\n') + '\n');
  });

  withResultsDir(
    slurm
      .command('cancel')
      .description('scancel the recorded jobs still queued or running (finished experiments keep their results)')
      .option(
        '--now',
        "kill running tasks at once instead of SIGTERM and SLURM's grace period (their running experiments leave no result)",
      )
      .option('--wait', 'wait (up to 2 minutes) until the cancelled tasks have left the queue'),
  ).action(async (f: { resultsDir: string; wait?: boolean; now?: boolean }) => {
    const layout = layoutOf(f);
    const jobs = readJobs(layout).jobs;
    const queued = squeueTasks(jobs.map((j) => j.job_id));
    const active = jobs.filter((j) => isActive(j, queued)).map((j) => j.job_id);
    if (active.length === 0) {
      process.stdout.write(`No recorded SLURM job is queued or running for ${layout.root}; nothing to cancel\n`);
      return;
    }
    scancel(active, { now: f.now });
    process.stdout.write(
      `Cancelled SLURM job ${active.join(', ')}. ${f.now ? 'Running experiments were stopped without writing a result' : 'Running experiments finish or stop without writing a result'}; ` +
        `complete the rest later with: bargain run${rd(layout)}  (or bargain slurm submit${rd(layout)})\n`,
    );
    if (f.wait) {
      const end = Date.now() + 120_000;
      while (squeueTasks(active).length > 0) {
        if (Date.now() > end)
          throw new UserError(
            `job ${active.join(', ')} is still in the queue 2 minutes after scancel; check it with "squeue -j ${active.join(',')}"`,
          );
        await new Promise((r) => setTimeout(r, 500));
      }
      process.stdout.write('All cancelled tasks have left the queue.\n');
    }
  });
}
