/**
 * Test-only ChatModels of the real interface: FnChatModel answers with a function of the
 * request; simChatModel answers in character through the mock server's brain, in-process
 * (no HTTP), for fast protocol-level tests. Not used by the product.
 */
import assert from 'node:assert/strict';
import type { ChatModel, ChatRequest, ChatResult, FinishReason } from '../../../providers/types.ts';
import type { GameName } from '../../../game/index.ts';
import type { Observation } from '../../agent.ts';
import { readPrompt, type ReadResult } from '../prompt-reader.ts';
import { SimChatModel } from '../../sim/chat-model.ts';
import { estimateMessageTokens, estimateTextTokens } from '../../../providers/tokens.ts';

export type FnAnswer = string | { text: string; finishReason?: FinishReason };

export class FnChatModel implements ChatModel {
  readonly spec = 'v1' as const;
  readonly provider = 'test';
  readonly keyLabel = 'TEST_KEY';
  readonly requests: ChatRequest[] = [];
  constructor(
    readonly modelId: string,
    private readonly fn: (req: ChatRequest, k: number) => FnAnswer | Promise<FnAnswer>,
  ) {}

  async generate(req: ChatRequest): Promise<ChatResult> {
    this.requests.push(req);
    const a = await this.fn(req, this.requests.length - 1);
    const { text, finishReason = 'stop' } = typeof a === 'string' ? { text: a } : a;
    return {
      text,
      finishReason,
      usage: {
        inputTokens: estimateMessageTokens(req.messages),
        outputTokens: estimateTextTokens(text),
        reasoningTokens: 0,
      },
      warnings: [],
      provider: this.provider,
      modelId: this.modelId,
      route: 'test',
      attempts: 1,
      latencyMs: 1,
    };
  }
}

/** In-process sim (the product's SimChatModel) that also records its requests. */
export function simChatModel(modelId: string, strategies: Record<string, string> = {}): FnChatModel {
  const sim = new SimChatModel(modelId, 'test', strategies);
  return new FnChatModel(modelId, async (req) => (await sim.generate(req)).text);
}

/**
 * A FnChatModel that reads each prompt back into the agent's observation (prompt-reader.ts),
 * checks it is `game`'s, and answers with `answer`; `override` may answer a turn differently
 * (return undefined to play normally).
 */
export function gameChatModel(
  game: GameName,
  modelId: string,
  answer: (obs: Observation, read: Extract<ReadResult, { ok: true }>) => string,
  override?: (obs: Observation, req: ChatRequest) => FnAnswer | undefined,
): FnChatModel {
  return new FnChatModel(modelId, (req) => {
    const r = readPrompt(req.messages);
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.obs.spec.game, game);
    return override?.(r.obs, req) ?? answer(r.obs, r);
  });
}
