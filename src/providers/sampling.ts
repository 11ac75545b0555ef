/**
 * The registry's sampling rules applied to one request, before any wire format:
 *   chat       temperature passed through; the cap is the request's cap
 *   reasoning  temperature dropped (with a warning); a reasoning effort (request, else registry,
 *              else medium); the completion cap = request cap + reasoning_tokens, because
 *              OpenAI's max_completion_tokens counts hidden reasoning too
 *   thinking   (Gemini 2.5) a thinking budget of reasoning_tokens, added to the cap for the
 *              same reason (Gemini's maxOutputTokens includes thoughts); temperature kept
 *              (except for Claude, whose extended thinking refuses one)
 * Caps are clamped to the model's max_output_tokens. Pure; no I/O.
 */
import type { ChatRequest } from './types.ts';
import type { ModelEntry, Sampling } from './registry.ts';

export type ReasoningEffort = NonNullable<Sampling['reasoning_effort']>;

export interface WireSampling {
  kind: 'chat' | 'reasoning' | 'thinking';
  /** output-token cap to send (includes the reasoning allowance) */
  maxOutputTokens: number;
  temperature?: number;
  reasoningEffort?: ReasoningEffort;
  /** thinking models: tokens of thinking allowed */
  thinkingBudget?: number;
  warnings: string[];
}

export const DEFAULT_REASONING_TOKENS = 4096;
export const DEFAULT_THINKING_BUDGET = 1024;

export function wireSampling(entry: ModelEntry, req: Pick<ChatRequest, 'maxOutputTokens' | 'temperature' | 'reasoningEffort'>): WireSampling {
  const s = entry.sampling;
  const warnings: string[] = [];
  let temperature = req.temperature ?? s.temperature;
  let reasoningEffort: ReasoningEffort | undefined;
  let thinkingBudget: number | undefined;
  let cap = req.maxOutputTokens;

  if (s.kind === 'reasoning') {
    if (temperature !== undefined) {
      warnings.push(`temperature dropped: ${entry.name} is a reasoning model`);
      temperature = undefined;
    }
    reasoningEffort = req.reasoningEffort ?? s.reasoning_effort ?? 'medium';
    cap += s.reasoning_tokens ?? DEFAULT_REASONING_TOKENS;
  } else if (s.kind === 'thinking') {
    thinkingBudget = s.reasoning_tokens ?? DEFAULT_THINKING_BUDGET;
    if (entry.provider === 'anthropic' && temperature !== undefined) {
      // Claude's extended thinking refuses a temperature
      warnings.push(`temperature dropped: ${entry.name} thinks before answering`);
      temperature = undefined;
    }
    if (req.reasoningEffort !== undefined) warnings.push(`reasoning effort ignored: ${entry.name} uses a thinking budget of ${thinkingBudget} tokens`);
    cap += thinkingBudget;
  } else if (req.reasoningEffort !== undefined) {
    warnings.push(`reasoning effort ignored: ${entry.name} is not a reasoning model`);
  }
  if (entry.max_output_tokens !== undefined && cap > entry.max_output_tokens) {
    warnings.push(`output cap ${cap} lowered to ${entry.name}'s maximum of ${entry.max_output_tokens}`);
    cap = entry.max_output_tokens;
    if (thinkingBudget !== undefined && thinkingBudget >= cap) thinkingBudget = Math.floor(cap / 2);
  }
  return { kind: s.kind, maxOutputTokens: cap, temperature, reasoningEffort, thinkingBudget, warnings };
}
