/** Planning a grid into experiment configs: ids, seeds and the results subdirectory of each cell. */
import { COFUNDING_PARAMS, TREATY_PARAMS } from '../game/index.ts';
import type { ExperimentConfig } from '../results/config.ts';
import type { GridDefinition } from './presets.ts';

/**
 * The results subdirectory of a (weak, strong, level) cell, as users know it; a cell of a
 * game with a second level axis also names it (treaty rho_<ρ>_comp_<θ>, co-funding
 * sigma_<σ>_comp_<α>), so the cells of a two-axis grid stay apart.
 */
export function outputDir(
  weak: string,
  strong: string,
  level: number,
  second?: { name: 'rho' | 'sigma'; value: number },
): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-');
  const cell = `${second ? `${second.name}_${formatLevel(second.value)}_` : ''}comp_${formatLevel(level)}`;
  return `${safe(weak)}_vs_${safe(strong)}/${cell}`;
}

/** A cell directory outputDir names: comp_<level>, rho_<ρ>_comp_<θ> or sigma_<σ>_comp_<α>. */
export const CELL_DIR = /^((rho|sigma)_-?[\d.]+_)?comp_[\d.]+$/;

export function formatLevel(level: number): string {
  const s = String(Math.round(level * 1e6) / 1e6);
  return s.includes('.') ? s : `${s}.0`;
}

/**
 * Weak outermost, then strong, then the second axis (treaty ρ, co-funding σ), then level; ids 0..N-1; seed = base + id.
 * Item allocation's configs name no game (they read as before games were plug-ins).
 */
export function planGrid(g: GridDefinition): ExperimentConfig[] {
  const out: ExperimentConfig[] = [];
  const treaty = g.game === 'treaty',
    cofunding = g.game === 'cofunding';
  const seconds: ({ name: 'rho' | 'sigma'; value: number } | undefined)[] = treaty
    ? (g.rho ?? [TREATY_PARAMS.rho.default]).map((value) => ({ name: 'rho' as const, value }))
    : cofunding
      ? (g.sigma ?? [COFUNDING_PARAMS.sigma.default]).map((value) => ({ name: 'sigma' as const, value }))
      : [undefined];
  for (const weak of g.weak) {
    for (const strong of g.strong) {
      for (const second of seconds) {
        for (const level of g.levels) {
          const id = out.length;
          out.push({
            experiment_id: id,
            weak_model: weak,
            strong_model: strong,
            competition_level: level,
            num_items: g.num_items,
            max_rounds: g.max_rounds,
            random_seed: g.base_seed + id,
            output_dir: outputDir(weak, strong, level, second),
            num_runs: g.num_runs,
            gamma_discount: g.gamma_discount,
            discussion_turns: g.discussion_turns,
            ...(treaty
              ? {
                  game: 'treaty' as const,
                  rho: second!.value,
                  num_issues: g.num_issues ?? TREATY_PARAMS.issues.default,
                }
              : {}),
            ...(cofunding
              ? {
                  game: 'cofunding' as const,
                  sigma: second!.value,
                  num_projects: g.num_projects ?? COFUNDING_PARAMS.projects.default,
                }
              : {}),
          });
        }
      }
    }
  }
  return out;
}
