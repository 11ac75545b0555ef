/**
 * `retry`: FAILED, TIMEOUT and INCOMPLETE experiments get their logs archived and flags
 * cleared. RUNNING ones (a live lease) are another process's work and are left alone.
 */
import { unlinkSync } from 'node:fs';
import { archiveLog } from './experiment.ts';
import type { Layout } from '../results/layout.ts';
import { acquireLease } from './lease.ts';
import { experimentState, type ExperimentState } from './status.ts';
import type { ExperimentConfig, ExperimentStatus } from '../results/index.ts';

const RETRYABLE: readonly ExperimentStatus[] = ['FAILED', 'TIMEOUT', 'INCOMPLETE'];

export function retryCandidates(layout: Layout, configs: ExperimentConfig[]): ExperimentState[] {
  return configs.map((c) => experimentState(layout, c)).filter((s) => RETRYABLE.includes(s.status));
}

/**
 * Archives each candidate's log (experiment_N.log.old, numbered if taken) and removes its
 * flag, each under the experiment's lease so a process that started it meanwhile keeps its
 * live log; returns the candidates prepared (those it could not lease are running elsewhere).
 */
export function prepareRetry(layout: Layout, states: ExperimentState[]): ExperimentState[] {
  const prepared: ExperimentState[] = [];
  for (const s of states) {
    const id = s.config.experiment_id;
    const got = acquireLease(layout, id);
    if ('heldBy' in got) continue;
    try {
      // our own lease reads as RUNNING; anything final now must still be a retry candidate
      const now = experimentState(layout, s.config);
      if (now.status !== 'RUNNING' && !RETRYABLE.includes(now.status)) continue;
      archiveLog(layout, id);
      try {
        unlinkSync(layout.abs(layout.flag(id)));
      } catch {
        /* no flag */
      }
      prepared.push(s);
    } finally {
      got.lease.release();
    }
  }
  return prepared;
}
