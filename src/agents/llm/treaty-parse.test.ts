/**
 * Treaty parser corpus: messy model answers to the agreement-vector task, each ending in the
 * right vector (which the game's validation then accepts) or a one-line rejection that names
 * the problem. Nothing is clipped, padded or invented.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gameOf, makeSpec } from '../../game/index.ts';
import { parseProposal } from './parse.ts';
import { normaliseIssue, parseAgreement } from './treaty-parse.ts';
import { applyOutputFault, OUTPUT_FAULTS } from '../../mock/faults.ts';

const spec = makeSpec({ game: 'treaty', n: 2, m: 5 });
// 0 Carbon cost on imports, 1 Tariff reduction, 2 Fishing quota cut, 3 Visa-free travel, 4 Climate fund contribution
const A = [40, 55, 10, 70, 25];

type Want = { vec: number[]; note?: string } | { reject: RegExp };
const cases: [name: string, text: string, want: Want, finish?: string][] = [
  ['plain JSON', '{"agreement": [40, 55, 10, 70, 25], "reasoning": "balanced"}', { vec: A }],
  ['json code fence', '```json\n{"agreement": [40, 55, 10, 70, 25]}\n```', { vec: A, note: 'code fence' }],
  [
    'prose around a fence',
    'Let me weigh this.\n\n```json\n{"agreement": [40, 55, 10, 70, 25], "reasoning": "x"}\n```\nHope that works.',
    { vec: A },
  ],
  [
    'prose around bare JSON',
    'Here is my proposal: {"agreement": [40, 55, 10, 70, 25], "reasoning": "x"} — open to talk.',
    { vec: A, note: 'prose around JSON' },
  ],
  ['trailing commas', '{"agreement": [40, 55, 10, 70, 25,],}', { vec: A, note: 'JSON repaired' }],
  ['line comments', '{\n  "agreement": [\n    40, // carbon\n    55, 10, 70, 25 // the rest\n  ]\n}', { vec: A }],
  ['single quotes', "{'agreement': [40, 55, 10, 70, 25], 'reasoning': 'it\\'s fair'}", { vec: A }],
  ['unquoted key', '{agreement: [40, 55, 10, 70, 25]}', { vec: A }],
  ['missing commas', '{"agreement": [40 55 10 70 25]}', { vec: A }],
  ['bold numbers', '{"agreement": [**40**, 55, 10, 70, 25]}', { vec: A }],
  ['angle placeholders kept', '{"agreement": ["<40>", "<55>", "<10>", "<70>", "<25>"]}', { vec: A }],
  ['key agreement_vector', '{"agreement_vector": [40, 55, 10, 70, 25]}', { vec: A, note: 'key "agreement_vector"' }],
  ['key positions', '{"positions": [40, 55, 10, 70, 25], "reasoning": "x"}', { vec: A, note: 'key "positions"' }],
  ['key proposal', '{"proposal": [40, 55, 10, 70, 25]}', { vec: A, note: 'key "proposal"' }],
  ['key Proposed Agreement', '{"Proposed Agreement": [40, 55, 10, 70, 25]}', { vec: A }],
  ['nested under proposal', '{"proposal": {"agreement": [40, 55, 10, 70, 25]}}', { vec: A }],
  [
    'agreement wins over restated ideals',
    '{"my_ideal": [90, 90, 90, 90, 90], "agreement": [40, 55, 10, 70, 25]}',
    { vec: A },
  ],
  ['percent strings', '{"agreement": ["40%", "55%", "10%", "70%", "25%"]}', { vec: A, note: 'percent signs' }],
  ['bare percent signs', '{"agreement": [40%, 55%, 10%, 70%, 25%]}', { vec: A, note: 'percent signs' }],
  ['number strings', '{"agreement": ["40", "55", "10", "70", "25"]}', { vec: A, note: 'numbers as strings' }],
  ['mixed forms', '{"agreement": [40, "55%", " 10 ", "70 percent", 25.0]}', { vec: A }],
  ['agreement as text', '{"agreement": "40%, 55%, 10%, 70%, 25%"}', { vec: A, note: 'agreement as text' }],
  ['agreement as a bracketed string', '{"agreement": "[40, 55, 10, 70, 25]"}', { vec: A }],
  [
    'fractions of 1',
    '{"agreement": [0.4, 0.55, 0.1, 0.7, 0.25]}',
    { vec: A, note: 'fractions of 1 read as percentages (×100, rounded)' },
  ],
  ['fractions with whole ends', '{"agreement": [0.4, 1, 0, 0.7, 0.25]}', { vec: [40, 100, 0, 70, 25] }],
  ['fractions as strings', '{"agreement": ["0.4", "0.55", ".1", "0.7", "0.25"]}', { vec: A }],
  ['fractions rounded', '{"agreement": [0.404, 0.546, 0.1, 0.7, 0.25]}', { vec: A }],
  ['whole 0s and 1s stay percentages', '{"agreement": [0, 1, 1, 0, 1]}', { vec: [0, 1, 1, 0, 1] }],
  [
    'issue map by name',
    '{"agreement": {"Carbon cost on imports": 40, "Tariff reduction": 55, "Fishing quota cut": 10, "Visa-free travel": 70, "Climate fund contribution": 25}}',
    { vec: A, note: 'issue map' },
  ],
  [
    'issue map, mixed key forms, out of order',
    '{"agreement": {"climate_fund_contribution": "25%", "0": 40, "1: Tariff reduction": 55, "Visa-free travel (3)": 70, "FISHING QUOTA CUT": 10}}',
    { vec: A },
  ],
  [
    'bare issue map',
    '{"Carbon cost on imports": 40, "Tariff reduction": 55, "Fishing quota cut": 10, "Visa-free travel": 70, "Climate fund contribution": 25}',
    { vec: A, note: 'bare agreement' },
  ],
  [
    'list of issue entries, out of order',
    '{"agreement": [{"issue": "Tariff reduction", "percentage": 55}, {"issue": 0, "percentage": 40}, {"issue": "Fishing quota cut", "value": "10%"}, {"issue": "Visa-free travel", "percentage": 70}, {"issue": "Climate fund contribution", "percentage": 25}]}',
    { vec: A, note: 'issue entries' },
  ],
  [
    'list of entries without issue names',
    '{"agreement": [{"value": 40}, {"value": 55}, {"value": 10}, {"value": 70}, {"value": 25}]}',
    { vec: A },
  ],
  ['bare list in prose', 'I propose [40, 55, 10, 70, 25] as a fair middle.', { vec: A, note: 'bare list' }],
  ['bare list of percents', 'My treaty: [40%, 55%, 10%, 70%, 25%].', { vec: A }],
  [
    'an example first, the answer last',
    'The format is {"agreement": [0, 0, 0, 0, 0]}; my answer:\n{"agreement": [40, 55, 10, 70, 25]}',
    { vec: A },
  ],
  ['brackets in the reasoning', '{"agreement": [40, 55, 10, 70, 25], "reasoning": "keep [2] low"}', { vec: A }],
  // rejections: each one line, naming the problem
  ['too short', '{"agreement": [40, 55, 10, 70]}', { reject: /lists 4 percentages but there are 5 issues/ }],
  ['too long', '{"agreement": [40, 55, 10, 70, 25, 50]}', { reject: /lists 6 percentages but there are 5 issues/ }],
  ['empty list', '{"agreement": []}', { reject: /lists 0 percentages/ }],
  [
    'out of range high',
    '{"agreement": [140, 55, 10, 70, 25]}',
    { reject: /outside 0\.\.100: issue 0 \(Carbon cost on imports\) is 140/ },
  ],
  [
    'out of range, two issues',
    '{"agreement": [40, 55, -5, 70, 101]}',
    { reject: /issue 2 \(Fishing quota cut\) is -5, issue 4 \(Climate fund contribution\) is 101/ },
  ],
  ['percent over 100', '{"agreement": ["140%", 55, 10, 70, 25]}', { reject: /is 140/ }],
  ['bare list out of range', 'I propose [140, 55, 10, 70, 25].', { reject: /outside 0\.\.100/ }],
  [
    'a word',
    '{"agreement": [40, "high", 10, 70, 25]}',
    { reject: /issue 1 \(Tariff reduction\) is "high", not a number/ },
  ],
  ['null', '{"agreement": [40, 55, null, 70, 25]}', { reject: /issue 2 \(Fishing quota cut\) is null, not a number/ }],
  ['a range', '{"agreement": ["40-50", 55, 10, 70, 25]}', { reject: /"40-50", not a number/ }],
  ['nested lists', '{"agreement": [[40, 55], [10, 70], 25]}', { reject: /not a number/ }],
  [
    'not whole',
    '{"agreement": [40, 55.5, 10, 70, 25]}',
    { reject: /not a whole percentage: issue 1 \(Tariff reduction\) is 55.5/ },
  ],
  [
    'fractions mixed with percentages',
    '{"agreement": [0.4, 55, 10, 70, 25]}',
    { reject: /not a whole percentage: issue 0/ },
  ],
  ['fractions with % signs', '{"agreement": ["0.4%", "0.55%", "0.1%", "0.7%", "0.25%"]}', { reject: /not a whole/ }],
  [
    'issue map missing an issue',
    '{"agreement": {"Carbon cost on imports": 40, "Tariff reduction": 55, "Fishing quota cut": 10, "Visa-free travel": 70}}',
    { reject: /no percentage for issue 4 \(Climate fund contribution\)/ },
  ],
  [
    'issue map with an unknown issue',
    '{"agreement": {"Carbon cost on imports": 40, "Healthcare": 55, "Fishing quota cut": 10, "Visa-free travel": 70, "Climate fund contribution": 25}}',
    { reject: /"Healthcare" is not an issue/ },
  ],
  [
    'issue map naming one issue twice',
    '{"agreement": {"0": 40, "Carbon cost on imports": 45, "1": 55, "2": 10, "3": 70}}',
    { reject: /issue 0 \(Carbon cost on imports\) is given more than once/ },
  ],
  [
    'an index and a name that disagree',
    '{"agreement": {"1: Carbon cost on imports": 40, "1": 55, "2": 10, "3": 70, "4": 25}}',
    { reject: /not an issue/ },
  ],
  [
    'an allocation instead',
    '{"allocation": {"Agent_1": [0, 1], "Agent_2": [2, 3, 4]}}',
    { reject: /no "agreement" list/ },
  ],
  ['a number instead of a list', '{"agreement": 40}', { reject: /no "agreement" list/ }],
  ['empty', '   ', { reject: /empty/ }],
  ['refusal', "I'm sorry, but I can't take part in this negotiation.", { reject: /refusal/ }],
  ['prose only', 'I think we should meet in the middle on every issue.', { reject: /no JSON object/ }],
  ['cut off', '{"agreement": [40, 55, 10', { reject: /cut off/ }, 'length'],
  ['unclosed', '{"agreement": [40, 55, 10, 70, 25]', { reject: /incomplete/ }],
];

for (const [name, text, want, finish] of cases) {
  test(`treaty parse: ${name}`, () => {
    const r = parseAgreement(text, spec, finish ? { finishReason: finish } : {});
    if ('vec' in want) {
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(r.value, want.vec);
      if (want.note) assert.ok(r.notes.includes(want.note), `notes ${JSON.stringify(r.notes)} lack "${want.note}"`);
      // what the parser returns is the game's wire form: its validation accepts it as is
      const v = gameOf(spec).validate(r.value, spec);
      assert.ok(v.ok);
      assert.deepEqual(v.value, want.vec);
    } else {
      assert.ok(!r.ok, `accepted ${JSON.stringify(r.ok && r.value)}`);
      assert.match(r.error, want.reject);
      assert.doesNotMatch(r.error, /\n/, 'the repair turn shows a one-line message');
    }
  });
}

test('parseProposal dispatches on the game: agreement vectors for the treaty, allocations otherwise', () => {
  const vec = '{"agreement": [40, 55, 10, 70, 25]}';
  const alloc = '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}}';
  assert.deepEqual(parseProposal(vec, spec), { ok: true, value: A, notes: [] });
  assert.ok(!parseProposal(alloc, spec).ok);
  const ia = makeSpec({ n: 2, m: 5 });
  const r = parseProposal(alloc, ia);
  assert.ok(r.ok);
  assert.deepEqual(r.value, { Agent_1: [0, 2], Agent_2: [1, 3, 4] });
  assert.ok(!parseProposal(vec, ia).ok);
});

test('the length check follows the spec: a one-issue treaty wants one figure', () => {
  const one = makeSpec({ game: 'treaty', n: 3, m: 1 });
  assert.deepEqual(parseProposal('{"agreement": [35]}', one), { ok: true, value: [35], notes: [] });
  const r = parseProposal('{"agreement": [35, 40]}', one);
  assert.ok(!r.ok);
  assert.match(r.error, /lists 2 percentages but there is 1 issue/);
  // a lone fraction is a fraction; a lone 1 is one percent
  assert.deepEqual(parseProposal('{"agreement": [0.35]}', one).ok && parseProposal('{"agreement": [0.35]}', one), {
    ok: true,
    value: [35],
    notes: ['fractions of 1 read as percentages (×100, rounded)'],
  });
  assert.deepEqual(parseProposal('{"agreement": [1]}', one), { ok: true, value: [1], notes: [] });
});

test('issue names are recognised in their common variants and only when index and name agree', () => {
  const items = spec.items;
  for (const [key, want] of [
    ['Visa-free travel', 3],
    ['visa free travel', 3],
    ['VISA_FREE_TRAVEL', 3],
    ['3', 3],
    [3, 3],
    ['3: Visa-free travel', 3],
    ['Visa-free travel (3)', 3],
    ['**Tariff reduction**', 1],
    ['2: Visa-free travel', null],
    ['5', null],
    ['Healthcare', null],
    [true, null],
  ] as const)
    assert.equal(normaliseIssue(key, items), want, JSON.stringify(key));
});

test("the mock server's output faults on a treaty answer: the mendable ones parse, truncation and refusals do not", () => {
  const answer = JSON.stringify({ agreement: A, reasoning: 'Round 2: this treaty [roughly] meets my target.' });
  for (const kind of OUTPUT_FAULTS) {
    const { text, cut } = applyOutputFault(kind, answer);
    const r = parseProposal(text, spec, cut ? { finishReason: 'length' } : {});
    if (kind === 'truncated' || kind === 'refusal') assert.ok(!r.ok, `${kind} was accepted`);
    else assert.deepEqual(r.ok && r.value, A, `${kind}: ${JSON.stringify(r)}`);
  }
});
