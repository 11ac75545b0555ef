/**
 * The prompts hint at nothing and leak nothing (issue 13, part 3). Whole 2- and 3-agent
 * negotiations of LLM agents over fake chat models whose every raw output carries a marker
 * naming its author and kind (refusals, void messages and proposals, <think> reasoning,
 * private notes, the "reasoning" field of proposals, the prose around votes): a seat's prompts
 * carry no other agent's marker except from its published discussion messages. The format
 * examples are placeholders (types, not values) and every seat reads the same instruction text.
 * A void message is shown as void (not as `said: ""`), and every phase of the last round says
 * that it is the last and that no deal means 0 for everyone. Every game: item allocation on the
 * sim brain, the treaty and co-funding on their test negotiators (testing/treaty-model.ts,
 * testing/cofunding-model.ts). In co-funding no seat sees another's pledge or its marked
 * reasoning, and the voting turns differ between seats only in the lines about one's own pledge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, gameOf, makeSpec, privateView, type Draw, type GameName, type GameSpec } from '../../game/index.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { runNegotiation, TEXT_REPAIRS } from '../../protocol/negotiation.ts';
import type { ChatMessage } from '../../providers/types.ts';
import { LlmAgent } from './llm-agent.ts';
import { readPrompt } from './prompt-reader.ts';
import { lastRoundText, proposalFormat, systemPrompt, votesFormat } from './prompts.ts';
import { FnChatModel, simChatModel } from './testing/chat-models.ts';
import { treatyAnswer } from './testing/treaty-model.ts';
import { cofundingAnswer } from './testing/cofunding-model.ts';
import { OWN_PAYOFF_PREFIX, OWN_PLEDGE_PREFIX } from './cofunding-prompts.ts';

const VALUES = [
  [40, 25, 15, 12, 8],
  [5, 10, 20, 30, 35],
  [22, 3, 41, 9, 25],
];
const ROUNDS = 3;
/**
 * Co-funding has a vote only in rounds where every seat pledged validly, so it plays one more
 * round and refuses its vote in round 3 (the others: round 2), after the void rounds 1 and 2.
 */
const roundsOf = (game: GameName) => (game === 'cofunding' ? ROUNDS + 1 : ROUNDS);
const voteRefusalRound = (game: GameName) => (game === 'cofunding' ? 3 : 2);

/** `ZQX-<KIND>-<author>-…`: PUB marks published discussion text, every other kind must stay with its author. */
const MARKER = /ZQX-([A-Z]+)-(Agent_\d+)/g;

/** Seat 1 voids its round-1 message and proposal; seat 2 its round-2 ones (n = 3). */
const voidsMessage = (seat: number, round: number) => (seat === 1 && round === 1) || (seat === 2 && round === 2);
const voidsProposal = voidsMessage;

function markedModel(seat: number, game: GameName): FnChatModel {
  const sim = simChatModel(seat === 0 ? 'sim:boulware' : 'sim:conceder');
  return new FnChatModel(`m${seat}`, async (req) => {
    const r = readPrompt(req.messages);
    assert.ok(r.ok, r.ok ? '' : r.error);
    const { phase, round, self, spec, repair } = r.obs;
    const tag = (kind: string) => `ZQX-${kind}-${self}-r${round}-a${repair?.attempt ?? 0}`;
    const base =
      game === 'treaty'
        ? treatyAnswer(r.obs)
        : game === 'cofunding'
          ? cofundingAnswer(r.obs, r.pledge)
          : (await sim.generate(req)).text;
    const key = gameOf(spec).termsKey;
    switch (phase) {
      case 'discussion':
        if (voidsMessage(seat, round)) return `I'm sorry, but I can't help with that. ${tag('MSGREF')}`;
        return `<think>${tag('THINK')}</think>${tag('PUB')} ${base}`;
      case 'thinking':
      case 'reflection':
        return `${tag('NOTE')} ${base}`;
      case 'proposal': {
        // the refusal's marker sits within the 80 characters the parse error quotes
        if (voidsProposal(seat, round)) return `I'm sorry, but I can't take part in this. ${tag('PROPREF')}`;
        if (!repair && round === 2)
          return game === 'treaty'
            ? `{"agreement": [${spec.items.map(() => 140).join(', ')}], "reasoning": "${tag('BADPROP')}"}`
            : game === 'cofunding'
              ? `{"contributions": [${spec.items.map(() => r.obs.budget).join(', ')}], "reasoning": "${tag('BADPROP')}"}`
              : `{"allocation": {"Agent_9": [0]}, "reasoning": "${tag('BADPROP')}"}`;
        const terms = (JSON.parse(base) as Record<string, unknown>)[key];
        return JSON.stringify({ [key]: terms, reasoning: tag('REASON') });
      }
      case 'voting': {
        if (seat === 1 && round === voteRefusalRound(game)) return `I'm sorry, I cannot vote. ${tag('VOTEREF')}`;
        // reject everything before the last round, so that the last round is played
        const votes =
          round < spec.maxRounds ? (r.obs.proposals ?? []).map((p) => ({ proposal: p.proposal, accept: false })) : null;
        return `${tag('VOTE')} ${votes ? JSON.stringify({ votes }) : base}`;
      }
    }
  });
}

interface Marked {
  spec: GameSpec;
  /** the treaty's and co-funding's preference draw (item allocation plays VALUES) */
  draw?: Draw;
  events: TranscriptEvent[];
  prompts: ChatMessage[][][];
}

const runs = new Map<string, Promise<Marked>>();
function marked(n: number, game: GameName = 'item-allocation'): Promise<Marked> {
  let p = runs.get(`${game}/${n}`);
  if (!p) {
    p = (async () => {
      const spec = makeSpec({ game, n, m: 5, maxRounds: roundsOf(game) });
      const chats = Array.from({ length: n }, (_, s) => markedModel(s, game));
      const agents = chats.map((chat, seat) => new LlmAgent({ model: chat.modelId, chat, seat, runIndex: 0 }));
      const draw = game !== 'item-allocation' ? gameOf(spec).draw(spec, 0.5, createRng(9)) : undefined;
      const out = await runNegotiation({
        spec,
        agents,
        ...(draw ? { draw } : { values: VALUES.slice(0, n), cosine: 0.5 }),
        rng: createRng(5),
        runIndex: 0,
      });
      return { spec, draw, events: out.events, prompts: chats.map((c) => c.requests.map((q) => q.messages)) };
    })();
    runs.set(`${game}/${n}`, p);
  }
  return p;
}

const text = (msgs: readonly ChatMessage[]) => msgs.map((m) => m.content).join('\n');
const lastUser = (msgs: readonly ChatMessage[]) => msgs[msgs.length - 1].content;
/** The last user turn from its phase header on: the header, any repair text and the instruction. */
const instruction = (msgs: readonly ChatMessage[]) => {
  const u = lastUser(msgs);
  return u.slice(u.indexOf('=== Round'));
};
/** Co-funding's voting turn states one's own pledge and payoff: the only lines that differ between seats. */
const shared = (instruction: string) =>
  instruction
    .split('\n')
    .filter((l) => !l.startsWith(OWN_PLEDGE_PREFIX) && !l.startsWith(OWN_PAYOFF_PREFIX))
    .join('\n');

const obsOf = (msgs: readonly ChatMessage[]) => {
  const r = readPrompt(msgs);
  assert.ok(r.ok);
  return r.obs;
};

const RUNS = [
  ['item-allocation', 2],
  ['item-allocation', 3],
  ['treaty', 2],
  ['treaty', 3],
  ['cofunding', 2],
  ['cofunding', 3],
] as const;

for (const [game, n] of RUNS) {
  const name = game === 'item-allocation' ? `n=${n}` : `${game}, n=${n}`;
  test(`${name}: no prompt carries another agent's raw output except its published messages`, async () => {
    const { events, prompts } = await marked(n, game);
    assert.equal(events.filter((e) => e.type === 'round_start').length, roundsOf(game), 'every round was played');
    for (let s = 0; s < n; s++) {
      const self = `Agent_${s + 1}`;
      assert.ok(prompts[s].length > 10);
      const othersPub = new Set<string>();
      for (const [k, msgs] of prompts[s].entries()) {
        for (const [, kind, author] of text(msgs).matchAll(MARKER)) {
          if (author === self) continue;
          assert.equal(kind, 'PUB', `${self}'s call ${k} carries ${author}'s ${kind} output`);
          othersPub.add(author);
        }
      }
      // the check can fail: the others' published messages do reach this seat, marker and all
      assert.equal(othersPub.size, n - 1, `${self} saw the published messages of ${[...othersPub]}`);
    }
    // and the hidden markers were there to leak: the void's reason quotes the refusal, the
    // void agent's own repair turn shows it its answer
    const pv = events.find((e) => e.type === 'proposal_void' && e.agent === 'Agent_2');
    assert.ok(
      pv?.type === 'proposal_void' && pv.to === 'all' && pv.reason.includes('ZQX-PROPREF-Agent_2-r1'),
      'the transcript keeps the reason',
    );
    assert.ok(prompts[1].some((m) => lastUser(m).includes('ZQX-PROPREF-Agent_2-r1-a0')));
    for (const kind of ['MSGREF', 'THINK', 'NOTE', 'REASON', 'BADPROP', 'VOTE', 'VOTEREF']) {
      const raw = (e: TranscriptEvent) =>
        e.type === 'turn' ? (e.calls ?? []).map((c) => String(c.raw_text)).join('\n') : '';
      assert.ok(
        events.some((e) => raw(e).includes(`ZQX-${kind}-`)),
        `no ${kind} output was produced`,
      );
    }
  });

  test(`${name}: the proposal and vote instructions are placeholders, identical for every seat`, async () => {
    const { spec, prompts } = await marked(n, game);
    const fmt = proposalFormat(spec);
    assert.equal(
      fmt,
      game === 'treaty'
        ? `{"agreement": [${spec.items.map((it) => `<${it}>`).join(', ')}], "reasoning": "…"}`
        : game === 'cofunding'
          ? `{"contributions": [${spec.items.map((it) => `<${it}>`).join(', ')}], "reasoning": "…"}`
          : `{"allocation": {${Array.from({ length: n }, (_, s) => `"Agent_${s + 1}": [item indices]`).join(', ')}}, "reasoning": "…"}`,
    );
    assert.doesNotMatch(fmt.replace(/Agent_\d+/g, ''), /\d/, 'no concrete item or figure in the proposal example');
    for (const k of [1, 2, 3]) {
      assert.doesNotMatch(votesFormat(k), /"accept": (true|false)[,}]/, 'no concrete vote in the vote example');
      assert.equal(votesFormat(k).match(/"accept": true or false/g)?.length, k);
    }
    let compared = 0;
    for (let round = 1; round <= roundsOf(game); round++) {
      for (const phase of ['proposal', 'voting'] as const) {
        const per = prompts.map((calls) =>
          calls.filter((m) => {
            const o = obsOf(m);
            return o.phase === phase && o.round === round && !o.repair;
          }),
        );
        if (per[0].length === 0) continue;
        // the seat's own proposal is marked "(yours)"; apart from that, every seat reads the same text
        const texts = per.map((calls) => {
          assert.equal(calls.length, 1);
          return shared(instruction(calls[0]).replaceAll(' (yours)', ''));
        });
        for (const t of texts)
          assert.equal(t, texts[0], `round ${round} ${phase}: the instruction differs between seats`);
        const k = phase === 'voting' ? obsOf(per[0][0]).proposals!.length : 0;
        assert.ok(
          texts[0].includes(phase === 'proposal' ? fmt : votesFormat(k)),
          `round ${round} ${phase}: the format example is missing`,
        );
        compared++;
      }
    }
    // co-funding votes only where every seat pledged validly (rounds 3 and 4 of 4 for n = 3)
    const want = game === 'cofunding' ? roundsOf(game) + 2 : 2 * ROUNDS - 1;
    assert.ok(compared >= want, `${compared} phase instructions compared`);
  });
}

test('co-funding: no seat is shown another seat’s pledge, only its own and the totals', async () => {
  for (const n of [2, 3]) {
    const { events, prompts } = await marked(n, 'cofunding');
    const pledges = events.filter((e) => e.type === 'proposal');
    assert.ok(pledges.length >= 2 * n, 'the pledges were there to leak');
    for (const p of pledges) assert.ok(p.type === 'proposal' && p.to === p.agent, 'a pledge event goes to its author');
    const vec = (e: (typeof pledges)[number]) => (e.type === 'proposal' ? `[${e.contributions!.join(', ')}]` : '');
    for (let s = 0; s < n; s++) {
      const self = `Agent_${s + 1}`;
      const mine = new Set(pledges.filter((p) => p.type === 'proposal' && p.agent === self).map(vec));
      const seen = prompts[s].map(text).join('\n');
      for (const p of pledges) {
        if (p.type !== 'proposal' || p.agent === self || mine.has(vec(p))) continue;
        assert.ok(!seen.includes(vec(p)), `${self} was shown ${p.agent}'s pledge ${vec(p)}`);
      }
      // its own pledge it is shown, at the votes on the joint proposals it is part of
      const voted = new Set(events.filter((e) => e.type === 'joint_proposal').map((e) => e.round));
      assert.ok(voted.size > 0);
      for (const p of pledges)
        if (p.type === 'proposal' && p.agent === self && voted.has(p.round))
          assert.ok(
            seen.includes(`${OWN_PLEDGE_PREFIX} ${vec(p)}`),
            `${self} was not shown its round ${p.round} pledge`,
          );
    }
  }
});

test('a void discussion message is shown as void, as data, to the others and to its author', async () => {
  const { events, prompts } = await marked(3);
  // in the transcript: a message_void event (to all, with the host's reason), no message event
  const r1 = events.filter(
    (e): e is Extract<TranscriptEvent, { type: 'message' | 'message_void' }> =>
      e.round === 1 && (e.type === 'message' || e.type === 'message_void'),
  );
  assert.deepEqual(
    r1.map((e) => [e.type, e.agent]),
    [
      ['message', 'Agent_1'],
      ['message_void', 'Agent_2'],
      ['message', 'Agent_3'],
    ],
  );
  const mv = r1[1];
  assert.ok(mv.type === 'message_void' && mv.to === 'all' && /declines/.test(mv.reason));
  assert.equal(
    events.filter((e) => e.type === 'turn' && e.agent === 'Agent_2' && e.phase === 'discussion' && e.round === 1)
      .length,
    TEXT_REPAIRS + 1,
  );
  // in the prompts: a void line, never an empty quotation
  for (const [s, calls] of prompts.entries()) {
    const all = calls.map(text).join('\n');
    assert.doesNotMatch(all, /said: ""/);
    const want =
      s === 1
        ? '[round 1] Your message was void (no usable message).'
        : "[round 1] Agent_2's message was void (no usable message).";
    assert.ok(all.includes(want), `Agent_${s + 1} was not told of the void message`);
    assert.ok(all.includes(s === 2 ? '[round 2] Your message was void' : "[round 2] Agent_3's message was void"));
    // the mock reads it back as a message_void fact
    const later = obsOf(calls[calls.length - 1]);
    assert.ok(later.public.some((f) => f.kind === 'message_void' && f.round === 1 && f.from === 'Agent_2'));
    assert.ok(!later.public.some((f) => f.kind === 'message' && f.round === 1 && f.from === 'Agent_2'));
  }
});

test('a void proposal is shown to the others only as void', async () => {
  const { prompts } = await marked(2);
  const line = '[round 1] No valid proposal from Agent_2 this round.';
  const seen = prompts[0].map(text).find((t) => t.includes('[round 1] No valid proposal'));
  assert.ok(seen?.includes(line), 'Agent_1 was told of the void proposal');
  assert.ok(prompts[1].some((m) => text(m).includes('[round 1] You made no valid proposal this round.')));
  assert.ok(
    prompts[0].some((m) =>
      obsOf(m).public.some((f) => f.kind === 'proposal_void' && f.from === 'Agent_2' && Object.keys(f).length === 3),
    ),
  );
});

test('every phase of the last round, and only the last, says it is the last and that no deal means 0', async () => {
  for (const [game, n] of RUNS) {
    const { spec, draw, prompts } = await marked(n, game);
    const warn = lastRoundText(spec);
    assert.match(warn, /last round/);
    assert.match(warn, /no proposal passes.*every agent gets 0/);
    for (const [s, calls] of prompts.entries()) {
      const lastPhases = new Set<string>();
      for (const m of calls) {
        const o = obsOf(m);
        const says = lastUser(m).includes(warn);
        assert.equal(says, o.round === spec.maxRounds, `Agent_${s + 1} round ${o.round} ${o.phase}`);
        if (says) lastPhases.add(o.phase);
      }
      assert.deepEqual([...lastPhases].sort(), ['discussion', 'proposal', 'thinking', 'voting']);
      // the rules say it once
      const sys = draw
        ? systemPrompt(spec, `Agent_${s + 1}`, privateView(draw, s))
        : systemPrompt(spec, `Agent_${s + 1}`, VALUES[s]);
      assert.equal(sys.match(/every agent gets 0/g)?.length, 1);
      assert.equal(calls[0][0].content, sys);
    }
  }
});
