/**
 * Shared by the tests that run LLM grids through the real CLI against the mock server
 * (test/seed-grid-mock.test.ts, test/budget.test.ts, the live and per-game grid tests): the
 * base-URL variables and dummy keys that route every registry model to the mock, a strategy
 * map for the seed grid's models, a preset's grid run on the strict mock, and the checks made
 * on the server's request log (requests per key in any
 * 60 s window, requests that arrived while a Retry-After was running, repeated requests).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { keyHash, startMockServer, type MockServer, type RequestLogEntry } from '../../src/mock/server.ts';
import { PRESETS } from '../../src/grid/presets.ts';
import { loadRegistry } from '../../src/providers/index.ts';
import { startBargain, tempDir, type CliResult } from './grid.ts';

/** The seed grid's model names, weak then strong. */
export const SEED_MODELS = [...PRESETS.seed.weak, ...PRESETS.seed.strong];

/** Dummy keys per provider variable; each is its own key (and budget) at the server. */
export const DUMMY_KEYS = {
  OPENAI_API_KEY: 'sk-test-openai-5c1e',
  ANTHROPIC_API_KEY: 'sk-ant-test-93d0',
  GEMINI_API_KEY: 'AIza-test-gemini-7aa2',
  OPENROUTER_API_KEY: 'sk-or-test-12fe',
};

/** Environment that sends every provider's requests to the mock at `url`, with the dummy keys (some may be left out). */
export function mockEnv(url: string, keys: Partial<typeof DUMMY_KEYS> = DUMMY_KEYS): Record<string, string> {
  return {
    ...keys,
    OPENAI_BASE_URL: `${url}/v1`,
    ANTHROPIC_BASE_URL: url,
    GEMINI_BASE_URL: url,
    OPENROUTER_BASE_URL: `${url}/api/v1`,
    SIM_BASE_URL: `${url}/v1`,
  };
}

/** The key hash the server logs for each provider's dummy key. */
export const KEY_HASH: Record<string, string> = {
  openai: keyHash(DUMMY_KEYS.OPENAI_API_KEY),
  anthropic: keyHash(DUMMY_KEYS.ANTHROPIC_API_KEY),
  google: keyHash(DUMMY_KEYS.GEMINI_API_KEY),
  openrouter: keyHash(DUMMY_KEYS.OPENROUTER_API_KEY),
};

/** Strategy map for the mock: every wire id (provider and OpenRouter) of these models plays `strategy`. */
export function strategiesFor(models: string[], strategy: string): Record<string, string> {
  const registry = loadRegistry();
  const map: Record<string, string> = {};
  for (const m of models) {
    const e = registry.get(m);
    map[e.model_id] = strategy;
    if (e.openrouter_id) map[e.openrouter_id] = strategy;
  }
  return map;
}

/** Largest number of requests in any window of `ms` (arrival times in ms). */
export function maxInWindow(times: number[], ms: number): number {
  const t = times.slice().sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

export function byKey(log: RequestLogEntry[]): Map<string, RequestLogEntry[]> {
  const out = new Map<string, RequestLogEntry[]>();
  for (const e of log) {
    if (!out.has(e.key)) out.set(e.key, []);
    out.get(e.key)!.push(e);
  }
  for (const list of out.values()) list.sort((a, b) => a.ms - b.ms);
  return out;
}

export interface RetryAfterCheck {
  /** 429s with a Retry-After on this key */
  limited: number;
  /** requests that arrived after a 429 and before its Retry-After had passed (sent before the client read it) */
  inside: number;
  /** the latest of those, ms after its 429 */
  latestMs: number;
  /** the longest Retry-After seen, s */
  longestS: number;
}

/**
 * What the server saw of Retry-After on one key (for figures): requests arriving within a
 * Retry-After of a 429 were sent before the client read it; how late they come depends on
 * the machine, so the governor's trace, not this, is what tests assert the pauses on.
 */
export function checkRetryAfter(entries: RequestLogEntry[]): RetryAfterCheck {
  const out: RetryAfterCheck = { limited: 0, inside: 0, latestMs: 0, longestS: 0 };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (e.status !== 429 || e.retry_after_s === null) continue;
    out.limited++;
    out.longestS = Math.max(out.longestS, e.retry_after_s);
    const end = e.ms + e.retry_after_s * 1000;
    for (let j = i + 1; j < entries.length && entries[j].ms < end; j++) {
      out.inside++;
      out.latestMs = Math.max(out.latestMs, entries[j].ms - e.ms);
    }
  }
  return out;
}

/** Ids of requests answered 200 more than once (same content hash), with the arrival times. */
export function repeatedAnswers(log: RequestLogEntry[]): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  for (const e of log) {
    if (e.status !== 200 || !e.req) continue;
    if (!seen.has(e.req)) seen.set(e.req, []);
    seen.get(e.req)!.push(e.ms + e.latency_ms);
  }
  return new Map([...seen].filter(([, v]) => v.length > 1));
}

/** What an experiment's negotiations came to, without timings or costs: for comparing runs. */
export function outcomes(dir: string, relPath: string): unknown {
  const d = JSON.parse(readFileSync(join(dir, relPath), 'utf8'));
  return {
    id: d.experiment_id,
    status: d.status,
    runs_completed: d.runs_completed,
    calls: d.calls,
    input_tokens: d.input_tokens,
    output_tokens: d.output_tokens,
    reasoning_tokens: d.reasoning_tokens,
    runs: (d.runs ?? []).map((r: any) => ({
      consensus: r.consensus,
      round: r.round,
      allocation: r.allocation,
      preferences: r.preferences,
      welfare: r.welfare,
      agents: r.agents.map((a: any) => ({
        model: a.model,
        utility: a.utility,
        repairs: a.repairs,
        voided: a.voided,
        calls: a.calls,
      })),
    })),
  };
}

/**
 * --rpm/--tpm/--concurrency flags for every provider above what the mock serves, for tests
 * about the LLM path rather than rate limits (the registry's tier-1 defaults would make them crawl).
 */
export function generousBudgets(rpm = 6000, concurrency = 16): string[] {
  return ['openai', 'anthropic', 'google', 'openrouter'].flatMap((p) => [
    '--rpm',
    `${p}=${rpm}`,
    '--tpm',
    `${p}=1000000000`,
    '--concurrency',
    `${p}=${concurrency}`,
  ]);
}

/**
 * `bargain all --grid PRESET ARGS` into a fresh results directory against the strict mock
 * (5% malformed answers, every model of the preset playing conceder), 16 in parallel with
 * generousBudgets(); the server and the directory go when the test ends.
 */
export async function presetOnMock(
  t: TestContext,
  preset: string,
  args: string[],
): Promise<{ r: CliResult; rd: string; server: MockServer; models: string[] }> {
  const models = [...PRESETS[preset].weak, ...PRESETS[preset].strong];
  const server = await startMockServer({ malformedRate: 0.05, strategies: strategiesFor(models, 'conceder') });
  const { dir, cleanup } = tempDir();
  t.after(async () => {
    await server.close();
    cleanup();
  });
  const rd = join(dir, 'r');
  const r = await startBargain(
    ['all', '--grid', preset, ...args, '--results-dir', rd, '--parallel', '16', ...generousBudgets()],
    { env: mockEnv(server.url) },
  ).done;
  return { r, rd, server, models };
}
