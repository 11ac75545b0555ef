/**
 * The results directory layout (DESIGN §4). Paths inside result files are relative to
 * the results directory; these helpers give both forms.
 */
import { join } from 'node:path';
import type { ExperimentConfig } from './config.ts';

/** Where SLURM job scripts and the job list live, and the Python script collect writes beside the tables. */
export const SLURM_DIR = 'slurm';
export const VISUALIZE_FILE = 'visualize_results.py';

export const DEFAULT_RESULTS_DIR = 'experiments/results/scaling_experiment';

export class Layout {
  constructor(readonly root: string) {}
  abs(rel: string): string {
    return join(this.root, rel);
  }
  get configsDir(): string {
    return 'configs';
  }
  get logsDir(): string {
    return 'logs';
  }
  config(id: number): string {
    return `configs/config_${id}.json`;
  }
  log(id: number): string {
    return `logs/experiment_${id}.log`;
  }
  flag(id: number): string {
    return `logs/completed_${id}.flag`;
  }
  /** who runs experiment N now (src/grid/lease.ts) */
  lease(id: number): string {
    return `logs/lease_${id}.json`;
  }
  result(c: Pick<ExperimentConfig, 'output_dir' | 'experiment_id'>): string {
    return `${c.output_dir}/result_${c.experiment_id}.json`;
  }
  transcript(c: Pick<ExperimentConfig, 'output_dir' | 'experiment_id'>): string {
    return `${c.output_dir}/transcript_${c.experiment_id}.jsonl`;
  }
  get allConfigs(): string {
    return 'all_configs.txt';
  }
  get summaryTxt(): string {
    return 'summary.txt';
  }
  get allResults(): string {
    return 'all_results.json';
  }
  get summaryJson(): string {
    return 'summary.json';
  }
  get resultsCsv(): string {
    return 'results.csv';
  }
  get runsCsv(): string {
    return 'runs.csv';
  }
  get reportDir(): string {
    return 'report';
  }
  get cacheDir(): string {
    return 'cache';
  }
}
