/**
 * The conversation is laid out for the providers' prompt caches: over a whole negotiation
 * (discussion, thinking, proposals with repair turns, votes, reflection), every call of an
 * agent begins with its previous call's messages byte for byte, on our side and after the
 * wire conversion Anthropic and Gemini get; the system message is the same on every call and
 * holds nothing per call; the per-call instruction is the last message. Compaction alone may
 * rewrite the prefix. promptCache: false reaches every request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, makeSpec, type GameSpec } from '../../game/index.ts';
import type { Agent } from '../agent.ts';
import { runNegotiation } from '../../protocol/negotiation.ts';
import type { ChatMessage, ChatRequest } from '../../providers/types.ts';
import { toModelMessages } from '../../providers/sdk-model.ts';
import { ScriptedAgent } from '../scripted/strategies.ts';
import { LlmAgent, type LlmCallRecord } from './llm-agent.ts';
import { readPrompt } from './prompt-reader.ts';
import { systemPrompt } from './prompts.ts';
import { FnChatModel, simChatModel } from './testing/chat-models.ts';

const VALUES_3 = [
  [40, 25, 15, 12, 8],
  [5, 10, 20, 30, 35],
  [22, 3, 41, 9, 25],
];

/** the sim's answers, with the first proposal of every round unusable so its repair turns happen */
function chatFor(name: string): FnChatModel {
  const sim = simChatModel('sim:boulware');
  return new FnChatModel(name, async (req) => {
    const r = readPrompt(req.messages);
    if (r.ok && r.obs.phase === 'proposal' && !r.obs.repair) return 'I would rather not give JSON.';
    return (await sim.generate(req)).text;
  });
}

const same = (a: ChatMessage, b: ChatMessage) => a.role === b.role && a.content === b.content;
function startsWith(next: readonly ChatMessage[], prev: readonly ChatMessage[]): boolean {
  return next.length > prev.length && prev.every((m, i) => same(m, next[i]));
}

async function negotiate(spec: GameSpec, agents: Agent[]) {
  return runNegotiation({
    spec,
    agents,
    values: VALUES_3.slice(0, spec.n),
    cosine: 0.5,
    rng: createRng(11),
    runIndex: 0,
  });
}

test('every call of an agent begins with its previous call byte for byte, on our side and on the Anthropic/Gemini wire', async () => {
  const spec = makeSpec({ n: 3, m: 5, maxRounds: 4, discussionTurns: 2 });
  const chats = [0, 1, 2].map((s) => chatFor(`m${s}`));
  await negotiate(
    spec,
    chats.map((chat, seat) => new LlmAgent({ model: chat.modelId, chat, seat, runIndex: 0 })),
  );
  for (const [s, chat] of chats.entries()) {
    const reqs = chat.requests.map((r) => r.messages);
    assert.ok(reqs.length > 15, `Agent_${s + 1} made ${reqs.length} calls`);
    const phases = new Set(
      reqs.map((m) => readPrompt(m)).map((r) => (r.ok ? r.obs.phase + (r.obs.repair ? '+repair' : '') : 'unreadable')),
    );
    for (const p of ['discussion', 'thinking', 'proposal', 'proposal+repair', 'voting'])
      assert.ok(phases.has(p), `no ${p} call`);
    const system = systemPrompt(spec, `Agent_${s + 1}`, VALUES_3[s]);
    for (const [k, msgs] of reqs.entries()) {
      assert.deepEqual(msgs[0], { role: 'system', content: system }, `call ${k}: the system message changed`);
      // nothing per call in it: no round counter, phase header, event line or correction count
      assert.doesNotMatch(msgs[0].content, /===|\[round \d|Round \d+ of|correction \d|New since/);
      assert.equal(msgs.filter((m) => m.role === 'system').length, 1);
      // the per-call instruction closes the prompt
      const last = msgs[msgs.length - 1];
      assert.equal(last.role, 'user');
      assert.match(last.content, /=== Round \d+ of \d+ \| \w+/);
      if (k === 0) continue;
      assert.ok(startsWith(msgs, reqs[k - 1]), `Agent_${s + 1} call ${k} does not begin with call ${k - 1}`);
      // what Anthropic and Gemini get (system on top, neighbours of one role merged) keeps the prefix too
      const wirePrev = toModelMessages(reqs[k - 1], true),
        wire = toModelMessages(msgs, true);
      assert.deepEqual(wire.slice(0, wirePrev.length), wirePrev, `Agent_${s + 1} call ${k}: the wire prefix changed`);
    }
  }
});

test('only compaction rewrites the prefix: every break is at a call that condensed more than the one before', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 8 });
  const chat = new FnChatModel('small', async (req) => {
    const base = (await simChatModel('sim:boulware').generate(req)).text;
    const r = readPrompt(req.messages);
    return r.ok && r.obs.phase === 'discussion' ? `${base} ${'I hold firm on my priorities. '.repeat(12)}` : base;
  });
  const agent = new LlmAgent({ model: 'small', chat, seat: 0, runIndex: 0, contextWindow: 3500 });
  const out = await negotiate(spec, [agent, new ScriptedAgent('boulware', { seat: 1, seed: 1, runIndex: 0 })]);
  const records = out.events.flatMap((e) =>
    e.type === 'turn' && e.agent === 'Agent_1' ? (e.calls ?? []) : [],
  ) as LlmCallRecord[];
  const reqs = chat.requests.map((r) => r.messages);
  assert.equal(records.length, reqs.length);
  let breaks = 0;
  for (let k = 1; k < reqs.length; k++) {
    if (startsWith(reqs[k], reqs[k - 1])) continue;
    breaks++;
    // a break comes with a digest in the first user turn: newly condensed rounds, or shorter excerpts of them
    assert.ok(
      records[k].compacted_rounds > 0 && /^Summary of rounds? 1/.test(reqs[k][1].content),
      `call ${k} broke the prefix without compaction`,
    );
    assert.deepEqual(reqs[k][0], reqs[k - 1][0], 'compaction never touches the system message');
  }
  assert.ok(breaks > 0, 'compaction happened');
  assert.ok(breaks <= reqs.length / 4, `${breaks} breaks in ${reqs.length} calls`);
});

test('promptCache: false in the agent options reaches every request; by default requests leave it unset', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 2 });
  const run = async (promptCache?: boolean) => {
    const chat = simChatModel('sim:boulware');
    const agent = new LlmAgent({
      model: 'sim:boulware',
      chat,
      seat: 0,
      runIndex: 0,
      ...(promptCache === undefined ? {} : { promptCache }),
    });
    await negotiate(spec, [agent, new ScriptedAgent('boulware', { seat: 1, seed: 1, runIndex: 0 })]);
    return chat.requests;
  };
  const off: ChatRequest[] = await run(false);
  assert.ok(off.length > 3 && off.every((r) => r.promptCache === false));
  const on = await run();
  assert.ok(on.length > 3 && on.every((r) => !('promptCache' in r)));
});

test('the call record carries the cache reads and writes the provider reported', async () => {
  const spec = makeSpec({ n: 2, maxRounds: 1 });
  const sim = simChatModel('sim:boulware');
  let k = 0;
  const chat = {
    spec: 'v1' as const,
    provider: 'test',
    modelId: 'm',
    keyLabel: 'K',
    async generate(req: ChatRequest) {
      const r = await sim.generate(req);
      k++;
      return {
        ...r,
        usage: {
          inputTokens: 1_000 + k,
          outputTokens: 10,
          reasoningTokens: 0,
          ...(k > 1 ? { cacheReadTokens: 900 + k, cacheWriteTokens: k } : { cacheWriteTokens: 1_001 }),
        },
      };
    },
  };
  const out = await negotiate(spec, [
    new LlmAgent({ model: 'm', chat, seat: 0, runIndex: 0 }),
    new ScriptedAgent('boulware', { seat: 1, seed: 1, runIndex: 0 }),
  ]);
  const calls = out.events.flatMap((e) =>
    e.type === 'turn' && e.agent === 'Agent_1' ? (e.calls ?? []) : [],
  ) as LlmCallRecord[];
  assert.ok(calls.length >= 2);
  assert.deepEqual(
    calls.map((c) => [c.input_tokens, c.cache_read_tokens, c.cache_write_tokens]),
    calls.map((_, i) => (i === 0 ? [1_001, 0, 1_001] : [1_001 + i, 901 + i, 1 + i])),
  );
});
