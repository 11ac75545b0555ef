/**
 * The record of submitted SLURM jobs: <results-dir>/slurm/jobs.json, written atomically
 * after each successful submission and read by `slurm status` and `slurm cancel`. It holds
 * each job's task → experiments assignment, so status can name what each task runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { writeJsonSync } from '../files.ts';
import { SLURM_DIR, type Layout } from '../results/layout.ts';
import type { RateBudget, SbatchMode } from './plan.ts';

export interface JobRecord {
  job_id: string;
  submitted_at: string;
  /** grid = not-yet-complete experiments; retry = FAILED/TIMEOUT/INCOMPLETE ones */
  kind: 'grid' | 'retry';
  /** relative to the results directory */
  script: string;
  mode: SbatchMode;
  array: string;
  tasks: number;
  max_running: number;
  /** array task index → experiment ids */
  shards: Record<string, number[]>;
  rates: Record<string, RateBudget>;
}

export interface JobsFile {
  version: 1;
  jobs: JobRecord[];
}

export function jobsPath(layout: Layout): string {
  return layout.abs(join(SLURM_DIR, 'jobs.json'));
}

export function readJobs(layout: Layout): JobsFile {
  const p = jobsPath(layout);
  let text: string;
  try {
    text = readFileSync(p, 'utf8');
  } catch {
    return { version: 1, jobs: [] };
  }
  try {
    const raw = JSON.parse(text) as JobsFile;
    if (!raw || !Array.isArray(raw.jobs)) throw new Error('no "jobs" list');
    return { version: 1, jobs: raw.jobs };
  } catch (e) {
    throw new UserError(
      `${p} is not a valid job record (${(e as Error).message}); move it aside to start a fresh record`,
    );
  }
}

export function appendJob(layout: Layout, job: JobRecord): void {
  const file = readJobs(layout);
  file.jobs.push(job);
  writeJsonSync(jobsPath(layout), file);
}
