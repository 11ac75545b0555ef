/**
 * Bench helper: runs a bargain command as a child process and reads its wall time, CPU and
 * peak memory (maxRSS, reported by a preload from process.resourceUsage() as the child exits),
 * so a figure is the command's own. Exits 1 when the command fails.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'bargain.mjs');

export interface Stage {
  name: string;
  wallS: number;
  maxRssMb: number;
  cpuS: number;
  stdout: string;
}

/** A runner of `bargain …` stages whose usage files live in `work` (a scratch directory). */
export function stageRunner(work: string): (name: string, args: string[]) => Stage {
  const preload = join(work, 'rusage.mjs');
  writeFileSync(
    preload,
    [
      "import { writeFileSync } from 'node:fs';",
      "process.on('exit', () => { const u = process.resourceUsage();",
      '  writeFileSync(process.env.BENCH_RUSAGE_FILE, JSON.stringify({ maxRssKb: u.maxRSS, userUs: u.userCPUTime, systemUs: u.systemCPUTime })); });',
    ].join('\n'),
  );
  let k = 0;
  return (name, args) => {
    const usage = join(work, `${name}-${k++}.rusage.json`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--import', preload, BIN, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, BENCH_RUSAGE_FILE: usage },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    const wallS = (performance.now() - t0) / 1000;
    if (r.status !== 0) {
      console.error(`bargain ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
      process.exit(1);
    }
    const u = JSON.parse(readFileSync(usage, 'utf8'));
    return { name, wallS, maxRssMb: u.maxRssKb / 1024, cpuS: (u.userUs + u.systemUs) / 1e6, stdout: r.stdout };
  };
}
