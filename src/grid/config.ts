/**
 * Experiment configs (DESIGN §4): the schema (validated once at load, defaults filled),
 * planning a grid into configs, and the content hash that ties a result to its config.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, posix, win32 } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.ts';
import type { GridDefinition } from './presets.ts';

/** An output_dir is joined to the results directory: absolute or escaping paths would write elsewhere. */
function insideResults(dir: string): boolean {
  if (isAbsolute(dir) || win32.isAbsolute(dir) || dir.includes('\0')) return false;
  const n = posix.normalize(dir.replace(/\\/g, '/'));
  return n !== '..' && !n.startsWith('../');
}

export const ExperimentConfigSchema = z.object({
  experiment_id: z.number().int().min(0),
  weak_model: z.string().min(1),
  strong_model: z.string().min(1),
  competition_level: z.number().min(0).max(1),
  num_items: z.number().int().min(1).max(200).default(5),
  max_rounds: z.number().int().min(1).max(1000).default(10),
  random_seed: z.number().int().min(0),
  output_dir: z.string().min(1).refine(insideResults, {
    message: 'must be a relative path that stays inside the results directory (no leading "/", no ".." out of it)',
  }),
  num_runs: z.number().int().min(1).max(1000).default(4),
  gamma_discount: z.number().gt(0).max(1).default(0.9),
  discussion_turns: z.number().int().min(0).max(20).default(1),
});

export type ExperimentConfig = z.infer<typeof ExperimentConfigSchema>;

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
          experiment_id: id, weak_model: weak, strong_model: strong, competition_level: level,
          num_items: g.num_items, max_rounds: g.max_rounds, random_seed: g.base_seed + id,
          output_dir: outputDir(weak, strong, level), num_runs: g.num_runs,
          gamma_discount: g.gamma_discount, discussion_turns: g.discussion_turns,
        });
      }
    }
  }
  return out;
}

export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x && typeof x === 'object') {
    return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(x);
}

export function configHash(c: ExperimentConfig): string {
  return createHash('sha256').update(canonicalJson(c)).digest('hex').slice(0, 16);
}

function describeIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Parses a config object; throws a UserError naming the file and field. */
export function parseConfig(raw: unknown, where: string): ExperimentConfig {
  const r = ExperimentConfigSchema.safeParse(raw);
  if (!r.success) {
    throw new UserError(`${where} is not a valid experiment config (${describeIssues(r.error)}); fix it, or rewrite it with the "bargain generate" command that made this grid (the other configs and all results are kept)`);
  }
  return r.data;
}

export function readConfigFile(path: string, where = path): ExperimentConfig {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    throw new UserError(`cannot read ${where} (${(e as NodeJS.ErrnoException).code ?? e}); run "bargain generate" first`);
  }
  let raw: unknown;
  try { raw = JSON.parse(text); } catch (e) {
    throw new UserError(`${where} is not valid JSON (${(e as Error).message}); fix it, or rewrite it with the "bargain generate" command that made this grid (the other configs and all results are kept)`);
  }
  return parseConfig(raw, where);
}
