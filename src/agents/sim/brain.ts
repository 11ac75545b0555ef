/**
 * The mock server's negotiator: reads the negotiation from an LlmAgent's conversation
 * (prompt-reader.ts) and answers in character with a scripted strategy, in the JSON
 * forms the prompt asks for (an allocation, the treaty's agreement vector, or co-funding's
 * contribution vector). A deterministic function of (model, messages, strategy).
 * Prompts that are not negotiations get a short fixed reply.
 */
import { createHash } from 'node:crypto';
import { readPrompt, type PromptMessage } from '../llm/prompt-reader.ts';
import { isStrategy, ScriptedAgent } from '../scripted/strategies.ts';
import type { Observation, PublicFact } from '../agent.ts';

/** Strategies that keep state across turns; their earlier proposal turns are replayed from the prompt. */
const STATEFUL = new Set(['tit-for-tat', 'nash']);
/** Strategies the mock refuses to play (they misbehave by sleeping or throwing, which faults cover). */
const NOT_PLAYABLE = new Set(['crash', 'slow']);

export function playableStrategy(name: string): boolean {
  return isStrategy(name) && !NOT_PLAYABLE.has(name);
}

/** The strategy a model id plays: the --strategy map, then sim:<strategy>, else linear. */
export function strategyFor(model: string, map: Readonly<Record<string, string>> = {}): string {
  const tail = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  // own entries only: a model id such as constructor is not in every map
  const mapped = Object.hasOwn(map, model) ? map[model] : Object.hasOwn(map, tail) ? map[tail] : undefined;
  if (mapped) return mapped;
  const sim = /^sim:(.+)$/.exec(model) ?? /^sim:(.+)$/.exec(tail);
  if (sim && playableStrategy(sim[1])) return sim[1];
  return 'linear';
}

export function hashOf(...parts: unknown[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(typeof p === 'string' ? p : JSON.stringify(p)).update('\u0000');
  return h.digest('hex');
}

export interface BrainAnswer {
  text: string;
  /** null when the prompt was not a negotiation */
  obs: Observation | null;
  strategy: string;
}

export async function answer(
  model: string,
  messages: readonly PromptMessage[],
  map: Readonly<Record<string, string>> = {},
): Promise<BrainAnswer> {
  const strategy = strategyFor(model, map);
  const read = readPrompt(messages);
  if (!read.ok)
    return { text: 'Hello. I am a simulated negotiator; send me a bargain negotiation prompt.', obs: null, strategy };
  const obs = read.obs;
  const seed = parseInt(hashOf(model, messages).slice(0, 8), 16);
  const agent = new ScriptedAgent(strategy, { seat: obs.seat, seed, runIndex: 0 });
  // only item allocation's strategies keep memory; the treaty's and co-funding's read it all from obs
  if (STATEFUL.has(strategy) && obs.spec.game === 'item-allocation') await replay(agent, obs);
  const reply = await agent.act(obs);
  return { text: renderReply(obs, reply.text, reply.value), obs, strategy };
}

/** Feeds the agent its earlier proposal turns so its memory matches a live run. */
async function replay(agent: ScriptedAgent, obs: Observation): Promise<void> {
  const last = obs.phase === 'voting' || obs.phase === 'reflection' ? obs.round : obs.round - 1;
  for (let k = 1; k <= last; k++) {
    const pub: PublicFact[] = obs.public.filter(
      (f) => f.round < k || (f.round === k && (f.kind === 'message' || f.kind === 'message_void')),
    );
    await agent.act({
      ...obs,
      phase: 'proposal',
      round: k,
      turn: 0,
      public: pub,
      proposals: undefined,
      repair: undefined,
    });
  }
}

/** The scripted reply in the form the prompt asked for: a proposal or votes as JSON, else the text. */
export function renderReply(obs: Observation, text: string, value: unknown): string {
  switch (obs.phase) {
    case 'proposal':
      if (obs.spec.game === 'cofunding') {
        if (Array.isArray(value))
          return JSON.stringify({
            contributions: value,
            reasoning: `Round ${obs.round}: these pledges meet my target.`,
          });
        return text;
      }
      if (obs.spec.game === 'treaty') {
        if (Array.isArray(value))
          return JSON.stringify({ agreement: value, reasoning: `Round ${obs.round}: this treaty meets my target.` });
        return text;
      }
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        return JSON.stringify({ allocation: value, reasoning: `Round ${obs.round}: this split meets my target.` });
      }
      return text;
    case 'voting':
      if (Array.isArray(value))
        return JSON.stringify({ votes: value.map((accept, k) => ({ proposal: k + 1, accept })) });
      return text;
    default:
      return text;
  }
}
