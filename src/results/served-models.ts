/**
 * What actually answered, per model name (issue 10 §4): from the LLM call records of a
 * transcript (served_model_id, served_model_mismatch, written by LlmAgent from the provider
 * layer's check), folded into the result document (`served_models`), summed over results for
 * summary.json, and worded as warnings for the log and the report. A rerouted model would
 * otherwise be measured and priced silently as the one requested.
 */
export interface ServedModelStats {
  /** the provider model id requested (the call records' model_id) */
  requested_id: string;
  calls: number;
  /** served id -> calls it answered */
  served: Record<string, number>;
  /** calls whose answer named no model */
  unreported: number;
  /** served ids that are neither the requested id, its snapshots, nor the registry's served_ids */
  unexpected: string[];
}

export type ServedModels = Record<string, ServedModelStats>;

/** Maps keyed by model names and served ids (a provider's strings): no prototype, so `constructor` is an ordinary key. */
const noProto = <T>(): Record<string, T> => Object.create(null);

/** Per model name, from call records (scripted seats have none). */
export function servedModelsOf(calls: Iterable<Record<string, unknown>>): ServedModels {
  const out: ServedModels = Object.create(null);
  for (const c of calls) {
    if (typeof c.model !== 'string' || !('served_model_id' in c)) continue;
    const s = (out[c.model] ??= {
      requested_id: typeof c.model_id === 'string' ? c.model_id : c.model,
      calls: 0,
      served: noProto(),
      unreported: 0,
      unexpected: [],
    });
    s.calls++;
    const id = c.served_model_id;
    if (typeof id !== 'string' || id === '') {
      s.unreported++;
      continue;
    }
    s.served[id] = (s.served[id] ?? 0) + 1;
    if (c.served_model_mismatch === true && !s.unexpected.includes(id)) s.unexpected.push(id);
  }
  return out;
}

/** Sums several results' served_models (for summary.json). */
export function mergeServedModels(list: Iterable<ServedModels | undefined>): ServedModels {
  const out: ServedModels = Object.create(null);
  for (const sm of list) {
    for (const [name, s] of Object.entries(sm ?? {})) {
      const m = (out[name] ??= {
        requested_id: s.requested_id,
        calls: 0,
        served: noProto(),
        unreported: 0,
        unexpected: [],
      });
      m.calls += s.calls;
      m.unreported += s.unreported;
      for (const [id, n] of Object.entries(s.served)) m.served[id] = (m.served[id] ?? 0) + n;
      for (const id of s.unexpected) if (!m.unexpected.includes(id)) m.unexpected.push(id);
    }
  }
  return out;
}

/** One line per model another model answered for, e.g. "gemini-2-5-flash was requested as gemini-2.5-flash but answered by gemini-3-flash (40 of 40 calls)". */
export function servedModelWarnings(sm: ServedModels | undefined): string[] {
  return Object.entries(sm ?? {})
    .filter(([, s]) => s.unexpected.length)
    .map(([name, s]) => {
      const n = s.unexpected.reduce((t, id) => t + (s.served[id] ?? 0), 0);
      return (
        `${name} was requested as ${s.requested_id} but answered by ${s.unexpected.join(', ')} (${n} of ${s.calls} calls): ` +
        "its results measure that model, priced as it where the registry knows it; fix: check the provider's deprecation page, or list the id under served_ids in a --models file if it is expected"
      );
    });
}
