/**
 * The sim brain's replies are in the forms the LLM prompts ask for, in every game: what it
 * renders parses back (parse.ts) to the scripted agent's own value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec, type GameSpec } from '../../game/index.ts';
import type { Observation } from '../agent.ts';
import { parseProposal, parseVotes } from '../llm/parse.ts';
import { renderReply } from './brain.ts';

const obsOf = (spec: GameSpec, phase: Observation['phase']): Observation => ({
  phase,
  round: 2,
  turn: 0,
  self: 'Agent_1',
  seat: 0,
  spec,
  values: [],
  public: [],
  private: [],
});

test('a treaty proposal is rendered as {"agreement": [...], "reasoning": …} and parses back', () => {
  const spec = makeSpec({ game: 'treaty', n: 2, m: 4 });
  const text = renderReply(obsOf(spec, 'proposal'), 'my offer', [0, 35, 100, 62]);
  assert.match(text, /^\{"agreement":\[0,35,100,62\],"reasoning":"[^"]+"\}$/);
  assert.deepEqual(parseProposal(text, spec), { ok: true, value: [0, 35, 100, 62], notes: [] });
  // no agreement vector (a strategy that only talks): the text, never an invented vector
  assert.equal(renderReply(obsOf(spec, 'proposal'), 'no offer', { Agent_1: [0] }), 'no offer');
});

test('a co-funding pledge is rendered as {"contributions": [...], "reasoning": …} and parses back', () => {
  const spec = makeSpec({ game: 'cofunding', n: 3, m: 4 });
  const text = renderReply(obsOf(spec, 'proposal'), 'my pledge', [12.5, 0, 30, 7.25]);
  assert.match(text, /^\{"contributions":\[12\.5,0,30,7\.25\],"reasoning":"[^"\d]*\d[^"\d]*"\}$/);
  assert.deepEqual(parseProposal(text, spec), { ok: true, value: [12.5, 0, 30, 7.25], notes: [] });
  // not a vector (a strategy that only talks): the text, never an invented pledge
  assert.equal(renderReply(obsOf(spec, 'proposal'), 'no pledge', { Agent_1: [0] }), 'no pledge');
  // a vote on the joint proposal: one vote
  assert.deepEqual(parseVotes(renderReply(obsOf(spec, 'voting'), 'x', [false]), 1), {
    ok: true,
    value: [false],
    notes: [],
  });
});

test('item allocation proposals and votes render as before', () => {
  const spec = makeSpec({ n: 2, m: 3 });
  const alloc = { Agent_1: [0, 2], Agent_2: [1] };
  const text = renderReply(obsOf(spec, 'proposal'), 'x', alloc);
  assert.equal(text, JSON.stringify({ allocation: alloc, reasoning: 'Round 2: this split meets my target.' }));
  assert.deepEqual(parseProposal(text, spec), { ok: true, value: alloc, notes: [] });
  const votes = renderReply(obsOf(spec, 'voting'), 'x', [true, false]);
  assert.deepEqual(parseVotes(votes, 2), { ok: true, value: [true, false], notes: [] });
  assert.equal(renderReply(obsOf(spec, 'discussion'), 'hello', undefined), 'hello');
});
