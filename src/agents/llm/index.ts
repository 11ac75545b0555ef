/**
 * LLM negotiators: createLlmAgentFactory turns a model name into an LlmAgent over the
 * ChatModel that `chatModelFor` gives (the provider layer's createChatModel, a cached or
 * governed wrapper of it, or a test model). chatModelFor is called once per agent, i.e.
 * per run and seat: memoise it if building a model is costly.
 */
import type { Agent, AgentContext } from '../agent.ts';
import type { ChatModel, ChatRequest, ChatResult } from '../../providers/types.ts';
import { LlmAgent, type PhaseTokenCaps } from './llm-agent.ts';

export interface LlmAgentFactoryOptions {
  chatModelFor(model: string): ChatModel;
  /** per-phase output-token caps (--max-tokens-discussion … --max-tokens-default) */
  maxTokens?: Partial<PhaseTokenCaps>;
  temperature?: number;
  reasoningEffort?: ChatRequest['reasoningEffort'];
  /** the model's context window in tokens (the registry's context_window); default 128000 */
  contextWindowFor?(model: string): number | undefined;
  /** share of the window at which the oldest rounds are condensed (default 0.7) */
  compactAt?: number;
  /** prefix of each request's scope, e.g. "exp12" -> "exp12/run3/Agent_1" */
  scope?: string;
  /** dollars of a call; default: the provider layer's costUsd on the result */
  costOf?: (result: ChatResult, model: string) => number;
  /** 'full' (default): each call record holds the whole prompt; 'delta': only what is new since the agent's previous call */
  recordPrompt?: 'full' | 'delta';
  /** false (--no-prompt-cache): no request asks the provider to cache its prefix */
  promptCache?: boolean;
}

export function createLlmAgentFactory(opts: LlmAgentFactoryOptions): (model: string, ctx: AgentContext) => Agent {
  return (model, ctx) =>
    new LlmAgent({
      model,
      chat: opts.chatModelFor(model),
      seat: ctx.seat,
      runIndex: ctx.runIndex,
      maxTokens: opts.maxTokens,
      temperature: opts.temperature,
      reasoningEffort: opts.reasoningEffort,
      contextWindow: opts.contextWindowFor?.(model),
      compactAt: opts.compactAt,
      scope: opts.scope,
      costOf: opts.costOf,
      recordPrompt: opts.recordPrompt,
      ...(opts.promptCache === false ? { promptCache: false } : {}),
    });
}

export {
  LlmAgent,
  DEFAULT_MAX_TOKENS,
  expandPrompts,
  tokenCap,
  type LlmAgentOptions,
  type LlmCallRecord,
  type PhaseTokenCaps,
  type TokenCapPhase,
} from './llm-agent.ts';
export { parseAllocation, parseProposal, parseVotes, type Parsed } from './parse.ts';
export { parseAgreement } from './treaty-parse.ts';
export { parseContributions } from './cofunding-parse.ts';
export { systemPrompt, PROMPT_VERSION } from './prompts.ts';
