import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { shellQuote } from './shell.ts';

test('plain words stay readable', () => {
  for (const w of ['/work/results/demo', 'anthropic=25', 'user@host:/x,y', 'a+b%c', '--parallel'])
    assert.equal(shellQuote(w), w);
});

test('the shell reads every quoted word back unchanged', () => {
  const words = [
    '',
    'a b',
    "it's",
    "''",
    '$HOME',
    '`id`',
    '$(id)',
    'a;b|c&d',
    '*',
    '~',
    'x\ny',
    '"q"',
    'back\\slash',
    '!event',
    '#hash',
    'tab\there',
  ];
  const script = `for a in ${words.map(shellQuote).join(' ')}; do printf '%s\\0' "$a"; done`;
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), words);
});
