/**
 * Planning a SLURM job array over a grid (DESIGN §6), as pure values: which experiments
 * each array task runs, the per-task share of each provider's rate budget, and the sbatch
 * script text. No file, process or SLURM access here (writing and submitting live in
 * submit.ts), so every choice is testable from a plain value.
 *
 * Two modes:
 * - shards: K tasks, task i runs shard i (round-robin over the pending ids, so each shard
 *   gets a similar mix of models and levels) with `bargain run --jobs <ids>` in one process;
 * - per-experiment: K = number of pending experiments; the array indices are the
 *   experiment ids themselves and each task runs `scripts/run_single_experiment.sh
 *   $SLURM_ARRAY_TASK_ID` (the classic `#SBATCH --array=0-299` recipe).
 * The assignment is fixed when the script is written, so tasks that start later never
 * overlap or miss an experiment. Paths are absolute so regenerating cannot break queued jobs.
 */
import { UserError } from '../errors.ts';
import { shellQuote as q } from './shell.ts';

export interface RateBudget {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
}

export interface SbatchOptions {
  /** array tasks (default: min(pending, 10)) */
  tasks?: number;
  /** tasks running at once, the %P of the array (default: all tasks) */
  maxRunning?: number;
  time?: string;
  mem?: string;
  partition?: string;
  account?: string;
  /** whole `#SBATCH …` lines added verbatim */
  extra?: string[];
  jobName?: string;
  /** experiments active at once inside each task (bargain run --parallel) */
  parallel?: number;
  /** seconds per negotiation run (bargain run --timeout) */
  timeout?: number;
  /** further arguments for each task's bargain process (--models FILE, --no-cache, …) */
  forward?: string[];
  /** dollars for the whole array; each of the K shards gets maxCost/K (bargain run --max-cost) */
  maxCost?: number;
}

export interface PlanInput {
  /** experiment ids to run (not yet complete, or the retry candidates), any order */
  pending: number[];
  /** absolute paths */
  resultsDir: string;
  workDir: string;
  node: string;
  /** bin/bargain.mjs */
  cli: string;
  /** scripts/run_single_experiment.sh */
  singleScript: string;
  options: SbatchOptions;
  /** each provider's whole budget (all tasks together); divided by the tasks running at once */
  budgets?: Record<string, RateBudget>;
  /** when and how the script was made, for its header */
  generatedAt: string;
  purpose?: string;
}

export type SbatchMode = 'shards' | 'per-experiment';

export interface SbatchPlan {
  mode: SbatchMode;
  /** the --array value, e.g. "0-3%2" */
  array: string;
  tasks: number;
  maxRunning: number;
  /** shards[i] = experiment ids of array task i (shards mode); one id each in per-experiment mode */
  shards: number[][];
  /** per-task budgets passed to each task's bargain process */
  rates: Record<string, RateBudget>;
  directives: string[];
  resultsDir: string;
  workDir: string;
  node: string;
  cli: string;
  singleScript: string;
  parallel: number;
  timeout?: number;
  forward: string[];
  /** per task, dollars */
  maxCostPerTask?: number;
  generatedAt: string;
  purpose: string;
}

export const DEFAULT_TASKS = 10;
export const DEFAULT_PARALLEL = 4;
const TIME_RE = /^(?:\d+-\d+(?::\d{1,2}){0,2}|\d+(?::\d{1,2}){0,2})$/;
const MEM_RE = /^\d+[KMGT]?$/i;
const NAME_RE = /^[A-Za-z0-9_.-]+(?:,[A-Za-z0-9_.-]+)*$/;
/** characters that survive an #SBATCH line and SLURM's %-patterns unquoted */
const SBATCH_PATH_RE = /^[A-Za-z0-9_./@+:,=-]+$/;

/** Splits ids round-robin into k disjoint, non-empty shards (k ≤ ids.length). */
export function shardIds(ids: number[], k: number): number[][] {
  const sorted = [...ids].sort((a, b) => a - b);
  const out: number[][] = Array.from({ length: k }, () => []);
  sorted.forEach((id, i) => out[i % k].push(id));
  return out;
}

/** "0-3,7,9-10" for a sorted id list. */
export function compactIds(ids: number[]): string {
  const s = [...ids].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(i === j ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** Divides each budget by p (rounded down so p tasks together stay within it). */
export function divideBudgets(budgets: Record<string, RateBudget>, p: number): Record<string, RateBudget> {
  const out: Record<string, RateBudget> = {};
  const share = (x: number) => Math.max(0.01, Math.floor((x / p) * 100) / 100);
  for (const [provider, b] of Object.entries(budgets)) {
    const r: RateBudget = {};
    if (b.rpm !== undefined) r.rpm = share(b.rpm);
    if (b.tpm !== undefined) r.tpm = Math.max(1, Math.floor(b.tpm / p));
    if (b.concurrency !== undefined) r.concurrency = Math.max(1, Math.floor(b.concurrency / p));
    out[provider] = r;
  }
  return out;
}

function checkOptions(o: SbatchOptions): void {
  if (o.time !== undefined && !TIME_RE.test(o.time)) {
    throw new UserError(
      `--time takes a SLURM time limit such as 04:00:00, 90 (minutes) or 1-12:00:00 (got "${o.time}")`,
    );
  }
  if (o.mem !== undefined && !MEM_RE.test(o.mem))
    throw new UserError(`--mem takes a size such as 4G or 500M (got "${o.mem}")`);
  if (o.partition !== undefined && !NAME_RE.test(o.partition))
    throw new UserError(`--partition takes a partition name such as debug or gpu,cpu (got "${o.partition}")`);
  if (o.account !== undefined && !NAME_RE.test(o.account))
    throw new UserError(`--account takes an account name such as my_lab (got "${o.account}")`);
  if (o.jobName !== undefined && !/^[A-Za-z0-9_.-]+$/.test(o.jobName))
    throw new UserError(`--job-name takes letters, digits, _ . - (got "${o.jobName}")`);
  if ((o.forward ?? []).some((a) => /[\r\n\0]/.test(a)))
    throw new UserError('an option value holds a line break; give it on one line');
  for (const line of o.extra ?? []) {
    if (!/^#SBATCH\s+-{1,2}[A-Za-z]/.test(line) || /[\r\n]/.test(line)) {
      throw new UserError(
        `--extra takes one whole directive line such as '#SBATCH --qos=normal' (got "${line.replace(/\n/g, '\\n')}"); repeat --extra for more`,
      );
    }
  }
}

/** Builds the plan; throws a UserError for bad options or nothing to run. */
export function planSbatch(input: PlanInput): SbatchPlan {
  const o = input.options;
  checkOptions(o);
  const pending = [...new Set(input.pending)].sort((a, b) => a - b);
  if (pending.length === 0)
    throw new UserError(
      'no experiments to run: every experiment is already complete (failures can be resubmitted with "bargain retry --slurm")',
    );
  if (!SBATCH_PATH_RE.test(input.resultsDir)) {
    throw new UserError(
      `the results directory path ${JSON.stringify(input.resultsDir)} has characters SLURM cannot take in an #SBATCH --output line (spaces, %, quotes); use a path without them`,
    );
  }
  const tasks = o.tasks ?? Math.min(pending.length, DEFAULT_TASKS);
  if (tasks < 1) throw new UserError(`--tasks must be at least 1 (got ${tasks})`);
  if (tasks > pending.length) {
    throw new UserError(
      `--tasks ${tasks} is more than the ${pending.length} experiments to run; use at most ${pending.length} (that many = one experiment per task)`,
    );
  }
  const maxRunning = Math.min(o.maxRunning ?? tasks, tasks);
  if (maxRunning < 1) throw new UserError(`--max-running must be at least 1 (got ${maxRunning})`);
  const mode: SbatchMode = tasks === pending.length ? 'per-experiment' : 'shards';
  if (o.maxCost !== undefined && mode === 'per-experiment') {
    throw new UserError(
      `--max-cost needs tasks that run several experiments each; use fewer --tasks than the ${pending.length} experiments`,
    );
  }
  const shards = mode === 'per-experiment' ? pending.map((id) => [id]) : shardIds(pending, tasks);
  const array = `${mode === 'per-experiment' ? compactIds(pending) : `0-${tasks - 1}`}%${maxRunning}`;
  const jobName = o.jobName ?? 'bargain';
  const directives = [
    `--job-name=${jobName}`,
    `--array=${array}`,
    `--output=${input.resultsDir}/logs/slurm_%A_%a.out`,
    '--ntasks=1',
    ...(o.time !== undefined ? [`--time=${o.time}`] : []),
    ...(o.mem !== undefined ? [`--mem=${o.mem.toUpperCase()}`] : []),
    ...(o.partition !== undefined ? [`--partition=${o.partition}`] : []),
    ...(o.account !== undefined ? [`--account=${o.account}`] : []),
  ];
  return {
    mode,
    array,
    tasks,
    maxRunning,
    shards,
    rates: divideBudgets(input.budgets ?? {}, maxRunning),
    directives: [...directives.map((d) => `#SBATCH ${d}`), ...(o.extra ?? [])],
    resultsDir: input.resultsDir,
    workDir: input.workDir,
    node: input.node,
    cli: input.cli,
    singleScript: input.singleScript,
    parallel: o.parallel ?? DEFAULT_PARALLEL,
    timeout: o.timeout,
    forward: o.forward ?? [],
    ...(o.maxCost !== undefined ? { maxCostPerTask: Math.max(0.01, Math.floor((o.maxCost / tasks) * 100) / 100) } : {}),
    generatedAt: input.generatedAt,
    purpose: input.purpose ?? 'experiments not yet complete',
  };
}

function fmtNum(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100);
}

/** The per-task rate flags, e.g. ["--rpm", "anthropic=25", "--tpm", "anthropic=15000"]. */
export function rateFlags(rates: Record<string, RateBudget>): string[] {
  const out: string[] = [];
  for (const [p, r] of Object.entries(rates).sort(([a], [b]) => a.localeCompare(b))) {
    if (r.rpm !== undefined) out.push('--rpm', `${p}=${fmtNum(r.rpm)}`);
    if (r.tpm !== undefined) out.push('--tpm', `${p}=${fmtNum(r.tpm)}`);
    if (r.concurrency !== undefined) out.push('--concurrency', `${p}=${r.concurrency}`);
  }
  return out;
}

/** The sbatch script for a plan. */
export function renderSbatch(plan: SbatchPlan): string {
  const n = plan.shards.reduce((t, s) => t + s.length, 0);
  const rates = rateFlags(plan.rates);
  const lines = [
    '#!/bin/bash',
    ...plan.directives,
    '#',
    `# Written by "bargain slurm" at ${plan.generatedAt}: ${n} ${plan.purpose} in ${plan.tasks} array task${plan.tasks === 1 ? '' : 's'},`,
    `# at most ${plan.maxRunning} running at once (${plan.mode === 'shards' ? 'each task runs a fixed shard of experiments in one process' : 'one experiment per task: the array index is the experiment id'}).`,
    ...(rates.length
      ? [`# Provider rate budgets are divided by ${plan.maxRunning} so the tasks running together stay within them.`]
      : []),
    ...(plan.maxCostPerTask !== undefined
      ? [`# The cost budget is split evenly: each task stops starting experiments past $${plan.maxCostPerTask}.`]
      : []),
    '# Paths are absolute; regenerating this file does not affect jobs already queued.',
    'set -euo pipefail',
    `NODE=${q(plan.node)}`,
    `RESULTS=${q(plan.resultsDir)}`,
    `export PATH=${q(plan.node.replace(/\/[^/]*$/, '') || '/')}:"$PATH"`,
    `cd ${q(plan.workDir)}`,
    ': "${SLURM_ARRAY_TASK_ID:?this script is a SLURM array job: submit it with sbatch}"',
  ];
  const common = [
    `--results-dir "$RESULTS"`,
    ...(plan.timeout !== undefined ? [`--timeout ${plan.timeout}`] : []),
    ...plan.forward.map(q),
  ];
  if (plan.mode === 'per-experiment') {
    lines.push(`exec ${q(plan.singleScript)} "$SLURM_ARRAY_TASK_ID" ${[...common, ...rates.map(q)].join(' ')}`);
  } else {
    lines.push('case "$SLURM_ARRAY_TASK_ID" in');
    plan.shards.forEach((ids, i) => lines.push(`  ${i}) JOBS=${compactIds(ids)} ;;`));
    lines.push(
      `  *) echo "bargain: array task $SLURM_ARRAY_TASK_ID has no shard in this script (tasks 0-${plan.tasks - 1})" >&2; exit 2 ;;`,
      'esac',
      'echo "bargain: array task $SLURM_ARRAY_TASK_ID on $(hostname) runs experiments $JOBS"',
      `exec "$NODE" ${q(plan.cli)} run --jobs "$JOBS" --parallel ${plan.parallel} ` +
        [
          ...common,
          ...(plan.maxCostPerTask !== undefined ? [`--max-cost ${plan.maxCostPerTask}`] : []),
          ...rates.map(q),
        ].join(' '),
    );
  }
  return lines.join('\n') + '\n';
}
