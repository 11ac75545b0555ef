/** Planning a grid into experiment configs: ids, seeds and the results subdirectory of each cell. */
import type { ExperimentConfig } from '../results/config.ts';
import type { GridDefinition } from './presets.ts';

/** The results subdirectory of a (weak, strong, level) cell, as users know it. */
export function outputDir(weak: string, strong: string, level: number): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '-');
  return `${safe(weak)}_vs_${safe(strong)}/comp_${formatLevel(level)}`;
}

export function formatLevel(level: number): string {
  const s = String(Math.round(level * 1e6) / 1e6);
  return s.includes('.') ? s : `${s}.0`;
}

/** Weak outermost, then strong, then level; ids 0..N-1; seed = base + id. */
export function planGrid(g: GridDefinition): ExperimentConfig[] {
  const out: ExperimentConfig[] = [];
  for (const weak of g.weak) {
    for (const strong of g.strong) {
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
          output_dir: outputDir(weak, strong, level),
          num_runs: g.num_runs,
          gamma_discount: g.gamma_discount,
          discussion_turns: g.discussion_turns,
        });
      }
    }
  }
  return out;
}
