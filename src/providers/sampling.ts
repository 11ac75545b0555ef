/**
 * The registry's sampling rules applied to one request on one route, before any wire format.
 * The result says exactly what goes on the wire, so the governor, the call timeout and the
 * call record all see the cap actually sent.
 *
 *   chat       temperature passed through; the cap is the request's cap
 *   reasoning  (OpenAI style: hidden reasoning inside the completion cap) temperature dropped,
 *              a reasoning effort, cap = request cap + a reasoning reserve. An OpenAI-wire model
 *              the AI SDK itself detects as a reasoning model (o-series, gpt-5+) is treated
 *              the same even when the registry says chat: that is what the SDK will send.
 *   thinking   budget    a thinking budget (Gemini 2.5, Claude up to 4.5), cap = request cap + budget
 *              adaptive  Claude 4.6+: thinking {type: adaptive} + an effort, never "enabled";
 *                        cap = request cap + reserve (max_tokens bounds thinking and text together)
 *              level     Gemini 3: thinkingConfig.thinkingLevel from the effort; cap = request cap + reserve
 * A request's capScale (repair turns after a cut-off answer) multiplies the whole cap, up to
 * REPAIR_CAP_CEILING. Caps are clamped to the model's max_output_tokens. Pure; no I/O.
 */
import type { ChatRequest } from './types.ts';
import type { ModelEntry, Sampling } from './registry.ts';

export type ReasoningEffort = NonNullable<Sampling['reasoning_effort']>;
export type ThinkingMode = NonNullable<Sampling['thinking']>;
export type GeminiThinkingLevel = 'minimal' | 'low' | 'medium' | 'high';
type AnthropicEffort = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface WireSampling {
  kind: 'chat' | 'reasoning' | 'thinking';
  /** how a thinking model is asked (kind thinking only) */
  thinking?: ThinkingMode;
  /** the output cap the request carries on the wire: visible answer + reasoning allowance */
  maxOutputTokens: number;
  /** what to hand the AI SDK as maxOutputTokens so that the wire carries maxOutputTokens
   *  (@ai-sdk/anthropic adds the thinking budget to max_tokens itself) */
  sdkMaxOutputTokens: number;
  temperature?: number;
  /** OpenAI reasoning_effort, OpenRouter reasoning.effort or Anthropic output_config.effort,
   *  already mapped to the values that provider takes */
  reasoningEffort?: ReasoningEffort;
  /** token budget of budget-mode thinking */
  thinkingBudget?: number;
  /** Gemini 3 thinking level */
  thinkingLevel?: GeminiThinkingLevel;
  /** OpenAI wire: the registry says reasoning, so the SDK's own model-name detection is overridden */
  forceReasoning?: boolean;
  warnings: string[];
}

/** The route a request travels: which API dialect, and the model id the SDK sees. */
export interface WireTarget {
  provider: string;
  modelId: string;
}

/**
 * Reasoning reserve when the registry gives no reasoning_tokens. OpenAI's reasoning guide
 * ("Allocating space for reasoning") advises reserving at least 25,000 tokens for reasoning
 * and outputs when starting out: https://platform.openai.com/docs/guides/reasoning
 * 24,576 + a phase cap of ~512 is that. Anthropic adaptive thinking and Gemini 3 thinking
 * levels spend from the same max_tokens / maxOutputTokens, so they get the same reserve
 * (https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking,
 * https://ai.google.dev/gemini-api/docs/thinking). Efforts above high ask for more thinking
 * than that guidance assumed: twice as much. 'none' does not reason; 'minimal' barely does.
 */
export const DEFAULT_REASONING_TOKENS = 24_576;
export function defaultReasoningReserve(effort: ReasoningEffort | undefined): number {
  switch (effort) {
    case 'none':
      return 0;
    case 'minimal':
      return 4096;
    case 'xhigh':
    case 'max':
      return 2 * DEFAULT_REASONING_TOKENS;
    default:
      return DEFAULT_REASONING_TOKENS;
  }
}

/** Budget-mode default: Anthropic's minimum budget_tokens, which its docs advise starting from
 *  (https://platform.claude.com/docs/en/build-with-claude/extended-thinking). */
export const DEFAULT_THINKING_BUDGET = 1024;
const ANTHROPIC_MIN_BUDGET = 1024;

/** A repair turn's cap grows (capScale) up to this, unless the unscaled cap is already higher. */
export const REPAIR_CAP_CEILING = 65_536;

/**
 * The AI SDK's reasoning-model detection for the OpenAI chat API, mirrored from
 * @ai-sdk/openai 3.x getOpenAILanguageModelCapabilities (not exported): o<N>… and gpt-<N>…
 * with N >= 5, except gpt-5-chat*-style ids without a minor version. For such a model the SDK
 * sends max_completion_tokens (which counts hidden reasoning) and drops temperature unless the
 * effort is 'none' on gpt-5.1 … gpt-5.x. clients.test.ts checks this mirror against the SDK.
 */
export function sdkOpenAIReasoning(modelId: string): { reasoning: boolean; nonReasoningParamsAtNone: boolean } {
  const o = /^o(\d+)(?:-|$)/.exec(modelId);
  const g = /^gpt-(\d+)(?:\.(\d+))?(?:-(.+))?$/.exec(modelId);
  const major = g ? Number(g[1]) : undefined;
  const minor = g?.[2] === undefined ? undefined : Number(g[2]);
  const chatVariant = g !== null && minor === undefined && (g[3]?.startsWith('chat') ?? false);
  const reasoning = o !== null || (major !== undefined && major >= 5 && !chatVariant);
  const nonReasoningParamsAtNone = major !== undefined && major < 6 && (major > 5 || (minor ?? 0) >= 1);
  return { reasoning, nonReasoningParamsAtNone };
}

const OPENAI_WIRE = new Set(['openai', 'compatible', 'sim']);

export function wireSampling(
  entry: ModelEntry,
  req: Pick<ChatRequest, 'maxOutputTokens' | 'temperature' | 'reasoningEffort' | 'capScale' | 'reasoningAllowance'>,
  target: WireTarget = { provider: entry.provider, modelId: entry.model_id },
): WireSampling {
  const s = entry.sampling;
  const warnings: string[] = [];
  const wire = target.provider;
  let temperature = req.temperature ?? s.temperature;
  const asked = req.reasoningEffort ?? s.reasoning_effort;
  const out: Omit<WireSampling, 'maxOutputTokens' | 'sdkMaxOutputTokens' | 'warnings'> = { kind: s.kind };
  let allowance = 0; // tokens for thinking on top of the visible cap
  let sdkAddsBudget = false; // @ai-sdk/anthropic adds budget_tokens to max_tokens itself
  const dropTemperature = (why: string) => {
    if (temperature !== undefined) warnings.push(`temperature dropped: ${entry.name} ${why}`);
    temperature = undefined;
  };

  const sdk = OPENAI_WIRE.has(wire) ? sdkOpenAIReasoning(target.modelId) : undefined;
  if (s.kind === 'reasoning' || (s.kind === 'chat' && sdk?.reasoning)) {
    out.kind = 'reasoning';
    if (s.kind === 'reasoning') {
      out.reasoningEffort = asked ?? 'medium';
      if (sdk) out.forceReasoning = true;
    } else {
      // the registry says chat, but the SDK will send this id as a reasoning model
      out.reasoningEffort = asked;
      warnings.push(
        `${entry.name}: ${target.modelId} is sent as a reasoning model (the AI SDK detects it; set sampling.kind "reasoning" in the registry to say so)`,
      );
    }
    // mirrors the SDK: at effort none, gpt-5.1 … gpt-5.x take a temperature again
    if (!(out.reasoningEffort === 'none' && sdk?.nonReasoningParamsAtNone)) dropTemperature('is a reasoning model');
    if (wire === 'openrouter' && out.reasoningEffort === 'max') {
      // OpenRouter's reasoning.effort stops at xhigh (https://openrouter.ai/docs/use-cases/reasoning-tokens)
      warnings.push(`reasoning effort max sent as xhigh: OpenRouter's highest`);
      out.reasoningEffort = 'xhigh';
    }
    allowance = req.reasoningAllowance ?? s.reasoning_tokens ?? defaultReasoningReserve(out.reasoningEffort);
  } else if (s.kind === 'thinking') {
    const mode: ThinkingMode = s.thinking ?? 'budget';
    out.thinking = mode;
    if (mode === 'budget') {
      let budget = s.reasoning_tokens ?? DEFAULT_THINKING_BUDGET;
      if (req.reasoningEffort !== undefined)
        warnings.push(`reasoning effort ignored: ${entry.name} uses a thinking budget of ${budget} tokens`);
      if (wire === 'google') budget = geminiBudget(entry.name, target.modelId, budget, warnings);
      if (wire === 'anthropic' && budget < ANTHROPIC_MIN_BUDGET) {
        warnings.push(`thinking budget ${budget} raised to Anthropic's minimum of ${ANTHROPIC_MIN_BUDGET}`);
        budget = ANTHROPIC_MIN_BUDGET;
      }
      out.thinkingBudget = budget;
      allowance = budget;
      sdkAddsBudget = wire === 'anthropic';
      // Claude's extended thinking refuses a temperature; Gemini 2.5 takes one
      if (entry.provider === 'anthropic' || wire === 'anthropic') dropTemperature('thinks before answering');
    } else if (mode === 'adaptive') {
      // Claude 4.6+: https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking
      // (budget-mode "enabled" is deprecated on 4.6 and a 400 on 4.7+); effort in output_config
      out.reasoningEffort = asked === undefined ? undefined : anthropicEffort(asked, warnings, wire === 'openrouter');
      allowance = req.reasoningAllowance ?? s.reasoning_tokens ?? defaultReasoningReserve(asked);
      dropTemperature('thinks before answering');
    } else {
      // Gemini 3: thinkingLevel, not thinkingBudget (https://ai.google.dev/gemini-api/docs/thinking);
      // temperature is accepted (Google advises leaving it at 1.0 for Gemini 3)
      if (asked !== undefined) {
        if (wire === 'openrouter')
          out.reasoningEffort = asked === 'max' ? 'xhigh' : asked; // OpenRouter maps effort to the level
        else out.thinkingLevel = geminiLevel(entry.name, target.modelId, asked, warnings);
      }
      allowance = req.reasoningAllowance ?? s.reasoning_tokens ?? defaultReasoningReserve(asked);
    }
  } else if (req.reasoningEffort !== undefined) {
    warnings.push(`reasoning effort ignored: ${entry.name} is not a reasoning model`);
  }

  let cap = req.maxOutputTokens + allowance;
  const scale = req.capScale ?? 1;
  if (scale > 1) cap = Math.max(cap, Math.min(Math.round(cap * scale), REPAIR_CAP_CEILING));
  if (entry.max_output_tokens !== undefined && cap > entry.max_output_tokens) {
    if (scale <= 1) warnings.push(`output cap ${cap} lowered to ${entry.name}'s maximum of ${entry.max_output_tokens}`);
    cap = entry.max_output_tokens;
    // the thinking budget must stay below the cap (Anthropic: budget_tokens < max_tokens)
    if (out.thinkingBudget !== undefined && out.thinkingBudget >= cap) out.thinkingBudget = Math.floor(cap / 2);
  }
  const sdkMaxOutputTokens = sdkAddsBudget && out.thinkingBudget !== undefined ? cap - out.thinkingBudget : cap;
  return { ...out, maxOutputTokens: cap, sdkMaxOutputTokens, temperature, warnings };
}

/** Anthropic's effort takes low … max (https://platform.claude.com/docs/en/build-with-claude/effort);
 *  OpenRouter's reasoning.effort stops at xhigh. */
function anthropicEffort(e: ReasoningEffort, warnings: string[], viaOpenRouter: boolean): ReasoningEffort {
  let mapped: AnthropicEffort | ReasoningEffort = e;
  if (e === 'none' || e === 'minimal') mapped = 'low';
  if (viaOpenRouter && e === 'max') mapped = 'xhigh';
  if (mapped !== e)
    warnings.push(
      `reasoning effort ${e} sent as ${mapped}: the nearest ${viaOpenRouter ? 'OpenRouter' : 'Anthropic'} takes`,
    );
  return mapped;
}

const isGeminiPro = (modelId: string) => /(^|[/-])gemini-[\d.]+-pro\b/.test(modelId);

/** Gemini 3 thinking levels: Flash takes minimal … high; Pro cannot turn thinking off, so
 *  none/minimal become low; nothing above high. https://ai.google.dev/gemini-api/docs/thinking */
function geminiLevel(name: string, modelId: string, e: ReasoningEffort, warnings: string[]): GeminiThinkingLevel {
  let level: GeminiThinkingLevel;
  if (e === 'none' || e === 'minimal') level = isGeminiPro(modelId) ? 'low' : 'minimal';
  else if (e === 'xhigh' || e === 'max') level = 'high';
  else level = e;
  if (level !== e)
    warnings.push(
      `reasoning effort ${e} sent as thinking level ${level} for ${name}${isGeminiPro(modelId) && level === 'low' ? ' (a Pro model cannot turn thinking off)' : ''}`,
    );
  return level;
}

/** Gemini 2.5 budgets: Pro 128 … 32768 (thinking cannot be turned off), Flash 0 … 24576.
 *  https://ai.google.dev/gemini-api/docs/thinking#set-budget */
function geminiBudget(name: string, modelId: string, budget: number, warnings: string[]): number {
  const pro = isGeminiPro(modelId);
  const [min, max] = pro ? [128, 32_768] : [0, 24_576];
  const b = Math.min(Math.max(budget, min), max);
  if (b !== budget)
    warnings.push(
      `thinking budget ${budget} set to ${b}: ${name} takes ${min} … ${max}${pro && budget < min ? ' (a Pro model cannot turn thinking off)' : ''}`,
    );
  return b;
}
