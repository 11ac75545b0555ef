/**
 * Applying a plan (DESIGN §6): validate against the cluster, write the sbatch script
 * atomically, submit it, record the job. Validation comes first and a refused submission
 * restores what was there before, so a failure leaves the results directory as it was.
 * Depends on grid (layout, experiment state) and plan/slurm/jobs; the CLI only calls in.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.ts';
import { writeFileAtomicallySync } from '../files.ts';
import type { Layout } from '../results/layout.ts';
import { experimentState, isFinished } from '../grid/status.ts';
import { appendJob, readJobs, type JobRecord } from './jobs.ts';
import { SLURM_DIR } from '../results/layout.ts';
import { planSbatch, renderSbatch, type RateBudget, type SbatchOptions, type SbatchPlan } from './plan.ts';
import {
  checkPartition,
  maxArraySize,
  requireCommand,
  slurmAvailable,
  sbatch,
  releaseJob,
  scancel,
  squeueTasks,
  which,
} from './slurm.ts';
import { isActive } from './status.ts';
import type { ExperimentConfig } from '../results/index.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

export const SCRIPT_NAMES = { grid: 'submit.sbatch', retry: 'retry.sbatch' } as const;

/** Ids of experiments not yet complete (NOT_STARTED or INCOMPLETE). */
export function pendingIds(layout: Layout, configs: ExperimentConfig[]): number[] {
  return configs.filter((c) => !isFinished(experimentState(layout, c).status)).map((c) => c.experiment_id);
}

export function buildPlan(
  layout: Layout,
  ids: number[],
  options: SbatchOptions,
  budgets: Record<string, RateBudget>,
  purpose?: string,
): SbatchPlan {
  return planSbatch({
    pending: ids,
    resultsDir: resolve(layout.root),
    workDir: process.cwd(),
    node: process.execPath,
    cli: join(REPO, 'bin', 'bargain.mjs'),
    singleScript: join(REPO, 'scripts', 'run_single_experiment.sh'),
    options,
    budgets,
    generatedAt: new Date().toISOString(),
    purpose,
  });
}

function scriptPath(layout: Layout, kind: JobRecord['kind']): string {
  return layout.abs(join(SLURM_DIR, SCRIPT_NAMES[kind]));
}

/** Checks that need SLURM: partition exists, array indices fit. `strict` = SLURM must answer. */
export function validateOnCluster(plan: SbatchPlan, partition: string | undefined, strict: boolean): string | null {
  if (!strict && !which('sinfo')) return 'not checked against a cluster: no SLURM here';
  if (!strict && !slurmAvailable().ok) return 'not checked against a cluster: SLURM is not answering here';
  if (strict) requireCommand('sbatch');
  checkPartition(partition);
  const top = Math.max(...(plan.mode === 'per-experiment' ? plan.shards.map((s) => s[0]) : [plan.tasks - 1]));
  const max = maxArraySize();
  if (max !== null && top >= max) {
    throw new UserError(
      `array index ${top} is beyond this cluster's MaxArraySize (${max}); use fewer tasks, e.g. --tasks ${Math.min(100, max)}, so each task runs a shard`,
    );
  }
  return null;
}

/** Refuses while a recorded job on this results directory is still queued or running. */
export function assertNoActiveJob(layout: Layout): void {
  const jobs = readJobs(layout).jobs;
  if (jobs.length === 0) return;
  const queued = squeueTasks(jobs.map((j) => j.job_id));
  const active = jobs.filter((j) => isActive(j, queued));
  if (active.length) {
    throw new UserError(
      `SLURM job ${active.map((j) => j.job_id).join(', ')} is still queued or running on ${layout.root} (its running experiments would look unfinished and run twice); ` +
        'wait for it ("bargain slurm status") or cancel it ("bargain slurm cancel") first',
    );
  }
}

interface Written {
  path: string;
  undo: () => void;
}

/** Writes the script atomically; undo() puts back the previous file (or removes it and any directory made). */
function writeScript(layout: Layout, kind: JobRecord['kind'], text: string): Written {
  const path = scriptPath(layout, kind);
  const made = [layout.root, layout.abs(SLURM_DIR), layout.abs(layout.logsDir)].filter((d) => !existsSync(d));
  const before = existsSync(path) ? readFileSync(path, 'utf8') : null;
  writeFileAtomicallySync(path, text);
  mkdirSync(layout.abs(layout.logsDir), { recursive: true }); // SLURM drops output whose directory is missing
  return {
    path,
    undo: () => {
      if (before !== null) writeFileAtomicallySync(path, before);
      else
        try {
          unlinkSync(path);
        } catch {
          /* gone */
        }
      for (const d of made.reverse()) {
        try {
          if (readdirSync(d).length === 0) rmdirSync(d);
        } catch {
          /* keep */
        }
      }
    },
  };
}

/** `slurm script`: plan, validate where SLURM is present, write. Returns the path and any note. */
export function writeSbatch(
  layout: Layout,
  plan: SbatchPlan,
  partition: string | undefined,
  kind: JobRecord['kind'] = 'grid',
): { path: string; note: string | null } {
  const note = validateOnCluster(plan, partition, false);
  const w = writeScript(layout, kind, renderSbatch(plan));
  return { path: w.path, note };
}

export interface Submitted {
  jobId: string;
  path: string;
  plan: SbatchPlan;
}

/**
 * `slurm submit` and `retry --slurm`: validate, write, sbatch, record. With `beforeRelease`
 * the job is submitted held, the hook runs (e.g. clearing retry flags), then it is released;
 * if the hook fails the job is cancelled.
 */
export function submitPlan(
  layout: Layout,
  plan: SbatchPlan,
  partition: string | undefined,
  kind: JobRecord['kind'],
  beforeRelease?: () => void,
): Submitted {
  validateOnCluster(plan, partition, true);
  assertNoActiveJob(layout);
  const w = writeScript(layout, kind, renderSbatch(plan));
  let jobId: string;
  try {
    jobId = sbatch(w.path, { hold: Boolean(beforeRelease) });
  } catch (e) {
    w.undo();
    throw e;
  }
  if (beforeRelease) {
    try {
      beforeRelease();
      releaseJob(jobId);
    } catch (e) {
      try {
        scancel([jobId]);
      } catch {
        /* reported below */
      }
      throw e;
    }
  }
  appendJob(layout, {
    job_id: jobId,
    submitted_at: new Date().toISOString(),
    kind,
    script: join(SLURM_DIR, SCRIPT_NAMES[kind]),
    mode: plan.mode,
    array: plan.array,
    tasks: plan.tasks,
    max_running: plan.maxRunning,
    shards: Object.fromEntries(plan.shards.map((ids, i) => [String(plan.mode === 'per-experiment' ? ids[0] : i), ids])),
    rates: plan.rates,
  });
  return { jobId, path: w.path, plan };
}
