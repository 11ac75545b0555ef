import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpec } from '../../game/index.ts';
import { runSeries } from '../../protocol/series.ts';
import type { TranscriptEvent } from '../../protocol/events.ts';
import { createLlmAgentFactory } from './index.ts';
import { FnChatModel, simChatModel } from './testing/chat-models.ts';

/** A model that refuses (or says nothing) in its first discussion turn, then plays like the sim. */
function flaky(answer: string): FnChatModel {
  const sim = simChatModel('sim:linear');
  let first = true;
  return new FnChatModel('flaky', async (req) => {
    const last = req.messages.at(-1)!.content;
    if (first && /discussion/.test(last.split('\n').find((l) => l.startsWith('===')) ?? '')) {
      first = false;
      return answer;
    }
    return (await sim.generate(req)).text;
  });
}

for (const [label, answer] of [
  ['a refusal', "I'm sorry, but I can't help with that."],
  ['an empty answer', ''],
] as const) {
  test(`${label} in the discussion is invalid output: one repair turn with the reason, never published`, async () => {
    const models = { a: flaky(answer), b: simChatModel('sim:linear') };
    const factory = createLlmAgentFactory({ chatModelFor: (m) => (m === 'a' ? models.a : models.b) });
    const events: TranscriptEvent[] = [];
    const docs = await runSeries({
      spec: makeSpec({ maxRounds: 2 }),
      level: 0.5,
      seed: 3,
      numRuns: 1,
      players: [
        { model: 'a', role: 'weak' },
        { model: 'b', role: 'strong' },
      ],
      factory,
      onRun: (_d, ev) => {
        events.push(...ev);
      },
    });
    const turns = events.filter((e) => e.type === 'turn' && e.agent === 'Agent_1' && e.phase === 'discussion');
    assert.equal(turns[0].type === 'turn' && turns[0].valid, false);
    assert.match(turns[0].type === 'turn' ? (turns[0].error ?? '') : '', label === 'a refusal' ? /declines/ : /empty/);
    assert.equal(turns[1].type === 'turn' && turns[1].attempt, 1, 'a repair turn followed');
    assert.equal(turns[1].type === 'turn' && turns[1].valid, true);
    const said = events
      .filter((e) => e.type === 'message' && e.agent === 'Agent_1')
      .map((e) => (e.type === 'message' ? e.text : ''));
    assert.ok(!said.includes(answer), 'the refusal or empty answer was not published as talk');
    assert.equal(docs[0].agents[0].repairs >= 1, true);
  });
}
