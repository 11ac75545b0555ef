/** Planning a grid into experiment configs: ids, seeds and the results subdirectory of each cell. */
import { TREATY_PARAMS } from '../game/index.ts';
import type { ExperimentConfig } from '../results/config.ts';
import type { GridDefinition } from './presets.ts';

/**
 * The results subdirectory of a (weak, strong, level) cell, as users know it; a treaty
 * cell also names its ρ (rho_<ρ>_comp_<θ>), so a ρ × θ grid's cells stay apart.
 */
export function outputDir(weak: string, strong: string, level: number, rho?: number): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-');
  const cell = rho === undefined ? `comp_${formatLevel(level)}` : `rho_${formatLevel(rho)}_comp_${formatLevel(level)}`;
  return `${safe(weak)}_vs_${safe(strong)}/${cell}`;
}

/** A cell directory outputDir names: comp_<level>, or rho_<ρ>_comp_<θ> for the treaty. */
export const CELL_DIR = /^(rho_-?[\d.]+_)?comp_[\d.]+$/;

export function formatLevel(level: number): string {
  const s = String(Math.round(level * 1e6) / 1e6);
  return s.includes('.') ? s : `${s}.0`;
}

/**
 * Weak outermost, then strong, then (treaty) ρ, then level; ids 0..N-1; seed = base + id.
 * Item allocation's configs name no game (they read as before games were plug-ins).
 */
export function planGrid(g: GridDefinition): ExperimentConfig[] {
  const out: ExperimentConfig[] = [];
  const treaty = g.game === 'treaty';
  const rhos: (number | undefined)[] = treaty ? (g.rho ?? [TREATY_PARAMS.rho.default]) : [undefined];
  for (const weak of g.weak) {
    for (const strong of g.strong) {
      for (const rho of rhos) {
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
            output_dir: outputDir(weak, strong, level, rho),
            num_runs: g.num_runs,
            gamma_discount: g.gamma_discount,
            discussion_turns: g.discussion_turns,
            ...(treaty
              ? { game: 'treaty' as const, rho, num_issues: g.num_issues ?? TREATY_PARAMS.issues.default }
              : {}),
          });
        }
      }
    }
  }
  return out;
}
