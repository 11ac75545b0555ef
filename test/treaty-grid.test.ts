/**
 * Issue 15's pipeline checks for the diplomatic treaty, through the real CLI:
 *   - an offline ρ × θ treaty grid runs end to end (generate → run → collect → report) with
 *     zero FAILED and deals made; configs, results, runs.csv and results.csv carry the game
 *     and its parameters; the report has the per-ρ plot and agreement tables issue by issue;
 *   - the current preset's real model names play the treaty on the strict mock (LLM path,
 *     5% malformed answers) with zero FAILED, their proposals are agreement vectors;
 *   - bad treaty flags are refused with one line and nothing written;
 *   - `bargain negotiate --game treaty` prints and writes a treaty result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS } from '../src/grid/presets.ts';
import { bargain, oneLine, readCsv, readJson, tempDir, transcripts } from './helpers/grid.ts';
import { presetOnMock } from './helpers/mock-grid.ts';

const T = { timeout: 600_000 };

test(
  'an offline ρ × θ treaty grid runs end to end with zero FAILED; every table and the report carry the game',
  T,
  (t) => {
    const { dir, cleanup } = tempDir();
    t.after(cleanup);
    const rd = join(dir, 'r');
    const r = bargain([
      'all',
      '--grid',
      'demo',
      '--game',
      'treaty',
      '--rho',
      '-0.5,0.5',
      '--theta',
      '0.2,0.9',
      '--runs',
      '2',
      '--results-dir',
      rd,
    ]);
    assert.equal(r.status, 0, r.stdout.slice(-2000) + r.stderr);
    assert.match(r.stdout, /Wrote 48 configs .*3 weak × 4 strong × 2 rho × 2 theta/);
    assert.match(r.stdout, /Failed: 0 \| Timeout: 0/);

    const cfg = readJson(join(rd, 'configs', 'config_0.json'));
    assert.equal(cfg.game, 'treaty');
    assert.equal(cfg.rho, -0.5);
    assert.equal(cfg.num_issues, 5);
    assert.equal(cfg.competition_level, 0.2);
    assert.match(cfg.output_dir, /\/rho_-0\.5_comp_0\.2$/);
    assert.match(readFileSync(join(rd, 'summary.txt'), 'utf8'), /Game: diplomatic treaty, 5 issues; rho .*-0\.5, 0\.5/);

    const results = readCsv(join(rd, 'results.csv'));
    assert.equal(results.rows.length, 48);
    assert.deepEqual(results.header.slice(-5), ['game', 'rho', 'num_issues', 'sigma', 'num_projects']);
    assert.ok(results.rows.every((row) => row.game === 'treaty' && row.status === 'SUCCESS' && row.num_issues === '5'));
    assert.deepEqual(
      [...new Set(results.rows.map((row) => row.rho))].sort(),
      ['-0.5', '0.5'],
      'both ρ values are in the grid',
    );
    const runs = readCsv(join(rd, 'runs.csv'));
    const g = runs.header.indexOf('game');
    assert.deepEqual(runs.header.slice(g, g + 4), ['game', 'rho', 'rank_correlation', 'distance_from_nash']);
    assert.ok(
      runs.rows.every((row) => row.efficiency === '' && row.sigma === ''),
      "other games' columns are empty",
    );
    const deals = runs.rows.filter((row) => row.consensus === 'true');
    assert.ok(
      deals.length > runs.rows.length / 4,
      `scripted negotiators make deals (${deals.length} of ${runs.rows.length} seat rows)`,
    );
    for (const row of deals) {
      assert.notEqual(row.distance_from_nash, '', 'a deal has a distance from the Nash agreement');
      assert.notEqual(row.nash_utility, '');
      const u = Number(row.raw_utility);
      assert.ok(u >= 0 && u <= 100, `raw utility ${u} within 0..100`);
    }
    // achieved θ near its target (two agents: ±0.01) for every run
    for (const row of runs.rows) {
      assert.ok(
        Math.abs(Number(row.cosine_similarity) - Number(row.competition_level)) <= 0.01 + 1e-9,
        JSON.stringify(row),
      );
    }

    const result = readJson(join(rd, cfg.output_dir, 'result_0.json'));
    assert.equal(result.game, 'treaty');
    assert.equal(result.rho, -0.5);
    const run0 = result.runs[0];
    assert.equal(run0.positions.length, 2);
    assert.equal(run0.positions[0].length, 5);
    assert.ok(!('allocation' in run0), 'a treaty run records an agreement, not an allocation');
    assert.ok('agreement' in run0);

    const plots = readdirSync(join(rd, 'report', 'plots'));
    assert.ok(plots.includes('advantage_vs_theta_by_rho.svg'), plots.join(', '));
    const index = readFileSync(join(rd, 'report', 'index.html'), 'utf8');
    assert.match(index, /Diplomatic treaty: 48 experiment\(s\)/);
    const dealExp = Number(deals[0].experiment_id);
    const page = readFileSync(join(rd, 'report', 'experiments', `${dealExp}.html`), 'utf8');
    assert.match(page, /Carbon cost on imports/);
    assert.match(page, /ideal \/ weight/);
    assert.match(page, /θ \(cosine of the issue weights\)/);
  },
);

test('the current preset plays the treaty on the strict mock (LLM path) with zero FAILED', T, async (t) => {
  const { r, rd, server } = await presetOnMock(t, 'current', ['--game', 'treaty', '--theta', '0.5', '--runs', '2']);
  assert.equal(r.status, 0, r.stdout.slice(-3000) + r.stderr);
  assert.match(r.stdout, /Failed: 0 \| Timeout: 0/);
  const summary = readJson(join(rd, 'summary.json'));
  assert.equal(summary.successful, PRESETS.current.weak.length * PRESETS.current.strong.length);
  const runs = readCsv(join(rd, 'runs.csv'));
  const deals = runs.rows.filter((row) => row.consensus === 'true').length;
  assert.ok(deals > 0, 'the mock negotiators reach treaty agreements');
  let proposals = 0;
  for (const f of transcripts(rd)) {
    for (const line of readFileSync(f, 'utf8').trim().split('\n')) {
      const e = JSON.parse(line);
      if (e.type !== 'proposal') continue;
      proposals++;
      assert.ok(Array.isArray(e.agreement) && e.agreement.length === 5, line);
      assert.ok(
        e.agreement.every((x: number) => Number.isInteger(x) && x >= 0 && x <= 100),
        line,
      );
    }
  }
  assert.ok(proposals > 50, `${proposals} agreement proposals`);
  const log = server.stats().log;
  assert.ok(log.length > 100);
  assert.ok(log.every((e) => e.status === 200 || e.fault !== null));
});

test('bad treaty flags are refused with one line naming the fix, and nothing is written', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const cases: [string[], RegExp][] = [
    [['--rho', '0.5'], /--theta, --rho and --num-issues are treaty parameters; add --game treaty/],
    [['--game', 'chess'], /unknown game "chess": use --game item-allocation, treaty or cofunding$/],
    [['--game', 'treaty', '--rho', '1.5'], /--rho takes numbers from -1 to 1 \(got "1\.5"\)/],
    [['--game', 'treaty', '--theta', '0.5', '--levels', '0.5'], /--theta and --levels both set/],
    [['--game', 'treaty', '--num-issues', '13'], /--num-issues/],
  ];
  for (const [flags, re] of cases) {
    const rd = join(dir, 'r');
    const r = bargain(['generate', '--grid', 'demo', '--results-dir', rd, ...flags]);
    assert.equal(r.status, 2, `${flags.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(oneLine(r.stderr), re);
    assert.ok(!existsSync(rd), `${flags.join(' ')} wrote nothing`);
  }
});

test('bargain negotiate --game treaty prints agreements issue by issue and writes the result', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const out = join(dir, 'out');
  const r = bargain([
    'negotiate',
    '--game',
    'treaty',
    '--models',
    'scripted:conceder',
    'scripted:linear',
    '--theta',
    '0.3',
    '--rho',
    '0.5',
    '--num-issues',
    '4',
    '--out',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Negotiation \(diplomatic treaty\): .* theta 0\.3 \| rho 0\.5 \| 4 issues/);
  assert.match(r.stdout, /Agreement in round \d+: Carbon cost on imports \d+% \| Tariff reduction \d+%/);
  const doc = readJson(join(out, 'result.json'));
  assert.equal(doc.game, 'treaty');
  assert.equal(doc.num_issues, 4);
  assert.equal(doc.runs.length, 4);
  const bad = bargain([
    'negotiate',
    '--game',
    'treaty',
    '--models',
    'scripted:linear',
    'scripted:linear',
    '--competition-level',
    '0.5',
  ]);
  assert.equal(bad.status, 2);
  assert.match(oneLine(bad.stderr), /use it instead of --competition-level/);
});
