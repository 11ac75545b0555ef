/**
 * Which served model ids count as the requested model (DESIGN §3, "every call records the
 * model that actually answered"): the id itself, its dated snapshots (gpt-4o ->
 * gpt-4o-2024-08-06, claude-opus-4-1 -> claude-opus-4-1-20250805, gemini-2.5-flash ->
 * gemini-2.5-flash-preview-05-20), the same with OpenRouter's "vendor/" prefix on either
 * side, and the registry row's `served_ids`. Anything else is another model answering.
 */
const SNAPSHOT = /^(?:\d{4}-\d{2}-\d{2}|\d{8}|\d{3,4}|(?:preview|latest|exp)(?:-[a-z0-9-]+)?|v\d+(?:\.\d+)*)$/i;

function bare(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1).replace(/^models\//, '').toLowerCase();
}

export function servedMatches(served: string, requested: string, servedIds: readonly string[] = []): boolean {
  const s = bare(served);
  const r = bare(requested);
  if (s === r || servedIds.some((x) => bare(x) === s)) return true;
  return s.startsWith(`${r}-`) && SNAPSHOT.test(s.slice(r.length + 1));
}
