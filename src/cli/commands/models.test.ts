/**
 * `bargain models` as a user runs it: the real CLI in a directory with a .env, showing each
 * model's route now (direct, OpenRouter, or the key to set) and never a key value; a bad
 * --models file is one line on stderr with exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadRegistry } from '../../providers/registry.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/bargain.mjs', import.meta.url));
const KEYS = {
  ANTHROPIC_API_KEY: 'sk-ant-models-cli-dummy-0001',
  OPENROUTER_API_KEY: 'sk-or-v1-models-cli-dummy-0002',
  OPENAI_API_KEY_2: 'sk-models-cli-dummy-0003',
};

function run(args: string[], cwd: string, extra: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (/_API_KEY(_\d+)?$|_BASE_URL$/.test(k) && !(k in extra)) delete env[k];
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, [BIN, 'models', ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('bargain models shows the route each model takes now, from the environment and ./.env', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-models-'));
  writeFileSync(
    join(dir, '.env'),
    `ANTHROPIC_API_KEY=${KEYS.ANTHROPIC_API_KEY}\nANTHROPIC_BASE_URL=http://127.0.0.1:8765\n`,
  );
  const r = run([], dir, { OPENROUTER_API_KEY: KEYS.OPENROUTER_API_KEY });
  assert.equal(r.status, 0, r.stderr);
  const line = (name: string) => r.stdout.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
  assert.match(
    line('claude-4-sonnet'),
    /claude-sonnet-4-20250514 .*anthropic direct http:\/\/127\.0\.0\.1:8765 \[ANTHROPIC_API_KEY\]/,
  );
  assert.match(
    line('gpt-4o'),
    /2\.50\s+10\.00\s+1346\s+128000 .*openrouter as openai\/gpt-4o https:\/\/openrouter\.ai\/api\/v1 \[OPENROUTER_API_KEY\]/,
  );
  assert.match(line('chatgpt-5'), /gpt-5 .*reasoning high/);
  assert.match(line('sim:<strategy>'), /sim http:\/\/127\.0\.0\.1:8765\/v1/);
  assert.match(
    r.stdout,
    new RegExp(`Environment: process \\+ ${join(dir, '.env').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
  );
  for (const v of Object.values(KEYS)) assert.ok(!r.stdout.includes(v) && !r.stderr.includes(v));

  // without any key: every API model names the key(s) that would give it a route
  const bare = run(['--json'], mkdtempSync(join(tmpdir(), 'bargain-models-')));
  assert.equal(bare.status, 0, bare.stderr);
  const doc = JSON.parse(bare.stdout) as { models: { name: string; route: unknown; missing: string | null }[] };
  const gem = doc.models.find((m) => m.name === 'gemini-2-5-pro')!;
  assert.equal(gem.route, null);
  assert.equal(gem.missing, 'set GEMINI_API_KEY/GOOGLE_API_KEY or OPENROUTER_API_KEY');
  assert.equal(doc.models.length, loadRegistry().names().length + 1, 'every registry model and the sim family');
});

test('bargain models --models FILE lists added models; a bad file is one line, exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bargain-models-'));
  writeFileSync(
    join(dir, 'extra.json'),
    JSON.stringify({
      models: {
        'llama-3-8b': {
          provider: 'compatible',
          model_id: 'llama3:8b',
          base_url: 'http://127.0.0.1:11434/v1',
          context_window: 8192,
          price: { input: 0, output: 0 },
        },
      },
    }),
  );
  const ok = run(['--models', 'extra.json', '--base-url', 'o3=http://127.0.0.1:8000/v1'], dir, {
    OPENAI_API_KEY_2: KEYS.OPENAI_API_KEY_2,
  });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /^llama-3-8b .*compatible http:\/\/127\.0\.0\.1:11434\/v1 \[none\]$/m);
  assert.match(ok.stdout, /^o3 .*compatible http:\/\/127\.0\.0\.1:8000\/v1/m);
  assert.match(ok.stdout, /^gpt-4o .*openai direct https:\/\/api\.openai\.com\/v1 \[OPENAI_API_KEY_2\]/m);
  assert.ok(!ok.stdout.includes(KEYS.OPENAI_API_KEY_2));

  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ models: { 'gpt-4o': { price: { output: -1 } } } }));
  const bad = run(['--models', 'bad.json'], dir);
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /^bargain: --models bad\.json: model "gpt-4o": field "price\.output"/);
});
