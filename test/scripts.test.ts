/**
 * The seed-named scripts (DESIGN §1) run from any working directory: each is executed
 * directly (shebang, mode bits) with a temporary directory whose path holds a space as the
 * working directory, with its documented options. Results land under that directory (the
 * default results path is relative to the caller), never in the repository.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { flagIds, hashTree, listFiles, readCsv, readJson, ROOT, script, SCRIPTS, treeDiff } from './helpers/grid.ts';

const DEFAULT = join('experiments', 'results', 'scaling_experiment');

function workDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bargain scripts '));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('every seed-named script exists and is executable', () => {
  const names = [
    'setup_experiment.sh',
    'run_all_experiments.sh',
    'generate_configs.sh',
    'run_single_experiment.sh',
    'run_parallel_jobs.sh',
    'collect_results.sh',
    'retry_failed.sh',
  ];
  for (const n of names) assert.ok(existsSync(join(SCRIPTS, n)), n);
});

test('setup_experiment.sh checks the environment from any directory and writes nothing', (t) => {
  const cwd = workDir(t);
  const r = script('setup_experiment.sh', [], { cwd });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok +Node /m);
  assert.match(r.stdout, /^ok +dependencies/m);
  assert.match(r.stdout, new RegExp(`results directory ${DEFAULT.replace(/\//g, '\\/')} is writable`));
  assert.match(r.stdout, /Next: bargain all --grid demo/);
  assert.deepEqual(readdirSync(cwd), [], 'setup leaves nothing behind');
  // A results directory under a file cannot be used: setup says so and fails.
  writeFileSync(join(cwd, 'blocker'), '');
  const bad = script('setup_experiment.sh', ['--results-dir', 'blocker/results'], { cwd });
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /FAIL .*blocker.* is a file/);
});

test('run_all_experiments.sh: --help, --dry-run (runs and writes nothing), then the whole pipeline', (t) => {
  const cwd = workDir(t);
  let r = script('run_all_experiments.sh', ['--help'], { cwd });
  assert.equal(r.status, 0, r.stderr);
  for (const opt of ['--parallel', '--dry-run', '--grid', '--results-dir'])
    assert.ok(r.stdout.includes(opt), `--help lists ${opt}`);
  assert.deepEqual(readdirSync(cwd), []);

  const SUBSET = ['--grid', 'demo', '--levels', '0.3,0.9', '--runs', '2'];
  r = script('run_all_experiments.sh', ['--dry-run', ...SUBSET], { cwd });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Dry run .*: 24 experiments/);
  assert.match(r.stdout, /Would run: 24/);
  assert.match(r.stdout, /Nothing was run or written/);
  assert.deepEqual(readdirSync(cwd), [], 'a dry run writes nothing');

  r = script('run_all_experiments.sh', ['--parallel', '2', ...SUBSET], { cwd });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const rd = join(cwd, DEFAULT);
  assert.equal(readJson(join(rd, 'summary.json')).successful, 24);
  assert.equal(flagIds(rd).length, 24);

  // Dry run again: everything done, nothing to run, nothing touched.
  const before = hashTree(rd);
  r = script('run_all_experiments.sh', ['--dry-run', ...SUBSET], { cwd });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Already done: 24/);
  assert.match(r.stdout, /Would run: 0/);
  // A dry run of a different grid over these results says the real run would refuse it.
  r = script('run_all_experiments.sh', ['--dry-run', '--grid', 'demo', '--levels', '0.5', '--runs', '2'], { cwd });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /differ .* has results: the real run would refuse \(add --force/);
  r = script('run_all_experiments.sh', ['--grid', 'demo', '--levels', '0.5', '--runs', '2'], { cwd });
  assert.equal(r.status, 2, 'and it does');
  assert.deepEqual(treeDiff(before, hashTree(rd)), []);
});

test("generate_configs.sh writes the 300 seed configs under the caller's directory, also when called by a relative path", (t) => {
  const cwd = workDir(t);
  // Without options: the seed grid as the seed wrote it, refused today for its retired models, nothing written
  const refused = script('generate_configs.sh', [], { cwd });
  assert.equal(refused.status, 2, refused.stderr);
  assert.match(refused.stderr, /not served on .*nothing was sent:\n {2}claude-3-opus: retired on 2026-01-05/);
  assert.ok(!existsSync(join(cwd, DEFAULT)), 'nothing written');
  const r = script('generate_configs.sh', ['--allow-retired'], { cwd });
  assert.equal(r.status, 0, r.stderr);
  // The seed grid, 300 configs, 0 and 299 at the corners.
  assert.equal(readdirSync(join(cwd, DEFAULT, 'configs')).length, 300);
  const c0 = readJson(join(cwd, DEFAULT, 'configs', 'config_0.json'));
  const c299 = readJson(join(cwd, DEFAULT, 'configs', 'config_299.json'));
  assert.deepEqual(
    [c0.weak_model, c0.strong_model, c0.competition_level, c0.random_seed],
    ['gpt-4o', 'gemini-2-0-flash', 0.1, 42],
  );
  assert.deepEqual(
    [c299.weak_model, c299.strong_model, c299.competition_level, c299.random_seed],
    ['gemini-1-5-pro', 'chatgpt-5', 1, 341],
  );
  const rel = relative(cwd, join(SCRIPTS, 'generate_configs.sh'));
  const r2 = script('generate_configs.sh', ['--grid', 'demo', '--results-dir', 'demo results'], {
    cwd,
    path: rel.startsWith('.') ? rel : `./${rel}`,
  });
  assert.equal(r2.status, 0, r2.stderr);
  assert.equal(readdirSync(join(cwd, 'demo results', 'configs')).length, 120);
  assert.ok(!existsSync(join(ROOT, 'demo results')), 'nothing written in the repository');
});

test('run_single_experiment.sh JOB_ID (or $SLURM_ARRAY_TASK_ID), run_parallel_jobs.sh N, collect_results.sh, retry_failed.sh N --yes', (t) => {
  const cwd = workDir(t);
  mkdirSync(join(cwd, 'grids'));
  writeFileSync(
    join(cwd, 'grids', 'g.json'),
    JSON.stringify({
      weak: ['scripted:linear', 'scripted:conceder'],
      strong: ['scripted:nash', 'scripted:crash'],
      levels: [0.4, 0.8],
      num_runs: 2,
    }),
  );
  assert.equal(script('generate_configs.sh', ['--grid', 'grids/g.json'], { cwd }).status, 0);
  const rd = join(cwd, DEFAULT);
  const cfg = (id: number) => readJson(join(rd, 'configs', `config_${id}.json`));
  assert.equal(cfg(2).strong_model, 'scripted:crash');

  let r = script('run_single_experiment.sh', ['0'], { cwd });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Experiment 0 completed with status: SUCCESS/);
  r = script('run_single_experiment.sh', [], { cwd, env: { SLURM_ARRAY_TASK_ID: '1' } });
  assert.equal(r.status, 0, r.stderr);
  r = script('run_single_experiment.sh', ['2'], { cwd });
  assert.equal(r.status, 1, 'FAILED passes through the script as exit 1');
  assert.deepEqual(flagIds(rd), [0, 1, 2]);

  r = script('run_parallel_jobs.sh', ['3'], { cwd });
  assert.equal(r.status, 1, 'failures remain: exit 1');
  assert.match(r.stdout, /Ran 5 experiments .*\(3 already complete, skipped\)/);
  assert.match(r.stdout, /Retry them with: bargain retry --parallel 3 --yes {3}\(or \.\/scripts\/retry_failed\.sh 3\)/);
  assert.deepEqual(flagIds(rd), [0, 1, 2, 3, 4, 5, 6, 7]);

  r = script('collect_results.sh', [], { cwd });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Collected 8 experiments .*: 4 successful, 4 failed/);
  assert.equal(readCsv(join(rd, 'results.csv')).rows.length, 8);
  // 4 successful experiments × 2 runs × 2 seats; the crashed ones completed no run.
  assert.equal(readCsv(join(rd, 'runs.csv')).rows.length, 4 * 2 * 2);

  // retry_failed.sh N --yes: the crash configs fixed to a working model, then rerun.
  for (const id of [2, 3, 6, 7]) {
    const c = cfg(id);
    writeFileSync(join(rd, 'configs', `config_${id}.json`), JSON.stringify({ ...c, strong_model: 'scripted:greedy' }));
  }
  r = script('retry_failed.sh', ['2', '--yes'], { cwd });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /4 experiments to retry/);
  assert.match(r.stdout, /Collected 8 experiments .*: 8 successful/);
  for (const id of [2, 3, 6, 7]) assert.ok(existsSync(join(rd, 'logs', `experiment_${id}.log.old`)));
  r = script('retry_failed.sh', ['--yes'], { cwd });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Nothing to retry/);
  // Everything stayed under the caller's directory.
  assert.ok(
    listFiles(cwd).every((p) => p.startsWith(DEFAULT) || p.startsWith('grids')),
    listFiles(cwd).join(', '),
  );
});
