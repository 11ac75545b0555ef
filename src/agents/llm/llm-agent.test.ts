/**
 * LlmAgent through the real protocol with ChatModels of the real interface (in-process):
 * the system prompt states every rule; the prompt round-trips to the Observation it was
 * built from (prompt-reader); each agent is sent nothing of another's values, votes or
 * notes; bad answers reach their repair turns then a recorded void; per-phase caps,
 * call indices and records; compaction near the context window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, makeSpec, type GameParams, type GameSpec } from '../../game/index.ts';
import type { Agent, AgentReply, Observation, PublicFact } from '../agent.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { PROPOSAL_REPAIRS, runNegotiation, VOTE_REPAIRS } from '../../protocol/negotiation.ts';
import { ScriptedAgent } from '../scripted/strategies.ts';
import { expandPrompts, LlmAgent, tokenCap, type LlmCallRecord } from './llm-agent.ts';
import { estimateMessageTokens } from '../../providers/tokens.ts';
import { readPrompt } from './prompt-reader.ts';
import { systemPrompt } from './prompts.ts';
import { FnChatModel, simChatModel } from './testing/chat-models.ts';

const VALUES_2 = [
  [40, 25, 15, 12, 8],
  [5, 10, 20, 30, 35],
];
const VALUES_3 = [
  [40, 25, 15, 12, 8],
  [5, 10, 20, 30, 35],
  [22, 3, 41, 9, 25],
];

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

async function play(spec: GameSpec, values: number[][], agents: Agent[]) {
  return runNegotiation({ spec, agents, values, cosine: 0.5, rng: createRng(7), runIndex: 0 });
}

function callsOf(events: TranscriptEvent[], agent: string): LlmCallRecord[] {
  const out: LlmCallRecord[] = [];
  for (const e of events)
    if (e.type === 'turn' && e.agent === agent && e.calls) out.push(...(e.calls as LlmCallRecord[]));
  return out;
}

const llm = (chat: FnChatModel, seat: number, extra: Partial<ConstructorParameters<typeof LlmAgent>[0]> = {}) =>
  new LlmAgent({ model: chat.modelId, chat, seat, runIndex: 0, ...extra });

test("the system prompt states every rule of the game, the agent's identity and only its own values", () => {
  for (const [n, need] of [
    [2, 'both agents accept'],
    [4, 'at least 3 of 4 accepts'],
    [10, 'at least 7 of 10 accepts'],
  ] as const) {
    const spec = makeSpec({ n, m: 6, maxRounds: 7, gamma: 0.85, discussionTurns: 2 });
    const values = [50, 0, 20, 10, 15, 5];
    const s = systemPrompt(spec, 'Agent_2', values);
    const ids = Array.from({ length: n }, (_, k) => `Agent_${k + 1}`).join(', ');
    for (const want of [
      `You are Agent_2, one of ${n} agents`,
      `The agents are ${ids}; you are Agent_2`,
      '0: Apple, 1: Jewel, 2: Stone, 3: Quill, 4: Pencil, 5: Book',
      'at most 7 rounds',
      '2 passes per round',
      need,
      'the one with the most accepts wins',
      'ties are broken by lot',
      'multiplied by 0.85^(r-1)',
      'round 2 85%',
      'every agent gets 0',
      'Individual votes are private',
      'Tallies are public',
      'Private thinking',
      'Reflection',
      '- 0 Apple: 50',
      '- 5 Book: 5',
      'Total: 100.',
    ])
      assert.ok(s.includes(want), `n=${n}: system prompt lacks "${want}"`);
  }
  const off = systemPrompt(
    makeSpec({ n: 2, privateThinking: false, reflection: false, discussionTurns: 0 }),
    'Agent_1',
    [20, 20, 20, 20, 20],
  );
  assert.ok(!/Private thinking|Reflection:|Discussion:/.test(off), 'phases that are off are not described');
});

for (const params of [
  { n: 2, maxRounds: 4 },
  { n: 3, maxRounds: 3, discussionTurns: 2 },
] as GameParams[]) {
  test(`the prompt reads back as the observation it was built from (n=${params.n})`, async () => {
    const spec = makeSpec(params);
    const values = params.n === 2 ? VALUES_2 : VALUES_3;
    const spies = values.map(
      (_, s) =>
        new Spy(
          s === 0
            ? llm(simChatModel('sim:boulware'), 0)
            : s === 1
              ? new ScriptedAgent('tit-for-tat', { seat: 1, seed: 3, runIndex: 0 })
              : llm(simChatModel('sim:nash'), s),
        ),
    );
    const out = await play(spec, values, spies);
    for (const [s, spy] of spies.entries()) {
      if (!(spy.inner instanceof LlmAgent)) continue;
      const calls = callsOf(out.events, `Agent_${s + 1}`);
      assert.equal(calls.length, spy.seen.length);
      assert.ok(calls.length >= 5);
      calls.forEach((c, i) => {
        const obs = spy.seen[i];
        const r = readPrompt(c.messages);
        assert.ok(r.ok, r.ok ? '' : r.error);
        const back = r.obs;
        assert.equal(back.phase, obs.phase);
        assert.equal(back.round, obs.round);
        assert.equal(back.turn, obs.turn);
        assert.equal(back.self, obs.self);
        assert.deepEqual(back.values, obs.values);
        assert.deepEqual({ ...back.spec }, { ...obs.spec });
        assert.deepEqual(back.proposals, obs.proposals);
        assert.deepEqual(back.repair, obs.repair);
        // every public fact except the agent's own messages (those are its assistant turns)
        const want = obs.public.filter((f) => !(f.kind === 'message' && f.from === obs.self));
        assert.deepEqual(back.public, want);
        assert.deepEqual(
          back.private,
          obs.private.filter((f) => f.kind === 'vote'),
        );
      });
    }
  });
}

test("what each LLM agent is sent never contains another agent's values, votes or notes", async () => {
  const spec = makeSpec({ n: 3, m: 5, maxRounds: 3 });
  // each agent's notes carry a marker unique to that agent
  const chats = [0, 1, 2].map(
    (s) =>
      new FnChatModel(`m${s}`, async (req) => {
        const r = readPrompt(req.messages);
        assert.ok(r.ok);
        const obs = r.obs;
        if (obs.phase === 'thinking' || obs.phase === 'reflection') return `NOTE-of-${obs.self}-round-${obs.round}`;
        return (await simChatModel('sim:random').generate(req)).text;
      }),
  );
  const agents = chats.map((c, s) => llm(c, s));
  const out = await play(spec, VALUES_3, agents);
  assert.ok(!out.consensus || out.round! >= 1);
  for (let s = 0; s < 3; s++) {
    const me = `Agent_${s + 1}`;
    const calls = callsOf(out.events, me);
    const myVotes = out.events.filter(
      (e): e is Extract<TranscriptEvent, { type: 'vote' }> => e.type === 'vote' && e.agent === me,
    );
    for (const c of calls) {
      const all = c.messages.map((m) => m.content).join('\n');
      for (let o = 0; o < 3; o++) {
        if (o === s) continue;
        assert.ok(!all.includes(`NOTE-of-Agent_${o + 1}`), `${me} was sent Agent_${o + 1}'s notes`);
        const valueLines = VALUES_3[o]
          .map((v, j) => `- ${j} ${spec.items[j]}: ${v}`)
          .filter((l) => !all.includes(l) || VALUES_3[s].some((w, k) => `- ${k} ${spec.items[k]}: ${w}` === l));
        assert.equal(valueLines.length, 5, `${me} was sent a value line of Agent_${o + 1}`);
      }
      // the only vote lines an agent sees are its own votes, as recorded
      const sys = c.messages[0].content;
      assert.equal(sys, systemPrompt(spec, me, VALUES_3[s]));
      const r = readPrompt(c.messages);
      assert.ok(r.ok);
      const seenVotes = r.obs.private
        .filter((f) => f.kind === 'vote')
        .map((f) => [f.round, (f as { votes: boolean[] | null }).votes]);
      const mine = myVotes
        .filter((v) => v.round < c.round || (v.round === c.round && c.phase === 'reflection'))
        .map((v) => [v.round, v.votes]);
      assert.deepEqual(seenVotes, mine);
      assert.ok(!/Agent_\d+ voted|votes of Agent/.test(all));
    }
  }
});

test('a rejected proposal reaches its repair turns with its own text and the exact error, then a recorded void', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 1 });
  const bad = [
    '{"allocation": {"Agent_1": [0, 1], "Agent_2": [2], "Agent_3": [3, 4]}}',
    "I'm sorry, but I can't help with that.",
    '```json\n{"allocation": {"Agent_1": [0, 1, 2], "Agent_2": [2, 3, 4]}}\n```',
    '{"allocation": {"Agent_1": [0, 1], "Agent_2": [2, 3',
  ];
  let k = 0;
  const chat = new FnChatModel('bad', async (req) => {
    const r = readPrompt(req.messages);
    assert.ok(r.ok);
    if (r.obs.phase === 'proposal') {
      const i = k++;
      return i === 3 ? { text: bad[3], finishReason: 'length' } : bad[i];
    }
    return (await simChatModel('sim:linear').generate(req)).text;
  });
  const out = await play(spec, VALUES_2, [
    llm(chat, 0),
    new ScriptedAgent('linear', { seat: 1, seed: 1, runIndex: 0 }),
  ]);
  const turns = out.events.filter(
    (e): e is Extract<TranscriptEvent, { type: 'turn' }> =>
      e.type === 'turn' && e.agent === 'Agent_1' && e.phase === 'proposal',
  );
  assert.equal(turns.length, PROPOSAL_REPAIRS + 1);
  const errors = [
    /Agent_3, but there is no such agent/,
    /refusal/,
    /item 2 is given to both Agent_1 and Agent_2/,
    /cut off: the answer reached the output-token limit/,
  ];
  turns.forEach((t, i) => {
    assert.equal(t.attempt, i);
    assert.equal(t.valid, false);
    assert.match(t.error!, errors[i]);
    assert.equal(t.text, bad[i]);
    const call = t.calls![0] as LlmCallRecord;
    assert.equal(call.attempt, i);
    assert.equal(call.raw_text, bad[i]);
    if (i > 0) {
      // the repair turn shows the agent its own previous text and the exact error
      const last = call.messages[call.messages.length - 1].content;
      assert.ok(last.includes(`Your answer: ${JSON.stringify(bad[i - 1])}`), last);
      assert.ok(last.includes(`Problem: ${turns[i - 1].error}`), last);
      assert.ok(last.includes(`correction ${i} of ${PROPOSAL_REPAIRS}`));
      assert.equal(call.messages[call.messages.length - 2].role, 'assistant');
      assert.equal(call.messages[call.messages.length - 2].content, bad[i - 1]);
    }
  });
  assert.equal(out.repairs[0], PROPOSAL_REPAIRS);
  assert.equal(out.voided[0], 1);
  const v = out.events.find((e) => e.type === 'proposal_void');
  assert.ok(v && v.type === 'proposal_void' && v.agent === 'Agent_1');
  assert.ok(!out.events.some((e) => e.type === 'proposal' && e.agent === 'Agent_1'), 'no proposal substituted');
});

test('an invalid vote gets its repair turns then counts as reject; a refusal then a good answer is repaired', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 1 });
  const chat = new FnChatModel('v', async (req) => {
    const r = readPrompt(req.messages);
    assert.ok(r.ok);
    if (r.obs.phase === 'voting') return '{"votes": [{"proposal": 1, "accept": "maybe"}]}';
    if (r.obs.phase === 'proposal' && !r.obs.repair) return 'I cannot share an allocation.';
    return (await simChatModel('sim:linear').generate(req)).text;
  });
  const out = await play(spec, VALUES_2, [
    llm(chat, 0),
    new ScriptedAgent('conceder', { seat: 1, seed: 1, runIndex: 0 }),
  ]);
  const t = out.events.filter(
    (e): e is Extract<TranscriptEvent, { type: 'turn' }> => e.type === 'turn' && e.agent === 'Agent_1',
  );
  const props = t.filter((e) => e.phase === 'proposal');
  assert.deepEqual(
    props.map((e) => e.valid),
    [false, true],
  );
  assert.match(props[0].error!, /refusal/);
  const votes = t.filter((e) => e.phase === 'voting');
  assert.equal(votes.length, VOTE_REPAIRS + 1);
  assert.ok(votes.every((e) => !e.valid));
  const ve = out.events.find((e) => e.type === 'vote' && e.agent === 'Agent_1');
  assert.ok(ve && ve.type === 'vote' && ve.voided && ve.votes === null);
  assert.equal(out.consensus, false);
});

test('per-phase token caps, call indices, scope and the call record', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 2 });
  const chat = simChatModel('sim:boulware');
  const caps = { discussion: 111, proposal: 333, default: 99 };
  const agent = llm(chat, 1, { maxTokens: caps, temperature: 0.3, scope: 'exp7' });
  await play(spec, VALUES_2, [new ScriptedAgent('boulware', { seat: 0, seed: 1, runIndex: 0 }), agent]);
  assert.ok(chat.requests.length >= 8);
  chat.requests.forEach((req, i) => {
    assert.equal(req.callIndex, i);
    assert.equal(req.scope, 'exp7/run0/Agent_2');
    assert.equal(req.temperature, 0.3);
    const r = readPrompt(req.messages);
    assert.ok(r.ok);
    const want = r.obs.phase === 'discussion' ? 111 : r.obs.phase === 'proposal' ? 333 : 99;
    assert.equal(req.maxOutputTokens, want);
  });
  assert.equal(tokenCap('voting'), 256);
  assert.equal(tokenCap('voting', { default: 50 }), 50);
  assert.equal(tokenCap('voting', { voting: 70, default: 50 }), 70);
});

test('the call record holds the prompt, raw text, parse, tokens, cost and timing', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 1 });
  const chat = simChatModel('sim:conceder');
  const agent = llm(chat, 0, { costOf: (r) => r.usage.inputTokens * 1e-6 });
  const out = await play(spec, VALUES_2, [agent, new ScriptedAgent('conceder', { seat: 1, seed: 1, runIndex: 0 })]);
  const calls = callsOf(out.events, 'Agent_1');
  const prop = calls.find((c) => c.phase === 'proposal')!;
  for (const key of [
    'model',
    'route',
    'provider',
    'key_label',
    'phase',
    'messages',
    'raw_text',
    'parsed',
    'input_tokens',
    'output_tokens',
    'reasoning_tokens',
    'latency_ms',
    'cost_usd',
    'attempts',
    'cached',
    'finish_reason',
  ]) {
    assert.ok(key in prop, `record lacks ${key}`);
  }
  assert.equal(prop.model, 'sim:conceder');
  assert.equal(prop.key_label, 'TEST_KEY');
  assert.deepEqual(prop.parsed, JSON.parse(prop.raw_text).allocation);
  assert.equal(prop.parse_error, null);
  assert.equal(prop.input_tokens, estimateMessageTokens(prop.messages));
  assert.equal(prop.cost_usd, prop.input_tokens * 1e-6);
  assert.equal(prop.messages[prop.messages.length - 1].role, 'user');
  // the history alternates user/assistant after the system message
  prop.messages.slice(1).forEach((m, i) => assert.equal(m.role, i % 2 === 0 ? 'user' : 'assistant'));
});

test('an answer with <think> reasoning keeps the reasoning out of the public discussion', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 1 });
  const chat = new FnChatModel('r1', async (req) => {
    const r = readPrompt(req.messages);
    const base = (await simChatModel('sim:linear').generate(req)).text;
    return r.ok && r.obs.phase === 'discussion' ? `<think>my secret plan: claim Apple</think>\n${base}` : base;
  });
  const out = await play(spec, VALUES_2, [
    llm(chat, 0),
    new ScriptedAgent('linear', { seat: 1, seed: 1, runIndex: 0 }),
  ]);
  const msg = out.events.find((e) => e.type === 'message' && e.agent === 'Agent_1');
  assert.ok(msg && msg.type === 'message' && !msg.text.includes('secret') && msg.text.length > 0);
});

test('near the context window the oldest rounds are condensed into a digest, deterministically', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 10 });
  // small enough that ten rounds need compaction; large enough that the last round alone (it repeats
  // the last-round warning in every phase) fits under the threshold once the earlier rounds are condensed
  const window = 4200;
  const longTalk = (req: Parameters<ConstructorParameters<typeof FnChatModel>[1]>[0]) => readPrompt(req.messages);
  const make = () =>
    new FnChatModel('small', async (req) => {
      const r = longTalk(req);
      const base = (await simChatModel('sim:boulware').generate(req)).text;
      // long discussion lines so that ten rounds do not fit
      return r.ok && (r.obs.phase === 'discussion' || r.obs.phase === 'thinking')
        ? `${base} ${'I hold firm on my priorities. '.repeat(12)}`
        : base;
    });
  const run = async () => {
    const chat = make();
    const agent = llm(chat, 0, { contextWindow: window });
    const out = await play(spec, VALUES_2, [agent, new ScriptedAgent('boulware', { seat: 1, seed: 1, runIndex: 0 })]);
    return { out, calls: callsOf(out.events, 'Agent_1') };
  };
  const a = await run();
  assert.ok(a.calls.length > 30, `${a.calls.length} calls`);
  const compacted = a.calls.filter((c) => c.compacted_rounds > 0);
  assert.ok(compacted.length > 0, 'compaction happened');
  const uncompactedMax = Math.max(
    ...a.calls.filter((c) => c.compacted_rounds === 0).map((c) => estimateMessageTokens(c.messages)),
  );
  assert.ok(uncompactedMax <= 0.7 * window);
  for (const c of a.calls) {
    const est = estimateMessageTokens(c.messages);
    assert.ok(
      est <= 0.7 * window,
      `call ${c.call_index} (round ${c.round}, ${c.phase}) prompt ~${est} tokens > ${0.7 * window}`,
    );
    // the digest keeps every earlier proposal and tally: the negotiation state still reads back in full
    const r = readPrompt(c.messages);
    assert.ok(r.ok);
    const facts = (kind: PublicFact['kind']) => r.obs.public.filter((f) => f.kind === kind && f.round < c.round).length;
    const want = (kind: string) => a.out.events.filter((e) => e.type === kind && e.round < c.round).length;
    assert.equal(facts('proposal'), want('proposal'), `round ${c.round}: proposals kept`);
    assert.equal(facts('tally'), want('tally'), `round ${c.round}: tallies kept`);
  }
  const last = compacted[compacted.length - 1];
  assert.match(last.messages[1].content, /^Summary of rounds? 1/);
  assert.ok(
    !last.messages.some((m) => m.content.includes('The negotiation begins.')),
    'the opening turn was condensed',
  );
  // deterministic: the same negotiation sends byte-identical prompts
  const b = await run();
  assert.deepEqual(
    b.calls.map((c) => c.messages),
    a.calls.map((c) => c.messages),
  );
});

test('recordPrompt "delta" keeps only the new messages per call, and expandPrompts rebuilds every prompt exactly', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 6 });
  const chat = simChatModel('sim:boulware');
  // a small window so that compaction rewrites the start of the prompt midway
  const agent = llm(chat, 0, { recordPrompt: 'delta', contextWindow: 3500 });
  const out = await play(spec, VALUES_2, [agent, new ScriptedAgent('boulware', { seat: 1, seed: 1, runIndex: 0 })]);
  const calls = callsOf(out.events, 'Agent_1');
  assert.ok(
    calls.some((c) => c.compacted_rounds > 0),
    'compaction happened',
  );
  assert.deepEqual(
    expandPrompts(calls),
    chat.requests.map((r) => r.messages),
  );
  assert.ok(
    calls.slice(1).every((c) => c.messages.length <= 3 || c.messages_base === 1),
    'later calls carry only their new turns',
  );
  const full = chat.requests.reduce((a, r) => a + JSON.stringify(r.messages).length, 0);
  const delta = calls.reduce((a, c) => a + JSON.stringify(c.messages).length, 0);
  assert.ok(delta * 4 < full, `delta ${delta} vs full ${full}`);
});

test('an answer cut off at the output limit (empty: reasoning ate the cap) gets its repair with twice the cap sent, and each record shows the cap sent', async () => {
  const { startServer } = await import('../../providers/testing/test-server.ts');
  const { createChatModel, envFrom, loadRegistry } = await import('../../providers/index.ts');
  const { answer } = await import('../sim/brain.ts');
  const registry = loadRegistry();
  let cutOnce = false;
  const server = await startServer(async (req) => {
    const messages = req.body.messages.map((m: { role: string; content: string }) => ({
      role: m.role,
      content: m.content,
    }));
    const r = readPrompt(messages);
    const cut = r.ok && r.obs.phase === 'proposal' && !cutOnce;
    if (cut) cutOnce = true;
    const text = cut ? '' : (await answer('sim:linear', messages)).text;
    return {
      body: {
        id: 'x',
        object: 'chat.completion',
        created: 1,
        model: 'o3',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: cut ? 'length' : 'stop' }],
        usage: {
          prompt_tokens: 100,
          completion_tokens: cut ? req.body.max_completion_tokens : 40,
          total_tokens: 0,
          completion_tokens_details: { reasoning_tokens: cut ? req.body.max_completion_tokens : 10 },
        },
      },
    };
  });
  try {
    const chat = createChatModel('o3', {
      env: envFrom({ OPENAI_API_KEY: 'sk-test-cutoff-000000000001', OPENAI_BASE_URL: `${server.url}/v1` }),
      registry,
    });
    const spec = makeSpec({ n: 2, maxRounds: 1, discussionTurns: 0, privateThinking: false, reflection: false });
    const agent = new LlmAgent({ model: 'o3', chat, seat: 0, runIndex: 0 });
    const out = await play(spec, VALUES_2, [agent, new ScriptedAgent('linear', { seat: 1, seed: 1, runIndex: 0 })]);
    const props = callsOf(out.events, 'Agent_1').filter((c) => c.phase === 'proposal');
    assert.equal(props.length, 2, 'one cut-off answer, one repair');
    const sent = server.requests
      .filter(
        (q) =>
          readPrompt(q.body.messages).ok &&
          (readPrompt(q.body.messages) as { obs: Observation }).obs.phase === 'proposal',
      )
      .map((q) => q.body.max_completion_tokens);
    const first = tokenCap('proposal') + registry.get('o3').sampling.reasoning_tokens!;
    assert.deepEqual(sent, [first, 2 * first]);
    assert.equal(props[0].finish_reason, 'length');
    assert.equal(props[0].raw_text, '');
    assert.match(props[0].parse_error!, /output-token limit/);
    assert.deepEqual(
      [props[0].cap_scale, props[0].wire_max_output_tokens, props[0].max_output_tokens],
      [1, first, tokenCap('proposal')],
    );
    assert.deepEqual(
      [props[1].attempt, props[1].cap_scale, props[1].wire_max_output_tokens, props[1].max_output_tokens],
      [1, 2, 2 * first, tokenCap('proposal')],
    );
    assert.equal(props[1].parse_error, null);
    // the next phase starts again from the phase's own cap
    const vote = callsOf(out.events, 'Agent_1').find((c) => c.phase === 'voting')!;
    assert.equal(vote.cap_scale, 1);
    assert.equal(vote.wire_max_output_tokens, tokenCap('voting') + registry.get('o3').sampling.reasoning_tokens!);
  } finally {
    await server.close();
  }
});
