/**
 * What the array tasks of recorded jobs are doing, folded from squeue (and sacct where
 * accounting exists) into counts. A task gone from squeue with no accounting record counts
 * as finished. Pure: the SLURM answers come in as values.
 */
import type { JobRecord } from './jobs.ts';
import type { AccountedTask, QueuedTask } from './slurm.ts';

export interface TaskCounts {
  pending: number;
  running: number;
  /** finished tasks (all of them when accounting is off) */
  done: number;
  /** of done, those accounting reports as FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, NODE_FAIL … */
  notCompleted: Record<string, number>;
  /** where the finished states came from */
  source: 'squeue' | 'squeue+sacct';
}

export function taskIndices(job: JobRecord): number[] {
  return Object.keys(job.shards)
    .map(Number)
    .sort((a, b) => a - b);
}

export function countTasks(job: JobRecord, queued: QueuedTask[], accounted: AccountedTask[] | null): TaskCounts {
  const c: TaskCounts = {
    pending: 0,
    running: 0,
    done: 0,
    notCompleted: {},
    source: accounted ? 'squeue+sacct' : 'squeue',
  };
  const q = new Map<number, string>();
  for (const t of queued) if (t.jobId === job.job_id && t.taskId !== null) q.set(t.taskId, t.state);
  const a = new Map<number, string>();
  for (const t of accounted ?? []) if (t.jobId === job.job_id && t.taskId !== null) a.set(t.taskId, t.state);
  for (const i of taskIndices(job)) {
    const s = q.get(i);
    if (s === 'PENDING' || s === 'REQUEUED' || s === 'SUSPENDED' || s === 'REQUEUE_HOLD') {
      c.pending++;
      continue;
    }
    if (s !== undefined && s !== 'COMPLETED') {
      c.running++;
      continue;
    } // RUNNING, COMPLETING, CONFIGURING …
    c.done++;
    const acc = a.get(i);
    if (acc && acc !== 'COMPLETED') c.notCompleted[acc] = (c.notCompleted[acc] ?? 0) + 1;
  }
  return c;
}

/** True while any task of the job is still known to squeue. */
export function isActive(job: JobRecord, queued: QueuedTask[]): boolean {
  return queued.some((t) => t.jobId === job.job_id);
}
