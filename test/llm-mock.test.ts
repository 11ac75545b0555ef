/**
 * LLM negotiators end to end over HTTP: LlmAgent -> the provider layer's real clients
 * (createChatModel: OpenAI, Anthropic, Gemini, OpenRouter and sim routes, chosen through
 * the base-URL variables and dummy keys) -> the mock server's four wire formats.
 * Asserts the transcript records every call with tokens, cost and route; malformed
 * answers are repaired or voided, never substituted; dummy keys appear nowhere.
 * Bounded: short games, a few dozen requests per test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec } from '../src/game/index.ts';
import { runSeries, type RunDocument } from '../src/protocol/series.ts';
import type { TranscriptEvent } from '../src/protocol/events.ts';
import { createChatModel, envFrom, loadRegistry, type ProviderEnv } from '../src/providers/index.ts';
import { createLlmAgentFactory, type LlmCallRecord } from '../src/agents/llm/index.ts';
import { readPrompt } from '../src/agents/llm/prompt-reader.ts';
import { SEED_DATE, startMockServer, type MockServer, type MockServerOptions } from '../src/mock/server.ts';

const KEYS = {
  OPENAI_API_KEY: 'sk-dummy-openai-4f9a1c',
  ANTHROPIC_API_KEY: 'sk-ant-dummy-77b2e0',
  GEMINI_API_KEY: 'AIza-dummy-gemini-0d3e',
  OPENROUTER_API_KEY: 'sk-or-dummy-91ac5f',
};

function envFor(s: MockServer, omit: string[] = []): ProviderEnv {
  const vars: Record<string, string> = {
    ...KEYS,
    OPENAI_BASE_URL: `${s.url}/v1`,
    ANTHROPIC_BASE_URL: s.url,
    GEMINI_BASE_URL: s.url,
    OPENROUTER_BASE_URL: `${s.url}/api/v1`,
    SIM_BASE_URL: `${s.url}/v1`,
  };
  for (const k of omit) delete vars[k];
  return envFrom(vars);
}

async function withServer(opts: MockServerOptions, f: (s: MockServer) => Promise<void>) {
  // the seed's models, as served when the seed was written
  const s = await startMockServer({ date: SEED_DATE, ...opts });
  try {
    await f(s);
  } finally {
    await s.close();
  }
}

const registry = loadRegistry();

async function play(env: ProviderEnv, models: [string, string], opts: { runs?: number; rounds?: number } = {}) {
  const factory = createLlmAgentFactory({
    chatModelFor: (m) =>
      createChatModel(m, {
        env,
        registry,
        callTimeoutMs: 10_000,
        retry: { baseDelayMs: 5, maxDelayMs: 20, rateLimitDelayMs: 5 },
      }),
    contextWindowFor: (m) => registry.get(m).context_window,
    scope: 'exp0',
  });
  const events: TranscriptEvent[] = [];
  const docs: RunDocument[] = await runSeries({
    spec: makeSpec({ n: 2, m: 5, maxRounds: opts.rounds ?? 3 }),
    level: 0.6,
    seed: 11,
    numRuns: opts.runs ?? 2,
    players: models.map((model, i) => ({ model, role: i === 0 ? 'weak' : 'strong' })),
    factory,
    onRun: (_d, ev) => {
      events.push(...ev);
    },
  });
  return { docs, events };
}

function calls(events: TranscriptEvent[]): LlmCallRecord[] {
  return events.flatMap((e) => (e.type === 'turn' && e.calls ? (e.calls as LlmCallRecord[]) : []));
}

function assertNoKeys(...texts: string[]) {
  for (const t of texts) for (const k of Object.values(KEYS)) assert.ok(!t.includes(k), `a dummy key leaked: ${k}`);
}

const PAIRS: { models: [string, string]; routes: [string, string]; omit?: string[]; formats: string[] }[] = [
  {
    models: ['gpt-4o', 'claude-3-5-haiku'],
    routes: ['openai direct', 'anthropic direct'],
    formats: ['openai', 'anthropic'],
  },
  {
    models: ['gemini-2-0-flash', 'o3-mini'],
    routes: ['google direct', 'openai direct'],
    formats: ['gemini', 'openai'],
  },
  {
    models: ['gemini-2-5-flash', 'claude-4-sonnet'],
    routes: ['openrouter', 'openrouter'],
    omit: ['GEMINI_API_KEY', 'ANTHROPIC_API_KEY'],
    formats: ['openrouter'],
  },
  { models: ['sim:boulware', 'claude-4-opus'], routes: ['sim', 'anthropic direct'], formats: ['openai', 'anthropic'] },
];

for (const pair of PAIRS) {
  test(`${pair.models.join(' vs ')} over ${pair.formats.join(' + ')}: every call recorded with tokens, cost and route`, async () => {
    await withServer({}, async (s) => {
      const { docs, events } = await play(envFor(s, pair.omit), pair.models);
      const all = calls(events);
      const turns = events.filter((e) => e.type === 'turn');
      assert.equal(all.length, turns.length, 'one call per turn');
      for (const c of all) {
        const seatModel = c.model;
        const idx = pair.models.indexOf(seatModel);
        assert.ok(idx >= 0, c.model);
        assert.equal(c.route, pair.routes[idx]);
        assert.ok(c.input_tokens > 300 && c.output_tokens >= 0, `${c.model} tokens`);
        assert.ok(c.messages.length >= 2 && readPrompt(c.messages).ok);
        assert.ok(/^[A-Z_0-9]+$|^none$/.test(c.key_label), `key label ${c.key_label}`);
        if (!seatModel.startsWith('sim:')) assert.ok(c.cost_usd > 0, `${c.model} costs money`);
        assert.equal(c.attempts, 1);
      }
      // the registry's reasoning and thinking models report reasoning tokens
      for (const m of pair.models) {
        const entry = registry.get(m);
        const mine = all.filter((c) => c.model === m);
        if (entry.sampling.kind !== 'chat')
          assert.ok(
            mine.some((c) => c.reasoning_tokens > 0),
            `${m} reports reasoning tokens`,
          );
      }
      for (const d of docs) {
        for (const a of d.agents) {
          assert.ok(a.calls > 0 && a.input_tokens > 0);
          if (!a.model.startsWith('sim:')) assert.ok(a.cost_usd > 0);
        }
      }
      const st = s.stats();
      for (const f of pair.formats) assert.ok((st.by_format[f] ?? 0) > 0, `served ${f}`);
      assert.equal(st.requests, all.length);
      assertNoKeys(JSON.stringify(events), JSON.stringify(docs), JSON.stringify(st));
    });
  });
}

test('malformed output and transport faults: repaired or voided and recorded, never substituted; the runs complete', async () => {
  await withServer({ malformedRate: 0.3, errorRate: 0.1, slowMs: 20 }, async (s) => {
    const { docs, events } = await play(envFor(s), ['gpt-4o', 'gemini-2-0-flash'], { runs: 2, rounds: 4 });
    assert.equal(docs.length, 2);
    const st = s.stats();
    assert.ok(
      (st.faults.fenced ?? 0) +
        (st.faults.prose ?? 0) +
        (st.faults.trailing_comma ?? 0) +
        (st.faults.comments ?? 0) +
        (st.faults.single_quotes ?? 0) >
        0,
      'recoverable faults were injected',
    );
    const bad = events.filter((e) => e.type === 'turn' && !e.valid);
    const injectedBad = (st.faults.truncated ?? 0) + (st.faults.refusal ?? 0);
    assert.ok(injectedBad > 0);
    assert.equal(bad.length, injectedBad, 'exactly the truncated and refused answers were rejected');
    for (const e of bad) {
      assert.ok(e.type === 'turn' && /cut off|refusal/.test(e.error!), e.type === 'turn' ? e.error : '');
    }
    const repairs = docs.reduce((s2, d) => s2 + d.agents.reduce((a, b) => a + b.repairs, 0), 0);
    const voided = docs.reduce((s2, d) => s2 + d.agents.reduce((a, b) => a + b.voided, 0), 0);
    assert.equal(repairs + voided, bad.length);
    // retried transport faults show in the attempts; the transcript holds one call per turn
    const all = calls(events);
    const transport = (st.faults.server_error ?? 0) + (st.faults.reset ?? 0);
    assert.equal(
      all.reduce((a, c) => a + c.attempts - 1, 0),
      transport,
      'every 5xx/reset was retried once more',
    );
    assertNoKeys(JSON.stringify(events));
  });
});

test('a model that only answers invalid proposals gets its repair turns over HTTP, then a recorded void each round', async () => {
  await withServer({ strategies: { 'gpt-4o': 'invalid' } }, async (s) => {
    const { docs, events } = await play(envFor(s), ['gpt-4o', 'claude-3-5-haiku'], { runs: 1, rounds: 2 });
    const d = docs[0];
    const bad = d.agents.find((a) => a.model === 'gpt-4o')!;
    assert.equal(bad.voided, 2 /* proposals */ + 2 /* votes */);
    assert.equal(bad.repairs, 2 * 3 + 2 * 2);
    const voids = events.filter((e) => e.type === 'proposal_void');
    assert.equal(voids.length, 2);
    assert.equal(d.consensus, false);
    const proposals = events.filter((e) => e.type === 'proposal' && e.agent === bad.agent);
    assert.equal(proposals.length, 0, 'no proposal was substituted');
  });
});

test('missing keys and an invalid key: clear errors that name the variable, never the key', async () => {
  await withServer({}, async (s) => {
    const env = envFrom({ OPENAI_API_KEY: 'sk-dummy-invalid-key-1234', OPENAI_BASE_URL: `${s.url}/v1` });
    const m = createChatModel('gpt-4o', { env, registry, retry: { baseDelayMs: 1, maxDelayMs: 2 } });
    const err = await m.generate({ messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 10 }).then(
      () => null,
      (e: Error) => e,
    );
    assert.ok(err);
    assert.ok(!err.message.includes('sk-dummy-invalid-key-1234'), err.message);
    assert.match(err.message, /OPENAI_API_KEY/);
    assert.throws(() => createChatModel('claude-4-opus', { env, registry }), /ANTHROPIC_API_KEY|OPENROUTER_API_KEY/);
  });
});
