/**
 * Nothing a user types destroys a result (issue 11), through the real CLI: `run-one` on a
 * finished experiment does nothing unless --force, and a failed forced re-run never
 * replaces a SUCCESS (on the scripted path and with a bad key on the mock); `generate
 * --force` moves only bargain's own files; `/` and the home directory are refused as
 * results directories, and so is a directory of other files for a new grid; one damaged
 * config is rewritten alone; `output_dir` stays inside the results directory; `--jobs`
 * ranges are bounded by the grid; `run`/`all` exit 1 while the grid holds failures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bargain, hashTree, oneLine, readJson, startBargain, tempDir, treeDiff, writeJson } from './helpers/grid.ts';
import { parseJobList } from '../src/grid/grid.ts';
import { SEED_DATE, startMockServer } from '../src/mock/server.ts';

function grid(t: { after: (fn: () => void) => void }, strong: string[], weak = ['scripted:linear']) {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const file = join(dir, 'grid.json');
  writeFileSync(file, JSON.stringify({ weak, strong, levels: [0.5], max_rounds: 2, num_runs: 2 }));
  const rd = join(dir, 'results');
  const g = bargain(['generate', '--grid', file, '--results-dir', rd]);
  assert.equal(g.status, 0, g.stderr);
  const cfg = (id: number) => readJson(join(rd, 'configs', `config_${id}.json`));
  return { dir, rd, file, cfg, resultPath: (id: number) => join(rd, cfg(id).output_dir, `result_${id}.json`) };
}

test('run-one on a finished experiment does nothing without --force; a failed forced re-run keeps the SUCCESS byte for byte', (t) => {
  const { rd, cfg, resultPath } = grid(t, ['scripted:slow']);
  let r = bargain(['run-one', '0', '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  const before = hashTree(rd);
  const result = readFileSync(resultPath(0), 'utf8');

  r = bargain(['run-one', '0', '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').length, 1);
  assert.match(r.stdout, /^Experiment 0 already finished with status: SUCCESS .*nothing to do .*--force/);
  assert.deepEqual(treeDiff(before, hashTree(rd)), [], 'no work, no file touched');

  // --force with a timeout the slow strategy cannot meet: TIMEOUT, exit 124, the SUCCESS stays.
  r = bargain(['run-one', '0', '--force', '--timeout', '1', '--results-dir', rd]);
  assert.equal(r.status, 124, r.stderr);
  assert.match(
    r.stdout,
    /completed with status: TIMEOUT .*the earlier SUCCESS result was kept.*saved beside it as \S+result_0\.json\.attempt-/,
  );
  assert.equal(readFileSync(resultPath(0), 'utf8'), result, 'the SUCCESS result is byte-identical');
  const after = hashTree(rd);
  assert.deepEqual(
    treeDiff(before, after).filter((d) => !/^added .*\.attempt-/.test(d)),
    [],
    'only the attempt was added beside (even mtimes unchanged)',
  );
  const beside = readdirSync(join(rd, cfg(0).output_dir)).filter((n) => n.startsWith('result_0.json.attempt-'));
  assert.equal(beside.length, 1);
  assert.equal(readJson(join(rd, cfg(0).output_dir, beside[0])).status, 'TIMEOUT', 'the new attempt is kept beside it');

  // A successful forced re-run replaces it and archives the earlier one.
  r = bargain(['run-one', '0', '--force', '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /completed with status: SUCCESS; the previous SUCCESS result was archived as \S+result_0\.json\.prev-/,
  );
  const prev = readdirSync(join(rd, cfg(0).output_dir)).filter((n) => n.startsWith('result_0.json.prev-'));
  assert.equal(readFileSync(join(rd, cfg(0).output_dir, prev[0]), 'utf8'), result);
});

test('a bad-key forced run-one on an LLM SUCCESS (strict mock, 401) leaves the result intact', async (t) => {
  const server = await startMockServer({ date: SEED_DATE });
  t.after(() => server.close());
  const { rd, resultPath } = grid(t, ['sim:boulware'], ['sim:random']);
  const env = { SIM_BASE_URL: `${server.url}/v1` };
  let r = await startBargain(['run-one', '0', '--results-dir', rd], { env }).done;
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const result = readFileSync(resultPath(0), 'utf8');
  assert.equal(JSON.parse(result).status, 'SUCCESS');

  r = await startBargain(['run-one', '0', '--results-dir', rd], { env: { ...env, SIM_API_KEY: 'sk-invalid-0001' } })
    .done;
  assert.equal(r.status, 0);
  assert.match(r.stdout, /already finished with status: SUCCESS/);
  r = await startBargain(['run-one', '0', '--force', '--no-cache', '--results-dir', rd], {
    env: { ...env, SIM_API_KEY: 'sk-invalid-0001' },
  }).done;
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /completed with status: FAILED .*the earlier SUCCESS result was kept/);
  assert.equal(readFileSync(resultPath(0), 'utf8'), result);
});

test("generate --force moves only the old grid's files: .git, .env, notes and user folders stay", (t) => {
  const { rd, cfg, file } = grid(t, ['scripted:nash', 'scripted:crash']);
  assert.equal(bargain(['run', '--results-dir', rd]).status, 1);
  assert.equal(bargain(['collect', '--results-dir', rd]).status, 0);
  mkdirSync(join(rd, '.git', 'objects'), { recursive: true });
  writeFileSync(join(rd, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  writeFileSync(join(rd, 'notes.txt'), 'my notes\n');
  writeFileSync(join(rd, '.env'), 'OPENAI_API_KEY=sk-x\n');
  mkdirSync(join(rd, 'mine'));
  writeFileSync(join(rd, 'mine', 'plot.py'), 'print(1)\n');
  const own = ['.env', '.git/HEAD', 'mine/plot.py', 'notes.txt'];
  const kept = Object.fromEntries(own.map((p) => [p, readFileSync(join(rd, p), 'utf8')]));
  const out0 = cfg(0).output_dir.split('/')[0];

  const r = bargain(['generate', '--grid', file, '--runs', '3', '--force', '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  const [stamp] = readdirSync(join(rd, 'archive'));
  const archived = readdirSync(join(rd, 'archive', stamp)).sort();
  for (const name of [
    'configs',
    'logs',
    'all_configs.txt',
    'summary.txt',
    'all_results.json',
    'summary.json',
    'results.csv',
    'runs.csv',
    'report',
    out0,
  ]) {
    assert.ok(archived.includes(name), `${name} moved to the archive (got ${archived.join(', ')})`);
  }
  for (const p of own) assert.equal(readFileSync(join(rd, p), 'utf8'), kept[p], `${p} stays in place`);
  assert.ok(!archived.some((n) => ['.git', '.env', 'notes.txt', 'mine'].includes(n)));
  assert.deepEqual(readdirSync(rd).sort(), [
    '.env',
    '.git',
    'all_configs.txt',
    'archive',
    'configs',
    'mine',
    'notes.txt',
    'summary.txt',
  ]);
});

test('/ and the home directory are refused as results directories; so is a directory of other files for a new grid', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  for (const cmd of [['generate', '--grid', 'demo'], ['run'], ['all', '--grid', 'demo']]) {
    const r = bargain([...cmd, '--results-dir', '/']);
    assert.equal(r.status, 2, `${cmd[0]} on /`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.match(r.stderr, /results directory \/ is the filesystem root/);
  }
  const home = join(dir, 'home');
  mkdirSync(home);
  for (const rdArg of [home, `${home}/`, join(home, '.')]) {
    const r = bargain(['generate', '--grid', 'demo', '--force', '--results-dir', rdArg], { env: { HOME: home } });
    assert.equal(r.status, 2, r.stderr);
    assert.match(oneLine(r.stderr), /is your home directory; .*--results-dir/);
  }
  assert.deepEqual(readdirSync(home), [], 'nothing written in the home directory');

  // A new grid in a directory holding other files: refused (nothing written), --force writes beside them.
  const rd = join(dir, 'project');
  mkdirSync(join(rd, '.git'), { recursive: true });
  writeFileSync(join(rd, 'notes.txt'), 'n\n');
  let r = bargain(['generate', '--grid', 'demo', '--results-dir', rd]);
  assert.equal(r.status, 2);
  assert.match(
    oneLine(r.stderr),
    /holds files bargain did not write \(\.git, notes\.txt\); use an empty or new --results-dir/,
  );
  assert.deepEqual(readdirSync(rd).sort(), ['.git', 'notes.txt']);
  r = bargain(['generate', '--grid', 'demo', '--force', '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(existsSync(join(rd, 'configs', 'config_0.json')));
});

test('one damaged config: the advice is to rewrite it with generate, which rewrites that config alone and keeps every result', (t) => {
  const { rd, file, cfg } = grid(t, ['scripted:nash', 'scripted:greedy']);
  assert.equal(bargain(['run', '--results-dir', rd]).status, 0);
  const good = readFileSync(join(rd, 'configs', 'config_1.json'), 'utf8');
  writeFileSync(join(rd, 'configs', 'config_1.json'), '{"experiment_id": 1,');
  const before = hashTree(rd);
  let r = bargain(['run', '--results-dir', rd]);
  assert.equal(r.status, 2);
  assert.match(
    oneLine(r.stderr),
    /configs\/config_1\.json is not valid JSON .*rewrite it with the "bargain generate" command that made this grid/,
  );
  assert.doesNotMatch(r.stderr, /--force/);
  assert.deepEqual(treeDiff(before, hashTree(rd)), []);

  r = bargain(['generate', '--grid', file, '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Rewrote 1 missing or damaged config \(1\)/);
  assert.equal(readFileSync(join(rd, 'configs', 'config_1.json'), 'utf8'), good);
  assert.ok(!existsSync(join(rd, 'archive')));
  r = bargain(['run', '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Ran 0 experiments .*\(2 already complete, skipped\)/);
  assert.equal(readJson(join(rd, cfg(1).output_dir, 'result_1.json')).status, 'SUCCESS');
});

test('an output_dir that is absolute or climbs out of the results directory is refused naming the config', (t) => {
  const { rd, cfg, dir } = grid(t, ['scripted:nash']);
  const c0 = cfg(0);
  for (const bad of ['../outside', '/tmp/x', 'a/../../b', '..']) {
    writeJson(join(rd, 'configs', 'config_0.json'), { ...c0, output_dir: bad });
    const r = bargain(['run-one', '0', '--results-dir', rd]);
    assert.equal(r.status, 2, bad);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.match(
      r.stderr,
      /configs\/config_0\.json is not a valid experiment config \(output_dir: must be a relative path that stays inside the results directory/,
    );
  }
  assert.ok(!existsSync(join(dir, 'outside')));
  writeJson(join(rd, 'configs', 'config_0.json'), { ...c0, output_dir: 'a/../b' }); // stays inside: fine
  assert.equal(bargain(['run-one', '0', '--results-dir', rd]).status, 0);
  assert.ok(existsSync(join(rd, 'b', 'result_0.json')));
});

test("--jobs 0-30000000 is one line at once: ranges are cut at the grid's size before they are expanded", (t) => {
  // CPU time of this process, not wall time: a loaded machine delays the calls but does not make them work harder
  // (walking three billion ids, even without keeping them, takes seconds)
  const cpu = process.cpuUsage();
  const ids = parseJobList('0-30000000', 11);
  const huge = parseJobList('0-3000000000', 11);
  const used = process.cpuUsage(cpu);
  assert.ok(
    (used.user + used.system) / 1000 < 100,
    `no expansion of the whole range (${(used.user + used.system) / 1000} ms of CPU)`,
  );
  assert.equal(ids.length, 18);
  assert.deepEqual(huge, ids);
  assert.deepEqual(parseJobList('3,5-7'), [3, 5, 6, 7]);
  const { rd } = grid(t, ['scripted:nash', 'scripted:greedy']);
  const r = bargain(['run', '--jobs', '0-30000000', '--results-dir', rd]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trimEnd().split('\n').length, 1);
  assert.match(r.stderr, /no config for experiment 2, 3, 4, 5, 6 … .*experiments there: 0-1/);
});

test('run and all exit 1 while the grid still holds a failure, even when they ran nothing, and list it with the retry command', (t) => {
  const { rd, file } = grid(t, ['scripted:nash', 'scripted:crash']);
  let r = bargain(['run', '--results-dir', rd]);
  assert.equal(r.status, 1);
  for (const args of [
    ['run', '--results-dir', rd],
    ['all', '--grid', file, '--results-dir', rd],
  ]) {
    r = bargain(args);
    assert.equal(r.status, 1, `${args[0]} a second time: ${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^Ran 0 experiments .*\(2 already complete, skipped\)$/m);
    assert.doesNotMatch(r.stdout, /Success rate: 100/);
    assert.match(r.stdout, /Success rate: 50\.0% of the 2 finished/);
    assert.match(
      r.stdout,
      /^ {2}1: scripted:linear vs scripted:crash at level 0\.5 — FAILED: .*failed on purpose \(from an earlier run\)$/m,
    );
    assert.match(r.stdout, /^Retry them with: bargain retry --results-dir \S+ .*--yes/m);
  }
});
