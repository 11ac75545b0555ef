/**
 * What state each experiment is in, read from the results directory (flags, results,
 * logs). A flag counts only with a readable result for the same config content, so a
 * killed writer or a changed config never passes for a finished experiment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { configHash, type ExperimentConfig, type ExperimentStatus, type ResultDocument } from '../results/index.ts';
import type { Layout } from '../results/layout.ts';
import { describeOwner, liveLease } from './lease.ts';

export interface ExperimentState {
  config: ExperimentConfig;
  status: ExperimentStatus;
  result: ResultDocument | null;
  /** why an experiment counts as INCOMPLETE */
  note?: string;
}

export function readResult(layout: Layout, c: ExperimentConfig): ResultDocument | null {
  try {
    return JSON.parse(readFileSync(layout.abs(layout.result(c)), 'utf8')) as ResultDocument;
  } catch {
    return null;
  }
}

export function experimentState(layout: Layout, c: ExperimentConfig): ExperimentState {
  const id = c.experiment_id;
  const flag = existsSync(layout.abs(layout.flag(id)));
  const result = flag || existsSync(layout.abs(layout.result(c))) ? readResult(layout, c) : null;
  const final = flag && result && result.config_hash === configHash(c);
  if (!final) {
    const owner = liveLease(layout, id);
    if (owner) return { config: c, status: 'RUNNING', result: null, note: `running: ${describeOwner(owner)}` };
  }
  if (flag) {
    if (!result)
      return { config: c, status: 'INCOMPLETE', result: null, note: 'completion flag without a readable result' };
    if (result.config_hash !== configHash(c))
      return { config: c, status: 'INCOMPLETE', result: null, note: 'result belongs to an older config' };
    return { config: c, status: result.status, result };
  }
  if (result || existsSync(layout.abs(layout.log(id))))
    return { config: c, status: 'INCOMPLETE', result: null, note: 'started but never completed' };
  return { config: c, status: 'NOT_STARTED', result: null };
}

/** Finished experiments (any final status) are skipped by run; retry handles FAILED/TIMEOUT. */
export function isFinished(s: ExperimentStatus): boolean {
  return s === 'SUCCESS' || s === 'FAILED' || s === 'TIMEOUT';
}
