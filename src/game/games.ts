/** The registry of games: one place that names them all (the CLI's --game, configs, conformance). */
import type { Game, GameName } from './game.ts';
import { itemAllocation } from './item-allocation.ts';
import { treaty } from './treaty/game.ts';
import { cofunding } from './cofunding/game.ts';

export const GAMES: Readonly<Record<GameName, Game>> = {
  'item-allocation': itemAllocation as unknown as Game,
  treaty: treaty as unknown as Game,
  cofunding: cofunding as unknown as Game,
};

export const GAME_NAMES = Object.keys(GAMES) as GameName[];
export const DEFAULT_GAME: GameName = 'item-allocation';

export function isGameName(x: string): x is GameName {
  return Object.hasOwn(GAMES, x);
}

export function gameOf(spec: { game: GameName }): Game {
  return GAMES[spec.game];
}

/** The game names as a sentence lists them: "item-allocation, treaty or cofunding". */
export function gameList(): string {
  return GAME_NAMES.length > 1 ? `${GAME_NAMES.slice(0, -1).join(', ')} or ${GAME_NAMES.at(-1)}` : GAME_NAMES[0];
}
