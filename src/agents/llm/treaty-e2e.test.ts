/**
 * LLM agents play the treaty end to end through the real protocol (runNegotiation) on chat
 * models that read their prompts and answer in character: every seat reaches valid agreement
 * vectors, an out-of-range answer gets a repair turn that shows the model its answer and the
 * problem, the payoffs are the treaty utilities of the agreement, and every prompt reads back
 * as the observation the protocol gave.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, discount, gameOf, makeSpec, type Draw, type GameSpec } from '../../game/index.ts';
import { treatyUtilities } from '../../game/treaty/utility.ts';
import type { Agent, AgentReply, Observation } from '../agent.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { PROPOSAL_REPAIRS, runNegotiation } from '../../protocol/negotiation.ts';
import { LlmAgent, type LlmCallRecord } from './llm-agent.ts';
import { readPrompt } from './prompt-reader.ts';
import { treatyChatModel } from './testing/treaty-model.ts';

/** Records every observation an agent receives, then delegates. */
class Spy implements Agent {
  readonly seen: Observation[] = [];
  constructor(readonly inner: Agent) {}
  get model() {
    return this.inner.model;
  }
  act(obs: Observation, signal?: AbortSignal): Promise<AgentReply> {
    this.seen.push({ ...obs, public: obs.public.slice(), private: obs.private.slice() });
    return this.inner.act(obs, signal);
  }
}

type Turn = Extract<TranscriptEvent, { type: 'turn' }>;

async function play(spec: GameSpec, seed: number, override: Parameters<typeof treatyChatModel>[1]) {
  const draw: Draw = gameOf(spec).draw(spec, 0.5, createRng(seed));
  const chats = draw.values.map((_, s) => treatyChatModel(`fake-${s}`, s === 0 ? override : undefined));
  const spies = chats.map((chat, seat) => new Spy(new LlmAgent({ model: chat.modelId, chat, seat, runIndex: 0 })));
  const out = await runNegotiation({ spec, agents: spies, draw, rng: createRng(seed + 1), runIndex: 0 });
  return { draw, chats, spies, out };
}

for (const n of [2, 3]) {
  test(`treaty, n=${n}: LLM agents reach valid agreements, and an out-of-range answer is repaired`, async () => {
    const spec = makeSpec({ game: 'treaty', n, m: 5, maxRounds: 4, rho: -0.3 });
    const game = gameOf(spec);
    const bad = JSON.stringify({ agreement: [140, 50, 50, 50, 50], reasoning: 'all in' });
    // seat 0's first proposal of round 1 is out of range
    const { draw, chats, spies, out } = await play(spec, 20 + n, (obs) =>
      obs.phase === 'proposal' && obs.round === 1 && !obs.repair ? bad : undefined,
    );
    const turns = out.events.filter((e): e is Turn => e.type === 'turn');
    // the repair: an invalid turn with the parser's message, then a correction turn that shows it
    const first = turns.find(
      (t) => t.agent === 'Agent_1' && t.phase === 'proposal' && t.round === 1 && t.attempt === 0,
    );
    assert.ok(first && !first.valid);
    assert.match(first.error ?? '', /outside 0\.\.100: issue 0 \(Carbon cost on imports\) is 140/);
    const second = turns.find(
      (t) => t.agent === 'Agent_1' && t.phase === 'proposal' && t.round === 1 && t.attempt === 1,
    );
    assert.ok(second?.valid, 'the repaired proposal is valid');
    assert.equal(second.repair_error, first.error);
    assert.equal(out.repairs[0], 1);
    assert.deepEqual(out.voided, new Array(n).fill(0));
    // the call after the rejected one is the correction
    const rejected = chats[0].requests.findIndex((r) => r.messages.at(-1)!.content.includes('| proposal ==='));
    const repairPrompt = chats[0].requests[rejected + 1].messages.at(-1)!.content;
    assert.ok(repairPrompt.includes(`=== Round 1 of 4 | proposal | correction 1 of ${PROPOSAL_REPAIRS} ===`));
    assert.ok(repairPrompt.includes(`Your answer: ${JSON.stringify(bad)}`));
    assert.ok(repairPrompt.includes(`Problem: ${first.error}`));
    const rec = first.calls![0] as LlmCallRecord;
    assert.equal(rec.parse_error, first.error);
    // every proposal is a valid agreement vector, in the game's wire form, from every seat
    const proposals = out.events.filter(
      (e): e is Extract<TranscriptEvent, { type: 'proposal' }> => e.type === 'proposal',
    );
    assert.ok(proposals.length >= n);
    assert.deepEqual(new Set(proposals.map((p) => p.agent)).size, n, 'every seat proposed');
    for (const p of proposals) assert.ok(game.validate(p.agreement, spec).ok, JSON.stringify(p.agreement));
    // a deal, paid as the treaty's utilities of the agreed vector, discounted
    assert.ok(out.consensus, 'the agents agree by the last round');
    const end = out.events.at(-1)!;
    assert.ok(end.type === 'run_end' && end.agreement);
    const raw = treatyUtilities(draw.positions!, draw.values, end.agreement);
    assert.deepEqual(out.rawUtilities, raw);
    assert.deepEqual(
      out.utilities,
      raw.map((u) => discount(u, spec.gamma, out.round!)),
    );
    // every prompt reads back as the observation the protocol gave (but for ρ and own talk)
    for (const [s, spy] of spies.entries()) {
      const reqs = chats[s].requests;
      assert.equal(reqs.length, spy.seen.length);
      reqs.forEach((req, i) => {
        const r = readPrompt(req.messages);
        assert.ok(r.ok, r.ok ? '' : r.error);
        const obs = spy.seen[i];
        assert.deepEqual({ ...r.obs.spec }, { ...obs.spec, rho: 0 });
        assert.deepEqual(r.obs.values, obs.values);
        assert.deepEqual(r.obs.positions, obs.positions);
        assert.deepEqual([r.obs.phase, r.obs.round, r.obs.turn], [obs.phase, obs.round, obs.turn]);
        assert.deepEqual(r.obs.proposals, obs.proposals);
        assert.deepEqual(r.obs.repair, obs.repair);
        assert.deepEqual(
          r.obs.public,
          obs.public.filter((f) => !(f.kind === 'message' && f.from === obs.self)),
        );
        assert.deepEqual(
          r.obs.private,
          obs.private.filter((f) => f.kind === 'vote'),
        );
      });
    }
  });
}

test('treaty: an answer that stays unusable is voided after the repair turns, and the others see only the void', async () => {
  const spec = makeSpec({ game: 'treaty', n: 2, m: 3, maxRounds: 2 });
  const answers = [
    '{"agreement": [40, 50]}',
    '{"agreement": [0.5, 70, 20]}',
    '{"agreement": ["forty", 50, 60]}',
    "I'm sorry, but I can't help with that.",
  ];
  let k = 0;
  const { chats, out } = await play(spec, 5, (obs) =>
    obs.phase === 'proposal' && obs.round === 1 ? answers[k++] : undefined,
  );
  assert.equal(k, PROPOSAL_REPAIRS + 1);
  const errors = out.events
    .filter((e): e is Turn => e.type === 'turn' && e.agent === 'Agent_1' && e.phase === 'proposal' && e.round === 1)
    .map((t) => t.error);
  assert.match(errors[0]!, /lists 2 percentages but there are 3 issues/);
  assert.match(errors[1]!, /not a whole percentage: issue 0 \(Carbon cost on imports\) is 0.5/);
  assert.match(errors[2]!, /issue 0 \(Carbon cost on imports\) is "forty", not a number/);
  assert.match(errors[3]!, /refusal/);
  assert.equal(out.voided[0], 1);
  const seen = chats[1].requests.map((r) => r.messages.map((m) => m.content).join('\n')).join('\n');
  assert.ok(seen.includes('[round 1] No valid proposal from Agent_1 this round.'));
  assert.ok(!seen.includes('forty'), "the other seat never sees the void's raw answer");
});
