/**
 * Issue 11, scrubbing end to end through the real CLI and the strict mock server:
 * - an answer that echoes the OpenAI key (a proxy in front of the mock appends the key it
 *   was sent to each plain-text OpenAI answer) leaves the key in no file under the results
 *   directory, no output, and no request the other agent's provider (Anthropic) receives;
 * - OPENAI_BASE_URL with user:password@ is refused in one line naming the variable, before
 *   any request, and the password appears in no output and no file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED_DATE, startMockServer } from '../src/mock/server.ts';
import { DUMMY_KEYS, mockEnv } from './helpers/mock-grid.ts';
import { listFiles, startBargain, tempDir, type CliResult } from './helpers/grid.ts';

// the CLI runs asynchronously: the servers live in this process and must keep answering
const bargain = (args: string[], env: Record<string, string>): Promise<CliResult> => startBargain(args, { env }).done;
const OPENAI_KEY = DUMMY_KEYS.OPENAI_API_KEY;

/** Forwards to `target`; OpenAI-format answers in plain text get the request's bearer key appended. */
async function echoingProxy(
  target: string,
): Promise<{ url: string; anthropicBodies: string[]; echoed: () => number; close: () => Promise<void> }> {
  const anthropicBodies: string[] = [];
  let echoed = 0;
  const t = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.url?.includes('/messages')) anthropicBodies.push(body.toString('utf8'));
      const up = httpRequest(
        { host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers },
        (ur) => {
          const out: Buffer[] = [];
          ur.on('data', (c: Buffer) => out.push(c));
          ur.on('end', () => {
            let text = Buffer.concat(out).toString('utf8');
            const bearer = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
            if (ur.statusCode === 200 && req.url?.endsWith('/chat/completions') && bearer) {
              try {
                const j = JSON.parse(text);
                const msg = j.choices?.[0]?.message;
                // discussion and reflection answers are prose; proposals and votes stay parseable
                if (typeof msg?.content === 'string' && !/^\s*[{[`]/.test(msg.content)) {
                  msg.content += ` (psst, my API key is ${bearer})`;
                  echoed++;
                  text = JSON.stringify(j);
                }
              } catch {
                /* not JSON: forwarded as is */
              }
            }
            const headers = { ...ur.headers };
            delete headers['content-length'];
            res.writeHead(ur.statusCode ?? 502, headers);
            res.end(text);
          });
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    anthropicBodies,
    echoed: () => echoed,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function assertNowhere(secret: string, rd: string, outputs: CliResult[]): void {
  for (const f of listFiles(rd))
    assert.ok(!readFileSync(join(rd, f), 'latin1').includes(secret), `the secret leaked into ${f}`);
  for (const r of outputs)
    assert.ok(!(r.stdout + r.stderr).includes(secret), `the secret leaked into output:\n${r.stdout}\n${r.stderr}`);
}

test('a key echoed in an answer is in no file, no output and no request to the other provider', {
  timeout: 240_000,
}, async (t) => {
  const mock = await startMockServer({ date: SEED_DATE });
  const proxy = await echoingProxy(mock.url);
  const { dir, cleanup } = tempDir('bargain-scrub-');
  t.after(async () => {
    await proxy.close();
    await mock.close();
    cleanup();
  });
  const rd = join(dir, 'results');
  const env = mockEnv(proxy.url);
  const gen = await bargain(
    [
      'generate',
      '--allow-retired',
      '--weak',
      'gpt-4o',
      '--strong',
      'claude-3-5-haiku',
      '--levels',
      '0.5',
      '--runs',
      '1',
      '--max-rounds',
      '3',
      '--results-dir',
      rd,
    ],
    env,
  );
  assert.equal(gen.status, 0, gen.stdout + gen.stderr);
  const run = await bargain(['run', '--allow-retired', '--no-check', '--results-dir', rd], env);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const col = await bargain(['collect', '--results-dir', rd], env);
  assert.equal(col.status, 0, col.stdout + col.stderr);
  const rep = await bargain(['report', '--results-dir', rd], env);
  assert.equal(rep.status, 0, rep.stdout + rep.stderr);
  // a second run replays from the cache
  const again = await bargain(['run', '--allow-retired', '--no-check', '--results-dir', rd], env);

  assert.ok(proxy.echoed() >= 2, `the proxy echoed the key ${proxy.echoed()} times`);
  assert.ok(proxy.anthropicBodies.length >= 2, 'the other agent was asked');
  // the scrubbed mark reached the other agent instead of the key
  assert.ok(
    proxy.anthropicBodies.some((b) => b.includes('my API key is [redacted]')),
    'the echoed text was forwarded, scrubbed',
  );
  for (const b of proxy.anthropicBodies)
    assert.ok(!b.includes(OPENAI_KEY), 'the key was forwarded to the other provider');
  const transcripts = listFiles(rd).filter((f) => /transcript.*\.jsonl$/.test(f));
  assert.ok(
    transcripts.some((f) => readFileSync(join(rd, f), 'utf8').includes('my API key is [redacted]')),
    'the transcript holds the scrubbed answer',
  );
  assertNowhere(OPENAI_KEY, rd, [gen, run, col, rep, again]);
});

test('OPENAI_BASE_URL with user:password@ is refused in one line naming it; the password is nowhere', {
  timeout: 120_000,
}, async (t) => {
  const mock = await startMockServer({ date: SEED_DATE });
  const { dir, cleanup } = tempDir('bargain-scrub-');
  t.after(async () => {
    await mock.close();
    cleanup();
  });
  const rd = join(dir, 'results');
  const PW = 'Url-Passw0rd-3141';
  const env = { ...mockEnv(mock.url), OPENAI_BASE_URL: mock.url.replace('http://', `http://user:${PW}@`) + '/v1' };
  const gen = await bargain(
    [
      'generate',
      '--allow-retired',
      '--weak',
      'gpt-4o',
      '--strong',
      'claude-3-5-haiku',
      '--levels',
      '0.5',
      '--runs',
      '1',
      '--max-rounds',
      '2',
      '--results-dir',
      rd,
    ],
    env,
  );
  assert.equal(gen.status, 0, gen.stdout + gen.stderr);
  const before = mock.stats().requests;
  const outs: CliResult[] = [gen];
  for (const args of [
    ['run', '--allow-retired', '--results-dir', rd],
    ['run', '--allow-retired', '--no-check', '--results-dir', rd],
    ['run-one', '0', '--allow-retired', '--results-dir', rd],
  ]) {
    const r = await bargain(args, env);
    outs.push(r);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    // the lifecycle warning --allow-retired asked for aside, one line
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !/warning: --allow-retired/.test(l));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0],
      /^bargain: OPENAI_BASE_URL holds credentials \(user:password@ in the URL\); fix: remove them/,
    );
  }
  assert.equal(mock.stats().requests, before, 'no request was sent');
  outs.push(await bargain(['collect', '--results-dir', rd], env), await bargain(['models'], env));
  assertNowhere(PW, rd, outs);
});
