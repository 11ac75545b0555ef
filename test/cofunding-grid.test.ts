/**
 * Issue 16's pipeline checks for co-funding, through the real CLI:
 *   - an offline σ × α grid runs end to end with zero FAILED and deals made; configs,
 *     results and both tables carry the game, σ and the number of projects; runs.csv holds
 *     the co-funding metrics (efficiency, provision rate, coordination failures, Lindahl
 *     distance, per-seat free-rider index); the report has the per-σ plot and project tables;
 *   - the current preset's real model names play co-funding on the strict mock (LLM path,
 *     5% malformed answers) with zero FAILED; pledges are private, the joint proposal public;
 *   - bad co-funding flags are refused with one line; `bargain compare` puts three games side by side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS } from '../src/grid/presets.ts';
import { bargain, oneLine, readCsv, readJson, tempDir, transcripts } from './helpers/grid.ts';
import { presetOnMock } from './helpers/mock-grid.ts';
import { drawTimelines } from '../src/report/testing/timelines.ts';

const T = { timeout: 600_000 };

test(
  'an offline σ × α co-funding grid runs end to end with zero FAILED; tables, results and report carry the game',
  T,
  async (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const rd = join(dir, 'r');
    const r = bargain([
      'all',
      '--grid',
      'demo',
      '--game',
      'cofunding',
      '--sigma',
      '0.5,1',
      '--alpha',
      '0.2,0.9',
      '--runs',
      '2',
      '--results-dir',
      rd,
    ]);
    assert.equal(r.status, 0, r.stdout.slice(-2000) + r.stderr);
    assert.match(r.stdout, /Wrote 48 configs .*3 weak × 4 strong × 2 sigma × 2 alpha/);
    assert.match(r.stdout, /Failed: 0 \| Timeout: 0/);
    const cfg = readJson(join(rd, 'configs', 'config_0.json'));
    assert.deepEqual([cfg.game, cfg.sigma, cfg.num_projects, cfg.competition_level], ['cofunding', 0.5, 5, 0.2]);
    assert.match(cfg.output_dir, /\/sigma_0\.5_comp_0\.2$/);

    const results = readCsv(join(rd, 'results.csv'));
    assert.ok(
      results.rows.every((row) => row.game === 'cofunding' && row.status === 'SUCCESS' && row.num_projects === '5'),
    );
    assert.deepEqual([...new Set(results.rows.map((row) => row.sigma))].sort(), ['0.5', '1']);
    const runs = readCsv(join(rd, 'runs.csv'));
    const deals = runs.rows.filter((row) => row.consensus === 'true');
    assert.ok(
      deals.length > runs.rows.length / 4,
      `scripted negotiators make deals (${deals.length} of ${runs.rows.length})`,
    );
    // efficiency is empty only where nothing worth funding was affordable (optimum ≤ 0)
    assert.ok(deals.filter((row) => row.efficiency !== '').length > deals.length / 2);
    for (const row of deals) {
      assert.notEqual(row.provision_rate, '');
      assert.notEqual(row.nash_utility, '', 'the Lindahl baseline utility');
      assert.ok(row.free_rider_index !== undefined);
    }
    for (const row of runs.rows) {
      assert.ok(
        Math.abs(Number(row.cosine_similarity) - Number(row.competition_level)) <= 0.01 + 1e-9,
        JSON.stringify(row),
      );
    }
    const result = readJson(join(rd, cfg.output_dir, 'result_0.json'));
    assert.equal(result.game, 'cofunding');
    const run0 = result.runs.find((x: { consensus: boolean }) => x.consensus) ?? result.runs[0];
    assert.equal(run0.costs.length, 5);
    assert.equal(run0.budgets.length, 2);
    // pledges are private: each proposal event goes to its author; the joint proposal to all
    let joint = 0,
      pledges = 0;
    for (const f of transcripts(rd)) {
      for (const line of readFileSync(f, 'utf8').trim().split('\n')) {
        const e = JSON.parse(line);
        if (e.type === 'proposal') {
          pledges++;
          assert.equal(e.to, e.agent, line);
          assert.equal(e.contributions.length, 5);
        }
        if (e.type === 'joint_proposal') {
          joint++;
          assert.equal(e.to, 'all');
          assert.deepEqual(Object.keys(e.joint).sort(), ['funded', 'pledged']);
        }
      }
    }
    assert.ok(joint > 0 && pledges >= 2 * joint, `${joint} joint proposals from ${pledges} pledges`);
    const plots = readdirSync(join(rd, 'report', 'plots'));
    assert.ok(plots.includes('advantage_vs_alpha_by_sigma.svg'), plots.join(', '));
    assert.match(readFileSync(join(rd, 'report', 'index.html'), 'utf8'), /Co-funding: 48 experiment\(s\)/);
    const dealExp = Number(deals[0].experiment_id);
    // the timelines as the browser draws them when opened (the page carries them as data)
    const page = await drawTimelines(readFileSync(join(rd, 'report', 'experiments', `${dealExp}.html`), 'utf8'));
    assert.match(page, /Joint proposal 1/);
    assert.match(page, /Community solar array/);
    assert.match(page, /pledge \/ value/);
  },
);

test('the current preset plays co-funding on the strict mock (LLM path) with zero FAILED', T, async (t) => {
  const { r, rd, server } = await presetOnMock(t, 'current', [
    '--game',
    'cofunding',
    '--alpha',
    '0.5',
    '--sigma',
    '1',
    '--runs',
    '2',
  ]);
  assert.equal(r.status, 0, r.stdout.slice(-3000) + r.stderr);
  assert.match(r.stdout, /Failed: 0 \| Timeout: 0/);
  const summary = readJson(join(rd, 'summary.json'));
  assert.equal(summary.successful, PRESETS.current.weak.length * PRESETS.current.strong.length);
  const runs = readCsv(join(rd, 'runs.csv'));
  assert.ok(
    runs.rows.some((row) => row.consensus === 'true'),
    'the mock negotiators reach co-funding agreements',
  );
  let joint = 0;
  for (const f of transcripts(rd)) {
    for (const line of readFileSync(f, 'utf8').trim().split('\n')) {
      const e = JSON.parse(line);
      if (e.type === 'joint_proposal') joint++;
      if (e.type === 'proposal') assert.equal(e.to, e.agent, 'a pledge is private');
    }
  }
  assert.ok(joint > 20, `${joint} joint proposals`);
  assert.ok(server.stats().log.every((e) => e.status === 200 || e.fault !== null));
});

test('bad co-funding flags are refused with one line naming the fix, and nothing is written', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const cases: [string[], RegExp][] = [
    [['--sigma', '0.5'], /--alpha, --sigma and --num-projects are co-funding parameters; add --game cofunding/],
    [['--game', 'cofunding', '--sigma', '0'], /--sigma takes numbers above 0 and at most 1/],
    [['--game', 'cofunding', '--sigma', '1.5'], /--sigma takes numbers from 0 to 1 \(got "1\.5"\)/],
    [['--game', 'cofunding', '--alpha', '0.5', '--levels', '0.5'], /--alpha and --levels both set/],
    [['--game', 'cofunding', '--num-projects', '13'], /--num-projects/],
    [['--game', 'cofunding', '--rho', '0.5'], /--theta, --rho and --num-issues are treaty parameters/],
  ];
  for (const [flags, re] of cases) {
    const rd = join(dir, 'r');
    const r = bargain(['generate', '--grid', 'demo', '--results-dir', rd, ...flags]);
    assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(oneLine(r.stderr), re);
    assert.ok(!existsSync(rd), `${flags.join(' ')} wrote nothing`);
  }
});

test('bargain negotiate --game cofunding prints pledges project by project and writes the result', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const out = join(dir, 'out');
  const r = bargain([
    'negotiate',
    '--game',
    'cofunding',
    '--models',
    'scripted:nash',
    'scripted:linear',
    '--alpha',
    '0.6',
    '--sigma',
    '1',
    '--num-projects',
    '4',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Negotiation \(co-funding\): .* alpha 0\.6 \| sigma 1 \| 4 projects/);
  assert.match(r.stdout, /valuations \[[\d, ]+\] budget \d+/);
  assert.match(r.stdout, /Agreement in round \d+: Community solar array [\d.+]+/);
  const doc = readJson(join(out, 'result.json'));
  assert.deepEqual([doc.game, doc.sigma, doc.num_projects, doc.runs.length], ['cofunding', 1, 4, 4]);
  const bad = bargain([
    'negotiate',
    '--game',
    'cofunding',
    '--models',
    'scripted:nash',
    'scripted:nash',
    '--theta',
    '0.5',
  ]);
  assert.equal(bad.status, 2);
  assert.match(oneLine(bad.stderr), /treaty parameters; add --game treaty/);
});
