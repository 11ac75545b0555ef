/**
 * The whole-cluster rate budgets of a grid: for every provider its API models can be routed
 * to (the direct provider, OpenRouter when the model has an OpenRouter id, an
 * OpenAI-compatible server when it has a base URL), the registry's RPM/TPM/concurrency,
 * overridden by the user's --rpm/--tpm/--concurrency PROVIDER=N. plan.ts divides these by
 * the tasks running at once. Scripted-only grids have no budgets.
 */
import { isScriptedName, loadRegistry } from '../providers/registry.ts';
import type { RateBudget } from './plan.ts';

export interface BudgetOverrides {
  rpm?: Record<string, number>;
  tpm?: Record<string, number>;
  concurrency?: Record<string, number>;
}

export function gridBudgets(
  models: string[],
  o: BudgetOverrides = {},
  modelsFile?: string,
): Record<string, RateBudget> {
  const api = models.filter((m) => !isScriptedName(m));
  const providers = new Set<string>();
  const registry = api.length ? loadRegistry(modelsFile) : null;
  for (const m of api) {
    const e = registry!.find(m);
    if (!e) continue; // unknown names are reported by the runner's own checks
    providers.add(e.base_url !== undefined ? 'compatible' : e.provider);
    if (e.openrouter_id) providers.add('openrouter');
  }
  for (const table of [o.rpm, o.tpm, o.concurrency]) for (const p of Object.keys(table ?? {})) providers.add(p);
  const out: Record<string, RateBudget> = {};
  for (const p of [...providers].sort()) {
    const base = registry ? registry.limits(p as never) : undefined;
    out[p] = {
      rpm: o.rpm?.[p] ?? base?.rpm,
      tpm: o.tpm?.[p] ?? base?.tpm,
      concurrency: o.concurrency?.[p] ?? base?.concurrency,
    };
    for (const k of ['rpm', 'tpm', 'concurrency'] as const) if (out[p][k] === undefined) delete out[p][k];
  }
  return out;
}
