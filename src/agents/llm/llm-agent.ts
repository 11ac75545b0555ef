/**
 * LlmAgent: an Agent backed by an injected ChatModel (DESIGN §3). One conversation per
 * agent (prompts.ts): the system rules and own values, then per turn a user message with
 * the public events since its last turn and the phase instruction; its own answers are
 * the assistant turns. Each call's messages begin with the previous call's byte for byte
 * (only compaction rewrites them), and nothing per call sits in the system message, so
 * the providers' prompt caches serve the whole earlier conversation. Each call is recorded (ModelCallRecord) with the full prompt, raw
 * text, parse outcome, tokens, cost and timing. Proposals and votes are parsed tolerantly
 * (parse.ts); anything unusable comes back as parseError so the protocol runs its repair
 * turns: refusals and cut-off answers are never replaced by an invented one. Near the
 * model's context window the oldest rounds are condensed into a deterministic digest.
 * In co-funding the others see only the joint proposal, so the agent remembers its own last
 * parsed pledge of the round: the voting turn shows it with the payoff it gives, and a
 * condensed voting turn keeps it in the digest.
 * Provider errors (after the provider layer's own retries) propagate: the protocol turns
 * them into a failed run. Imports src/protocol, src/game, and provider types only.
 */
import { agentId } from '../../game/index.ts';
import type { Agent, AgentReply, ModelCallRecord, Observation, Phase, PrivateFact, PublicFact } from '../agent.ts';
import type { ChatMessage, ChatModel, ChatRequest, ChatResult } from '../../providers/types.ts';
import { estimateMessageTokens } from '../../providers/tokens.ts';
import { parseProposal, parseVotes, stripThinking, type Parsed } from './parse.ts';
import { declinesToTakePart } from './refusal.ts';
import { digestText, systemPrompt, userTurn, type DigestTurn } from './prompts.ts';
import { isJointView, pledgeIn } from './cofunding-prompts.ts';

export type TokenCapPhase = Phase | 'default';
export type PhaseTokenCaps = Record<TokenCapPhase, number>;

/** Built-in output-token caps per phase (the CLI's --max-tokens-<phase> override them). */
export const DEFAULT_MAX_TOKENS: Readonly<PhaseTokenCaps> = Object.freeze({
  discussion: 512,
  thinking: 768,
  proposal: 512,
  voting: 256,
  reflection: 512,
  default: 512,
});

/** A phase's cap: its own setting, else the user's default, else the built-in phase cap. */
export function tokenCap(phase: Phase, caps: Partial<PhaseTokenCaps> = {}): number {
  return caps[phase] ?? caps.default ?? DEFAULT_MAX_TOKENS[phase];
}

export interface LlmAgentOptions {
  /** the registry name (e.g. gpt-4o), recorded as the agent's model */
  model: string;
  chat: ChatModel;
  seat: number;
  runIndex: number;
  maxTokens?: Partial<PhaseTokenCaps>;
  temperature?: number;
  reasoningEffort?: ChatRequest['reasoningEffort'];
  /** the model's context window in tokens (default 128000) */
  contextWindow?: number;
  /** condense the oldest rounds when the estimated prompt exceeds this share of the window (default 0.7) */
  compactAt?: number;
  /** prefix of each request's scope, e.g. "exp12"; the scope is "<prefix>/run<k>/Agent_<s>" */
  scope?: string;
  /** dollars of one call; default: the result's costUsd if the provider layer sets it, else 0 */
  costOf?: (result: ChatResult, model: string) => number;
  /** clock for latency when the provider does not report it */
  now?: () => number;
  /**
   * How each call record holds the prompt: 'full' (default) the whole message list;
   * 'delta' only the messages after the first `messages_base` ones, which equal the start
   * of this agent's previous call (transcripts grow linearly instead of quadratically).
   */
  recordPrompt?: 'full' | 'delta';
  /** false (--no-prompt-cache): every request asks the provider not to cache its prefix */
  promptCache?: boolean;
}

/** Rebuilds full prompts from 'delta' call records of one agent, in call order. */
export function expandPrompts(records: readonly Pick<LlmCallRecord, 'messages' | 'messages_base'>[]): ChatMessage[][] {
  const out: ChatMessage[][] = [];
  let prev: ChatMessage[] = [];
  for (const r of records) {
    const full = [...prev.slice(0, r.messages_base ?? 0), ...r.messages];
    out.push(full);
    prev = full;
  }
  return out;
}

/** One LLM call as recorded in the transcript. */
export interface LlmCallRecord extends ModelCallRecord {
  model: string;
  route: string;
  provider: string;
  key_label: string;
  model_id: string;
  phase: Phase;
  round: number;
  /** 0 = first answer, k = k-th repair turn */
  attempt: number;
  call_index: number;
  scope: string;
  /** the phase's output cap, as asked */
  max_output_tokens: number;
  /** the cap multiplier asked for (2, 4, … on repairs of answers cut off at the limit) */
  cap_scale: number;
  /** the output cap actually sent (phase cap × scale + reasoning allowance, clamped); null if unknown */
  wire_max_output_tokens: number | null;
  /** the prompt sent (or, with recordPrompt 'delta', the part after messages_base) */
  messages: ChatMessage[];
  /** leading messages shared with this agent's previous call and left out of `messages` (delta mode) */
  messages_base?: number;
  raw_text: string;
  parsed: unknown;
  parse_error: string | null;
  parse_notes: string[];
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  /** input tokens read from the provider's prompt cache (part of input_tokens) */
  cache_read_tokens: number;
  /** input tokens written to the provider's prompt cache (part of input_tokens) */
  cache_write_tokens: number;
  latency_ms: number;
  cost_usd: number;
  attempts: number;
  cached: boolean;
  finish_reason: string;
  raw_finish_reason: string | null;
  warnings: string[];
  compacted_rounds: number;
  /** the model id the provider says answered (Gemini modelVersion, others `model`); null when it said none */
  served_model_id: string | null;
  /** a model other than the requested one (or its dated snapshots / registry served_ids) answered */
  served_model_mismatch: boolean;
  /** registry name whose price was charged, when not this model's (the served model's) */
  priced_as?: string;
}

interface Turn {
  round: number;
  phase: Phase;
  user: string;
  publicFacts: readonly PublicFact[];
  privateFacts: readonly PrivateFact[];
  assistant: string | null;
  /** co-funding, a voting turn: the own pledge in the joint proposal voted on */
  pledge?: readonly number[];
}

const DIGEST_EXCERPTS = [200, 60, 0];
/** stands in for an empty answer in the history (providers reject empty assistant turns) */
export const EMPTY_ANSWER = '(no answer)';

export class LlmAgent implements Agent {
  readonly model: string;
  private readonly chat: ChatModel;
  private readonly opts: LlmAgentOptions;
  private system: string | null = null;
  private turns: Turn[] = [];
  private digested: DigestTurn[] = [];
  private excerptLevel = 0;
  private publicSeen = 0;
  private privateSeen = 0;
  private callIndex = 0;
  private lastPrompt: ChatMessage[] = [];
  /** the public project costs (co-funding), for event lines and the digest */
  private costs: readonly number[] | undefined;
  /**
   * Co-funding: the value of this agent's latest proposal turn when it parsed (null when it did
   * not). A joint proposal exists only when every agent's pledge was valid, and an invalid one
   * gets another turn, so at a vote of the same round it is the pledge in the joint proposal.
   */
  private pledge: { round: number; value: readonly number[] } | null = null;
  /** this agent's previous call: was it cut off at the output limit, and with what cap scale */
  private lastCall: { cutOff: boolean; capScale: number } = { cutOff: false, capScale: 1 };
  readonly self: string;
  readonly scope: string;

  constructor(opts: LlmAgentOptions) {
    this.opts = opts;
    this.model = opts.model;
    this.chat = opts.chat;
    this.self = agentId(opts.seat);
    this.scope = `${opts.scope ? opts.scope + '/' : ''}run${opts.runIndex}/${this.self}`;
  }

  get contextWindow(): number {
    return this.opts.contextWindow ?? 128_000;
  }

  /** The messages the next call would send (for inspection and tests). */
  messages(): ChatMessage[] {
    const out: ChatMessage[] = [{ role: 'system', content: this.system ?? '' }];
    const digest = this.digested.length
      ? digestText(this.specForDigest!, this.self, this.digested, DIGEST_EXCERPTS[this.excerptLevel], this.costs)
      : '';
    this.turns.forEach((t, i) => {
      out.push({ role: 'user', content: i === 0 && digest ? `${digest}\n\n${t.user}` : t.user });
      if (t.assistant !== null) out.push({ role: 'assistant', content: t.assistant });
    });
    return out;
  }

  private specForDigest: Observation['spec'] | null = null;

  async act(obs: Observation, signal?: AbortSignal): Promise<AgentReply> {
    if (obs.self !== this.self) throw new Error(`LlmAgent for ${this.self} was given ${obs.self}'s observation`);
    if (this.system === null) {
      // an Observation carries exactly the private view (values, positions, budget, costs)
      this.system = systemPrompt(obs.spec, obs.self, obs);
      this.specForDigest = obs.spec;
      this.costs = obs.costs;
    }
    const newPublic = obs.public.slice(this.publicSeen);
    const newPrivate = obs.private.slice(this.privateSeen);
    this.publicSeen = obs.public.length;
    this.privateSeen = obs.private.length;
    const opening = this.turns.length === 0 && this.digested.length === 0;
    const pledge = this.ownPledge(obs);
    this.turns.push({
      round: obs.round,
      phase: obs.phase,
      user: userTurn(obs, newPublic, newPrivate, opening, { pledge }),
      publicFacts: newPublic,
      privateFacts: newPrivate,
      assistant: null,
      ...(pledge ? { pledge } : {}),
    });
    this.compact(obs.round);

    const messages = this.messages();
    const maxOutputTokens = tokenCap(obs.phase, this.opts.maxTokens);
    const callIndex = this.callIndex++;
    // A repair of an answer cut off at the output limit (often empty: reasoning ate the cap)
    // gets twice the previous room; the provider layer bounds it (sampling.ts).
    const capScale = obs.repair ? this.lastCall.capScale * (this.lastCall.cutOff ? 2 : 1) : 1;
    const req: ChatRequest = {
      messages,
      maxOutputTokens,
      callIndex,
      scope: this.scope,
      signal,
      ...(capScale !== 1 ? { capScale } : {}),
      ...(this.opts.temperature !== undefined ? { temperature: this.opts.temperature } : {}),
      ...(this.opts.reasoningEffort !== undefined ? { reasoningEffort: this.opts.reasoningEffort } : {}),
      ...(this.opts.promptCache === false ? { promptCache: false } : {}),
    };
    const now = this.opts.now ?? (() => performance.now());
    const t0 = now();
    const result = await this.chat.generate(req);
    this.lastCall = { cutOff: result.finishReason === 'length', capScale };
    const latency = result.latencyMs ?? now() - t0;
    const raw = typeof result.text === 'string' ? result.text : '';
    const turn = this.turns[this.turns.length - 1];
    turn.assistant = raw.trim() === '' ? EMPTY_ANSWER : raw;

    const outcome = interpret(obs, raw, result);
    if (obs.phase === 'proposal')
      this.pledge = outcome.ok && Array.isArray(outcome.value) ? { round: obs.round, value: outcome.value } : null;
    const record: LlmCallRecord = {
      model: this.model,
      route: result.route,
      provider: result.provider,
      key_label: result.keyLabel ?? this.chat.keyLabel,
      model_id: result.modelId,
      phase: obs.phase,
      round: obs.round,
      attempt: obs.repair?.attempt ?? 0,
      call_index: callIndex,
      scope: this.scope,
      max_output_tokens: maxOutputTokens,
      cap_scale: capScale,
      wire_max_output_tokens: result.wireMaxOutputTokens ?? null,
      ...this.promptForRecord(messages),
      raw_text: raw,
      parsed: outcome.ok ? (outcome.value ?? null) : null,
      parse_error: outcome.ok ? null : outcome.error,
      parse_notes: outcome.ok ? outcome.notes : [],
      input_tokens: result.usage.inputTokens,
      output_tokens: result.usage.outputTokens,
      reasoning_tokens: result.usage.reasoningTokens,
      cache_read_tokens: result.usage.cacheReadTokens ?? 0,
      cache_write_tokens: result.usage.cacheWriteTokens ?? 0,
      latency_ms: Math.round(latency),
      cost_usd: this.opts.costOf ? this.opts.costOf(result, this.model) : costField(result),
      attempts: result.attempts ?? 1,
      cached: result.cached ?? false,
      finish_reason: result.finishReason,
      raw_finish_reason: result.rawFinishReason ?? null,
      warnings: [
        ...(result.warnings ?? []),
        ...(result.servedModelMismatch
          ? [`answered by ${result.servedModelId}, not the requested ${result.modelId}`]
          : []),
      ],
      compacted_rounds: new Set(this.digested.map((d) => d.round)).size,
      served_model_id: result.servedModelId ?? null,
      served_model_mismatch: result.servedModelMismatch === true,
      ...(result.pricedAs ? { priced_as: result.pricedAs } : {}),
    };
    const reply: AgentReply = { text: outcome.text, calls: [record] };
    if (outcome.ok) {
      if (outcome.value !== undefined) reply.value = outcome.value;
    } else reply.parseError = outcome.error;
    return reply;
  }

  /** Co-funding, a vote: the own pledge in the joint proposal on the table, when it is known; else null. */
  private ownPledge(obs: Observation): readonly number[] | null {
    const joint = obs.phase === 'voting' ? obs.proposals?.[0]?.joint : undefined;
    if (!isJointView(joint) || this.pledge?.round !== obs.round) return null;
    return pledgeIn(joint, this.pledge.value);
  }

  private promptForRecord(messages: ChatMessage[]): { messages: ChatMessage[]; messages_base?: number } {
    const prev = this.lastPrompt;
    this.lastPrompt = messages;
    if (this.opts.recordPrompt !== 'delta') return { messages };
    let base = 0;
    while (
      base < prev.length &&
      base < messages.length &&
      prev[base].role === messages[base].role &&
      prev[base].content === messages[base].content
    )
      base++;
    return { messages: messages.slice(base), messages_base: base };
  }

  /** Condenses whole rounds, oldest first, while the prompt is over the threshold; never the current round. */
  private compact(currentRound: number): void {
    const limit = (this.opts.compactAt ?? 0.7) * this.contextWindow;
    while (estimateMessageTokens(this.messages()) > limit) {
      const oldest = this.turns[0]?.round;
      if (oldest !== undefined && oldest < currentRound) {
        while (this.turns.length && this.turns[0].round === oldest) {
          const t = this.turns.shift()!;
          this.digested.push({
            round: t.round,
            phase: t.phase,
            publicFacts: t.publicFacts,
            privateFacts: t.privateFacts,
            own: t.assistant === null || t.assistant === EMPTY_ANSWER ? null : t.assistant,
            ...(t.pledge ? { pledge: t.pledge } : {}),
          });
        }
        continue;
      }
      if (this.digested.length && this.excerptLevel < DIGEST_EXCERPTS.length - 1) {
        this.excerptLevel++;
        continue;
      }
      return; // nothing left to condense; the provider reports a prompt that is still too long
    }
  }
}

function costField(r: ChatResult): number {
  const c = (r as ChatResult & { costUsd?: unknown }).costUsd;
  return typeof c === 'number' && Number.isFinite(c) ? c : 0;
}

type Outcome = ({ ok: true; value?: unknown; notes: string[] } | { ok: false; error: string }) & { text: string };

/** What the model's answer means for this phase. */
function interpret(obs: Observation, raw: string, result: ChatResult): Outcome {
  const visible = stripThinking(raw);
  if (obs.phase === 'discussion' || obs.phase === 'thinking' || obs.phase === 'reflection') {
    const text = visible.trim();
    // Empty or declining answers are invalid output (a repair turn, then a recorded void),
    // never published as if the model had spoken. "I can't accept that" is negotiation, not a refusal.
    if (text === '')
      return {
        ok: false,
        error:
          result.finishReason === 'length'
            ? 'the answer is empty: the output-token limit was reached before any text'
            : 'the answer is empty; write your message as plain text',
        text: raw,
      };
    if (declinesToTakePart(text))
      return {
        ok: false,
        error:
          'the answer declines to take part; this is a negotiation game with no real stakes: answer in character as plain text',
        text: raw,
      };
    return { ok: true, notes: visible !== raw ? ['thinking removed'] : [], text };
  }
  const ctx = { finishReason: result.finishReason };
  const parsed: Parsed<unknown> =
    obs.phase === 'proposal'
      ? parseProposal(visible, obs.spec, ctx)
      : parseVotes(visible, obs.proposals?.length ?? 0, ctx);
  if (!parsed.ok && result.finishReason === 'content_filter') {
    return { ok: false, error: `the provider's content filter stopped the answer; ${parsed.error}`, text: raw };
  }
  return { ...parsed, text: raw };
}
