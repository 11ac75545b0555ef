/**
 * Co-funding parser corpus: messy model answers to the pledge task, each ending in the right
 * contribution vector (as given: never scaled, clipped or rounded) or a one-line rejection
 * naming the project. The budget is not the parser's: an over-budget pledge parses, and the
 * game's validation refuses it with its own repair turn.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, type GameSpec } from '../../game/index.ts';
import { parseProposal } from './parse.ts';
import { normaliseProject, parseContributions } from './cofunding-parse.ts';
import { applyOutputFault, OUTPUT_FAULTS } from '../../mock/faults.ts';

const PROJECTS = [
  'Community solar array',
  'Public library extension',
  'Protected bike lanes',
  'Park renovation',
  'Youth sports hall',
];
const cofunding = (m: number): GameSpec => makeSpec({ game: 'cofunding', n: 3, m });
const spec = cofunding(5);
const X = [20, 0, 12.5, 7.25, 0];

type Want = { vec: number[]; note?: string } | { reject: RegExp };
const cases: [name: string, text: string, want: Want, finish?: string][] = [
  ['plain JSON', '{"contributions": [20, 0, 12.5, 7.25, 0], "reasoning": "my share"}', { vec: X }],
  ['json code fence', '```json\n{"contributions": [20, 0, 12.5, 7.25, 0]}\n```', { vec: X, note: 'code fence' }],
  [
    'prose around a fence',
    'Thinking it over.\n\n```json\n{"contributions": [20, 0, 12.5, 7.25, 0], "reasoning": "x"}\n```\nThat is all.',
    { vec: X },
  ],
  [
    'prose around bare JSON',
    'My pledge: {"contributions": [20, 0, 12.5, 7.25, 0], "reasoning": "x"} — let us fund the solar array.',
    { vec: X, note: 'prose around JSON' },
  ],
  ['trailing commas', '{"contributions": [20, 0, 12.5, 7.25, 0,],}', { vec: X, note: 'JSON repaired' }],
  ['comments', '{\n  "contributions": [\n    20, // solar\n    0, 12.5, 7.25, 0\n  ]\n}', { vec: X }],
  ['single quotes', "{'contributions': [20, 0, 12.5, 7.25, 0], 'reasoning': 'it\\'s fair'}", { vec: X }],
  ['unquoted key', '{contributions: [20, 0, 12.5, 7.25, 0]}', { vec: X }],
  ['key contribution', '{"contribution": [20, 0, 12.5, 7.25, 0]}', { vec: X, note: 'key "contribution"' }],
  ['key pledges', '{"pledges": [20, 0, 12.5, 7.25, 0], "reasoning": "x"}', { vec: X, note: 'key "pledges"' }],
  ['key pledge', '{"pledge": [20, 0, 12.5, 7.25, 0]}', { vec: X, note: 'key "pledge"' }],
  ['key My Contributions', '{"My Contributions": [20, 0, 12.5, 7.25, 0]}', { vec: X }],
  ['nested under proposal', '{"proposal": {"contributions": [20, 0, 12.5, 7.25, 0]}}', { vec: X }],
  [
    'contributions win over restated values',
    '{"my_values": [40, 10, 30, 20, 0], "contributions": [20, 0, 12.5, 7.25, 0]}',
    { vec: X },
  ],
  ['number strings', '{"contributions": ["20", "0", "12.5", "7.25", "0"]}', { vec: X, note: 'numbers as strings' }],
  ['mixed forms', '{"contributions": [20.0, " 0 ", "12.50", "**7.25**", "<0>"]}', { vec: X }],
  ['contributions as text', '{"contributions": "20, 0, 12.5, 7.25, 0"}', { vec: X, note: 'contributions as text' }],
  ['a bracketed string', '{"contributions": "[20, 0, 12.5, 7.25, 0]"}', { vec: X }],
  [
    'project map by name',
    '{"contributions": {"Community solar array": 20, "Public library extension": 0, "Protected bike lanes": 12.5, "Park renovation": 7.25, "Youth sports hall": 0}}',
    { vec: X, note: 'project map' },
  ],
  [
    'project map, mixed key forms, out of order, a total',
    '{"pledges": {"youth_sports_hall": "0", "Project 0": 20, "1: Public library extension": 0, "Park renovation (3)": 7.25, "PROTECTED BIKE LANES": 12.5, "total": 39.75}}',
    { vec: X, note: 'total ignored' },
  ],
  [
    'bare project map',
    '{"Community solar array": 20, "Public library extension": 0, "Protected bike lanes": 12.5, "Park renovation": 7.25, "Youth sports hall": 0}',
    { vec: X, note: 'bare contributions' },
  ],
  [
    'list of project entries, out of order',
    '{"contributions": [{"project": "Protected bike lanes", "amount": 12.5}, {"project": 0, "amount": 20}, {"project": "Public library extension", "amount": 0}, {"project": "Park renovation", "pledge": "7.25"}, {"project": "Youth sports hall", "amount": 0}]}',
    { vec: X, note: 'project entries' },
  ],
  [
    'entries without names',
    '{"contributions": [{"amount": 20}, {"amount": 0}, {"amount": 12.5}, {"amount": 7.25}, {"amount": 0}]}',
    { vec: X },
  ],
  ['bare list in prose', 'I pledge [20, 0, 12.5, 7.25, 0] this round.', { vec: X, note: 'bare list' }],
  [
    'an example first, the answer last',
    'The format is {"contributions": [0, 0, 0, 0, 0]}; mine:\n{"contributions": [20, 0, 12.5, 7.25, 0]}',
    { vec: X },
  ],
  [
    'brackets in the reasoning',
    '{"contributions": [20, 0, 12.5, 7.25, 0], "reasoning": "keep [2] funded"}',
    { vec: X },
  ],
  // as given: over the budget, more decimals, above a cost — the game's validation decides
  ['over any budget, kept', '{"contributions": [900, 900, 900, 900, 900]}', { vec: [900, 900, 900, 900, 900] }],
  ['three decimals, kept', '{"contributions": [20.125, 0, 12.5, 7.25, 0]}', { vec: [20.125, 0, 12.5, 7.25, 0] }],
  ['minus zero is zero', '{"contributions": [20, -0, 12.5, 7.25, 0]}', { vec: X }],
  // rejections: each one line, naming the problem
  ['too short', '{"contributions": [20, 0, 12.5, 7.25]}', { reject: /list 4 amounts but there are 5 projects/ }],
  ['too long', '{"contributions": [20, 0, 12.5, 7.25, 0, 1]}', { reject: /list 6 amounts but there are 5 projects/ }],
  ['empty list', '{"contributions": []}', { reject: /list 0 amounts/ }],
  [
    'negative',
    '{"contributions": [20, -5, 12.5, 7.25, 0]}',
    { reject: /cannot be negative: project 1 \(Public library extension\) is -5/ },
  ],
  [
    'two negatives',
    '{"contributions": [20, 0, "-1.5", 7.25, -3]}',
    { reject: /project 2 \(Protected bike lanes\) is -1.5, project 4 \(Youth sports hall\) is -3/ },
  ],
  [
    'a word',
    '{"contributions": [20, "some", 12.5, 7.25, 0]}',
    { reject: /project 1 \(Public library extension\) is "some", not a number/ },
  ],
  [
    'null',
    '{"contributions": [20, 0, null, 7.25, 0]}',
    { reject: /project 2 \(Protected bike lanes\) is null, not a number/ },
  ],
  [
    'a range',
    '{"contributions": ["10-20", 0, 12.5, 7.25, 0]}',
    { reject: /project 0 \(Community solar array\) is "10-20", not a number/ },
  ],
  ['a percentage', '{"contributions": ["20%", 0, 12.5, 7.25, 0]}', { reject: /"20%", not a number/ }],
  ['a currency sign', '{"contributions": ["$20", 0, 12.5, 7.25, 0]}', { reject: /"\$20", not a number/ }],
  ['nested lists', '{"contributions": [[20, 0], 12.5, 7.25, 0]}', { reject: /not a number/ }],
  [
    'a boolean',
    '{"contributions": [true, 0, 12.5, 7.25, 0]}',
    { reject: /project 0 \(Community solar array\) is true, not a number/ },
  ],
  [
    'project map missing a project',
    '{"contributions": {"Community solar array": 20, "Public library extension": 0, "Protected bike lanes": 12.5, "Park renovation": 7.25}}',
    { reject: /no amount for project 4 \(Youth sports hall\) \(give 0 for a project you do not fund\)/ },
  ],
  [
    'project map with an unknown project',
    '{"contributions": {"Community solar array": 20, "Swimming pool": 0, "Protected bike lanes": 12.5, "Park renovation": 7.25, "Youth sports hall": 0}}',
    { reject: /"Swimming pool" is not a project/ },
  ],
  [
    'project map naming one project twice',
    '{"contributions": {"0": 20, "Community solar array": 5, "1": 0, "2": 12.5, "3": 7.25}}',
    { reject: /project 0 \(Community solar array\) is given more than once/ },
  ],
  ['an agreement instead', '{"agreement": [20, 0, 12.5, 7.25, 0]}', { reject: /no "contributions" list/ }],
  ['a number instead of a list', '{"contributions": 20}', { reject: /no "contributions" list/ }],
  ['empty', '   ', { reject: /empty/ }],
  ['refusal', "I'm sorry, but I can't take part in this negotiation.", { reject: /refusal/ }],
  ['prose only', 'I will fund the solar array generously.', { reject: /no JSON object/ }],
  ['cut off', '{"contributions": [20, 0, 12', { reject: /cut off/ }, 'length'],
  ['unclosed', '{"contributions": [20, 0, 12.5, 7.25, 0]', { reject: /incomplete/ }],
];

test('the co-funding parser corpus has at least 40 answers', () => assert.ok(cases.length >= 40, `${cases.length}`));

for (const [name, text, want, finish] of cases) {
  test(`co-funding parse: ${name}`, () => {
    const r = parseContributions(text, spec, finish ? { finishReason: finish } : {});
    if ('vec' in want) {
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.deepEqual(r.value, want.vec);
      assert.ok(
        r.value.every((x) => !Object.is(x, -0)),
        'no negative zero',
      );
      if (want.note) assert.ok(r.notes.includes(want.note), `notes ${JSON.stringify(r.notes)} lack "${want.note}"`);
    } else {
      assert.ok(!r.ok, `accepted ${JSON.stringify(r.ok && r.value)}`);
      assert.match(r.error, want.reject);
      assert.doesNotMatch(r.error, /\n/, 'the repair turn shows a one-line message');
      assert.match(
        r.error,
        /give \{"contributions": \[\.\.\.\]\} with exactly 5 amounts|no JSON|empty|refusal|cut off|incomplete/,
      );
    }
  });
}

test('parseProposal dispatches on the game: contribution vectors for co-funding, agreements and allocations otherwise', () => {
  const vec = '{"contributions": [20, 0, 12.5, 7.25, 0]}';
  assert.deepEqual(parseProposal(vec, spec), { ok: true, value: X, notes: [] });
  assert.ok(!parseProposal('{"agreement": [40, 55, 10, 70, 25]}', spec).ok);
  const treaty = makeSpec({ game: 'treaty', n: 3, m: 5 });
  assert.ok(!parseProposal(vec, treaty).ok);
  assert.ok(!parseProposal(vec, makeSpec({ n: 3, m: 5 })).ok);
});

test('the length check follows the spec: a one-project game wants one amount', () => {
  const one = cofunding(1);
  assert.deepEqual(parseProposal('{"contributions": [35.5]}', one), { ok: true, value: [35.5], notes: [] });
  const r = parseProposal('{"contributions": [35, 40]}', one);
  assert.ok(!r.ok);
  assert.match(
    r.error,
    /list 2 amounts but there is 1 project \(0 Community solar array\); give \{"contributions": \[\.\.\.\]\} with one amount of 0 or more$/,
  );
});

test('project names are recognised in their common variants and only when index and name agree', () => {
  for (const [key, want] of [
    ['Park renovation', 3],
    ['park renovation', 3],
    ['PARK_RENOVATION', 3],
    ['3', 3],
    [3, 3],
    ['Project 3', 3],
    ['project_3', 3],
    ['3: Park renovation', 3],
    ['Park renovation (3)', 3],
    ['project 3 (Park renovation)', 3],
    ['**Public library extension**', 1],
    ['2: Park renovation', null],
    ['5', null],
    ['Swimming pool', null],
    [true, null],
  ] as const)
    assert.equal(normaliseProject(key, spec.items), want, JSON.stringify(key));
});

test("the mock server's output faults on a co-funding answer: the mendable ones parse, truncation and refusals do not", () => {
  const answer = JSON.stringify({ contributions: X, reasoning: 'Round 2: these pledges [roughly] meet my target.' });
  for (const kind of OUTPUT_FAULTS) {
    const { text, cut } = applyOutputFault(kind, answer);
    const r = parseProposal(text, spec, cut ? { finishReason: 'length' } : {});
    if (kind === 'truncated' || kind === 'refusal') assert.ok(!r.ok, `${kind} was accepted`);
    else assert.deepEqual(r.ok && r.value, X, `${kind}: ${JSON.stringify(r)}`);
  }
});
