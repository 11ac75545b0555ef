import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../errors.ts';
import {
  GAME_RESULT_COLUMNS,
  GAME_RUN_COLUMNS,
  parseCsv,
  parseResultsCsv,
  parseRunsCsv,
  RESULT_COLUMNS,
  type ResultRow,
  RUN_COLUMNS,
  type RunRow,
  resultsCsv,
  runsCsv,
  toCsv,
} from './index.ts';

const runRow: RunRow = {
  experiment_id: 3,
  weak_model: 'gpt-4o',
  strong_model: 'o3',
  pair: 'gpt-4o_vs_o3',
  competition_level: 0.9,
  random_seed: 45,
  run_index: 1,
  pair_index: 0,
  seats_swapped: true,
  seat: 0,
  agent: 'Agent_1',
  model: 'o3',
  role: 'strong',
  cosine_similarity: 0.9012,
  consensus: false,
  round: null,
  utility: 0,
  raw_utility: 0,
  share: null,
  welfare: 0,
  exploitation_index: null,
  nash_utility: 61,
  pareto_optimal: false,
  repairs: 2,
  voided: 1,
  calls: 30,
  input_tokens: 12000,
  output_tokens: 900,
  reasoning_tokens: 4000,
  cost_usd: 0.123456,
  status: 'TIMEOUT',
  cache_read_tokens: 9000,
  cache_write_tokens: 1500,
  value_entropy: 1.521928,
};

test('parseCsv handles quotes, doubled quotes, commas and newlines inside fields, CRLF and a BOM', () => {
  const text = '\ufeffa,b,c\r\n1,"x, y","say ""hi""\nthere"\r\n2,,\n';
  assert.deepEqual(parseCsv(text), [
    ['a', 'b', 'c'],
    ['1', 'x, y', 'say "hi"\nthere'],
    ['2', '', ''],
  ]);
});

test('parseCsv edge cases: no final newline, a trailing comma, lone CR, text after a closing quote, blank lines', () => {
  assert.deepEqual(parseCsv('a,b\n1,2'), [
    ['a', 'b'],
    ['1', '2'],
  ]);
  assert.deepEqual(parseCsv('a,'), [['a', '']]);
  assert.deepEqual(parseCsv('a\rb\r'), [['a'], ['b']]);
  assert.deepEqual(parseCsv('"ab"cd,e\n'), [['abcd', 'e']]);
  assert.deepEqual(parseCsv('"unterminated,x\ny'), [['unterminated,x\ny']]);
  assert.deepEqual(parseCsv('a\n\nb\n'), [['a'], [''], ['b']]);
});

test('runs.csv rows survive a write/read round trip with nulls and booleans', () => {
  const weird = { ...runRow, weak_model: 'model, "quoted"\nname', round: 3, consensus: true, share: 0.5 };
  const text = toCsv([...RUN_COLUMNS], [runRow, weird]);
  assert.deepEqual(parseRunsCsv(text), [runRow, weird]);
});

test('results.csv rows round-trip, and empty cells become null', () => {
  const r: ResultRow = {
    experiment_id: 7,
    weak_model: 'a',
    strong_model: 'b',
    competition_level: 0.5,
    random_seed: 49,
    num_runs: 4,
    status: 'NOT_STARTED',
    exit_code: null,
    duration_s: null,
    runs_completed: null,
    agreement_rate: null,
    mean_round: null,
    weak_utility: null,
    strong_utility: null,
    advantage: null,
    repairs: null,
    voided: null,
    calls: null,
    cost_usd: null,
    error: null,
    result_file: null,
    input_tokens: null,
    output_tokens: null,
    reasoning_tokens: null,
    cache_read_tokens: null,
    cache_write_tokens: null,
  };
  assert.deepEqual(parseResultsCsv(toCsv([...RESULT_COLUMNS], [r])), [r]);
});

test('a table missing columns or holding a bad number is refused with the fix', () => {
  const header = RUN_COLUMNS.filter((c) => c !== 'utility' && c !== 'role').join(',');
  assert.throws(
    () => parseRunsCsv(header + '\n'),
    (e: unknown) =>
      e instanceof UserError && /lacks the columns role, utility/.test(e.message) && /bargain collect/.test(e.message),
  );
  const bad = toCsv([...RUN_COLUMNS], [runRow]).replace(',0.123456,', ',lots,');
  assert.throws(
    () => parseRunsCsv(bad),
    (e: unknown) => e instanceof UserError && /line 2, column cost_usd/.test(e.message) && /"lots"/.test(e.message),
  );
  assert.throws(() => parseRunsCsv(''), /is empty/);
});

test('extra columns and any column order are accepted', () => {
  const cols = [...RUN_COLUMNS].reverse();
  const text = toCsv(cols, [runRow]).replace(/^/, 'extra,').replace('\n', '\nignored,');
  assert.deepEqual(parseRunsCsv(text), [runRow]);
});

test('tables written before the cache columns existed still load: cache tokens read as 0, result tokens as empty', () => {
  const oldRunCols = RUN_COLUMNS.filter(
    (c) => c !== 'cache_read_tokens' && c !== 'cache_write_tokens' && c !== 'value_entropy',
  );
  assert.deepEqual(parseRunsCsv(toCsv(oldRunCols, [runRow])), [
    { ...runRow, cache_read_tokens: 0, cache_write_tokens: 0, value_entropy: null },
  ]);
  const tokenCols = ['input_tokens', 'output_tokens', 'reasoning_tokens', 'cache_read_tokens', 'cache_write_tokens'];
  const r = {
    experiment_id: 1,
    weak_model: 'a',
    strong_model: 'b',
    competition_level: 0.5,
    random_seed: 43,
    num_runs: 2,
    status: 'SUCCESS',
    exit_code: 0,
    duration_s: 1.5,
    runs_completed: 2,
    agreement_rate: 1,
    mean_round: 2,
    weak_utility: 40,
    strong_utility: 50,
    advantage: 10,
    repairs: 0,
    voided: 0,
    calls: 12,
    cost_usd: 0.5,
    error: null,
    result_file: 'x/result_1.json',
    input_tokens: 100,
    output_tokens: 20,
    reasoning_tokens: 0,
    cache_read_tokens: 60,
    cache_write_tokens: 30,
  } satisfies ResultRow;
  const old = parseResultsCsv(
    toCsv(
      RESULT_COLUMNS.filter((c) => !tokenCols.includes(c)),
      [r],
    ),
  );
  assert.deepEqual(old, [
    {
      ...r,
      input_tokens: null,
      output_tokens: null,
      reasoning_tokens: null,
      cache_read_tokens: null,
      cache_write_tokens: null,
    },
  ]);
  assert.deepEqual(parseResultsCsv(toCsv([...RESULT_COLUMNS], [r])), [r]);
  // the appended columns are at the end, after every column of the first release
  assert.deepEqual(RUN_COLUMNS.slice(-3), ['cache_read_tokens', 'cache_write_tokens', 'value_entropy']);
  assert.deepEqual(RESULT_COLUMNS.slice(-5), tokenCols);
});

test('runs.csv from before value_entropy loads with it null; an empty cell is null too', () => {
  const before = RUN_COLUMNS.filter((c) => c !== 'value_entropy');
  assert.deepEqual(parseRunsCsv(toCsv(before, [runRow])), [{ ...runRow, value_entropy: null }]);
  assert.deepEqual(parseRunsCsv(toCsv([...RUN_COLUMNS], [{ ...runRow, value_entropy: null }])), [
    { ...runRow, value_entropy: null },
  ]);
});

test('game columns: absent for item allocation alone; a treaty row brings game, rho and its metrics, read back intact', () => {
  assert.equal(runsCsv([runRow]).split('\n')[0], RUN_COLUMNS.join(','), 'item allocation: the table as before');
  const treatyRow: RunRow = {
    ...runRow,
    experiment_id: 4,
    game: 'treaty',
    rho: -0.5,
    game_metrics: { rank_correlation: -0.6, distance_from_nash: 12.4 },
  };
  const text = runsCsv([runRow, treatyRow]);
  assert.equal(text.split('\n')[0], [...RUN_COLUMNS, ...GAME_RUN_COLUMNS].join(','));
  assert.deepEqual(GAME_RUN_COLUMNS, [
    'game',
    'rho',
    'rank_correlation',
    'distance_from_nash',
    'efficiency',
    'provision_rate',
    'coordination_failures',
    'lindahl_distance',
    'free_rider_index',
    'sigma',
  ]);
  const back = parseRunsCsv(text);
  assert.deepEqual(back[1], { ...treatyRow, sigma: null });
  assert.deepEqual(back[0], { ...runRow, game: 'item-allocation', rho: null, sigma: null, game_metrics: {} });
  assert.throws(() => parseRunsCsv(text.replace(',treaty,', ',chess,')), /unknown game "chess"/);

  const resultRow: ResultRow = {
    experiment_id: 4,
    weak_model: 'a',
    strong_model: 'b',
    competition_level: 0.5,
    random_seed: 46,
    num_runs: 2,
    status: 'SUCCESS',
    exit_code: 0,
    duration_s: 1,
    runs_completed: 2,
    agreement_rate: 1,
    mean_round: 2,
    weak_utility: 40,
    strong_utility: 50,
    advantage: 10,
    repairs: 0,
    voided: 0,
    calls: 0,
    cost_usd: 0,
    error: null,
    result_file: 'x/result_4.json',
    input_tokens: 0,
    output_tokens: 0,
    reasoning_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    game: 'treaty',
    rho: 0.5,
    num_issues: 5,
    sigma: null,
    num_projects: null,
  };
  const rtext = resultsCsv([resultRow]);
  assert.deepEqual(rtext.split('\n')[0].split(',').slice(-GAME_RESULT_COLUMNS.length), GAME_RESULT_COLUMNS);
  assert.deepEqual(parseResultsCsv(rtext), [resultRow]);
});
