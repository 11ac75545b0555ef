/**
 * The bill, known before and bounded during the run (DESIGN §3 Cost, issue 5), through the
 * real CLI on a seed-grid subset routed to the mock server with dummy keys (the mock plays
 * `linear`, the estimate's proxy, so the estimate's calls can be held to the real count):
 *   - `estimate` names calls, tokens and dollars per model and a wall-time lower bound
 *     computed from the rate budgets (--rpm), and its calls are within 25% of the calls
 *     the grid then makes;
 *   - `run --max-cost` stops starting experiments at the budget: the spend stays within it,
 *     the runner says so and exits 3, unstarted experiments stay NOT_STARTED, and a later
 *     run completes them;
 *   - `run`'s plain progress lines show each provider key's request rate against its budget.
 * Bounded: 60 experiments × 1 run, about 4k calls at latency 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SEED_DATE, startMockServer, type MockServer } from '../src/mock/server.ts';
import { bargain, readCsv, readJson, resultFiles, startBargain, tempDir } from './helpers/grid.ts';
import { mockEnv } from './helpers/mock-grid.ts';

const WEAK = ['gpt-4o', 'claude-3-opus'];
const STRONG = ['claude-3-5-haiku', 'o3-mini', 'gemini-2-0-flash'];
const EXPERIMENTS = WEAK.length * STRONG.length * 10;
const RPM = { openai: 12000, anthropic: 6000, google: 9000 };
const rpmFlags = Object.entries(RPM).flatMap(([p, n]) => ['--rpm', `${p}=${n}`, '--tpm', `${p}=1000000000`]);

interface Estimate {
  experiments: number;
  calls: number;
  costUsd: number;
  wallLowerBoundS: number;
  sampled: number;
  byModel: { model: string; calls: number; inputTokens: number; outputTokens: number; costUsd: number }[];
  byProvider: { provider: string; calls: number; rpm: number; keys: number; minutes: number }[];
  /** with prompt caching (the mock caches as the providers do): what --max-cost reserves */
  promptCache: { costUsd: number } | null;
}

function spent(dir: string): { usd: number; calls: number; ids: number[] } {
  let usd = 0,
    calls = 0;
  const ids: number[] = [];
  for (const f of resultFiles(dir)) {
    const d = readJson(join(dir, f.path));
    assert.equal(d.status, 'SUCCESS', `experiment ${d.experiment_id}: ${d.status} ${d.error ?? ''}`);
    usd += d.cost_usd;
    calls += d.calls;
    ids.push(d.experiment_id);
  }
  return { usd, calls, ids: ids.sort((a, b) => a - b) };
}

async function run(s: MockServer, args: string[]) {
  return startBargain(['run', '--allow-retired', '--no-check', ...args, ...rpmFlags], { env: mockEnv(s.url) }).done;
}

test('estimate before, --max-cost during: the bill is predicted within 25% and never exceeded; progress shows rates against budgets', async (t) => {
  const { dir, cleanup } = tempDir('bargain-budget-');
  // the seed's models as they were served when the seed was written
  const server = await startMockServer({ date: SEED_DATE });
  try {
    const g = bargain([
      'generate',
      '--grid',
      'seed',
      '--allow-retired',
      '--weak',
      WEAK.join(','),
      '--strong',
      STRONG.join(','),
      '--runs',
      '1',
      '--results-dir',
      dir,
    ]);
    assert.equal(g.status, 0, g.stderr);
    const env = mockEnv(server.url);

    // the estimate, before anything is spent
    const ej = bargain(['estimate', '--allow-retired', '--results-dir', dir, '--json', ...rpmFlags], { env });
    assert.equal(ej.status, 0, ej.stderr);
    const est = JSON.parse(ej.stdout) as Estimate;
    assert.equal(est.experiments, EXPERIMENTS);
    assert.ok(est.sampled < EXPERIMENTS, 'the estimate simulates a sample, not the whole grid');
    assert.deepEqual(est.byModel.map((m) => m.model).sort(), [...WEAK, ...STRONG].sort());
    const text = bargain(['estimate', '--allow-retired', '--results-dir', dir, ...rpmFlags], { env });
    assert.equal(text.status, 0, text.stderr);
    assert.equal(server.stats().requests, 0, 'estimate makes no request');

    await t.test(
      'estimate names calls, tokens and dollars per model and a lower bound on wall time from the budgets',
      () => {
        const out = text.stdout;
        assert.match(out, /calls/);
        assert.match(out, /input tok/);
        assert.match(out, /output tok/);
        assert.match(out, /dollars/);
        for (const m of est.byModel) {
          const row = out.split('\n').find((l) => l.trim().startsWith(m.model + ' '));
          assert.ok(row, `a row for ${m.model}`);
          assert.ok(row!.includes(Math.round(m.calls).toLocaleString('en-US')), `${m.model}: calls in ${row}`);
          assert.match(row!, /\$\d+\.\d{2,4}/, `${m.model}: dollars`);
          assert.ok(
            m.calls > 0 && m.inputTokens > m.calls * 100 && m.outputTokens > 0 && m.costUsd > 0,
            JSON.stringify(m),
          );
        }
        // per provider: calls ÷ RPM (tokens ÷ TPM, here unlimited) per key; the wall-time bound is the busiest provider's
        for (const p of est.byProvider) {
          assert.equal(p.rpm, RPM[p.provider as keyof typeof RPM], `${p.provider} budget from --rpm`);
          assert.ok(
            Math.abs(p.minutes - p.calls / p.rpm) < 1e-9,
            `${p.provider}: ${p.minutes} min for ${p.calls} calls at ${p.rpm} rpm`,
          );
          const line = out.split('\n').find((l) => l.trim().startsWith(`${p.provider}: `));
          assert.ok(line, `a line for ${p.provider}`);
          assert.ok(
            line!.includes(`${Math.round(p.calls).toLocaleString('en-US')} calls`) &&
              line!.includes(`${p.rpm.toLocaleString('en-US')} rpm`),
            line,
          );
          assert.match(line!, new RegExp(`→ at least ${p.minutes.toFixed(1)} min`));
        }
        const busiest = Math.max(...est.byProvider.map((p) => p.minutes));
        assert.ok(Math.abs(est.wallLowerBoundS - busiest * 60) < 1e-6);
        assert.match(out, new RegExp(`Wall time: at least ${(busiest).toFixed(1)} min`));
        t.diagnostic(
          `estimate: ${Math.round(est.calls)} calls, $${est.costUsd.toFixed(2)}, wall ≥ ${(est.wallLowerBoundS / 60).toFixed(2)} min (${est.sampled} of ${EXPERIMENTS} simulated)`,
        );
      },
    );

    // the gate reserves each experiment's expected cost as billed with prompt caching
    assert.ok(est.promptCache && est.promptCache.costUsd < est.costUsd, 'caching is expected to save');
    const budget = Math.round(est.promptCache!.costUsd * 0.35 * 100) / 100;
    const capped = await run(server, ['--results-dir', dir, '--parallel', '6', '--max-cost', String(budget)]);
    const first = spent(dir);

    await t.test('--max-cost: the spend stays within the budget, the runner says so and exits 3', () => {
      assert.equal(capped.status, 3, `exit ${capped.status}\n${capped.stdout}\n${capped.stderr}`);
      assert.match(
        capped.stdout,
        new RegExp(`Stopped starting experiments: --max-cost \\$${budget.toFixed(2)} reached`),
      );
      const m = /(\d+) not started; raise --max-cost and run again to continue/.exec(capped.stdout);
      assert.ok(m, capped.stdout);
      assert.ok(first.ids.length > 0 && first.ids.length < EXPERIMENTS, `${first.ids.length} experiments ran`);
      assert.equal(Number(m![1]) + first.ids.length, EXPERIMENTS);
      assert.ok(first.usd <= budget, `spent $${first.usd.toFixed(4)} of $${budget}`);
      // and it did not stop needlessly early: another experiment would have crossed the budget
      const perExp = first.usd / first.ids.length;
      assert.ok(first.usd + perExp * 0.5 > budget * 0.6, `spent only $${first.usd.toFixed(4)} of $${budget}`);
      t.diagnostic(`--max-cost $${budget}: ${first.ids.length} experiments ran, spent $${first.usd.toFixed(4)}`);
    });

    await t.test('unstarted experiments are NOT_STARTED, and a later run completes them', async (t2) => {
      const c = bargain(['collect', '--results-dir', dir]);
      assert.equal(c.status, 0, c.stderr);
      const rows = readCsv(join(dir, 'results.csv')).rows;
      assert.equal(rows.length, EXPERIMENTS);
      for (const r of rows) {
        const ran = first.ids.includes(Number(r.experiment_id));
        assert.equal(r.status, ran ? 'SUCCESS' : 'NOT_STARTED', `experiment ${r.experiment_id}`);
      }
      const rest = await run(server, ['--results-dir', dir, '--parallel', '6']);
      assert.equal(rest.status, 0, rest.stderr);
      assert.match(
        rest.stdout,
        new RegExp(
          `Ran ${EXPERIMENTS - first.ids.length} experiments .*\\(${first.ids.length} already complete, skipped\\)`,
        ),
      );
      assert.equal(spent(dir).ids.length, EXPERIMENTS);

      await t2.test("progress lines (not a terminal) show each provider key's request rate against its budget", () => {
        const lines = rest.stderr.split('\n').filter((l) => /^\[\d+\/\d+\] Completed/.test(l));
        assert.ok(lines.length >= 1, rest.stderr);
        const labels = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY', google: 'GEMINI_API_KEY' } as const;
        for (const l of lines) {
          // every key that has been used so far, with its requests in the last minute against its budget
          const shown = [...l.matchAll(/ (\w+)\/(\w+) (\d+)\/(\d+) rpm/g)];
          assert.ok(shown.length >= 1, `rates in: ${l}`);
          for (const [, p, label, recent, budget] of shown) {
            assert.equal(label, labels[p as keyof typeof labels], l);
            assert.equal(Number(budget), RPM[p as keyof typeof RPM], l);
            assert.ok(Number(recent) <= Number(budget), l);
          }
        }
        for (const p of Object.keys(labels))
          assert.match(lines.at(-1)!, new RegExp(` ${p}/\\w+ \\d+/\\d+ rpm`), 'every provider in the last line');
        assert.ok(/openai\/OPENAI_API_KEY [1-9]\d*\//.test(lines.at(-1)!), 'a real rate, not a placeholder');
        t2.diagnostic(lines.at(-1)!);
      });
    });

    await t.test('the estimate was within 25% of the calls the grid made', () => {
      const all = spent(dir);
      const requests = server.stats().requests;
      const err = (est.calls - all.calls) / all.calls;
      t.diagnostic(
        `estimated ${Math.round(est.calls)} calls, made ${all.calls} (${requests} HTTP requests): ${(100 * err).toFixed(1)}%; estimated $${est.promptCache?.costUsd.toFixed(2)} with caching ($${est.costUsd.toFixed(2)} without), spent $${all.usd.toFixed(2)}`,
      );
      assert.ok(Math.abs(err) <= 0.25, `estimate off by ${(100 * err).toFixed(1)}%`);
      assert.ok(requests <= all.calls && requests >= all.calls * 0.9, 'the calls went to the server');
    });
  } finally {
    await server.close();
    cleanup();
  }
});
