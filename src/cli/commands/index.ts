import type { Command } from 'commander';
import { registerNegotiate } from './negotiate.ts';
import { registerGenerate } from './generate.ts';
import { registerRun } from './run.ts';
import { registerCollect } from './collect.ts';
import { registerRetry } from './retry.ts';
import { registerAll } from './all.ts';
import { registerSetup } from './setup.ts';
import { registerSlurm } from './slurm.ts';
import { registerReport } from './report.ts';
import { registerCompare } from './compare.ts';
import { registerMockServer } from './mock-server.ts';
import { registerModels } from './models.ts';
import { registerEstimate } from './estimate.ts';
import { registerCheck } from './check.ts';

export function registerCommands(program: Command): void {
  registerSetup(program);
  registerGenerate(program);
  registerEstimate(program);
  registerCheck(program);
  registerRun(program);
  registerCollect(program);
  registerReport(program);
  registerCompare(program);
  registerRetry(program);
  registerAll(program);
  registerSlurm(program);
  registerNegotiate(program);
  registerMockServer(program);
  registerModels(program);
}
