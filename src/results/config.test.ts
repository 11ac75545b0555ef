import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configHash, parseConfig, specOf } from './config.ts';

const item = {
  experiment_id: 0,
  weak_model: 'a',
  strong_model: 'b',
  competition_level: 0.5,
  random_seed: 42,
  output_dir: 'a_vs_b/comp_0.5',
};

test('an item-allocation config names no game and reads as before (same hash as without the new fields)', () => {
  const c = parseConfig(item, 'config_0.json');
  assert.equal(c.game, undefined);
  assert.equal('rho' in c, false);
  assert.equal(specOf(c).game, 'item-allocation');
  assert.equal(configHash(c), configHash(parseConfig({ ...item }, 'x')));
  assert.throws(() => parseConfig({ ...item, rho: 0.5 }, 'config_0.json'), /rho: only a treaty config/);
});

test('a treaty config needs rho and num_issues, and its spec is the treaty with those', () => {
  const t = { ...item, game: 'treaty', rho: -0.5, num_issues: 4 };
  const spec = specOf(parseConfig(t, 'config_0.json'));
  assert.equal(spec.game, 'treaty');
  assert.equal(spec.rho, -0.5);
  assert.equal(spec.m, 4);
  assert.deepEqual(spec.items.slice(0, 2), ['Carbon cost on imports', 'Tariff reduction']);
  assert.throws(() => parseConfig({ ...t, rho: undefined }, 'config_0.json'), /rho: a treaty config needs it/);
  assert.throws(
    () => parseConfig({ ...t, rho: 2 }, 'config_0.json'),
    /config_0\.json is not a valid experiment config \(rho/,
  );
  assert.throws(() => parseConfig({ ...t, game: 'chess' }, 'config_0.json'), /game/);
});
