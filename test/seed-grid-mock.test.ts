/**
 * The whole seed grid (300 experiments with the real model names, 4 runs each) through the
 * real CLI, every provider routed to the mock server by the base-URL variables with dummy
 * keys, while the server injects 429 bursts with Retry-After, per-key RPM 429s (OpenAI's
 * governor budget is set above the server's limit; its first requests are refused as a key
 * at its limit is, so it meets them however slowly a loaded machine runs), 2% 5xx, 1%
 * connection resets and 2% malformed answers (DESIGN §3, issue 5). Asserted on the
 * governor's own schedule (BARGAIN_GOVERNOR_TRACE: grants and pauses on its clock; arrival
 * times at the server add transit, which a loaded machine stretches by seconds) and on the
 * server's request log:
 *   - every experiment SUCCESS (no FAILED, no TIMEOUT);
 *   - no key is granted more requests in any 60 s window than its configured RPM, and the
 *     server saw no request the governor did not grant;
 *   - every 429 with Retry-After pauses its key for that long, and nothing is granted on the
 *     key before it has passed;
 *   - no request answered 200 is ever sent again;
 *   - results deleted, cache kept: the grid runs again with zero HTTP requests and the
 *     same outcomes;
 *   - a grid SIGKILLed part-way and resumed fetches no answer that had reached the cache again.
 * Bounded: models play `random` (agreements in 1–2 rounds, ~15k calls), latency 0, budgets
 * scaled up so the grid takes about 2–3 minutes; the whole file well under 8 minutes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SEED_DATE, startMockServer, type MockServer, type RequestLogEntry } from '../src/mock/server.ts';
import { bargain, flagIds, hashTree, resultFiles, startBargain, TEMP_NAME, tempDir, waitFor } from './helpers/grid.ts';
import {
  byKey,
  checkRetryAfter,
  DUMMY_KEYS,
  KEY_HASH,
  maxInWindow,
  mockEnv,
  outcomes,
  repeatedAnswers,
  SEED_MODELS,
  strategiesFor,
} from './helpers/mock-grid.ts';

const EXPERIMENTS = 300;
/** governor budgets per key: Anthropic is the bottleneck, as with real tier-1 keys */
const RPM: Record<string, number> = { openai: 3000, anthropic: 2000, google: 2400 };
/** the server's own per-key limit: below OpenAI's budget (so OpenAI sees RPM 429s), above the others' */
const SERVER_RPM = 2600;
const CONCURRENCY = 16;
const FAULTS = { faults: { server_error: 0.02, reset: 0.01 }, malformedRate: 0.02 };
/** OpenAI's first requests answer its per-minute 429 (an RPM 429 even when the run is too slow to reach SERVER_RPM) */
const OPENAI_FIRST_429 = { count: 2, retryAfterS: 1 };

function runArgs(dir: string, extra: string[] = []): string[] {
  const args = ['run', '--allow-retired', '--no-check', '--results-dir', dir, '--parallel', '48', ...extra];
  for (const [p, n] of Object.entries(RPM))
    args.push('--rpm', `${p}=${n}`, '--tpm', `${p}=1000000000`, '--concurrency', `${p}=${CONCURRENCY}`);
  return args;
}

async function run(dir: string, s: MockServer, extra: string[] = [], env: Record<string, string> = {}) {
  const t0 = performance.now();
  const r = await startBargain(runArgs(dir, extra), { env: { ...mockEnv(s.url), ...env } }).done;
  return { ...r, wallS: (performance.now() - t0) / 1000 };
}

function statuses(dir: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const f of resultFiles(dir)) out.set(f.id, (outcomes(dir, f.path) as { status: string }).status);
  return out;
}

function generate(dir: string, extra: string[] = []): void {
  const g = bargain(['generate', '--grid', 'seed', '--allow-retired', '--results-dir', dir, ...extra]);
  assert.equal(g.status, 0, g.stderr);
}

test('the seed grid against the mock under 429 bursts, 5xx, resets and malformed answers: all SUCCESS within every budget; the cache replays it with zero requests', async (t) => {
  const { dir, cleanup } = tempDir('bargain-seed-grid-');
  // reasoningScale 0.15 keeps the seed's reasoning models near the few hundred tokens a turn
  // this test was written with: at the realistic default (thousands), the per-key token
  // budgets bind first and the run never reaches the server's RPM, which this test measures
  const server = await startMockServer({
    date: SEED_DATE,
    reasoningScale: 0.15,
    strategies: strategiesFor(SEED_MODELS, 'random'),
    rpm: SERVER_RPM,
    rateLimitBursts: { everyMs: 45_000, forMs: 5_000 },
    rateLimitFirst: { openai: OPENAI_FIRST_429 },
    ...FAULTS,
  });
  const traceFile = join(dir, '..', `${basename(dir)}-governor.jsonl`);
  try {
    generate(dir);
    const first = await run(dir, server, [], { BARGAIN_GOVERNOR_TRACE: traceFile });
    assert.equal(
      first.status,
      0,
      `run exited ${first.status}\n${first.stdout.slice(-3000)}\n${first.stderr.slice(-3000)}`,
    );
    const st = server.stats();
    assert.ok(st.log.length === st.requests, 'the log holds every request');

    await t.test('every experiment SUCCESS: no FAILED, no TIMEOUT', () => {
      const s = statuses(dir);
      assert.equal(s.size, EXPERIMENTS);
      const bad = [...s].filter(([, v]) => v !== 'SUCCESS');
      assert.deepEqual(bad, []);
      assert.match(first.stdout, /Successful: 300 \| Failed: 0 \| Timeout: 0/);
    });

    await t.test(
      'the faults really happened: 429 bursts and RPM 429s with Retry-After, 5xx, resets, malformed answers',
      () => {
        const f = st.faults;
        assert.ok((f.server_error ?? 0) > 100, `5xx: ${f.server_error}`);
        assert.ok((f.reset ?? 0) > 50, `resets: ${f.reset}`);
        const malformed = [
          'fenced',
          'prose',
          'trailing_comma',
          'comments',
          'single_quotes',
          'truncated',
          'refusal',
        ].reduce((a, k) => a + (f[k] ?? 0), 0);
        assert.ok(malformed > 50, `malformed: ${malformed}`);
        const limited = st.log.filter((e) => e.status === 429);
        assert.ok(limited.length > 0 && limited.every((e) => e.retry_after_s !== null && e.retry_after_s >= 1));
        for (const p of ['openai', 'anthropic', 'google']) {
          assert.ok(
            limited.some((e) => e.key === KEY_HASH[p] && e.fault === 'rate_limit_burst'),
            `${p} met a 429 burst`,
          );
        }
        const rpm429 = limited.filter((e) => e.key === KEY_HASH.openai && e.fault === 'rate_limit').length;
        assert.ok(rpm429 >= OPENAI_FIRST_429.count, 'OpenAI met per-minute 429s');
        t.diagnostic(
          `OpenAI: ${rpm429 - OPENAI_FIRST_429.count} RPM 429s from the server's window (0 when the machine is too slow to reach ${SERVER_RPM} a minute)`,
        );
      },
    );

    const keys = byKey(st.log);
    const trace = readTrace(traceFile);
    const figures: string[] = [];
    await t.test(
      'no key is granted more requests in any 60 s window than its RPM budget, and the server saw no request the governor did not grant',
      () => {
        assert.deepEqual(
          [...keys.keys()].sort(),
          [KEY_HASH.openai, KEY_HASH.anthropic, KEY_HASH.google].sort(),
          'direct routes only',
        );
        assert.deepEqual([...trace.keys()].sort(), Object.keys(RPM).sort(), 'one budget per provider key');
        for (const [p, rpm] of Object.entries(RPM)) {
          const list = keys.get(KEY_HASH[p]) ?? [];
          const { grants } = trace.get(p)!;
          const peak = maxInWindow(grants, 60_000);
          figures.push(
            `${p}: ${list.length} requests at the server, ${grants.length} granted; peak ${peak} granted in 60 s (budget ${rpm}), ${maxInWindow(
              list.map((e) => e.ms),
              60_000,
            )} arrived; ${list.filter((e) => e.status === 429).length} × 429`,
          );
          assert.ok(peak <= rpm, `${p}: ${peak} requests granted in one 60 s window, budget ${rpm}`);
          // a request the governor never granted would be one more at the server than it granted
          // (a grant may reach no server: a reused connection the server had just closed)
          assert.ok(
            grants.length >= list.length,
            `${p}: the server saw ${list.length} requests, the governor granted ${grants.length}`,
          );
        }
        // the budget, not the machine, set the pace: the bottleneck key ran near its budget
        const anth = maxInWindow(trace.get('anthropic')!.grants, 60_000);
        figures.push(`anthropic peak at ${((100 * anth) / RPM.anthropic).toFixed(0)}% of its budget`);
      },
    );

    await t.test(
      'every 429 with Retry-After pauses its key that long, and nothing is granted on the key before it has passed',
      () => {
        for (const p of Object.keys(RPM)) {
          const { grants, pauses } = trace.get(p)!;
          const limited = (keys.get(KEY_HASH[p]) ?? []).filter((e) => e.status === 429 && e.retry_after_s !== null);
          // each Retry-After the server sent became a pause of that length
          const lengths = pauses.map((x) => x.until - x.pause);
          const unmatched: number[] = [];
          for (const e of limited) {
            const i = lengths.indexOf(e.retry_after_s! * 1000);
            if (i < 0) unmatched.push(e.retry_after_s!);
            else lengths.splice(i, 1);
          }
          assert.deepEqual(unmatched, [], `${p}: 429s whose Retry-After (s) paused nothing`);
          const early = grants.filter((g) => pauses.some((x) => g > x.pause && g < x.until));
          const c = checkRetryAfter(keys.get(KEY_HASH[p]) ?? []);
          figures.push(
            `${p}: ${limited.length} × 429 (longest Retry-After ${c.longestS} s), ${pauses.length} pauses, ${early.length} grants inside one; at the server ${c.inside} requests arrived inside a Retry-After (sent before the 429 was read; the latest ${c.latestMs} ms after it)`,
          );
          assert.deepEqual(early.slice(0, 5), [], `${p}: ${early.length} grants inside a pause`);
        }
      },
    );

    await t.test('no request answered 200 was sent again', () => {
      const rep = repeatedAnswers(st.log);
      assert.equal(rep.size, 0, `${rep.size} requests answered twice`);
    });

    const before = outcomesById(dir);
    const requestsBefore = server.stats().requests;
    await t.test(
      'results deleted, cache kept: the grid runs again with zero HTTP requests and the same outcomes',
      async () => {
        for (const name of readdirSync(dir))
          if (name !== 'cache') rmSync(join(dir, name), { recursive: true, force: true });
        generate(dir);
        const again = await run(dir, server);
        assert.equal(again.status, 0, again.stderr.slice(-3000));
        assert.equal(server.stats().requests, requestsBefore, 'the server saw no request');
        assert.match(again.stdout, /Successful: 300 \| Failed: 0/);
        const after = outcomesById(dir);
        assert.equal(after.size, EXPERIMENTS);
        for (const [id, o] of before) assert.deepEqual(after.get(id), o, `experiment ${id} came out differently`);
        figures.push(
          `first run ${first.wallS.toFixed(1)} s, ${requestsBefore} requests; replay from the cache ${again.wallS.toFixed(1)} s, 0 requests`,
        );
      },
    );
    for (const f of figures) t.diagnostic(f);
    t.diagnostic(`faults: ${JSON.stringify(st.faults)}; statuses: ${JSON.stringify(st.by_status)}`);
  } finally {
    await server.close();
    rmSync(traceFile, { force: true });
    cleanup();
  }
});

/** The response cache's entries (temp files of a killed writer left out), each with its content hash and mtime. */
function cacheEntries(dir: string): Map<string, string> {
  return new Map([...hashTree(join(dir, 'cache'))].filter(([p]) => !p.endsWith('/') && !TEMP_NAME.test(basename(p))));
}

/** The governor's trace by provider: grant times and pauses, on its clock. */
function readTrace(file: string): Map<string, { grants: number[]; pauses: { pause: number; until: number }[] }> {
  const out = new Map<string, { grants: number[]; pauses: { pause: number; until: number }[] }>();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const e = JSON.parse(line) as { key: string; grant?: number; pause?: number; until?: number };
    const p = e.key.split('/')[0];
    if (!out.has(p)) out.set(p, { grants: [], pauses: [] });
    if (e.grant !== undefined) out.get(p)!.grants.push(e.grant);
    else out.get(p)!.pauses.push({ pause: e.pause!, until: e.until! });
  }
  return out;
}

function outcomesById(dir: string): Map<number, unknown> {
  return new Map(resultFiles(dir).map((f) => [f.id, outcomes(dir, f.path)]));
}

test('a grid SIGKILLed part-way and resumed fetches no cached answer again (repeats only what was in flight), and completes', async (t) => {
  const { dir, cleanup } = tempDir('bargain-seed-kill-');
  const server = await startMockServer({
    date: SEED_DATE,
    reasoningScale: 0.15,
    strategies: strategiesFor(SEED_MODELS, 'random'),
    ...FAULTS,
  });
  try {
    generate(dir);
    const jobs = ['--jobs', '0-59'];
    const child = startBargain(runArgs(dir, jobs), { env: mockEnv(server.url) });
    const reached = await waitFor(() => flagIds(dir).length >= 20, 120_000, 50);
    assert.ok(reached, 'the run got a third of the way');
    child.child.kill('SIGKILL');
    const killedAt = server.stats().log.at(-1)?.ms ?? 0;
    const killed = await child.done;
    assert.equal(killed.signal, 'SIGKILL');
    const done = flagIds(dir).length;
    assert.ok(done < 60, `killed part-way (${done} of 60 complete)`);
    // What had reached the cache when the process died: the resumed run must replay it, never
    // fetch it again (a fetched answer is written again, with a new stored_at). Compared by
    // content, not by how long before the kill an answer came: a loaded machine stretches that.
    const cachedAtKill = cacheEntries(dir);
    const requestsAtKill = server.stats().requests;
    const resumed = await run(dir, server, jobs);
    assert.equal(resumed.status, 0, resumed.stderr.slice(-3000));
    assert.match(resumed.stdout, new RegExp(`Ran ${60 - done} experiments .*\\(${done} already complete, skipped\\)`));
    const s = statuses(dir);
    assert.equal([...s.values()].filter((v) => v === 'SUCCESS').length, 60);
    const cachedAfter = cacheEntries(dir);
    assert.ok(cachedAtKill.size > 0, 'answers were cached before the kill');
    const refetched = [...cachedAtKill].filter(([p, h]) => cachedAfter.get(p) !== h).map(([p]) => p);
    assert.deepEqual(
      refetched.slice(0, 5),
      [],
      `${refetched.length} answers cached before the kill were fetched again`,
    );
    // A repeat at the server is then a request whose answer never reached the cache: one in
    // flight as the process died, so no more than can be in flight at once.
    const st = server.stats();
    const rep = repeatedAnswers(st.log);
    const lateness = [...rep.values()].map((times) => killedAt - times[0]);
    t.diagnostic(
      `killed after ${done}/60 experiments, ${cachedAtKill.size} answers cached; ${st.requests} requests in all; ${rep.size} answers repeated, answered ${lateness.map((x) => `${x} ms`).join(', ') || '-'} before the kill`,
    );
    assert.ok(
      rep.size <= CONCURRENCY * 3,
      `${rep.size} repeated answers: more than the requests that can be in flight`,
    );
    // the resumed process did send requests (the rest of the grid), none of them repeats of cached answers
    assert.ok(st.log.slice(requestsAtKill).some((e: RequestLogEntry) => e.status === 200));
    assert.ok(DUMMY_KEYS.OPENAI_API_KEY && !JSON.stringify(st).includes(DUMMY_KEYS.OPENAI_API_KEY));
  } finally {
    await server.close();
    cleanup();
  }
});
