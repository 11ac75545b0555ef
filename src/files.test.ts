import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { pidAlive } from './files.ts';

test('pidAlive: this process is alive; a child that has exited and been reaped is not', () => {
  assert.equal(pidAlive(process.pid), true);
  const child = spawnSync(process.execPath, ['-e', '0']);
  assert.equal(child.status, 0);
  assert.equal(pidAlive(child.pid!), false);
});
