/**
 * Parser corpus: messy model answers, each ending in the right parse or the right
 * rejection (and, for proposals, the game's validation after the parse).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, validateAllocation } from '../../game/index.ts';
import { normaliseAgentName, normaliseItem, parseProposal, parseVotes } from './parse.ts';
import { proposalFormat, votesFormat } from './prompts.ts';

const spec = makeSpec({ n: 2, m: 5 }); // items 0 Apple, 1 Jewel, 2 Stone, 3 Quill, 4 Pencil
const spec3 = makeSpec({ n: 3, m: 5 });
const A = { Agent_1: [0, 2], Agent_2: [1, 3, 4] };

type Want = { alloc: Record<string, number[]> } | { votes: boolean[] } | { reject: RegExp };
interface Case {
  name: string;
  kind: 'proposal' | 'votes';
  text: string;
  want: Want;
  k?: number;
  n3?: boolean;
  finish?: string;
}

const P = (name: string, text: string, want: Want, extra: Partial<Case> = {}): Case => ({
  name,
  kind: 'proposal',
  text,
  want,
  ...extra,
});
const V = (name: string, text: string, want: Want, k = 2, extra: Partial<Case> = {}): Case => ({
  name,
  kind: 'votes',
  text,
  want,
  k,
  ...extra,
});

const corpus: Case[] = [
  P('plain JSON', '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}, "reasoning": "fair"}', { alloc: A }),
  P('json code fence', '```json\n{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}}\n```', { alloc: A }),
  P('bare code fence', '```\n{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}}\n```', { alloc: A }),
  P(
    'prose before and after',
    'Sure! Here is my proposal:\n{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}, "reasoning": "x"}\nI hope this works for you.',
    { alloc: A },
  ),
  P(
    'fence inside prose',
    'Thinking about it...\n\n```json\n{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}}\n```\nLet me know.',
    { alloc: A },
  ),
  P('trailing commas', '{"allocation": {"Agent_1": [0, 2,], "Agent_2": [1, 3, 4],},}', { alloc: A }),
  P(
    'line comments',
    '{\n  "allocation": {\n    "Agent_1": [0, 2], // my favourites\n    "Agent_2": [1, 3, 4] // the rest\n  }\n}',
    { alloc: A },
  ),
  P('block comments', '{"allocation": /* final */ {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}}', { alloc: A }),
  P('bold numbers', '{"allocation": {"Agent_1": [**0**, **2**], "Agent_2": [1, 3, 4]}}', { alloc: A }),
  P('bold inside strings', '{"allocation": {"**Agent_1**": ["**0**", "2"], "Agent_2": [1, 3, 4]}}', { alloc: A }),
  P('single quotes', "{'allocation': {'Agent_1': [0, 2], 'Agent_2': [1, 3, 4]}, 'reasoning': 'it\\'s fair'}", {
    alloc: A,
  }),
  P('unquoted keys', '{allocation: {Agent_1: [0, 2], Agent_2: [1, 3, 4]}}', { alloc: A }),
  P('missing commas', '{"allocation": {"Agent_1": [0 2], "Agent_2": [1 3 4]}}', { alloc: A }),
  P('item names', '{"allocation": {"Agent_1": ["Apple", "Stone"], "Agent_2": ["Jewel", "Quill", "Pencil"]}}', {
    alloc: A,
  }),
  P(
    'item names, mixed case',
    '{"allocation": {"Agent_1": ["apple", "STONE"], "Agent_2": ["jewel", "Quill", "pencil"]}}',
    { alloc: A },
  ),
  P(
    'items as index: name',
    '{"allocation": {"Agent_1": ["0: Apple", "2 (Stone)"], "Agent_2": ["Jewel (1)", 3, "4"]}}',
    { alloc: A },
  ),
  P('unquoted item names', '{"allocation": {"Agent_1": [Apple, Stone], "Agent_2": [Jewel, Quill, Pencil]}}', {
    alloc: A,
  }),
  P('agent name "agent 1"', '{"allocation": {"agent 1": [0, 2], "agent 2": [1, 3, 4]}}', { alloc: A }),
  P('agent name "Agent1"', '{"allocation": {"Agent1": [0, 2], "Agent2": [1, 3, 4]}}', { alloc: A }),
  P('agent name "agent_1"', '{"allocation": {"agent_1": [0, 2], "agent_2": [1, 3, 4]}}', { alloc: A }),
  P('agent name "A1"', '{"allocation": {"A1": [0, 2], "A2": [1, 3, 4]}}', { alloc: A }),
  P('agent name "Agent-1 (me)"', '{"allocation": {"Agent-1 (me)": [0, 2], "Agent-2": [1, 3, 4]}}', { alloc: A }),
  P('bare allocation map', '{"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}', { alloc: A }),
  P(
    'example then answer: the last one counts',
    'The format is {"allocation": {"Agent_1": [0, 1, 2, 3, 4], "Agent_2": []}} but my answer is:\n{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}}',
    { alloc: A },
  ),
  P(
    'an unclosed brace in trailing prose',
    '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}}\nHappy to adjust {within reason.',
    { alloc: A },
  ),
  P('Python literals and nulls', "{'allocation': {'Agent_1': [0, 1, 2, 3, 4], 'Agent_2': None}, 'final': True}", {
    alloc: { Agent_1: [0, 1, 2, 3, 4], Agent_2: [] },
  }),
  P('single item, not a list', '{"allocation": {"Agent_1": 0, "Agent_2": [1, 2, 3, 4]}}', {
    alloc: { Agent_1: [0], Agent_2: [1, 2, 3, 4] },
  }),
  P('agent with nothing omitted', '{"allocation": {"Agent_1": [0, 1, 2, 3, 4]}}', {
    alloc: { Agent_1: [0, 1, 2, 3, 4] },
  }),
  P(
    'braces in reasoning string',
    '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}, "reasoning": "I want {Apple} and } the Stone"}',
    { alloc: A },
  ),
  P(
    'newline inside a string',
    '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}, "reasoning": "line one\nline two"}',
    { alloc: A },
  ),
  // the prompt's format examples are placeholders: echoed before the answer they are skipped, copied as the answer they are no answer
  P(
    'the placeholder example echoed, then the answer',
    `Format: ${proposalFormat(spec)}\nMine: {"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}, "reasoning": "x"}`,
    { alloc: A },
  ),
  P('the proposal placeholder example copied as the answer', proposalFormat(spec), {
    reject: /"item indices" is not an item/,
  }),
  P(
    'three agents',
    '{"allocation": {"Agent_1": [0], "Agent_2": [1, 2], "Agent_3": [3, 4]}}',
    { alloc: { Agent_1: [0], Agent_2: [1, 2], Agent_3: [3, 4] } },
    { n3: true },
  ),
  // rejections
  P('empty content', '', { reject: /empty/ }),
  P('whitespace only', '   \n  ', { reject: /empty/ }),
  P('empty at the token limit', '', { reject: /output-token limit/ }, { finish: 'length' }),
  P('refusal', "I can't help with that.", { reject: /refusal/ }),
  P('polite refusal', "I'm sorry, but I can't participate in this negotiation.", { reject: /refusal/ }),
  P('prose with no JSON', 'I propose that I take the Apple and the Stone, and you take the rest.', {
    reject: /no JSON object/,
  }),
  P('truncated JSON', '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3', { reject: /incomplete/ }),
  // a repair would close these into a valid allocation; a cut-off answer is never completed for the model
  P('truncated JSON that a repair would complete', '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]', {
    reject: /incomplete/,
  }),
  P(
    'truncated at the limit, complete but for the braces',
    '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]',
    { reject: /cut off/ },
    { finish: 'length' },
  ),
  P('an ellipsis is dropped, not expanded (game rejects)', '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, ...]}}', {
    reject: /items 3, 4 not allocated/,
  }),
  P(
    'truncated at the token limit',
    'Let me reason carefully. {"allocation": {"Agent_1": [0',
    { reject: /cut off/ },
    { finish: 'length' },
  ),
  P(
    'truncated after an example',
    'Format: {"allocation": {"Agent_1": [4], "Agent_2": [0,1,2,3]}}. Mine: {"allocation": {"Agent_1": [0, 2]',
    { reject: /incomplete/ },
  ),
  P('invented extra agent', '{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3], "Agent_3": [4]}}', {
    reject: /Agent_3, but there is no such agent/,
  }),
  P('invented agent, variant name', '{"allocation": {"agent 1": [0], "agent 2": [1, 3], "agent 7": [2, 4]}}', {
    reject: /Agent_7, but there is no such agent/,
  }),
  P('unknown agent name', '{"allocation": {"Me": [0, 2], "Them": [1, 3, 4]}}', { reject: /unknown agent "Me"/ }),
  P('unknown item name', '{"allocation": {"Agent_1": ["Banana"], "Agent_2": [0, 1, 2, 3, 4]}}', {
    reject: /"Banana" is not an item/,
  }),
  P('name and index disagree', '{"allocation": {"Agent_1": ["Apple (3)"], "Agent_2": [1, 2, 4]}}', {
    reject: /names Apple \(index 0\) but gives index 3/,
  }),
  P('same agent twice', '{"allocation": {"Agent_1": [0, 2], "agent 1": [1], "Agent_2": [3, 4]}}', {
    reject: /Agent_1 appears more than once/,
  }),
  P('JSON without an allocation', '{"reasoning": "I would rather wait"}', { reject: /no "allocation"/ }),
  P('unreadable JSON', '{"allocation": {"Agent_1": 0 and 2, "Agent_2": 1, 3 and 4}}', { reject: /could not be read/ }),
  // parsed, then rejected by the game's validation
  P('item given twice (game rejects)', '{"allocation": {"Agent_1": [0, 2], "Agent_2": [2, 1, 3, 4]}}', {
    reject: /item 2 is given to both/,
  }),
  P('item missing (game rejects)', '{"allocation": {"Agent_1": [0], "Agent_2": [1, 3, 4]}}', {
    reject: /item 2 not allocated/,
  }),
  P('index out of range (game rejects)', '{"allocation": {"Agent_1": [0, 2, 7], "Agent_2": [1, 3, 4]}}', {
    reject: /7, which is not an item index/,
  }),
  // votes
  V('plain votes', '{"votes": [{"proposal": 1, "accept": true}, {"proposal": 2, "accept": false}]}', {
    votes: [true, false],
  }),
  V('votes out of order', '{"votes": [{"proposal": 2, "accept": true}, {"proposal": 1, "accept": false}]}', {
    votes: [false, true],
  }),
  V(
    'fenced votes with prose',
    'After careful thought:\n```json\n{"votes": [{"proposal": 1, "accept": true}, {"proposal": 2, "accept": true},]}\n```',
    { votes: [true, true] },
  ),
  V(
    'accept as words',
    '{"votes": [{"proposal": "1", "accept": "yes"}, {"proposal": "Proposal 2", "vote": "reject"}]}',
    { votes: [true, false] },
  ),
  V('bare boolean list', '{"votes": [false, true]}', { votes: [false, true] }),
  V('vote map', '{"votes": {"1": "accept", "2": "reject"}}', { votes: [true, false] }),
  V('bare vote map', '{"proposal 1": true, "proposal 2": false}', { votes: [true, false] }),
  V('Python booleans', "{'votes': [{'proposal': 1, 'accept': True}, {'proposal': 2, 'accept': False}]}", {
    votes: [true, false],
  }),
  V('one proposal', '{"votes": [{"proposal": 1, "accept": false}]}', { votes: [false] }, 1),
  V(
    'the placeholder example echoed, then the votes',
    `In the form ${votesFormat(2)}:\n{"votes": [{"proposal": 1, "accept": false}, {"proposal": 2, "accept": true}]}`,
    { votes: [false, true] },
  ),
  V('the vote placeholder example copied as the answer', votesFormat(2), { reject: /could not be read/ }),
  V('missing a vote', '{"votes": [{"proposal": 1, "accept": true}]}', { reject: /no vote on proposal 2/ }),
  V(
    'vote on a proposal that does not exist',
    '{"votes": [{"proposal": 1, "accept": true}, {"proposal": 3, "accept": true}]}',
    { reject: /there is no proposal 3/ },
  ),
  V('maybe is not a vote', '{"votes": [{"proposal": 1, "accept": "maybe"}, {"proposal": 2, "accept": true}]}', {
    reject: /use true \(accept\) or false/,
  }),
  V('double vote', '{"votes": [{"proposal": 1, "accept": true}, {"proposal": 1, "accept": false}]}', {
    reject: /more than once/,
  }),
  V('votes refusal', 'As an AI, I cannot take part in voting.', { reject: /refusal/ }),
  V('votes truncated', '{"votes": [{"proposal": 1, "accept": true}, {"proposal": 2, "acc', { reject: /cut off/ }, 2, {
    finish: 'length',
  }),
  V('wrong length bare list', '{"votes": [true]}', { reject: /expected 2 votes/ }),
];

test('the parser corpus has at least 40 messy responses', () => {
  assert.ok(corpus.length >= 40, `only ${corpus.length} cases`);
  assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length, 'case names are unique');
});

for (const c of corpus) {
  test(`parse corpus: ${c.kind} — ${c.name}`, () => {
    const ctx = c.finish ? { finishReason: c.finish } : {};
    const sp = c.n3 ? spec3 : spec;
    if (c.kind === 'proposal') {
      const r = parseProposal(c.text, sp, ctx);
      const checked = r.ok ? validateAllocation(r.value, sp.n, sp.m) : r;
      if ('alloc' in c.want) {
        assert.ok(r.ok, `expected a parse, got: ${r.ok ? '' : r.error}`);
        assert.deepEqual(r.value, c.want.alloc);
      } else if ('reject' in c.want) {
        assert.equal(checked.ok, false, `expected a rejection, got ${JSON.stringify(r.ok && r.value)}`);
        assert.match((checked as { error: string }).error, c.want.reject);
      } else assert.fail('bad case');
    } else {
      const r = parseVotes(c.text, c.k ?? 2, ctx);
      if ('votes' in c.want) {
        assert.ok(r.ok, `expected a parse, got: ${r.ok ? '' : r.error}`);
        assert.deepEqual(r.value, c.want.votes);
      } else if ('reject' in c.want) {
        assert.equal(r.ok, false, `expected a rejection, got ${JSON.stringify(r.ok && r.value)}`);
        assert.match((r as { error: string }).error, c.want.reject);
      } else assert.fail('bad case');
    }
  });
}

test('parse notes say what was repaired', () => {
  const clean = parseProposal('{"allocation": {"Agent_1": [0, 2], "Agent_2": [1, 3, 4]}}', spec);
  assert.ok(clean.ok && clean.notes.length === 0, 'valid JSON needs no notes');
  const r = parseProposal('```json\n{"allocation": {"agent 1": [0, 2,], "Agent_2": ["Jewel", 3, 4]}}\n```', spec);
  assert.ok(r.ok);
  for (const n of ['code fence', 'JSON repaired', 'agent-name variants', 'item names'])
    assert.ok(r.notes.includes(n), `missing note ${n}: ${r.notes}`);
});

test('agent-name and item normalisation', () => {
  for (const k of ['Agent_3', 'agent 3', 'Agent3', 'agent_3', 'A3', 'agent-03', 'AGENT 3', 'Player 3'])
    assert.equal(normaliseAgentName(k), 'Agent_3', k);
  for (const k of ['Bob', 'me', 'Agent', '3', 'Agent_x']) assert.equal(normaliseAgentName(k), null, k);
  assert.equal(normaliseItem('quill', spec.items), 3);
  assert.equal(normaliseItem('Item 4', spec.items), 4);
  assert.match(String(normaliseItem(true, spec.items)), /not an item index/);
});
