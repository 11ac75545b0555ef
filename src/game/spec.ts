/**
 * GameSpec: the frozen, validated parameters of one item-allocation game (DESIGN §2).
 * Pure; throws SpecError with a message that names the bad parameter.
 */
import { itemNames } from './items.ts';
import { passThreshold } from './pass-rule.ts';

export class SpecError extends Error {
  constructor(message: string) { super(message); this.name = 'SpecError'; }
}

export interface GameSpec {
  readonly n: number;
  readonly m: number;
  readonly maxRounds: number;
  readonly gamma: number;
  readonly discussionTurns: number;
  readonly privateThinking: boolean;
  readonly reflection: boolean;
  readonly items: readonly string[];
  readonly passThreshold: number;
}

export interface GameParams {
  n?: number; m?: number; maxRounds?: number; gamma?: number;
  discussionTurns?: number; privateThinking?: boolean; reflection?: boolean;
}

function posInt(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw new SpecError(`${name} must be a whole number from 1 to ${max} (got ${v})`);
  return v;
}

export function makeSpec(p: GameParams = {}): GameSpec {
  const n = p.n ?? 2;
  if (!Number.isInteger(n) || n < 2 || n > 10) throw new SpecError(`the number of agents must be a whole number from 2 to 10 (got ${n})`);
  const m = posInt('num_items', p.m ?? 5, 200);
  const maxRounds = posInt('max_rounds', p.maxRounds ?? 10, 1000);
  const gamma = p.gamma ?? 0.9;
  if (!(typeof gamma === 'number' && gamma > 0 && gamma <= 1)) throw new SpecError(`gamma_discount must be in (0, 1] (got ${gamma})`);
  const discussionTurns = p.discussionTurns ?? 1;
  if (!Number.isInteger(discussionTurns) || discussionTurns < 0 || discussionTurns > 20) {
    throw new SpecError(`discussion_turns must be a whole number from 0 to 20 (got ${discussionTurns})`);
  }
  return Object.freeze({
    n, m, maxRounds, gamma, discussionTurns,
    privateThinking: p.privateThinking ?? true,
    reflection: p.reflection ?? true,
    items: Object.freeze(itemNames(m)),
    passThreshold: passThreshold(n),
  });
}
