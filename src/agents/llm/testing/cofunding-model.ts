/**
 * Test-only co-funding negotiator behind a ChatModel: reads its prompt back (prompt-reader)
 * and answers in character in the forms the prompt asks for, until the scripted co-funding
 * strategies play through the sim brain. It pledges to the projects it values most, never more
 * than its value of a project nor than its share of the cost (a share that grows from 1/n in
 * round 1 to 2/n in the last), within its budget; it accepts a joint proposal that gives it a
 * positive payoff by its own pledge (which the voting turn shows it), and anything in the last
 * round. Not used by the product.
 */
import { toCents as cents } from '../../../game/cofunding/contributions.ts';
import assert from 'node:assert/strict';
import type { ChatRequest } from '../../../providers/types.ts';
import type { Observation } from '../../agent.ts';
import { isJointView } from '../cofunding-prompts.ts';
import { gameChatModel, type FnAnswer, type FnChatModel } from './chat-models.ts';

/** Own pledge: by value, descending, min(value, share × cost) per project while the budget lasts. */
export function cofundingPledge(obs: Pick<Observation, 'values' | 'budget' | 'costs' | 'spec' | 'round'>): number[] {
  const out = new Array<number>(obs.spec.m).fill(0);
  let left = cents(obs.budget!);
  const share = (1 + (obs.round - 1) / Math.max(1, obs.spec.maxRounds - 1)) / obs.spec.n;
  const order = obs.values.map((v, j) => [v, j] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [v, j] of order) {
    const want = Math.min(cents(v), Math.ceil(cents(obs.costs![j]) * share), left);
    out[j] = want / 100;
    left -= want;
  }
  return out;
}

/** Own raw payoff of a joint proposal by own pledge: Σ over funded projects of (value − pledge). */
export function ownPayoff(values: readonly number[], pledge: readonly number[], funded: readonly boolean[]): number {
  return funded.reduce((u, f, j) => (f ? u + cents(values[j]) - cents(pledge[j]) : u), 0) / 100;
}

export function cofundingAnswer(obs: Observation, pledge?: readonly number[]): string {
  switch (obs.phase) {
    case 'discussion': {
      const top = obs.values.indexOf(Math.max(...obs.values));
      return `${obs.spec.items[top]} matters most to me.`;
    }
    case 'thinking':
    case 'reflection':
      return `Round ${obs.round}: I will fund what I value most.`;
    case 'proposal':
      return JSON.stringify({ contributions: cofundingPledge(obs), reasoning: 'my share of what I value' });
    case 'voting': {
      const votes = (obs.proposals ?? []).map((p) => {
        assert.ok(isJointView(p.joint), 'a co-funding vote is on a joint proposal');
        const own = pledge ?? cofundingPledge(obs);
        return {
          proposal: p.proposal,
          accept: obs.round === obs.spec.maxRounds || ownPayoff(obs.values, own, p.joint.funded) > 0,
        };
      });
      return JSON.stringify({ votes });
    }
  }
}

/**
 * A FnChatModel playing co-funding through its prompts; `override` may answer a turn
 * differently (return undefined to play normally).
 */
export function cofundingChatModel(
  modelId: string,
  override?: (obs: Observation, req: ChatRequest) => FnAnswer | undefined,
): FnChatModel {
  return gameChatModel('cofunding', modelId, (obs, r) => cofundingAnswer(obs, r.pledge), override);
}
