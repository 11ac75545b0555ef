/** `retry`: FAILED, TIMEOUT and INCOMPLETE experiments get their logs archived and flags cleared. */
import { unlinkSync } from 'node:fs';
import type { ExperimentConfig } from './config.ts';
import { archiveLog } from './experiment.ts';
import type { Layout } from './layout.ts';
import { experimentState, type ExperimentState } from './status.ts';

export function retryCandidates(layout: Layout, configs: ExperimentConfig[]): ExperimentState[] {
  return configs.map((c) => experimentState(layout, c))
    .filter((s) => s.status === 'FAILED' || s.status === 'TIMEOUT' || s.status === 'INCOMPLETE');
}

/** Archives each candidate's log (experiment_N.log.old, numbered if taken) and removes its flag. */
export function prepareRetry(layout: Layout, states: ExperimentState[]): void {
  for (const s of states) {
    const id = s.config.experiment_id;
    archiveLog(layout, id);
    try { unlinkSync(layout.abs(layout.flag(id))); } catch { /* no flag */ }
  }
}
