/**
 * Built-in grids (DESIGN §3, §4):
 *   seed     the 3 × 10 × 10 grid exactly as the seed wrote it (reproducibility; most of its
 *            models are retired by now, so commands refuse it unless --allow-retired)
 *   current  the seed's shape on models live on 2026-12-02: 3 weak models from the low end of
 *            the capability range × 10 strong ones spread across it, every provider represented
 *   ladder   one fixed baseline (gpt-5.4-mini at high effort, Arena 1454) against 16 models
 *            spanning Arena 1110–1512, the design the original study moved to in 2026
 *   demo     scripted negotiators, offline
 * Models of current/ladder have a sourced price and Arena score and no announced shutdown
 * before 2027-03 (registry lifecycle rows, read 2026-12-02); a test checks every preset but
 * seed against the lifecycle data on the day it runs.
 */
import { GAME_PARAMS, type GameName } from '../game/index.ts';
import { NUM_RUNS } from '../protocol/series.ts';
export interface GridDefinition {
  weak: string[];
  strong: string[];
  levels: number[];
  num_items: number;
  max_rounds: number;
  num_runs: number;
  base_seed: number;
  gamma_discount: number;
  discussion_turns: number;
  /** the game (item allocation when absent); a preset's models and levels serve every game */
  game?: GameName;
  /** treaty: the ρ values (one: a θ grid at that ρ; several: a full ρ × θ grid) and the number of issues */
  rho?: number[];
  num_issues?: number;
  /** co-funding: the σ values (budget ÷ cost; one: an α grid at that σ; several: σ × α) and the number of projects */
  sigma?: number[];
  num_projects?: number;
}

export const LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

/** A preset's game parameters are the game's defaults (src/game/spec.ts), so the two cannot drift. */
const DEFAULTS = {
  num_items: GAME_PARAMS.m.default,
  max_rounds: GAME_PARAMS.maxRounds.default,
  num_runs: NUM_RUNS.default,
  base_seed: 42,
  gamma_discount: GAME_PARAMS.gamma.default,
  discussion_turns: GAME_PARAMS.discussionTurns.default,
};

export const PRESETS: Record<string, GridDefinition> = {
  seed: {
    weak: ['gpt-4o', 'claude-3-opus', 'gemini-1-5-pro'],
    strong: [
      'gemini-2-0-flash',
      'gemini-2-5-flash',
      'gemini-2-5-pro',
      'claude-3-5-haiku',
      'claude-4-sonnet',
      'claude-4-opus',
      'o3-mini',
      'o4-mini',
      'o3',
      'chatgpt-5',
    ],
    levels: LEVELS,
    ...DEFAULTS,
  },
  current: {
    weak: ['llama-3-2-1b', 'llama-3-2-3b', 'llama-3-1-8b'],
    strong: [
      'claude-opus-4-8',
      'claude-opus-5',
      'gemini-3-1-pro-preview',
      'gpt-5-4',
      'claude-sonnet-4-6',
      'gpt-5-4-mini',
      'deepseek-v3-2',
      'mistral-large-3',
      'deepseek-v3',
      'llama-3-3-70b',
    ],
    levels: LEVELS,
    ...DEFAULTS,
  },
  ladder: {
    weak: ['gpt-5-4-mini'],
    strong: [
      'llama-3-2-1b',
      'llama-3-2-3b',
      'llama-3-1-8b',
      'qwen-2-5-72b',
      'llama-3-3-70b',
      'qwq-32b',
      'deepseek-v3',
      'mistral-large-3',
      'qwen3-235b',
      'deepseek-r1-0528',
      'deepseek-v3-2',
      'claude-sonnet-4-6',
      'gpt-5-4',
      'gemini-3-1-pro-preview',
      'claude-opus-5',
      'claude-opus-4-8',
    ],
    levels: LEVELS,
    ...DEFAULTS,
  },
  demo: {
    weak: ['scripted:conceder', 'scripted:linear', 'scripted:random'],
    strong: ['scripted:boulware', 'scripted:nash', 'scripted:tit-for-tat', 'scripted:greedy'],
    levels: LEVELS,
    ...DEFAULTS,
  },
};
