/**
 * GameSpec: the frozen, validated parameters of one game (DESIGN §2): item allocation's m items,
 * or the treaty's m issues and its ρ.
 * Pure; throws SpecError with a message that names the bad parameter.
 */
import { itemNames } from './items.ts';
import { issueNames, TREATY_ISSUES, TREATY_PARAMS } from './treaty/issues.ts';
import { COFUNDING_PARAMS, COFUNDING_PROJECTS, cofundingProjects } from './cofunding/projects.ts';
import { passThreshold } from './pass-rule.ts';

export class SpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecError';
  }
}

/** The games bargain knows (their registry is games.ts). */
export type GameName = 'item-allocation' | 'treaty' | 'cofunding';

export interface GameSpec {
  readonly game: GameName;
  readonly n: number;
  readonly m: number;
  readonly maxRounds: number;
  readonly gamma: number;
  readonly discussionTurns: number;
  readonly privateThinking: boolean;
  readonly reflection: boolean;
  /** the items (item allocation) or issues (treaty) by index */
  readonly items: readonly string[];
  readonly passThreshold: number;
  /** treaty: the rank correlation of the agents' positions (a level parameter); null in other games */
  readonly rho: number | null;
  /** co-funding: total budget ÷ total cost (a level parameter); null in other games */
  readonly sigma: number | null;
}

export interface GameParams {
  game?: GameName;
  n?: number;
  m?: number;
  maxRounds?: number;
  gamma?: number;
  discussionTurns?: number;
  privateThinking?: boolean;
  reflection?: boolean;
  rho?: number | null;
  sigma?: number | null;
}

/**
 * Every game parameter's bounds and default, in one place: the spec, the config schema,
 * the presets and the CLI flags derive theirs from here. `gamma` excludes its minimum.
 */
export const GAME_PARAMS = {
  n: { min: 2, max: 10, default: 2, name: 'the number of agents' },
  m: { min: 1, max: 200, default: 5, name: 'num_items' },
  maxRounds: { min: 1, max: 1000, default: 10, name: 'max_rounds' },
  gamma: { min: 0, max: 1, default: 0.9, name: 'gamma_discount' },
  discussionTurns: { min: 0, max: 20, default: 1, name: 'discussion_turns' },
} as const;

type IntParam = 'n' | 'm' | 'maxRounds' | 'discussionTurns';

function wholeIn(key: IntParam, v: number): number {
  const b = GAME_PARAMS[key];
  if (!Number.isInteger(v) || v < b.min || v > b.max) {
    throw new SpecError(`${b.name} must be a whole number from ${b.min} to ${b.max} (got ${v})`);
  }
  return v;
}

export function makeSpec(p: GameParams = {}): GameSpec {
  const game = p.game ?? 'item-allocation';
  const n = wholeIn('n', p.n ?? GAME_PARAMS.n.default);
  const m = wholeIn('m', p.m ?? GAME_PARAMS.m.default);
  if (game === 'treaty' && m > TREATY_ISSUES.length) {
    throw new SpecError(`num_issues must be a whole number from 1 to ${TREATY_ISSUES.length} (got ${m})`);
  }
  if (game === 'cofunding' && m > COFUNDING_PROJECTS.length) {
    throw new SpecError(`num_projects must be a whole number from 1 to ${COFUNDING_PROJECTS.length} (got ${m})`);
  }
  const sigma = game === 'cofunding' ? (p.sigma ?? COFUNDING_PARAMS.sigma.default) : null;
  if (sigma !== null && !(typeof sigma === 'number' && sigma > 0 && sigma <= 1)) {
    throw new SpecError(`sigma must be above 0 and at most 1 (got ${sigma})`);
  }
  const rho = game === 'treaty' ? (p.rho ?? TREATY_PARAMS.rho.default) : null;
  if (rho !== null && !(typeof rho === 'number' && rho >= -1 && rho <= 1)) {
    throw new SpecError(`rho must be a number from -1 to 1 (got ${rho})`);
  }
  const maxRounds = wholeIn('maxRounds', p.maxRounds ?? GAME_PARAMS.maxRounds.default);
  const gamma = p.gamma ?? GAME_PARAMS.gamma.default;
  if (!(typeof gamma === 'number' && gamma > GAME_PARAMS.gamma.min && gamma <= GAME_PARAMS.gamma.max)) {
    throw new SpecError(`gamma_discount must be in (0, 1] (got ${gamma})`);
  }
  const discussionTurns = wholeIn('discussionTurns', p.discussionTurns ?? GAME_PARAMS.discussionTurns.default);
  return Object.freeze({
    game,
    n,
    m,
    maxRounds,
    gamma,
    discussionTurns,
    privateThinking: p.privateThinking ?? true,
    reflection: p.reflection ?? true,
    items: Object.freeze(
      game === 'treaty' ? issueNames(m) : game === 'cofunding' ? cofundingProjects(m).map((p) => p.name) : itemNames(m),
    ),
    passThreshold: passThreshold(n),
    rho,
    sigma,
  });
}
