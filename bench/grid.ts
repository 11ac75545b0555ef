/**
 * The offline demo grid end to end through the real CLI (issue 3's performance target):
 * generate → run → collect as separate child processes, then the same as one `bargain all`,
 * each on a fresh temporary results directory. Prints wall time per stage, experiments per
 * second and each child's peak memory (maxRSS, read by a preload that reports
 * process.resourceUsage() at exit). Targets: whole demo grid under 15 s, memory under 300 MB.
 * Exits 1 if the grid does not come out all SUCCESS; the targets are reported, not asserted.
 *
 *   node --import tsx bench/grid.ts [--parallel 8] [--runs 4] [--keep]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageRunner } from './cli-stage.ts';

function flag(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`${name} takes a whole number ≥ 1`);
    process.exit(2);
  }
  return v;
}
const parallel = flag('--parallel', 8);
const runs = flag('--runs', 4);
const keep = process.argv.includes('--keep');

const work = mkdtempSync(join(tmpdir(), 'bargain-bench-grid-'));
const stage = stageRunner(work);

function checkAllSuccess(dir: string, expected: number): void {
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  if (s.total_experiments !== expected || s.successful !== expected || s.runs !== expected * runs) {
    console.error(
      `expected ${expected} successful experiments × ${runs} runs, got ${s.successful}/${s.total_experiments} (${s.runs} runs)`,
    );
    process.exit(1);
  }
}

const GRID = ['--grid', 'demo', '--runs', String(runs)];
const EXPERIMENTS = 120;
const fmt = (x: number, d = 2) => x.toFixed(d);

try {
  console.log(
    `Demo grid: ${EXPERIMENTS} experiments × ${runs} runs, --parallel ${parallel}; Node ${process.versions.node}, ${cpus().length} CPUs`,
  );

  const staged = join(work, 'staged');
  const stages = [
    stage('generate', ['generate', ...GRID, '--results-dir', staged]),
    stage('run', ['run', '--parallel', String(parallel), '--results-dir', staged]),
    stage('collect', ['collect', '--results-dir', staged]),
  ];
  checkAllSuccess(staged, EXPERIMENTS);
  const total = stages.reduce((t, s) => t + s.wallS, 0);
  console.log('\nStage       wall s   CPU s   peak RSS MB');
  for (const s of stages)
    console.log(
      `${s.name.padEnd(10)} ${fmt(s.wallS).padStart(7)} ${fmt(s.cpuS).padStart(7)} ${fmt(s.maxRssMb, 1).padStart(12)}`,
    );
  const peak = Math.max(...stages.map((s) => s.maxRssMb));
  const runStage = stages[1];
  console.log(`${'total'.padEnd(10)} ${fmt(total).padStart(7)}`);
  console.log(
    `\nRun stage: ${fmt(EXPERIMENTS / runStage.wallS, 1)} experiments/s (${fmt((EXPERIMENTS * runs) / runStage.wallS, 1)} negotiations/s), including process start-up`,
  );
  const inRunner = /Ran \d+ experiments in ([\d.]+)s/.exec(runStage.stdout);
  if (inRunner)
    console.log(`Runner's own clock: ${inRunner[1]} s → ${fmt(EXPERIMENTS / Number(inRunner[1]), 1)} experiments/s`);

  const oneShot = join(work, 'all');
  const all = stage('all', ['all', ...GRID, '--parallel', String(parallel), '--results-dir', oneShot]);
  checkAllSuccess(oneShot, EXPERIMENTS);
  console.log(
    `\nbargain all (one process): ${fmt(all.wallS)} s wall, ${fmt(all.cpuS)} s CPU, peak RSS ${fmt(all.maxRssMb, 1)} MB, ${fmt(EXPERIMENTS / all.wallS, 1)} experiments/s`,
  );

  const worstWall = Math.max(total, all.wallS);
  const worstMem = Math.max(peak, all.maxRssMb);
  console.log(
    `\nTargets: end to end under 15 s: ${worstWall < 15 ? 'yes' : 'NO'} (${fmt(worstWall)} s); memory under 300 MB: ${worstMem < 300 ? 'yes' : 'NO'} (${fmt(worstMem, 1)} MB)`,
  );
  if (keep) console.log(`\nResults kept in ${work}`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
