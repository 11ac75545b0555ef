/**
 * Models come and go (issue 10 §1–2): lifecycle status from the registry's dated rows, every
 * built-in row sourced, no preset but `seed` holding a model retired on the day the test
 * runs, and every command that would start a grid refusing one with a retired model before
 * anything is sent or written: one line per model with its date and successor, and the way on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRegistry } from '../src/providers/registry.ts';
import { addDays, assertUsable, RetiredModelsError, statusOn, today } from '../src/providers/lifecycle.ts';
import { PRESETS } from '../src/grid/presets.ts';
import { bargain, hashTree, tempDir, treeDiff, writeJson } from './helpers/grid.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

test("status on a day follows the row's dates; the page's word decides only where it gave no date", () => {
  const row = {
    status: 'deprecated' as const,
    released: '2025-01-10',
    deprecated: '2026-06-01',
    retires: '2026-12-11',
    source: 's',
    read: '2026-12-02',
  };
  assert.equal(statusOn(row, '2025-01-09'), 'unreleased');
  assert.equal(statusOn({ ...row, status: 'active' }, '2026-05-31'), 'active');
  assert.equal(statusOn({ ...row, status: 'active' }, '2026-06-01'), 'deprecated');
  assert.equal(statusOn(row, '2026-12-10'), 'deprecated');
  assert.equal(statusOn(row, '2026-12-11'), 'retired', 'retired on its shutdown day');
  assert.equal(
    statusOn({ status: 'retired', source: 's', read: '2026-12-02' }, '2020-01-01'),
    'retired',
    'retired without a date',
  );
  assert.equal(statusOn({ status: 'active', source: 's', read: '2026-12-02' }, '2030-01-01'), 'active');
  assert.equal(statusOn(undefined, '2030-01-01'), 'active', 'a user model without a row');
});

test('every built-in model has a sourced lifecycle row; an Arena score names its source', () => {
  const r = loadRegistry();
  for (const name of r.names()) {
    const e = r.get(name);
    assert.ok(e.lifecycle, `${name} has a lifecycle row`);
    assert.match(e.lifecycle!.source, /\S{8,}/, `${name}: source`);
    assert.match(e.lifecycle!.read, DATE, `${name}: date read`);
    for (const k of ['released', 'deprecated', 'retires'] as const)
      if (e.lifecycle![k] !== undefined) assert.match(e.lifecycle![k]!, DATE, `${name}.${k}`);
    if (e.lifecycle!.released && e.lifecycle!.retires)
      assert.ok(e.lifecycle!.released < e.lifecycle!.retires, `${name}: released before it retires`);
    if (e.capability != null && !r.names().slice(0, 13).includes(name))
      assert.ok(e.capability_source, `${name}: capability source`);
  }
});

test('no preset but seed holds a model retired (or not yet released) on the day this test runs', () => {
  const r = loadRegistry();
  const on = today();
  for (const [name, grid] of Object.entries(PRESETS)) {
    if (name === 'seed') continue;
    const models = [...grid.weak, ...grid.strong].filter((m) => !m.startsWith('scripted:'));
    const bad = models.filter((m) => {
      const s = statusOn(r.get(m).lifecycle, on);
      return s === 'retired' || s === 'unreleased';
    });
    assert.deepEqual(bad, [], `preset ${name} on ${on}`);
    for (const m of models) {
      assert.ok(r.get(m).price.output > 0, `${name}: ${m} has a price`);
    }
  }
  // the seed grid as written, for reproducibility: 3 × 10 with its own names
  assert.equal(PRESETS.seed.weak.length * PRESETS.seed.strong.length * PRESETS.seed.levels.length, 300);
  assert.equal(PRESETS.current.weak.length * PRESETS.current.strong.length, 30, "current keeps the seed's shape");
  const providers = new Set(PRESETS.current.strong.map((m) => r.get(m).provider));
  assert.deepEqual(
    [...providers].sort(),
    ['anthropic', 'google', 'openai', 'openrouter'],
    'every provider represented',
  );
  const ladder = PRESETS.ladder.strong.map((m) => r.get(m).capability!);
  assert.ok(
    ladder.every((x) => typeof x === 'number'),
    'every rung has a capability score',
  );
  assert.ok(Math.max(...ladder) - Math.min(...ladder) >= 300, 'the ladder spans the capability range');
});

test('assertUsable refuses retired models with one line each and warns about those retiring before the grid ends', () => {
  const r = loadRegistry();
  assert.throws(
    () => assertUsable(r, ['claude-3-opus', 'gpt-4o', 'o3-mini'], { on: '2026-12-02' }),
    (e: unknown) => {
      assert.ok(e instanceof RetiredModelsError);
      const lines = e.message.split('\n');
      assert.equal(
        lines.filter((l) => /^ {2}\S/.test(l)).length,
        2,
        'one line per retired model, gpt-4o not among them',
      );
      assert.match(e.message, /claude-3-opus: retired on 2026-01-05; successor /);
      assert.match(e.message, /o3-mini: retired on 2026-10-23/);
      assert.match(e.message, /--grid current or --grid ladder.*--models FILE.*--allow-retired/);
      return true;
    },
  );
  assert.deepEqual(assertUsable(r, ['gpt-4o'], { on: '2026-12-02', until: '2026-12-03' }), []);
  const w = assertUsable(r, ['gpt-4o'], { on: '2026-12-02', until: '2027-02-01' });
  assert.equal(w.length, 1);
  assert.match(w[0], /gpt-4o retires on 2027-01-14, before this grid is expected to end \(2027-02-01\)/);
  const allowed = assertUsable(r, ['claude-3-opus'], { on: '2026-12-02', allowRetired: true });
  assert.match(allowed[0], /--allow-retired: claude-3-opus: retired on 2026-01-05/);
  // the seed's models on the day the seed was written
  assert.deepEqual(assertUsable(r, [...PRESETS.seed.weak, ...PRESETS.seed.strong], { on: '2025-08-25' }), []);
});

test('generate, all, estimate and negotiate refuse the seed grid before anything is written or sent; --allow-retired lets it through', () => {
  const t = tempDir();
  try {
    const rd = join(t.dir, 'results');
    const keys = {
      OPENAI_API_KEY: 'sk-test',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      GEMINI_API_KEY: 'AIza-test',
      // nothing listens here: a request sent would fail differently
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      GEMINI_BASE_URL: 'http://127.0.0.1:9',
    };
    const retiredNow = PRESETS.seed.weak
      .concat(PRESETS.seed.strong)
      .filter((m) => statusOn(loadRegistry().get(m).lifecycle, today()) === 'retired');
    assert.ok(retiredNow.length >= 10, `most seed models are retired by ${today()}`);
    for (const args of [
      ['generate', '--grid', 'seed'],
      ['all', '--grid', 'seed'],
      ['negotiate', '--models', 'claude-3-opus', 'gpt-4o'],
    ]) {
      const r = bargain(args[0] === 'negotiate' ? args : [...args, '--results-dir', rd], { env: keys });
      assert.equal(r.status, 2, `${args[0]}: ${r.stderr}`);
      assert.equal(r.stdout, '', `${args[0]} printed nothing else`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.match(
        lines[0],
        /^bargain: \d+ models? of this grid (is|are) not served on \d{4}-\d{2}-\d{2}; nothing was sent:$/,
      );
      const named = lines.slice(1, -1);
      for (const l of named) assert.match(l, /^ {2}[a-z0-9.-]+: retired on \d{4}-\d{2}-\d{2}/);
      if (args[0] !== 'negotiate') assert.deepEqual(named.map((l) => l.trim().split(':')[0]).sort(), retiredNow.sort());
      assert.match(lines.at(-1)!, /^fix: .*--grid current.*--allow-retired/);
      assert.ok(!existsSync(rd), `${args[0]} wrote nothing`);
    }
    const g = bargain(['generate', '--grid', 'seed', '--results-dir', rd, '--allow-retired']);
    assert.equal(g.status, 0, g.stderr);
    assert.match(g.stdout, /Wrote 300 configs/);
    assert.match(g.stderr, /warning: --allow-retired: claude-3-opus: retired on 2026-01-05/);
    // run and estimate on the generated seed grid refuse too, without touching it
    const before = hashTree(rd);
    for (const cmd of ['run', 'estimate', 'retry']) {
      const r = bargain(
        [cmd, '--results-dir', rd, '--yes'].filter((a) => cmd === 'retry' || a !== '--yes'),
        { env: keys },
      );
      assert.equal(r.status, 2, `${cmd}: ${r.stderr}`);
      assert.match(r.stderr, /not served on .*nothing was sent/, cmd);
    }
    assert.deepEqual(treeDiff(before, hashTree(rd)), []);
  } finally {
    t.cleanup();
  }
});

test('a model retiring before the grid is expected to end is a warning with the date; --models FILE can correct a row', () => {
  const t = tempDir();
  try {
    const soon = addDays(today(), 1);
    const file = join(t.dir, 'models.json');
    writeJson(file, {
      models: {
        'my-model': {
          provider: 'openai',
          model_id: 'my-model',
          context_window: 128000,
          price: { input: 1, output: 2 },
          lifecycle: {
            status: 'deprecated',
            retires: soon,
            successor: 'my-model-2',
            source: 'https://example.org/deprecations',
            read: today(),
          },
        },
        // a user's correction of one date keeps the rest of the built-in row
        'claude-3-opus': { lifecycle: { retires: addDays(today(), 30) } },
      },
    });
    const rd = join(t.dir, 'r');
    const r = bargain([
      'generate',
      '--weak',
      'my-model',
      '--strong',
      'claude-3-opus',
      '--levels',
      '0.5',
      '--results-dir',
      rd,
      '--models',
      file,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`warning: my-model retires on ${soon}, before this grid is expected to end .*successor my-model-2`),
    );
    assert.doesNotMatch(
      r.stderr,
      /claude-3-opus/,
      'the corrected date makes it live again, retiring after the grid ends',
    );
  } finally {
    t.cleanup();
  }
});
