/**
 * The result file of one experiment (DESIGN §4) and the statuses an experiment can be in.
 * The grid writes ResultDocument; readers of a results tree (collect, the report) get a
 * ResultFile, which may come from an older version and so lacks later fields.
 */
import type { RunDocument, SeatResult, Spend } from '../protocol/series.ts';
import type { ServedModels } from './served-models.ts';
import type { GameName } from '../game/index.ts';

export type { RunDocument, SeatResult };

/** The status a finished experiment records in its result file. */
export type FinalStatus = 'SUCCESS' | 'FAILED' | 'TIMEOUT';
export const EXIT_CODES: Record<FinalStatus, number> = { SUCCESS: 0, FAILED: 1, TIMEOUT: 124 };

/** RUNNING: no final result yet and a live lease (another process, or this one, runs it now). */
export type ExperimentStatus = FinalStatus | 'RUNNING' | 'INCOMPLETE' | 'NOT_STARTED';
export const STATUSES: readonly ExperimentStatus[] = [
  'SUCCESS',
  'FAILED',
  'TIMEOUT',
  'RUNNING',
  'INCOMPLETE',
  'NOT_STARTED',
];

/** The experiment's calls, tokens and dollars are its seats' sums. */
export interface ResultDocument extends Spend {
  job_id: number;
  experiment_id: number;
  weak_model: string;
  strong_model: string;
  /** the game's level: item allocation's competition level; the treaty's θ (cosine of the issue weights) */
  competition_level: number;
  /** the game; absent for item allocation */
  game?: GameName;
  /** treaty: ρ, the rank correlation of the positions, and the number of issues */
  rho?: number;
  num_issues?: number;
  /** co-funding: σ, total budget ÷ total cost, and the number of projects */
  sigma?: number;
  num_projects?: number;
  random_seed: number;
  status: FinalStatus;
  exit_code: number;
  timestamp: string;
  duration_s: number;
  log_file: string;
  config_file: string;
  transcript_file: string;
  config_hash: string;
  num_runs: number;
  runs_completed: number;
  runs: RunDocument[];
  error?: string;
  /** per LLM model name: the id requested, the ids that answered (with counts) and the unexpected ones */
  served_models?: ServedModels;
}

/** A result file as read back: the identity and the runs are required, the rest may be missing in older files. */
export type ResultFile = Pick<
  ResultDocument,
  'experiment_id' | 'weak_model' | 'strong_model' | 'competition_level' | 'random_seed' | 'num_runs' | 'runs'
> &
  Partial<Omit<ResultDocument, 'status'>> & { status: string };
