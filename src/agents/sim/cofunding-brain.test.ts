/**
 * The mock's co-funding negotiators play in character through the LLM conversation: LLM agents
 * on the sim brain (which reads each prompt back and asks the scripted strategy) make the same
 * pledges, see the same joint proposals, cast the same votes and reach the same outcome as the
 * scripted agents playing directly. So the prompt carries everything the strategies use (own
 * values, budget, public costs, every joint proposal and tally), and the reader rebuilds it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, gameOf, makeSpec } from '../../game/index.ts';
import type { Agent } from '../agent.ts';
import { runNegotiation } from '../../protocol/negotiation.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { LlmAgent } from '../llm/llm-agent.ts';
import { simChatModel } from '../llm/testing/chat-models.ts';
import { ScriptedAgent } from '../scripted/strategies.ts';

/** The moves of a run: pledges (to their authors), joint proposals, votes, and the end. */
function moves(events: readonly TranscriptEvent[]): unknown[] {
  return events.flatMap((e) => {
    if (e.type === 'proposal') return [[e.round, e.agent, e.to, e.contributions]];
    if (e.type === 'joint_proposal') return [[e.round, 'joint', e.joint]];
    if (e.type === 'vote') return [[e.round, e.agent, e.votes]];
    if (e.type === 'tally') return [[e.round, 'tally', e.results, e.winner]];
    if (e.type === 'run_end') return [[e.round, 'end', e.contributions, e.raw_utilities]];
    return [];
  });
}

const PAIRS = [
  ['nash', 'nash'],
  ['boulware', 'conceder'],
  ['linear', 'greedy'],
  ['tit-for-tat', 'conceder'],
  ['greedy', 'nash', 'boulware'],
] as const;

for (const strategies of PAIRS) {
  test(`co-funding through the sim brain plays as the scripted agents do: ${strategies.join(' vs ')}`, async () => {
    const n = strategies.length;
    const spec = makeSpec({ game: 'cofunding', n, m: 5, maxRounds: 6, sigma: 0.7 });
    const draw = gameOf(spec).draw(spec, 0.4, createRng(17 + n));
    const play = (agents: Agent[]) => runNegotiation({ spec, agents, draw, rng: createRng(3), runIndex: 0 });
    const direct = await play(strategies.map((s, seat) => new ScriptedAgent(s, { seat, seed: seat, runIndex: 0 })));
    const viaPrompts = await play(
      strategies.map((s, seat) => {
        const chat = simChatModel(`sim:${s}`);
        return new LlmAgent({ model: chat.modelId, chat, seat, runIndex: 0 });
      }),
    );
    const want = moves(direct.events);
    assert.ok(want.filter((m) => (m as unknown[])[1] === 'joint').length >= 1, 'a joint proposal was made');
    assert.deepEqual(moves(viaPrompts.events), want);
    assert.deepEqual(viaPrompts.voided, new Array(n).fill(0));
  });
}
