/**
 * `bargain mock-server` as a user runs it: a separate process on a free port, strategies by
 * registry name reaching the provider model ids on the wire, Ctrl-C (SIGINT) stops it with
 * exit 0; bad flags and a busy port are one line each with exit 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { makeSpec } from '../src/game/index.ts';
import { systemPrompt, userTurn } from '../src/agents/llm/prompts.ts';
import { parseAllocation as parseProposal } from '../src/agents/llm/parse.ts';
import type { Observation } from '../src/agents/agent.ts';

const spec = makeSpec({ n: 2, m: 5, maxRounds: 10 });
const values = [50, 5, 30, 10, 5];
const obs: Observation = {
  phase: 'proposal',
  round: 10,
  turn: 0,
  self: 'Agent_1',
  seat: 0,
  spec,
  values,
  public: [],
  private: [],
};

function anthropicBody(model: string) {
  return JSON.stringify({
    model,
    max_tokens: 300,
    system: systemPrompt(spec, 'Agent_1', values),
    messages: [{ role: 'user', content: userTurn(obs, [], [], true) }],
  });
}

test('bargain mock-server serves until SIGINT; --strategy by registry name reaches the wire model id', async () => {
  const child = spawn(
    process.execPath,
    [
      'bin/bargain.mjs',
      'mock-server',
      '--port',
      '0',
      '--date',
      '2025-08-25',
      '--strategy',
      'claude-3-opus=greedy',
      '--rpm',
      '100',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no URL in time: ${out}`)), 20_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[1]);
      }
    });
  });
  assert.match(out, /export ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:\d+\n/);
  assert.match(out, /export OPENROUTER_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/api\/v1\n/);
  const ask = async (model: string) => {
    const r = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'sk-ant-cli-test',
        'anthropic-version': '2023-06-01',
      },
      body: anthropicBody(model),
    });
    assert.equal(r.status, 200);
    const b = (await r.json()) as { content: { text: string }[] };
    const p = parseProposal(b.content[0].text, spec);
    assert.ok(p.ok);
    return p.value.Agent_1;
  };
  assert.deepEqual(await ask('claude-3-opus-20240229'), [0, 1, 2, 3, 4], 'greedy claims every item it values');
  assert.ok((await ask('claude-3-5-haiku-20241022')).length < 5, 'unmapped models play linear');
  // 'close' (not 'exit'): it fires only after stdout has been read to the end
  const code = await new Promise<number | null>((resolve) => {
    child.once('close', resolve);
    child.kill('SIGINT');
  });
  assert.equal(code, 0);
  assert.match(out, /stopped after 2 requests \(200: 2\)/);
  assert.ok(!out.includes('sk-ant-cli-test'));
});

test('bad mock-server flags and a busy port: one line, exit 2', async () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['bin/bargain.mjs', 'mock-server', ...args], { encoding: 'utf8', timeout: 20_000 });
  for (const [args, re] of [
    [['--strategy', 'gpt-4o=crash'], /unknown strategy "crash"; the mock plays .*boulware/],
    [['--strategy', 'gpt-4o'], /--strategy takes MODEL=STRATEGY/],
    [['--error-rate', '1.5'], /--error-rate takes a number from 0 to 1/],
    [['--latency', '200-100'], /--latency takes MS or MIN-MAX/],
    [['--port', '70000'], /--port takes a whole number from 0 to 65535/],
    [['--date', '2026-02-30'], /--date takes a day as YYYY-MM-DD/],
    [['--reroute', 'gpt-4o'], /--reroute takes OLD=NEW/],
    [['--reasoning-scale', '-1'], /--reasoning-scale takes a number from 0 to 100/],
  ] as [string[], RegExp][]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', () => resolve()));
  const port = (busy.address() as { port: number }).port;
  try {
    const r = run('--port', String(port));
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`port ${port} on 127.0.0.1 is in use; choose another --port`));
  } finally {
    busy.close();
  }
});
