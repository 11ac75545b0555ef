/**
 * `run-one N --force` on a finished experiment: the earlier result is copied beside itself
 * first (result_N.json.prev-<time>, with its transcript), and when the new attempt fails
 * where the earlier one succeeded, the earlier files go back in place byte for byte and the
 * new attempt is kept beside them (.attempt-<time>). A failed re-run never replaces a
 * SUCCESS; a kill at any point leaves the earlier result in place or its copy beside it.
 */
import { existsSync, linkSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import { archiveLog } from './experiment.ts';
import { writeFileAtomicallySync } from '../files.ts';
import type { Layout } from '../results/layout.ts';
import type { ExperimentState } from './status.ts';
import type { ExperimentConfig, ResultDocument } from '../results/index.ts';

export interface SavedResult {
  status: ExperimentState['status'];
  stamp: string;
  /** relative paths of the copies (transcript only when there was one) */
  prevResult: string;
  prevTranscript: string | null;
  /** the completion flag's second name */
  flag: string | null;
  /** where the earlier log went (.log.old…), null without one */
  oldLog: string | null;
}

const copy = (from: string, to: string) => writeFileAtomicallySync(to, readFileSync(from, 'utf8'));

/**
 * A second name for the file: a hard link keeps the very inode (bytes and mtime) while the
 * new attempt's atomic rename replaces the first name; a copy with the old times where links fail.
 */
function stash(from: string, to: string): void {
  try {
    linkSync(from, to);
    return;
  } catch {
    /* e.g. a filesystem without hard links */
  }
  copy(from, to);
  const st = statSync(from);
  utimesSync(to, st.atime, st.mtime);
}

/** Copies a finished experiment's result aside before it runs again. */
export function saveFinished(layout: Layout, c: ExperimentConfig, state: ExperimentState): SavedResult {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const prevResult = `${layout.result(c)}.prev-${stamp}`;
  stash(layout.abs(layout.result(c)), layout.abs(prevResult));
  let prevTranscript: string | null = null;
  if (existsSync(layout.abs(layout.transcript(c)))) {
    prevTranscript = `${layout.transcript(c)}.prev-${stamp}`;
    stash(layout.abs(layout.transcript(c)), layout.abs(prevTranscript));
  }
  let flag: string | null = null;
  if (existsSync(layout.abs(layout.flag(c.experiment_id)))) {
    flag = `${layout.flag(c.experiment_id)}.prev-${stamp}`;
    stash(layout.abs(layout.flag(c.experiment_id)), layout.abs(flag));
  }
  // archived here rather than inside runExperiment, so a restore knows where it went
  const oldLog = archiveLog(layout, c.experiment_id);
  return { status: state.status, stamp, prevResult, prevTranscript, flag, oldLog };
}

/** Nothing was written (an interrupted attempt): the copies are not needed. */
export function discardSaved(layout: Layout, s: SavedResult): void {
  for (const p of [s.prevResult, s.prevTranscript, s.flag])
    if (p) {
      try {
        unlinkSync(layout.abs(p));
      } catch {
        /* gone */
      }
    }
}

/** After the new attempt: keeps it, or puts the earlier SUCCESS back. Returns what happened, for the output line. */
export function settleRerun(layout: Layout, c: ExperimentConfig, s: SavedResult, r: ResultDocument): string {
  const id = c.experiment_id;
  if (s.status !== 'SUCCESS' || r.status === 'SUCCESS') {
    if (s.flag) {
      try {
        unlinkSync(layout.abs(s.flag));
      } catch {
        /* gone */
      }
    } // the new flag stands
    return `the previous ${s.status} result was archived as ${layout.abs(s.prevResult)}`;
  }
  const attempt = `${layout.result(c)}.attempt-${s.stamp}`;
  copy(layout.abs(layout.result(c)), layout.abs(attempt));
  if (existsSync(layout.abs(layout.transcript(c))))
    copy(layout.abs(layout.transcript(c)), layout.abs(`${layout.transcript(c)}.attempt-${s.stamp}`));
  if (s.prevTranscript) renameSync(layout.abs(s.prevTranscript), layout.abs(layout.transcript(c)));
  else {
    try {
      unlinkSync(layout.abs(layout.transcript(c)));
    } catch {
      /* none written */
    }
  }
  renameSync(layout.abs(s.prevResult), layout.abs(layout.result(c))); // the commit point of the restore
  if (s.flag) renameSync(layout.abs(s.flag), layout.abs(layout.flag(id)));
  if (s.oldLog) {
    const log = layout.abs(layout.log(id));
    if (existsSync(log)) renameSync(log, `${log}.attempt-${s.stamp}`);
    renameSync(s.oldLog, log);
  }
  return `the earlier SUCCESS result was kept (a failed re-run never replaces a success); this attempt was saved beside it as ${layout.abs(attempt)}`;
}
