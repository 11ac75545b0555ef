/** Built-in grids (DESIGN §4): the 3 × 10 × 10 seed grid and the offline scripted demo grid. */
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
}

export const LEVELS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

const DEFAULTS = { num_items: 5, max_rounds: 10, num_runs: 4, base_seed: 42, gamma_discount: 0.9, discussion_turns: 1 };

export const PRESETS: Record<string, GridDefinition> = {
  seed: {
    weak: ['gpt-4o', 'claude-3-opus', 'gemini-1-5-pro'],
    strong: ['gemini-2-0-flash', 'gemini-2-5-flash', 'gemini-2-5-pro', 'claude-3-5-haiku', 'claude-4-sonnet',
      'claude-4-opus', 'o3-mini', 'o4-mini', 'o3', 'chatgpt-5'],
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
