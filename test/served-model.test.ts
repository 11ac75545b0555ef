/**
 * Issue 10 §4 end to end: a provider that answers a request for one model with another
 * (the Gemini API rerouting a retired id) is noticed everywhere a reader looks. A tiny local
 * Gemini-format server answers every request for gemini-test-flash in character (the mock's
 * negotiator brain, not the mock server) but with `modelVersion: gemini-test-next`. Through
 * the real CLI (generate -> run -> collect -> report): every call record carries the served
 * id and the flag, the result has `served_models`, summary.json its warning, the report's
 * index and experiment page a visible notice, and cost is at gemini-test-next's price. A
 * second run replayed from the response cache keeps all of it. No dummy key anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { answer } from '../src/agents/sim/brain.ts';
import { startBargain, tempDir, type CliResult } from './helpers/grid.ts';
import { drawTimelines } from '../src/report/testing/timelines.ts';

// the CLI runs asynchronously: the local server lives in this process and must keep answering
const bargain = (args: string[], opts: { env: Record<string, string> }): Promise<CliResult> =>
  startBargain(args, opts).done;

const KEY = 'AIzaSyDummyServedModelTest00001111';
const PRICE = { flash: { input: 1, output: 2 }, next: { input: 10, output: 20 } };

/** Gemini generateContent on 127.0.0.1: plays the negotiation, reports another model. */
async function reroutingGemini(): Promise<{ url: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', async () => {
      requests.push(req.url ?? '');
      const body = JSON.parse(raw) as {
        systemInstruction?: { parts: { text: string }[] };
        contents: { role: string; parts: { text: string }[] }[];
      };
      const messages = [
        ...(body.systemInstruction
          ? [{ role: 'system' as const, content: body.systemInstruction.parts.map((p) => p.text).join('') }]
          : []),
        ...body.contents.map((c) => ({
          role: c.role === 'model' ? ('assistant' as const) : ('user' as const),
          content: c.parts.map((p) => p.text).join(''),
        })),
      ];
      const a = await answer('gemini-test-flash', messages, { 'gemini-test-flash': 'conceder' });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          candidates: [{ content: { role: 'model', parts: [{ text: a.text }] }, finishReason: 'STOP', index: 0 }],
          usageMetadata: { promptTokenCount: 1000, candidatesTokenCount: 100, totalTokenCount: 1100 },
          modelVersion: 'gemini-test-next',
          responseId: `r${requests.length}`,
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('a rerouted model is flagged in every call record, the result, summary.json and the report, and priced as the model that answered', {
  timeout: 180_000,
}, async (t) => {
  const gemini = await reroutingGemini();
  const { dir, cleanup } = tempDir('bargain-served-');
  t.after(async () => {
    await gemini.close();
    cleanup();
  });
  const modelsFile = join(dir, 'models.json');
  writeFileSync(
    modelsFile,
    JSON.stringify({
      models: {
        'test-flash': {
          provider: 'google',
          model_id: 'gemini-test-flash',
          context_window: 1000000,
          price: PRICE.flash,
          sampling: { kind: 'chat' },
        },
        'test-next': {
          provider: 'google',
          model_id: 'gemini-test-next',
          context_window: 1000000,
          price: PRICE.next,
          sampling: { kind: 'chat' },
        },
      },
    }),
  );
  const rd = join(dir, 'results');
  const env = { GEMINI_API_KEY: KEY, GEMINI_BASE_URL: gemini.url };
  const gen = await bargain(
    [
      'generate',
      '--weak',
      'scripted:boulware',
      '--strong',
      'test-flash',
      '--levels',
      '0.5',
      '--runs',
      '2',
      '--max-rounds',
      '3',
      '--models',
      modelsFile,
      '--results-dir',
      rd,
    ],
    { env },
  );
  assert.equal(gen.status, 0, gen.stdout + gen.stderr);
  // the check before a run refuses a rerouted model, and says which model answered
  const refused = await bargain(['run', '--results-dir', rd, '--models', modelsFile], { env });
  assert.equal(refused.status, 2, refused.stdout + refused.stderr);
  assert.match(
    refused.stdout,
    /test-flash .*gemini-test-next .*FAIL: the provider answered with gemini-test-next, not gemini-test-flash/,
  );
  assert.match(refused.stderr, /the check failed for test-flash; no experiment was started/);
  const checks = gemini.requests.length;
  assert.equal(checks, 1, 'one call for the check');
  // run anyway: every call is then flagged
  const run = await bargain(
    [
      'run',
      '--no-check',
      '--results-dir',
      rd,
      '--models',
      modelsFile,
      '--rpm',
      'google=100000',
      '--tpm',
      'google=1000000000',
    ],
    { env },
  );
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.ok(
    gemini.requests.length > 0 && gemini.requests.every((p) => p.includes('gemini-test-flash:generateContent')),
    'the requested id was sent',
  );
  const col = await bargain(['collect', '--results-dir', rd, '--models', modelsFile], { env });
  assert.equal(col.status, 0, col.stdout + col.stderr);
  const rep = await bargain(['report', '--results-dir', rd, '--models', modelsFile], { env });
  assert.equal(rep.status, 0, rep.stdout + rep.stderr);

  const resultFile = files(rd).find((p) => /result_\d+\.json$/.test(p))!;
  const result = JSON.parse(readFileSync(resultFile, 'utf8'));
  assert.equal(result.status, 'SUCCESS');
  // every LLM call record: served id, flag, warning, and the served model's price
  const events = readFileSync(join(rd, result.transcript_file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const calls = events.filter((e) => e.type === 'turn' && e.calls).flatMap((e) => e.calls);
  assert.ok(calls.length >= 4, `${calls.length} calls`);
  for (const c of calls) {
    assert.equal(c.model, 'test-flash');
    assert.equal(c.model_id, 'gemini-test-flash');
    assert.equal(c.served_model_id, 'gemini-test-next');
    assert.equal(c.served_model_mismatch, true);
    assert.equal(c.priced_as, 'test-next');
    assert.ok(
      c.warnings.some((w: string) => /answered by gemini-test-next, not the requested gemini-test-flash/.test(w)),
      c.warnings.join('; '),
    );
    const atNext = (c.input_tokens * PRICE.next.input + c.output_tokens * PRICE.next.output) / 1e6;
    assert.ok(Math.abs(c.cost_usd - atNext) < 1e-9, `cost ${c.cost_usd} is not at the served model's price ${atNext}`);
  }
  assert.deepEqual(result.served_models, {
    'test-flash': {
      requested_id: 'gemini-test-flash',
      calls: calls.length,
      served: { 'gemini-test-next': calls.length },
      unreported: 0,
      unexpected: ['gemini-test-next'],
    },
  });
  assert.ok(
    Math.abs(result.cost_usd - (calls.length * (1000 * PRICE.next.input + 100 * PRICE.next.output)) / 1e6) < 1e-6,
  );
  assert.match(
    readFileSync(join(rd, result.log_file), 'utf8'),
    /Warning: test-flash was requested as gemini-test-flash but answered by gemini-test-next/,
  );

  const summary = JSON.parse(readFileSync(join(rd, 'summary.json'), 'utf8'));
  assert.deepEqual(summary.served_models['test-flash'].unexpected, ['gemini-test-next']);
  assert.equal(summary.served_model_warnings.length, 1);
  assert.match(
    summary.served_model_warnings[0],
    /^test-flash was requested as gemini-test-flash but answered by gemini-test-next \(\d+ of \d+ calls\)/,
  );

  const index = readFileSync(join(rd, 'report', 'index.html'), 'utf8');
  assert.match(
    index,
    /class="notice bad served-model"><b>Another model answered<\/b>: test-flash was requested as gemini-test-flash but answered by gemini-test-next/,
  );
  const page = readFileSync(join(rd, 'report', 'experiments', `${result.experiment_id}.html`), 'utf8');
  assert.match(page, /class="notice bad served-model"/);
  // each call's flag is in the run's timeline, drawn when it is opened (as the browser does)
  assert.match(await drawTimelines(page), /answered by gemini-test-next, not the requested gemini-test-flash/);

  // a replay from the response cache keeps the served id and the flag without asking the server
  rmSync(resultFile);
  rmSync(join(rd, 'logs', `completed_${result.experiment_id}.flag`));
  const sent = gemini.requests.length;
  const again = await bargain(['run', '--no-check', '--results-dir', rd, '--models', modelsFile], { env });
  assert.equal(again.status, 0, again.stdout + again.stderr);
  assert.equal(gemini.requests.length, sent, 'replayed from the cache, nothing sent');
  const replayed = JSON.parse(readFileSync(resultFile, 'utf8'));
  assert.deepEqual(replayed.served_models, result.served_models);
  const replayedCalls = readFileSync(join(rd, replayed.transcript_file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'turn' && e.calls)
    .flatMap((e) => e.calls);
  assert.ok(
    replayedCalls.length === calls.length &&
      replayedCalls.every(
        (c) => c.cached === true && c.served_model_id === 'gemini-test-next' && c.served_model_mismatch === true,
      ),
  );

  for (const f of files(rd)) assert.ok(!readFileSync(f, 'latin1').includes(KEY), `the key leaked into ${f}`);
  for (const r of [gen, run, col, rep]) assert.ok(!(r.stdout + r.stderr).includes(KEY));
});
