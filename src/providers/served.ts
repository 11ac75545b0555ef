/**
 * Which model actually answered (issue 10 §4). Providers report it on every answer (OpenAI,
 * OpenRouter and Anthropic `model`, Gemini `modelVersion`), and a retired id can be quietly
 * rerouted to another model. A served id is expected when it is the requested id, one of its
 * dated snapshots (gpt-4o -> gpt-4o-2024-08-06, claude-opus-4-1 -> claude-opus-4-1-20250805,
 * gemini-1.5-pro -> gemini-1.5-pro-002), the same with OpenRouter's provider prefix
 * ("openai/gpt-4o"), or listed in the registry entry's `served_ids`; anything else is flagged.
 */
import type { ModelEntry, Registry } from './registry.ts';

/** Lower-case, without a provider prefix (openai/…) or Gemini's models/…; OpenRouter writes 4.5 where Anthropic writes 4-5. */
function norm(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/^models\//, '')
    .replace(/^[a-z0-9_-]+\//, '')
    .replace(/\./g, '-');
}

/** A dated or numbered snapshot suffix: -2024-08-06, -20250805, -0613, -001, -latest. */
const SNAPSHOT = /^-(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{3,4}|latest)$/;

/** `served` is `id` or one of its snapshots (either way round: an alias may answer with its base name). */
export function sameModelId(id: string, served: string): boolean {
  const a = norm(id),
    b = norm(served);
  if (a === b) return true;
  if (b.startsWith(a) && SNAPSHOT.test(b.slice(a.length))) return true;
  return a.startsWith(b) && SNAPSHOT.test(a.slice(b.length));
}

/** The ids a registry entry may be served as: model_id, openrouter_id, served_ids. */
function knownIds(entry: Pick<ModelEntry, 'model_id' | 'openrouter_id' | 'served_ids'>): string[] {
  return [entry.model_id, ...(entry.openrouter_id ? [entry.openrouter_id] : []), ...(entry.served_ids ?? [])];
}

/** True when `served` is not what this entry (requested as `requestedId`) should answer as. */
export function isServedMismatch(
  entry: Pick<ModelEntry, 'model_id' | 'openrouter_id' | 'served_ids'>,
  requestedId: string,
  served: string | undefined,
): boolean {
  if (served === undefined || served === '') return false; // nothing reported, nothing to flag
  return ![requestedId, ...knownIds(entry)].some((id) => sameModelId(id, served));
}

/**
 * The registry name whose model answered as `served`: an exact model_id / openrouter_id /
 * served_ids match first, then a snapshot of a model_id. Undefined when the registry does not know it.
 */
export function registryNameForServed(registry: Registry, served: string): string | undefined {
  const names = registry.names();
  const exact = names.find((n) => knownIds(registry.get(n)).some((id) => norm(id) === norm(served)));
  if (exact) return exact;
  return names.find((n) => knownIds(registry.get(n)).some((id) => sameModelId(id, served)));
}
