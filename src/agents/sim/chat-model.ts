/**
 * The sim chat model: a ChatModel of the real interface that answers in character through
 * the brain (reads the prompt, plays a scripted strategy), in-process and without HTTP.
 * `estimate` samples a grid's calls and tokens with it; the mock server answers with the
 * same brain over the wire. Token counts are estimates (no tokenizer offline).
 */
import type { ChatModel, ChatRequest, ChatResult } from '../../providers/types.ts';
import { estimateMessageTokens, estimateTextTokens } from '../../providers/tokens.ts';
import { answer } from './brain.ts';

export class SimChatModel implements ChatModel {
  readonly spec = 'v1' as const;
  readonly provider = 'sim';
  readonly keyLabel = 'none';
  /**
   * @param modelId `sim:<strategy>` plays that strategy; any other id plays the brain's default
   * @param route what call records name as the route
   * @param strategies per-model strategy overrides, as the mock server takes them
   */
  constructor(
    readonly modelId: string,
    private readonly route = 'sim',
    private readonly strategies: Record<string, string> = {},
  ) {}

  async generate(req: ChatRequest): Promise<ChatResult> {
    const a = await answer(this.modelId, req.messages, this.strategies);
    return {
      text: a.text,
      finishReason: 'stop',
      usage: {
        inputTokens: estimateMessageTokens(req.messages),
        outputTokens: estimateTextTokens(a.text),
        reasoningTokens: 0,
      },
      warnings: [],
      provider: this.provider,
      modelId: this.modelId,
      route: this.route,
    };
  }
}
