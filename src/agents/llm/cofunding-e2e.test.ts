/**
 * LLM agents play co-funding end to end through the real protocol (runNegotiation) on chat
 * models that read their prompts and answer in character: an over-budget pledge parses and is
 * refused by the game's validation, with a repair turn that shows the model its answer and the
 * problem; every voting turn shows the agent its own valid pledge of the round (which no
 * observation carries) and the payoff it states is the one the game pays; no seat is shown
 * another seat's pledge; every prompt reads back as the observation the protocol gave.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, discount, gameOf, makeSpec, privateView, type Draw, type GameSpec } from '../../game/index.ts';
import type { Agent, AgentReply, Observation } from '../agent.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { PROPOSAL_REPAIRS, runNegotiation } from '../../protocol/negotiation.ts';
import { LlmAgent, type LlmCallRecord } from './llm-agent.ts';
import { readPrompt } from './prompt-reader.ts';
import { OWN_PAYOFF_PREFIX, OWN_PLEDGE_PREFIX } from './cofunding-prompts.ts';
import { cofundingChatModel, ownPayoff } from './testing/cofunding-model.ts';

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
type Pledge = Extract<TranscriptEvent, { type: 'proposal' }>;

async function play(spec: GameSpec, seed: number, override: Parameters<typeof cofundingChatModel>[1]) {
  const draw: Draw = gameOf(spec).draw(spec, 0.5, createRng(seed));
  const chats = draw.values.map((_, s) => cofundingChatModel(`fake-${s}`, s === 0 ? override : undefined));
  const spies = chats.map((chat, seat) => new Spy(new LlmAgent({ model: chat.modelId, chat, seat, runIndex: 0 })));
  const out = await runNegotiation({ spec, agents: spies, draw, rng: createRng(seed + 1), runIndex: 0 });
  return { draw, chats, spies, out };
}

const payoffFigure = (prompt: string): number | null => {
  const line = prompt.split('\n').find((l) => l.startsWith(OWN_PAYOFF_PREFIX));
  if (line?.startsWith(`${OWN_PAYOFF_PREFIX}: 0 (no project is funded`)) return 0;
  const m = line ? /; total (-?[\d.]+), multiplied by/.exec(line) : null;
  return m ? Number(m[1]) : null;
};

for (const n of [2, 3]) {
  test(`co-funding, n=${n}: LLM agents pledge through the protocol, and an over-budget pledge is repaired`, async () => {
    const spec = makeSpec({ game: 'cofunding', n, m: 5, maxRounds: 4, sigma: 0.8 });
    const game = gameOf(spec);
    let bad = '';
    // seat 0's first pledge of round 1 is its whole budget on every project
    const { draw, chats, spies, out } = await play(spec, 40 + n, (obs) => {
      if (obs.phase !== 'proposal' || obs.round !== 1 || obs.repair) return undefined;
      bad = JSON.stringify({ contributions: obs.spec.items.map(() => obs.budget), reasoning: 'all in' });
      return bad;
    });
    const turns = out.events.filter((e): e is Turn => e.type === 'turn');
    // the repair: the parser took the answer as it was, the game refused it, and the correction shows why
    const first = turns.find(
      (t) => t.agent === 'Agent_1' && t.phase === 'proposal' && t.round === 1 && t.attempt === 0,
    );
    assert.ok(first && !first.valid);
    const budget = draw.budgets![0];
    assert.equal(
      first.error,
      `your contributions sum to ${5 * budget}, above your budget of ${budget}; lower them (they are never scaled down)`,
    );
    assert.deepEqual(
      (first.calls![0] as LlmCallRecord).parsed,
      [budget, budget, budget, budget, budget],
      'parsed as given',
    );
    assert.equal((first.calls![0] as LlmCallRecord).parse_error, null);
    const second = turns.find(
      (t) => t.agent === 'Agent_1' && t.phase === 'proposal' && t.round === 1 && t.attempt === 1,
    );
    assert.ok(second?.valid, 'the repaired pledge is valid');
    assert.equal(second.repair_error, first.error);
    assert.equal(out.repairs[0], 1);
    assert.deepEqual(out.voided, new Array(n).fill(0));
    const rejected = chats[0].requests.findIndex((r) => r.messages.at(-1)!.content.includes('| proposal ==='));
    const repairPrompt = chats[0].requests[rejected + 1].messages.at(-1)!.content;
    assert.ok(repairPrompt.includes(`=== Round 1 of 4 | proposal | correction 1 of ${PROPOSAL_REPAIRS} ===`));
    assert.ok(repairPrompt.includes(`Your answer: ${JSON.stringify(bad)}`));
    assert.ok(repairPrompt.includes(`Problem: ${first.error}`));

    // every pledge is valid for its author, seen by its author only
    const pledges = out.events.filter((e): e is Pledge => e.type === 'proposal');
    assert.equal(new Set(pledges.map((p) => p.agent)).size, n, 'every seat pledged');
    for (const p of pledges) {
      assert.equal(p.to, p.agent);
      assert.ok(game.validate(p.contributions, spec, privateView(draw, Number(p.agent.slice(6)) - 1)).ok);
    }
    const pledgeOf = (agent: string, round: number) =>
      pledges.find((p) => p.agent === agent && p.round === round)!.contributions!;

    // a deal, paid as the game's utilities of every seat's pledges, discounted
    assert.ok(out.consensus, 'the agents agree by the last round');
    const end = out.events.at(-1)!;
    assert.ok(end.type === 'run_end' && end.contributions);
    assert.deepEqual(
      end.contributions,
      spies.map((_, s) => pledgeOf(`Agent_${s + 1}`, out.round!)),
    );
    const raw = game.rawUtilities(draw, end.contributions);
    assert.deepEqual(out.rawUtilities, raw);
    assert.deepEqual(
      out.utilities,
      raw.map((u) => discount(u, spec.gamma, out.round!)),
    );

    for (const [s, spy] of spies.entries()) {
      const self = `Agent_${s + 1}`;
      const reqs = chats[s].requests;
      assert.equal(reqs.length, spy.seen.length);
      let votes = 0;
      reqs.forEach((req, i) => {
        // every prompt reads back as the observation the protocol gave (but for σ and own talk)
        const r = readPrompt(req.messages);
        assert.ok(r.ok, r.ok ? '' : r.error);
        const obs = spy.seen[i];
        assert.deepEqual({ ...r.obs.spec }, { ...obs.spec, sigma: 0.5 });
        assert.deepEqual([r.obs.values, r.obs.budget, r.obs.costs], [obs.values, obs.budget, obs.costs]);
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
        if (obs.phase !== 'voting') return assert.equal(r.pledge, undefined);
        // a vote shows the agent's own valid pledge of the round, and the payoff it states is the game's
        votes++;
        const own = pledgeOf(self, obs.round);
        assert.deepEqual(r.pledge, own, `${self} round ${obs.round}`);
        const joint = obs.proposals![0].joint as { funded: boolean[] };
        const prompt = req.messages.at(-1)!.content;
        assert.equal(payoffFigure(prompt), ownPayoff(obs.values, own, joint.funded));
        if (obs.round === out.round) assert.equal(payoffFigure(prompt), raw[s], 'the payoff stated is the one paid');
      });
      assert.ok(votes >= out.round!, `${self} voted every round`);
      // no other seat's pledge reaches this seat: its own and the totals are the only vectors shown
      const seen = reqs.map((r) => r.messages.map((m) => m.content).join('\n')).join('\n');
      for (const p of pledges.filter((q) => q.agent !== self)) {
        const text = `[${p.contributions!.join(', ')}]`;
        const mine = pledges.some((q) => q.agent === self && `[${q.contributions!.join(', ')}]` === text);
        if (!mine) assert.ok(!seen.includes(text), `${self} was shown ${p.agent}'s pledge ${text}`);
      }
      assert.ok(seen.includes(OWN_PLEDGE_PREFIX));
    }
  });
}

test('co-funding: a pledge that stays unusable is voided after the repair turns; there is no joint proposal and no vote', async () => {
  const spec = makeSpec({ game: 'cofunding', n: 2, m: 3, maxRounds: 2 });
  const answers = [
    '{"contributions": [5, 5]}',
    '{"contributions": [5, -1, 0]}',
    '{"contributions": [5, "plenty", 0]}',
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
  assert.match(errors[0]!, /list 2 amounts but there are 3 projects/);
  assert.match(errors[1]!, /cannot be negative: project 1 \(Public library extension\) is -1/);
  assert.match(errors[2]!, /project 1 \(Public library extension\) is "plenty", not a number/);
  assert.match(errors[3]!, /refusal/);
  assert.equal(out.voided[0], 1);
  assert.ok(!out.events.some((e) => e.type === 'joint_proposal' && e.round === 1), 'no joint proposal in round 1');
  assert.ok(!out.events.some((e) => e.type === 'turn' && e.phase === 'voting' && e.round === 1), 'no vote in round 1');
  const seen = chats[1].requests.map((r) => r.messages.map((m) => m.content).join('\n')).join('\n');
  assert.ok(seen.includes('[round 1] No valid pledge from Agent_1 this round.'));
  assert.ok(
    seen.includes(
      '[round 1] Votes counted: there was no joint proposal to vote on (not every agent made a valid pledge). Result: no deal this round.',
    ),
  );
  assert.ok(!seen.includes('plenty'), "the other seat never sees the void's raw answer");
});
