/**
 * What the mock answers to a parsed request (DESIGN §3): the in-character text (agents/sim/brain.ts) with
 * any output fault (faults.ts), the token accounting as the mock counts it, the reasoning tokens
 * spent, the output-token cap, and OpenRouter's dollar cost. Deterministic in the request.
 */
import { answer } from '../agents/sim/brain.ts';
import { applyOutputFault, outputFault, unit, type FaultKind, type FaultRates } from './faults.ts';
import type { Completion, WireFormat, WireRequest } from './wire.ts';
import type { Price } from '../providers/registry.ts';
import { callDollars } from '../providers/cost.ts';
// the mock's usage is the one token estimate, so a client's up-front charge matches it
import { estimateMessageTokens, estimateTextTokens } from '../providers/tokens.ts';

const THOUGHT = 'Weighing my private values against what is on the table and what the others seem to want.';

/**
 * OpenRouter's `usage.cost`: the call's dollars at registry prices as cost.ts bills them (one
 * home for pricing; Anthropic rows carry their 5-minute write price), not rounded to cents.
 */
export function costOf(price: Price | undefined, c: Completion): number {
  if (!price) return 0;
  const usd = callDollars(price, {
    inputTokens: c.inputTokens,
    outputTokens: c.outputTokens + c.reasoningTokens,
    reasoningTokens: c.reasoningTokens,
    cacheReadTokens: c.cacheReadTokens,
    cacheWriteTokens: c.cacheWriteTokens,
  });
  return Math.round(usd * 1e12) / 1e12;
}

/** The answer, its token accounting, reasoning, the output-token cap, and any output fault. */
export async function complete(
  format: WireFormat,
  r: WireRequest,
  reqHash: string,
  occurrence: number,
  rates: FaultRates,
  strategies: Record<string, string>,
  scale: number,
): Promise<{
  completion: Omit<Completion, 'id' | 'created' | 'cacheReadTokens' | 'cacheWriteTokens'>;
  fault: FaultKind | null;
}> {
  const a = await answer(r.model, r.messages, strategies);
  let text = a.text;
  let fault: FaultKind | null = null;
  let cut = false;
  if (a.obs && (a.obs.phase === 'proposal' || a.obs.phase === 'voting') && text.trimStart().startsWith('{')) {
    const f = outputFault(reqHash, occurrence, rates);
    if (f) {
      ({ text, cut } = applyOutputFault(f, text));
      fault = f;
    }
  }
  const inputTokens = estimateMessageTokens(r.messages);
  let reasoning = reasoningTokens(format, r, reqHash, scale);
  let outputTokens = estimateTextTokens(text);
  // reasoning comes first and counts against the cap: a cap too small for it leaves no answer
  if (r.maxTokens !== null) {
    if (reasoning >= r.maxTokens) {
      reasoning = r.maxTokens;
      text = '';
      outputTokens = 0;
      cut = true;
    } else if (outputTokens > r.maxTokens - reasoning) {
      outputTokens = r.maxTokens - reasoning;
      text = text.slice(0, outputTokens * 4);
      cut = true;
    }
  }
  const showThought =
    reasoning > 0 && (format.name === 'anthropic' || format.name === 'openrouter' || r.includeThoughts);
  return {
    completion: {
      model: r.model,
      text,
      thought: showThought ? THOUGHT : null,
      finish: cut ? 'length' : 'stop',
      inputTokens,
      outputTokens,
      reasoningTokens: reasoning,
    },
    fault,
  };
}

/**
 * Reasoning tokens per effort, at scale 1: of the order real models spend on a negotiation
 * turn (OpenAI's reasoning guide advises reserving ~25k tokens for reasoning and output:
 * https://platform.openai.com/docs/guides/reasoning). OpenAI reasoning_effort and
 * Anthropic's adaptive effort draw from these ranges; a thinking budget (Anthropic enabled
 * thinking, Gemini thinkingBudget, OpenRouter reasoning.max_tokens) is spent from 40% up to all
 * of it; Gemini's dynamic thinking (-1) from the DYNAMIC range.
 */
export const REASONING_SPEND: Record<string, [number, number]> = {
  none: [0, 0],
  minimal: [0, 256],
  low: [256, 1500],
  medium: [512, 3000],
  high: [2000, 8000],
  xhigh: [4000, 16000],
  max: [8000, 24000],
};
const DYNAMIC: [number, number] = [1000, 8000];

/** Deterministic reasoning-token use, by effort or within the budget, times `scale`. */
function reasoningTokens(format: WireFormat, r: WireRequest, reqHash: string, scale: number): number {
  const span = ([lo, hi]: [number, number]) =>
    Math.round(scale * (lo + Math.floor(unit(reqHash, 'reasoning') * (hi - lo + 1))));
  if (r.thinkingBudget !== null) {
    if (r.thinkingBudget === 0) return 0;
    if (r.thinkingBudget < 0) return span(DYNAMIC);
    return Math.min(r.thinkingBudget, span([Math.floor(r.thinkingBudget * 0.4), r.thinkingBudget]));
  }
  if (r.reasoningEffort !== null && format.name !== 'gemini') return span(REASONING_SPEND[r.reasoningEffort]);
  return 0;
}
