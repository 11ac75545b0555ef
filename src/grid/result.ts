/** The result file of one experiment (DESIGN §4): the original fields plus outcomes. */
import type { RunDocument } from '../protocol/series.ts';
import type { ServedModels } from './served-models.ts';

export type FinalStatus = 'SUCCESS' | 'FAILED' | 'TIMEOUT';
export const EXIT_CODES: Record<FinalStatus, number> = { SUCCESS: 0, FAILED: 1, TIMEOUT: 124 };

export interface ResultDocument {
  job_id: number;
  experiment_id: number;
  weak_model: string;
  strong_model: string;
  competition_level: number;
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
  calls: number;
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  /** prompt-cache reads and writes (parts of input_tokens); absent in results written before they were counted */
  cache_read_tokens?: number;
  cache_write_tokens?: number;
  cost_usd: number;
  /** per LLM model name: the id requested, the ids that answered (with counts) and the unexpected ones */
  served_models?: ServedModels;
}
