/**
 * `bargain generate` through the real CLI: the 300-experiment seed grid (ids, order,
 * seeds, fields), subset flags and grid files, idempotent regeneration, and the refusal to
 * orphan results (nothing changes without --force; --force moves the old grid to archive/).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bargain, hashTree, oneLine, readJson, startBargain, tempDir, treeDiff } from './helpers/grid.ts';

const WEAK = ['gpt-4o', 'claude-3-opus', 'gemini-1-5-pro'];
const STRONG = [
  'gemini-2-0-flash',
  'gemini-2-5-flash',
  'gemini-2-5-pro',
  'claude-3-5-haiku',
  'claude-4-sonnet',
  'claude-4-opus',
  'o3-mini',
  'o4-mini',
  'o3',
  'chatgpt-5',
];
const LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
const FIELDS = [
  'experiment_id',
  'weak_model',
  'strong_model',
  'competition_level',
  'num_items',
  'max_rounds',
  'random_seed',
  'output_dir',
  'num_runs',
  'gamma_discount',
  'discussion_turns',
].sort();

function configs(dir: string): any[] {
  const names = readdirSync(join(dir, 'configs'));
  const ids = names.map((n) => Number(/^config_(\d+)\.json$/.exec(n)?.[1] ?? NaN));
  assert.ok(ids.every(Number.isInteger), `unexpected files in configs/: ${names.join(', ')}`);
  ids.sort((a, b) => a - b);
  assert.deepEqual(
    ids,
    ids.map((_, k) => k),
    'config ids are 0..N-1 with no gaps',
  );
  return ids.map((id) => readJson(join(dir, 'configs', `config_${id}.json`)));
}

const levelDir = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));

/** The expected grid, built here from the definition (weak > strong > level; seed = base + id). */
function expected(
  weak: string[],
  strong: string[],
  levels: number[],
  o: { items?: number; rounds?: number; runs?: number; seed?: number } = {},
) {
  const out: any[] = [];
  for (const w of weak)
    for (const s of strong)
      for (const l of levels) {
        const id = out.length;
        out.push({
          experiment_id: id,
          weak_model: w,
          strong_model: s,
          competition_level: l,
          num_items: o.items ?? 5,
          max_rounds: o.rounds ?? 10,
          random_seed: (o.seed ?? 42) + id,
          output_dir: `${w.replace(/[^A-Za-z0-9._-]/g, '-')}_vs_${s.replace(/[^A-Za-z0-9._-]/g, '-')}/comp_${levelDir(l)}`,
          num_runs: o.runs ?? 4,
          gamma_discount: 0.9,
          discussion_turns: 1,
        });
      }
  return out;
}

test('generate --grid seed writes exactly the 300 configs of the seed grid, weak > strong > level', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const r = bargain(['generate', '--grid', 'seed', '--allow-retired', '--results-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  const cs = configs(dir);
  assert.equal(cs.length, 300);
  assert.deepEqual(
    { ...cs[0] },
    {
      experiment_id: 0,
      weak_model: 'gpt-4o',
      strong_model: 'gemini-2-0-flash',
      competition_level: 0.1,
      num_items: 5,
      max_rounds: 10,
      random_seed: 42,
      output_dir: 'gpt-4o_vs_gemini-2-0-flash/comp_0.1',
      num_runs: 4,
      gamma_discount: 0.9,
      discussion_turns: 1,
    },
  );
  assert.equal(cs[299].weak_model, 'gemini-1-5-pro');
  assert.equal(cs[299].strong_model, 'chatgpt-5');
  assert.equal(cs[299].competition_level, 1.0);
  assert.equal(cs[299].random_seed, 341);
  for (const c of cs) assert.deepEqual(Object.keys(c).sort(), FIELDS, `config ${c.experiment_id} fields`);
  assert.deepEqual(cs, expected(WEAK, STRONG, LEVELS));
  // Every (weak, strong, level) cell exactly once, each in its own output directory.
  assert.equal(new Set(cs.map((c) => `${c.weak_model}|${c.strong_model}|${c.competition_level}`)).size, 300);
  assert.equal(new Set(cs.map((c) => c.output_dir)).size, 300);
  // The index file lists the same 300 in order.
  const lines = readFileSync(join(dir, 'all_configs.txt'), 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 300);
  lines.forEach((l, k) => {
    const [id, w, s, lvl, seed, file] = l.split('\t');
    assert.deepEqual(
      [Number(id), w, s, Number(lvl), Number(seed), file],
      [k, cs[k].weak_model, cs[k].strong_model, cs[k].competition_level, cs[k].random_seed, `configs/config_${k}.json`],
    );
  });
  assert.match(readFileSync(join(dir, 'summary.txt'), 'utf8'), /300 experiments/);
});

test('subset flags narrow or override the preset', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const r = bargain([
    'generate',
    '--grid',
    'seed',
    '--allow-retired',
    '--weak',
    'gpt-4o,claude-3-opus',
    '--strong',
    'o3, chatgpt-5,claude-4-opus',
    '--levels',
    '0.5,0.9',
    '--num-items',
    '7',
    '--max-rounds',
    '3',
    '--runs',
    '2',
    '--base-seed',
    '1000',
    '--results-dir',
    dir,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /12 configs/);
  const want = expected(['gpt-4o', 'claude-3-opus'], ['o3', 'chatgpt-5', 'claude-4-opus'], [0.5, 0.9], {
    items: 7,
    rounds: 3,
    runs: 2,
    seed: 1000,
  });
  assert.deepEqual(configs(dir), want);
  assert.equal(want[11].random_seed, 1011);

  // The demo preset with one flag: only that field changes.
  const { dir: d2, cleanup: c2 } = tempDir();
  t.after(c2);
  assert.equal(bargain(['generate', '--grid', 'demo', '--levels', '0,1', '--results-dir', d2]).status, 0);
  assert.deepEqual(
    configs(d2),
    expected(
      ['scripted:conceder', 'scripted:linear', 'scripted:random'],
      ['scripted:boulware', 'scripted:nash', 'scripted:tit-for-tat', 'scripted:greedy'],
      [0, 1],
    ),
  );
});

test('a grid file defines the grid; flags still override it', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const file = join(dir, 'my-grid.json');
  writeFileSync(
    file,
    JSON.stringify({
      weak: ['scripted:linear'],
      strong: ['scripted:nash', 'scripted:greedy'],
      levels: [0.25, 0.75],
      num_items: 6,
      max_rounds: 4,
      num_runs: 2,
      base_seed: 7,
    }),
  );
  const rd = join(dir, 'results');
  let r = bargain(['generate', '--grid', file, '--results-dir', rd]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    configs(rd),
    expected(['scripted:linear'], ['scripted:nash', 'scripted:greedy'], [0.25, 0.75], {
      items: 6,
      rounds: 4,
      runs: 2,
      seed: 7,
    }),
  );

  const rd2 = join(dir, 'results2');
  r = bargain(['generate', '--grid', file, '--runs', '6', '--strong', 'scripted:boulware', '--results-dir', rd2]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    configs(rd2),
    expected(['scripted:linear'], ['scripted:boulware'], [0.25, 0.75], { items: 6, rounds: 4, runs: 6, seed: 7 }),
  );

  // A grid file with a misspelt key is refused with one line naming it; nothing written.
  writeFileSync(
    file,
    JSON.stringify({ weak: ['scripted:linear'], strong: ['scripted:nash'], levels: [0.5], num_item: 6 }),
  );
  const rd3 = join(dir, 'results3');
  r = bargain(['generate', '--grid', file, '--results-dir', rd3]);
  assert.equal(r.status, 2);
  assert.match(oneLine(r.stderr), /grid file .*my-grid\.json.*num_item/);
  assert.ok(!existsSync(rd3), 'no results directory created for a refused grid file');
});

test('regenerating the same grid is a no-op; a different grid over results is refused without --force, archived with it', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const gen = (...extra: string[]) =>
    bargain(['generate', '--grid', 'demo', '--runs', '2', '--results-dir', dir, ...extra]);
  assert.equal(gen().status, 0);
  let before = hashTree(dir);
  let r = gen();
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /already match/);
  assert.deepEqual(
    treeDiff(before, hashTree(dir)),
    [],
    'identical regeneration touches nothing (not even summary.txt)',
  );

  // Without results yet, a different grid simply replaces the configs (nothing to orphan).
  r = gen('--levels', '0.5');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(configs(dir).length, 12);
  assert.equal(gen().status, 0);
  assert.equal(configs(dir).length, 120);

  // Results exist now: one experiment run.
  r = bargain(['run-one', '3', '--results-dir', dir]);
  assert.equal(r.status, 0, r.stderr);
  const cfg3 = readJson(join(dir, 'configs', 'config_3.json'));
  const result3 = readFileSync(join(dir, cfg3.output_dir, 'result_3.json'), 'utf8');

  before = hashTree(dir);
  r = gen();
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(treeDiff(before, hashTree(dir)), [], 'same grid over results: nothing changes');

  // Three different grids at once (CLI start-up dominates): each refused, nothing changed.
  const variants = [
    ['--levels', '0.5'],
    ['--runs', '4'],
    ['--base-seed', '43'],
  ];
  const outs = await Promise.all(
    variants.map(
      (extra) => startBargain(['generate', '--grid', 'demo', '--runs', '2', '--results-dir', dir, ...extra]).done,
    ),
  );
  outs.forEach((o, k) => {
    assert.equal(o.status, 2, `${variants[k].join(' ')} must be refused`);
    assert.match(oneLine(o.stderr), /already holds results of a different grid.*--force/);
  });
  assert.deepEqual(treeDiff(before, hashTree(dir)), [], 'refused regenerations changed no file');

  r = gen('--levels', '0.5', '--force');
  assert.equal(r.status, 0, r.stderr);
  const archives = readdirSync(join(dir, 'archive'));
  assert.equal(archives.length, 1);
  const old = join(dir, 'archive', archives[0]);
  assert.match(r.stdout, new RegExp(`moved to .*archive/${archives[0]}`));
  // The old grid is whole in the archive: its 120 configs, log, flag, result (byte for byte).
  assert.equal(readdirSync(join(old, 'configs')).length, 120);
  assert.ok(existsSync(join(old, 'logs', 'completed_3.flag')));
  assert.ok(existsSync(join(old, 'logs', 'experiment_3.log')));
  assert.equal(readFileSync(join(old, cfg3.output_dir, 'result_3.json'), 'utf8'), result3);
  // And the live directory holds only the new grid.
  assert.equal(configs(dir).length, 12);
  assert.ok(!existsSync(join(dir, 'logs', 'completed_3.flag')));
  assert.ok(!existsSync(join(dir, cfg3.output_dir)));
  assert.deepEqual(readdirSync(dir).sort(), ['all_configs.txt', 'archive', 'configs', 'summary.txt']);
});
