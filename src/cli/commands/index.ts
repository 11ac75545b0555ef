import type { Command } from 'commander';
import { registerNegotiate } from './negotiate.ts';

export function registerCommands(program: Command): void {
  registerNegotiate(program);
}
