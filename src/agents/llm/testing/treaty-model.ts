/**
 * Test-only treaty negotiator behind a ChatModel: reads its prompt back (prompt-reader) and
 * answers in character in the forms the prompt asks for, until the scripted treaty
 * strategies can play through the sim brain. It proposes its own ideal positions, moving
 * toward the others' latest proposals as the rounds pass, and accepts what is worth enough
 * to it by now (anything in the last round). Not used by the product.
 */
import type { ChatRequest } from '../../../providers/types.ts';
import type { Observation } from '../../agent.ts';
import { gameChatModel, type FnAnswer, type FnChatModel } from './chat-models.ts';

/** Own raw utility of an agreement, 0..100. */
export function ownUtility(obs: Pick<Observation, 'values' | 'positions'>, agreement: readonly number[]): number {
  const p = obs.positions!;
  return obs.values.reduce((u, w, k) => u + w * (1 - Math.abs(p[k] - agreement[k]) / 100), 0);
}

/** The share of the way from own ideals toward the others' proposals this round: 0 in round 1, 1 in the last. */
const progress = (obs: Observation) => (obs.spec.maxRounds > 1 ? (obs.round - 1) / (obs.spec.maxRounds - 1) : 1);

export function treatyProposal(obs: Observation): number[] {
  const others = new Map<string, number[]>();
  for (const f of obs.public)
    if (f.kind === 'proposal' && f.from !== obs.self && f.agreement) others.set(f.from, f.agreement);
  const own = obs.positions!;
  if (others.size === 0) return own.slice();
  const t = progress(obs);
  return own.map((p, k) => {
    const mean = [...others.values()].reduce((a, v) => a + v[k], 0) / others.size;
    return Math.round(p + t * (mean - p));
  });
}

export function treatyAnswer(obs: Observation): string {
  switch (obs.phase) {
    case 'discussion': {
      const top = obs.values.indexOf(Math.max(...obs.values));
      return `${obs.spec.items[top]} matters most to me.`;
    }
    case 'thinking':
    case 'reflection':
      return `Round ${obs.round}: I will move toward the others where it costs me least.`;
    case 'proposal':
      return JSON.stringify({ agreement: treatyProposal(obs), reasoning: 'a step toward the others' });
    case 'voting': {
      const floor = obs.round === obs.spec.maxRounds ? 0 : 90 - 40 * progress(obs);
      const votes = (obs.proposals ?? []).map((p) => ({
        proposal: p.proposal,
        accept: p.from === obs.self || ownUtility(obs, p.agreement!) >= floor,
      }));
      return JSON.stringify({ votes });
    }
  }
}

/**
 * A FnChatModel playing the treaty through its prompts; `override` may answer a turn
 * differently (return undefined to play normally).
 */
export function treatyChatModel(
  modelId: string,
  override?: (obs: Observation, req: ChatRequest) => FnAnswer | undefined,
): FnChatModel {
  return gameChatModel('treaty', modelId, (obs) => treatyAnswer(obs), override);
}
