/**
 * Issue 11: model names that are Object.prototype's own names. A --models FILE model named
 * `constructor`, `toString` or `__proto__` is refused in one line (copied into an object
 * `__proto__` sets the prototype and vanishes; the report's Vega charts break on a sorted
 * value named `constructor`); `scripted:constructor` / `toString` are unknown strategies,
 * refused in one line, not accepted and crashed on; maps keyed by served ids and model
 * names (served_models, the mock's strategy map) take them as ordinary keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strategyFor } from '../src/agents/sim/brain.ts';
import { loadRegistry } from '../src/providers/registry.ts';
import { UserError } from '../src/errors.ts';
import { bargain as bargainSync, oneLine, tempDir } from './helpers/grid.ts';
import { mergeServedModels, servedModelsOf } from '../src/results/index.ts';

function modelsFile(dir: string, name: string, extra: Record<string, unknown> = {}): string {
  const f = join(dir, `${name.replace(/\W/g, '_')}.json`);
  // JSON text written by hand: JSON.stringify of an object literal would drop a "__proto__" key
  writeFileSync(
    f,
    `{"models":{${JSON.stringify(name)}:${JSON.stringify({ provider: 'openai', model_id: 'gpt-4o', context_window: 128000, price: { input: 2.5, output: 10 }, ...extra })}}}`,
  );
  return f;
}

test('a models file naming a model constructor, toString or __proto__ is refused in one line (CLI and loader)', () => {
  const { dir, cleanup } = tempDir('bargain-proto-');
  try {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const file = modelsFile(dir, name);
      assert.throws(
        () => loadRegistry(file),
        (e) => e instanceof UserError && e.message.includes(`model name "${name}" is not allowed`),
        name,
      );
      for (const args of [
        [
          'generate',
          '--weak',
          name,
          '--strong',
          'scripted:boulware',
          '--models',
          file,
          '--results-dir',
          join(dir, 'r1'),
        ],
        ['models', '--models', file],
      ]) {
        const r = bargainSync(args);
        assert.equal(r.status, 2, r.stdout + r.stderr);
        assert.match(
          oneLine(r.stderr),
          new RegExp(`^bargain: --models .*: model name "${name}" is not allowed .*; fix: choose another name`),
        );
      }
    }
    // without a models file they are unknown names, as any other
    const r = bargainSync([
      'generate',
      '--weak',
      'constructor',
      '--strong',
      'scripted:boulware',
      '--results-dir',
      join(dir, 'r3'),
    ]);
    assert.equal(r.status, 2);
    assert.match(oneLine(r.stderr), /^bargain: unknown model "constructor"/);
  } finally {
    cleanup();
  }
});

test('scripted:constructor / toString / __proto__ are unknown strategies, refused in one line (not accepted and crashed on)', () => {
  const { dir, cleanup } = tempDir('bargain-proto-');
  try {
    for (const name of ['scripted:constructor', 'scripted:toString', 'scripted:__proto__']) {
      const r = bargainSync([
        'generate',
        '--weak',
        name,
        '--strong',
        'scripted:boulware',
        '--results-dir',
        join(dir, 'r2'),
      ]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(oneLine(r.stderr), /^bargain: .*(unknown|strateg)/i, r.stderr);
    }
  } finally {
    cleanup();
  }
});

test('summary by_model and served_models count a model whose wire id is a prototype name', () => {
  const served = servedModelsOf([
    { model: 'm', model_id: 'x', served_model_id: 'constructor', served_model_mismatch: true },
    { model: 'm', model_id: 'x', served_model_id: 'constructor', served_model_mismatch: true },
  ]);
  assert.equal(served.m.served.constructor, 2);
  assert.equal(mergeServedModels([served, served]).m.served.constructor, 4);
  assert.equal(strategyFor('constructor', { other: 'boulware' }), 'linear');
  assert.equal(strategyFor('toString'), 'linear');
});
