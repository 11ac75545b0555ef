/**
 * The round protocol through small hand-written agents (and the scripted ones where a
 * realistic game helps): the pass rule for n = 2..10, the discount, no deal = 0,
 * visibility (observations and the transcript's `sees` lists), repair turns then a
 * recorded void, agent crashes, seat-swapped series and determinism of the transcript.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  agentId,
  createRng,
  makeSpec,
  passThreshold,
  toAllocationMap,
  validateAllocation,
  type GameParams,
} from '../game/index.ts';
import { scriptedFactory } from '../agents/index.ts';
import type { Agent, AgentFactory, AgentReply, Observation, Phase } from '../agents/agent.ts';
import type { TranscriptEvent } from './events.ts';
import { AgentError, PROPOSAL_REPAIRS, runNegotiation, validateVotes, VOTE_REPAIRS } from './negotiation.ts';
import { pairPreferences, runSeries } from './series.ts';

type Handler = (obs: Observation) => AgentReply | Promise<AgentReply>;

/** A test agent: one handler per phase; phases without a handler answer with a short line. */
class TestAgent implements Agent {
  constructor(
    readonly model: string,
    private readonly h: Partial<Record<Phase, Handler>> = {},
  ) {}
  async act(obs: Observation): Promise<AgentReply> {
    const f = this.h[obs.phase];
    return f ? f(obs) : { text: `${obs.self} says something in ${obs.phase}` };
  }
}

const propose =
  (owners: number[]): Handler =>
  (obs) => {
    const value = toAllocationMap(owners, obs.spec.n);
    return { text: JSON.stringify({ allocation: value }), value };
  };
const vote =
  (f: (p: { proposal: number; from: string }, obs: Observation) => boolean): Handler =>
  (obs) => {
    const value = obs.proposals!.map((p) => f(p, obs));
    return { text: JSON.stringify({ votes: value }), value };
  };

/** Equal-ish values summing to 100 over m items for seat s (distinct per seat, for leak checks). */
function valuesFor(n: number, m: number): number[][] {
  return Array.from({ length: n }, (_, s) => {
    const v = new Array<number>(m).fill(0);
    v[s % m] = 100 - (m - 1) * s;
    for (let j = 0; j < m; j++) if (j !== s % m) v[j] += s;
    return v;
  });
}

function spec(p: GameParams) {
  return makeSpec({ maxRounds: 1, ...p });
}

// ---------------------------------------------------------------- pass rule

test('pass rule through the protocol, n = 2..10: threshold accepts pass, one fewer does not', async () => {
  for (let n = 2; n <= 10; n++) {
    const need = passThreshold(n);
    const m = 3;
    const values = valuesFor(n, m);
    for (const k of [need - 1, need]) {
      // everyone proposes "all items to me"; voter s accepts only Agent_1's proposal, and only if s < k
      const agents = Array.from(
        { length: n },
        (_, s) =>
          new TestAgent('test', {
            proposal: propose(new Array(m).fill(s)),
            voting: vote((p, obs) => p.from === 'Agent_1' && obs.seat < k),
          }),
      );
      const out = await runNegotiation({
        spec: spec({ n, m }),
        agents,
        values,
        cosine: 0,
        rng: createRng(n),
        runIndex: 0,
      });
      const tally = out.events.find((e) => e.type === 'tally')!;
      assert.ok(tally.type === 'tally');
      assert.deepEqual(tally.results[0], {
        proposal: 1,
        from: 'Agent_1',
        accepts: k,
        rejects: n - k,
        passed: k >= need,
      });
      if (k >= need) {
        assert.equal(out.consensus, true, `n ${n}: ${k} accepts of ${n} must pass`);
        assert.equal(out.round, 1);
        assert.deepEqual(out.terms, new Array(m).fill(0));
        assert.deepEqual(
          out.rawUtilities,
          values.map((v, s) => (s === 0 ? 100 : 0)),
        );
      } else {
        assert.equal(out.consensus, false, `n ${n}: ${k} accepts of ${n} must not pass`);
        assert.deepEqual(out.utilities, new Array(n).fill(0));
      }
    }
  }
});

test('most accepts wins through the protocol (n = 3..10)', async () => {
  for (let n = 3; n <= 10; n++) {
    const need = passThreshold(n);
    // Agent_1's proposal gets exactly the threshold, Agent_2's gets everyone: Agent_2's wins
    const agents = Array.from(
      { length: n },
      (_, s) =>
        new TestAgent('test', {
          proposal: propose(new Array(3).fill(s)),
          voting: vote((p, obs) => p.from === 'Agent_2' || (p.from === 'Agent_1' && obs.seat < need)),
        }),
    );
    const out = await runNegotiation({
      spec: spec({ n, m: 3 }),
      agents,
      values: valuesFor(n, 3),
      cosine: 0,
      rng: createRng(1),
      runIndex: 0,
    });
    assert.deepEqual(out.terms, [1, 1, 1], `n ${n}`);
    const tally = out.events.find((e) => e.type === 'tally');
    assert.ok(tally?.type === 'tally');
    assert.equal(tally.winner, 2);
    assert.equal(tally.tie_between, null);
    assert.equal(out.tieBreak, null);
  }
});

test("a tie is drawn by the run's seeded generator, recorded, and repeatable", async () => {
  // n = 3: everyone accepts every proposal -> three proposals tied at 3 accepts
  const make = () =>
    Array.from(
      { length: 3 },
      (_, s) =>
        new TestAgent('test', {
          proposal: propose([s, s, s]),
          voting: vote(() => true),
        }),
    );
  const winners = new Set<number>();
  for (let seed = 0; seed < 30; seed++) {
    const run = () =>
      runNegotiation({
        spec: spec({ n: 3, m: 3 }),
        agents: make(),
        values: valuesFor(3, 3),
        cosine: 0,
        rng: createRng(seed),
        runIndex: 0,
      });
    const a = await run(),
      b = await run();
    assert.deepEqual(a.events, b.events, `seed ${seed}: same seed, same transcript`);
    assert.deepEqual(a.tieBreak, [1, 2, 3]);
    const tally = a.events.find((e) => e.type === 'tally');
    assert.ok(tally?.type === 'tally');
    assert.deepEqual(tally.tie_between, [1, 2, 3]);
    assert.deepEqual(a.terms, [tally.winner! - 1, tally.winner! - 1, tally.winner! - 1]);
    winners.add(tally.winner!);
  }
  assert.equal(winners.size, 3, 'each tied proposal wins for some seed');
});

// ---------------------------------------------------------------- discount and no deal

test('agreement in round r pays raw * gamma^(r-1); tallies before it have no winner', async () => {
  const values = [
    [60, 40],
    [30, 70],
  ];
  const T = 6,
    gamma = 0.8;
  for (let r = 1; r <= T; r++) {
    const agents = [0, 1].map(
      () =>
        new TestAgent('test', {
          proposal: propose([0, 1]), // Agent_1 gets item 0 (60), Agent_2 item 1 (70)
          voting: vote((_p, obs) => obs.round === r), // everyone holds out until round r
        }),
    );
    const out = await runNegotiation({
      spec: makeSpec({ n: 2, m: 2, maxRounds: T, gamma }),
      agents,
      values,
      cosine: 0,
      rng: createRng(r),
      runIndex: 0,
    });
    assert.equal(out.consensus, true);
    assert.equal(out.round, r);
    assert.deepEqual(out.rawUtilities, [60, 70]);
    const f = Math.pow(0.8, r - 1);
    assert.ok(
      Math.abs(out.utilities[0] - 60 * f) < 1e-9 && Math.abs(out.utilities[1] - 70 * f) < 1e-9,
      `round ${r}: ${out.utilities}`,
    );
    const tallies = out.events.filter((e) => e.type === 'tally');
    assert.equal(tallies.length, r);
    tallies.forEach((t, i) => assert.ok(t.type === 'tally' && (t.winner === null) === i < r - 1));
    const end = out.events.at(-1)!;
    assert.ok(end.type === 'run_end');
    assert.deepEqual(
      [end.consensus, end.agreement_round, end.raw_utilities, end.utilities],
      [true, r, [60, 70], out.utilities],
    );
    // reflection happens after each failed round only
    assert.equal(out.events.filter((e) => e.type === 'note' && e.phase === 'reflection').length, 2 * (r - 1));
  }
});

test('no deal after T rounds gives 0 to everyone', async () => {
  for (const n of [2, 3, 5]) {
    const agents = Array.from(
      { length: n },
      (_, s) =>
        new TestAgent('test', {
          proposal: propose(new Array(4).fill(s)),
          voting: vote((p, obs) => p.from === obs.self),
        }),
    );
    const out = await runNegotiation({
      spec: makeSpec({ n, m: 4, maxRounds: 4 }),
      agents,
      values: valuesFor(n, 4),
      cosine: 0,
      rng: createRng(1),
      runIndex: 0,
    });
    assert.equal(out.consensus, false);
    assert.equal(out.round, null);
    assert.equal(out.terms, null);
    assert.deepEqual(out.utilities, new Array(n).fill(0));
    assert.deepEqual(out.rawUtilities, new Array(n).fill(0));
    assert.equal(out.events.filter((e) => e.type === 'round_start').length, 4);
    // reflection after rounds 1..3, not after the last
    assert.equal(out.events.filter((e) => e.type === 'note' && e.phase === 'reflection').length, 3 * n);
    const end = out.events.at(-1)!;
    assert.ok(end.type === 'run_end' && end.consensus === false && end.allocation === null);
  }
});

// ---------------------------------------------------------------- visibility

/** Wraps an agent, recording a deep copy of every observation it is shown and every reply it gives. */
function capture(agent: Agent) {
  const seen: Observation[] = [];
  const replies: { phase: Phase; round: number; reply: AgentReply }[] = [];
  const wrapped: Agent = {
    model: agent.model,
    async act(obs, signal) {
      seen.push(structuredClone(obs));
      const reply = await agent.act(obs, signal);
      replies.push({ phase: obs.phase, round: obs.round, reply: structuredClone(reply) });
      return reply;
    },
  };
  return { wrapped, seen, replies };
}

/** Every number array inside x (deep). */
function numberArrays(x: unknown, out: number[][] = []): number[][] {
  if (Array.isArray(x)) {
    if (x.length && x.every((e) => typeof e === 'number')) out.push(x as number[]);
    for (const e of x) numberArrays(e, out);
  } else if (x && typeof x === 'object') {
    for (const v of Object.values(x)) numberArrays(v, out);
  }
  return out;
}

/** Hand-written agents whose every private output carries a marker naming its author. */
function markerAgent(seat: number): Agent {
  const me = agentId(seat);
  return new TestAgent('test:marker', {
    discussion: (obs) => ({ text: `public line ${obs.round} by ${me}` }),
    thinking: (obs) => ({ text: `SECRET-${me}-thinking-${obs.round}` }),
    reflection: (obs) => ({ text: `SECRET-${me}-reflection-${obs.round}` }),
    proposal: (obs) => {
      const value = toAllocationMap(
        obs.values.map((_, j) => (j + obs.round + seat) % obs.spec.n),
        obs.spec.n,
      );
      return { text: `SECRET-${me}-proposal-text ${JSON.stringify(value)}`, value };
    },
    voting: (obs) => {
      const value = obs.proposals!.map((p, k) => (k + seat + obs.round) % 3 === 0);
      return { text: `SECRET-${me}-vote-text`, value };
    },
  });
}

const OBSERVATION_KEYS = new Set([
  'phase',
  'round',
  'turn',
  'self',
  'seat',
  'spec',
  'values',
  'public',
  'private',
  'proposals',
  'repair',
]);

function checkObservations(caps: ReturnType<typeof capture>[], values: number[][]): void {
  const n = caps.length;
  caps.forEach((c, s) => {
    const me = agentId(s);
    const ownNotes = new Set(
      c.replies.filter((r) => r.phase === 'thinking' || r.phase === 'reflection').map((r) => r.reply.text),
    );
    const ownVotes = c.replies.filter((r) => r.phase === 'voting').map((r) => JSON.stringify(r.reply.value));
    assert.ok(c.seen.length > 0);
    for (const obs of c.seen) {
      assert.equal(obs.self, me);
      assert.equal(obs.seat, s);
      assert.deepEqual(obs.values, values[s]);
      // nothing beyond the documented fields (a new field is a visibility decision: review it here)
      for (const k of Object.keys(obs)) assert.ok(OBSERVATION_KEYS.has(k), `unexpected observation field ${k}`);
      for (const p of obs.proposals ?? []) assert.deepEqual(Object.keys(p).sort(), ['allocation', 'from', 'proposal']);
      // no other agent's value vector anywhere in what this agent was shown
      for (const arr of numberArrays(obs)) {
        for (let o = 0; o < n; o++) {
          if (o !== s && values[o].join() !== values[s].join()) {
            assert.notDeepEqual(
              arr,
              values[o],
              `${me} was shown ${agentId(o)}'s values in ${obs.phase} round ${obs.round}`,
            );
          }
        }
      }
      // no other agent's private text (notes, raw proposal/vote answers)
      const json = JSON.stringify(obs);
      for (let o = 0; o < n; o++) {
        if (o !== s)
          assert.ok(
            !json.includes(`SECRET-${agentId(o)}-`),
            `${me} saw ${agentId(o)}'s private text in ${obs.phase} round ${obs.round}`,
          );
      }
      // public facts are only talk, proposals, voids and tallies (counts, not ballots)
      for (const f of obs.public) {
        assert.ok(['message', 'message_void', 'proposal', 'proposal_void', 'tally'].includes(f.kind), f.kind);
        // a void says only who and when, never why (the reason may quote the author's raw answer)
        if (f.kind === 'message_void' || f.kind === 'proposal_void')
          assert.deepEqual(Object.keys(f).sort(), ['from', 'kind', 'round']);
        if (f.kind === 'tally')
          for (const r of f.results)
            assert.deepEqual(Object.keys(r).sort(), ['accepts', 'from', 'passed', 'proposal', 'rejects']);
      }
      // private facts are this agent's own notes and votes, nothing else
      for (const f of obs.private) {
        if (f.kind === 'note') assert.ok(ownNotes.has(f.text), `${me} was shown a note it did not write: ${f.text}`);
        else if (f.kind === 'vote')
          assert.ok(
            f.votes === null || ownVotes.includes(JSON.stringify(f.votes)),
            `${me} was shown votes it did not cast`,
          );
        else assert.fail(`unexpected private fact ${JSON.stringify(f)}`);
      }
    }
  });
}

/** Every turn's `sees` lists only events addressed to all or to that agent, each at most once. */
function checkSees(events: TranscriptEvent[]): void {
  const shown = new Map<string, Set<number>>();
  for (const e of events) {
    if (e.type !== 'turn') continue;
    assert.equal(e.to, e.agent, 'a turn is private to its agent');
    const set = shown.get(e.agent) ?? new Set<number>();
    shown.set(e.agent, set);
    for (const q of e.sees) {
      assert.ok(q < e.seq, 'an agent sees only earlier events');
      const target = events[q];
      assert.equal(target.seq, q);
      assert.ok(
        target.to === 'all' || target.to === e.agent,
        `${e.agent}'s turn ${e.seq} sees event ${q} (${target.type}) addressed to ${target.to}`,
      );
      assert.ok(!set.has(q), `event ${q} shown twice to ${e.agent}`);
      set.add(q);
    }
  }
  // and nothing public was withheld: by its last turn each agent has seen every earlier public event
  for (const [agent, set] of shown) {
    const last = events.filter((e) => e.type === 'turn' && e.agent === agent).at(-1)!;
    for (const e of events)
      if (e.seq < last.seq && e.to === 'all') assert.ok(set.has(e.seq), `${agent} never saw public event ${e.seq}`);
  }
}

test("visibility: hand-written agents never see another agent's values, votes or notes", async () => {
  for (const n of [2, 3, 4]) {
    const m = 5;
    const values = valuesFor(n, m);
    const caps = Array.from({ length: n }, (_, s) => capture(markerAgent(s)));
    const out = await runNegotiation({
      spec: makeSpec({ n, m, maxRounds: 4, discussionTurns: 2 }),
      agents: caps.map((c) => c.wrapped),
      values,
      cosine: 0,
      rng: createRng(7),
      runIndex: 0,
    });
    checkObservations(caps, values);
    checkSees(out.events);
    // the markers do reach the transcript (so the check above could fail), addressed privately
    const privateTurns = out.events.filter((e) => e.type === 'turn' && e.text.startsWith('SECRET-'));
    assert.ok(privateTurns.length > 0);
    for (const e of out.events) {
      if (JSON.stringify(e).includes('SECRET-'))
        assert.ok(e.to !== 'all', `event ${e.seq} (${e.type}) leaks private text publicly`);
    }
  }
});

test('visibility: scripted agents in 3-agent series, checked on observations and the transcript', async () => {
  const caps: ReturnType<typeof capture>[][] = [];
  const factory: AgentFactory = (model, ctx) => {
    const c = capture(scriptedFactory(model, ctx));
    (caps[ctx.runIndex] ??= [])[ctx.seat] = c;
    return c.wrapped;
  };
  const players = ['scripted:nash', 'scripted:boulware', 'scripted:random'].map((model) => ({ model, role: null }));
  const s = makeSpec({ n: 3, m: 6 });
  await runSeries({
    spec: s,
    level: 0.5,
    seed: 3,
    numRuns: 3,
    players,
    factory,
    onRun: (doc, events) => {
      checkObservations(caps[doc.run_index], doc.preferences);
      checkSees(events);
    },
  });
  assert.equal(caps.length, 3);
});

// ---------------------------------------------------------------- repair and void

const BAD_PROPOSAL = { Agent_1: [0, 0] };

function faulty(): TestAgent {
  return new TestAgent('test:faulty', {
    proposal: () => ({ text: 'I take item 0 twice', value: BAD_PROPOSAL }),
    voting: () => ({ text: 'maybe', value: 'maybe' }),
  });
}

test('a faulty agent gets 3 proposal and 2 vote repair turns with the exact error, then a recorded void; the run goes on', async () => {
  const T = 3;
  const values = [
    [50, 30, 20],
    [20, 30, 50],
  ];
  const good = capture(new TestAgent('test:good', { proposal: propose([1, 0, 0]), voting: vote(() => true) }));
  const bad = capture(faulty());
  const out = await runNegotiation({
    spec: makeSpec({ n: 2, m: 3, maxRounds: T }),
    agents: [good.wrapped, bad.wrapped],
    values,
    cosine: 0,
    rng: createRng(1),
    runIndex: 0,
  });

  const proposalError = (validateAllocation(BAD_PROPOSAL, 2, 3) as { error: string }).error;
  const voteError = (validateVotes('maybe', 1) as { error: string }).error;
  assert.equal(proposalError, 'Agent_1 lists item 0 more than once; list each item once');

  for (let round = 1; round <= T; round++) {
    // what the faulty agent was shown: its own text and the exact error, attempt by attempt
    const props = bad.seen.filter((o) => o.round === round && o.phase === 'proposal');
    assert.equal(props.length, 1 + PROPOSAL_REPAIRS);
    assert.equal(props[0].repair, undefined);
    props.slice(1).forEach((o, i) =>
      assert.deepEqual(o.repair, {
        attempt: i + 1,
        maxAttempts: 3,
        previous: 'I take item 0 twice',
        error: proposalError,
      }),
    );
    const votes = bad.seen.filter((o) => o.round === round && o.phase === 'voting');
    assert.equal(votes.length, 1 + VOTE_REPAIRS);
    votes
      .slice(1)
      .forEach((o, i) =>
        assert.deepEqual(o.repair, { attempt: i + 1, maxAttempts: 2, previous: 'maybe', error: voteError }),
      );

    // what the transcript records
    const inRound = out.events.filter((e) => e.round === round);
    const turns = inRound.filter((e) => e.type === 'turn' && e.agent === 'Agent_2' && e.phase === 'proposal');
    assert.deepEqual(
      turns.map((e) => e.type === 'turn' && [e.attempt, e.valid, e.error, e.repair_error ?? null]),
      [
        [0, false, proposalError, null],
        [1, false, proposalError, proposalError],
        [2, false, proposalError, proposalError],
        [3, false, proposalError, proposalError],
      ],
    );
    // nothing fabricated: no proposal from Agent_2, a public void instead
    assert.deepEqual(
      inRound.filter((e) => e.type === 'proposal').map((e) => e.type === 'proposal' && e.agent),
      ['Agent_1'],
    );
    const voids = inRound.filter((e) => e.type === 'proposal_void');
    assert.equal(voids.length, 1);
    assert.ok(
      voids[0].type === 'proposal_void' &&
        voids[0].to === 'all' &&
        voids[0].agent === 'Agent_2' &&
        voids[0].reason.includes(proposalError),
    );
    // the good agent is told of the void before it votes
    const goodVote = good.seen.find((o) => o.round === round && o.phase === 'voting')!;
    assert.deepEqual(
      goodVote.public.filter((f) => f.kind === 'proposal_void' && f.round === round),
      [{ kind: 'proposal_void', round, from: 'Agent_2' }],
    );
    assert.equal(goodVote.proposals!.length, 1);
    // the void vote counts as reject and is recorded
    const v = inRound.find((e) => e.type === 'vote' && e.agent === 'Agent_2');
    assert.ok(v?.type === 'vote' && v.voided === true && v.votes === null && v.to === 'Agent_2');
    const tally = inRound.find((e) => e.type === 'tally');
    assert.ok(tally?.type === 'tally');
    assert.deepEqual(tally.results, [{ proposal: 1, from: 'Agent_1', accepts: 1, rejects: 1, passed: false }]);
  }
  // the run continued to the end
  assert.equal(out.events.filter((e) => e.type === 'round_start').length, T);
  assert.equal(out.events.at(-1)!.type, 'run_end');
  assert.deepEqual(out.repairs, [0, T * (PROPOSAL_REPAIRS + VOTE_REPAIRS)]);
  assert.deepEqual(out.voided, [0, 2 * T]);
  assert.deepEqual(out.utilities, [0, 0]);
});

test('a message still unusable after its repair turn is a public message_void (who and when), never an empty message', async () => {
  const refuser = new TestAgent('test:refuser', {
    discussion: (obs) =>
      obs.round === 1
        ? { text: `SECRET-refusal-${obs.repair?.attempt ?? 0}`, parseError: 'the answer declines to take part' }
        : { text: 'fine, let us talk' },
    proposal: propose([1, 1, 0]),
    voting: vote(() => false),
  });
  const other = capture(new TestAgent('test:good', { proposal: propose([0, 0, 1]), voting: vote(() => false) }));
  const out = await runNegotiation({
    spec: makeSpec({ n: 2, m: 3, maxRounds: 2 }),
    agents: [other.wrapped, refuser],
    values: [
      [50, 30, 20],
      [20, 30, 50],
    ],
    cosine: 0,
    rng: createRng(1),
    runIndex: 0,
  });
  assert.deepEqual(out.voided, [0, 1]);
  const talk = out.events
    .filter((e) => e.type === 'message' || e.type === 'message_void')
    .map((e) => [e.round, e.type, e.agent]);
  assert.deepEqual(talk, [
    [1, 'message', 'Agent_1'],
    [1, 'message_void', 'Agent_2'],
    [2, 'message', 'Agent_1'],
    [2, 'message', 'Agent_2'],
  ]);
  const mv = out.events.find((e) => e.type === 'message_void')!;
  assert.ok(
    mv.type === 'message_void' && mv.to === 'all' && mv.reason === 'the answer declines to take part',
    'the reason is kept for the host',
  );
  const later = other.seen.find((o) => o.round === 2)!;
  assert.deepEqual(
    later.public.filter(
      (f) => (f.kind === 'message' || f.kind === 'message_void') && f.from === 'Agent_2' && f.round === 1,
    ),
    [{ kind: 'message_void', round: 1, from: 'Agent_2' }],
  );
  assert.ok(!JSON.stringify(other.seen).includes('SECRET-'), 'the refusal never reached the other agent');
});

test('a repaired answer is accepted: repairs counted, nothing voided; a parse error is an invalid answer', async () => {
  let calls = 0;
  const fixer = new TestAgent('test:fixer', {
    proposal: (obs) => {
      calls++;
      if (!obs.repair) return { text: 'not json at all', parseError: 'no JSON object found in the answer' };
      assert.equal(obs.repair.error, 'no JSON object found in the answer');
      return propose([0, 0, 1])(obs);
    },
    voting: (obs) => (obs.repair ? vote(() => true)(obs) : { text: '[true]', value: [true, true, true] }),
  });
  const other = new TestAgent('test:good', { proposal: propose([0, 0, 1]), voting: vote(() => true) });
  const out = await runNegotiation({
    spec: makeSpec({ n: 2, m: 3 }),
    agents: [other, fixer],
    values: [
      [50, 30, 20],
      [20, 30, 50],
    ],
    cosine: 0,
    rng: createRng(1),
    runIndex: 0,
  });
  assert.equal(calls, 2);
  assert.deepEqual(out.repairs, [0, 2]);
  assert.deepEqual(out.voided, [0, 0]);
  assert.equal(out.consensus, true);
  const voteTurns = out.events.filter((e) => e.type === 'turn' && e.agent === 'Agent_2' && e.phase === 'voting');
  assert.deepEqual(
    voteTurns.map((e) => e.type === 'turn' && e.error),
    ['expected 2 votes (one per proposal), got 3', undefined],
  );
});

test('an agent that throws makes runNegotiation reject with AgentError naming the seat and model', async () => {
  const boom = new TestAgent('test:boom', {
    proposal: () => {
      throw new Error('connection reset');
    },
  });
  const ok = new TestAgent('test:good', { proposal: propose([0, 0]), voting: vote(() => true) });
  await assert.rejects(
    runNegotiation({
      spec: makeSpec({ n: 2, m: 2 }),
      agents: [ok, boom],
      values: [
        [50, 50],
        [50, 50],
      ],
      cosine: 1,
      rng: createRng(1),
      runIndex: 0,
    }),
    (e: unknown) => {
      assert.ok(e instanceof AgentError);
      assert.equal(e.agent, 'Agent_2');
      assert.equal(e.model, 'test:boom');
      assert.equal(e.message, 'Agent_2 (test:boom) failed: connection reset');
      assert.ok(e.cause instanceof Error);
      return true;
    },
  );
});

test('an aborted signal stops the run with the abort reason, not an AgentError', async () => {
  const ac = new AbortController();
  const agent = new TestAgent('test:abort', {
    thinking: () => {
      ac.abort(new Error('timeout'));
      return { text: 'x' };
    },
  });
  await assert.rejects(
    runNegotiation({
      spec: makeSpec({ n: 2, m: 2 }),
      agents: [agent, agent],
      values: [
        [50, 50],
        [50, 50],
      ],
      cosine: 1,
      rng: createRng(1),
      runIndex: 0,
      signal: ac.signal,
    }),
    /timeout/,
  );
});

// ---------------------------------------------------------------- series and determinism

test('seat-swapped runs share preferences and swap models', async () => {
  const s = makeSpec({ n: 2, m: 5 });
  const made: { run: number; seat: number; model: string }[] = [];
  const factory: AgentFactory = (model, ctx) => {
    made.push({ run: ctx.runIndex, seat: ctx.seat, model });
    return scriptedFactory(model, ctx);
  };
  const players = [
    { model: 'scripted:conceder', role: 'weak' },
    { model: 'scripted:boulware', role: 'strong' },
  ];
  const docs = await runSeries({ spec: s, level: 0.7, seed: 11, numRuns: 6, players, factory });
  assert.equal(docs.length, 6);
  for (let k = 0; k < 3; k++) {
    const [a, b] = [docs[2 * k], docs[2 * k + 1]];
    assert.deepEqual(b.preferences, a.preferences, `pair ${k}`);
    assert.equal(b.cosine_similarity, a.cosine_similarity);
    assert.deepEqual([a.pair_index, b.pair_index, a.seats_swapped, b.seats_swapped], [k, k, false, true]);
    assert.deepEqual(
      a.agents.map((x) => [x.model, x.role]),
      [
        ['scripted:conceder', 'weak'],
        ['scripted:boulware', 'strong'],
      ],
    );
    assert.deepEqual(
      b.agents.map((x) => [x.model, x.role]),
      [
        ['scripted:boulware', 'strong'],
        ['scripted:conceder', 'weak'],
      ],
    );
    // the preferences are the pair's generated ones, with the cosine measured on them
    assert.deepEqual(a.preferences, pairPreferences(s, 0.7, 11, k).values);
    assert.ok(Math.abs(a.cosine_similarity - 0.7) <= 0.01);
  }
  assert.notDeepEqual(docs[0].preferences, docs[2].preferences, 'different pairs draw different preferences');
  assert.deepEqual(
    made.filter((x) => x.run === 1).map((x) => x.model),
    ['scripted:boulware', 'scripted:conceder'],
  );
  // utilities in the document match the outcome: raw * gamma^(round-1), 0 without a deal
  for (const d of docs) {
    for (const ag of d.agents) {
      const expected = d.consensus ? ag.raw_utility * Math.pow(0.9, d.round! - 1) : 0;
      assert.ok(Math.abs(ag.utility - expected) < 1e-6);
      if (d.consensus)
        assert.equal(
          ag.raw_utility,
          d.allocation![ag.agent].reduce((t, j) => t + d.preferences[ag.seat][j], 0),
        );
    }
  }
});

test('for n > 2 each preference draw is played in the n cyclic seat rotations: every model sits in every seat once', async () => {
  for (const n of [3, 4]) {
    const s = makeSpec({ n, m: 6 });
    const models = ['scripted:conceder', 'scripted:boulware', 'scripted:nash', 'scripted:random'].slice(0, n);
    const docs = await runSeries({
      spec: s,
      level: 0.5,
      seed: 3,
      numRuns: 2 * n,
      players: models.map((model) => ({ model, role: null })),
      factory: scriptedFactory,
    });
    for (let k = 0; k < 2; k++) {
      const group = docs.slice(k * n, (k + 1) * n);
      // each (model, seat) occurs exactly once in the group; every seat keeps the draw's values
      const seen = new Set(group.flatMap((d) => d.agents.map((a) => `${a.model}@${a.seat}`)));
      assert.equal(seen.size, n * n, `n=${n} group ${k}: ${[...seen].join(' ')}`);
      for (const d of group) {
        assert.deepEqual(d.preferences, group[0].preferences);
        assert.equal(d.pair_index, k);
        assert.equal(d.seat_rotation, d.run_index % n);
        assert.equal(d.seats_swapped, d.run_index % n !== 0);
      }
      // and each model meets every value vector once
      for (const m of models) {
        const vectors = group.map((d) => JSON.stringify(d.preferences[d.agents.find((a) => a.model === m)!.seat]));
        assert.equal(new Set(vectors).size, n, m);
      }
    }
    assert.notDeepEqual(docs[0].preferences, docs[n].preferences);
  }
});

test('for n > 2 a run count that is not a multiple of n is refused before any run', async () => {
  let made = 0;
  const factory: AgentFactory = (model, ctx) => {
    made++;
    return scriptedFactory(model, ctx);
  };
  await assert.rejects(
    runSeries({
      spec: makeSpec({ n: 3, m: 5 }),
      level: 0.5,
      seed: 1,
      numRuns: 4,
      players: ['scripted:nash', 'scripted:nash', 'scripted:random'].map((model) => ({ model, role: null })),
      factory,
    }),
    /4 runs is not a multiple of the 3 agents.*use 3 or 6 runs/,
  );
  assert.equal(made, 0);
  // n = 2 keeps the swapped pair, an odd count included (its last pair is incomplete)
  const docs = await runSeries({
    spec: makeSpec({ n: 2, m: 5 }),
    level: 0.5,
    seed: 1,
    numRuns: 3,
    players: [
      { model: 'scripted:nash', role: null },
      { model: 'scripted:random', role: null },
    ],
    factory,
  });
  assert.deepEqual(
    docs.map((d) => [d.pair_index, d.seats_swapped, d.seat_rotation]),
    [
      [0, false, undefined],
      [0, true, undefined],
      [1, false, undefined],
    ],
  );
});

async function transcriptHash(seed: number, models: string[]): Promise<string> {
  const h = createHash('sha256');
  await runSeries({
    spec: makeSpec({ n: models.length, m: 5 }),
    level: 0.6,
    seed,
    numRuns: 2 * models.length,
    players: models.map((model) => ({ model, role: null })),
    factory: scriptedFactory,
    onRun: (doc, events) => {
      h.update(JSON.stringify(doc));
      for (const e of events) h.update(JSON.stringify(e) + '\n');
    },
  });
  return h.digest('hex');
}

test('equal seeds give an identical transcript; different seeds differ', async () => {
  for (const models of [
    ['scripted:random', 'scripted:nash'],
    ['scripted:tit-for-tat', 'scripted:random', 'scripted:linear'],
  ]) {
    const a = await transcriptHash(5, models);
    assert.equal(await transcriptHash(5, models), a, models.join());
    assert.notEqual(await transcriptHash(6, models), a, models.join());
  }
});
