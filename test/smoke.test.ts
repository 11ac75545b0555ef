import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

test('bargain negotiate prints a summary and exits 0', () => {
  const r = spawnSync(
    process.execPath,
    ['bin/bargain.mjs', 'negotiate', '--models', 'scripted:conceder', 'scripted:boulware', '--runs', '2'],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Run 1 \(pair 0, seats swapped\)/);
});
