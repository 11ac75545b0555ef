/**
 * Helpers for the layered searches over issues (nash.ts, pareto.ts): keys for distinct
 * partial score vectors, and two-agent dominance pruning. Pure.
 */

/** A Map key per partial score vector in [low, high]: one exact number (mixed radix) when it fits, else a string. */
export function vectorKey(low: readonly number[], high: readonly number[]): (v: readonly number[]) => number | string {
  let size = 1;
  for (let i = 0; i < low.length; i++) size *= high[i] - low[i] + 1;
  if (size > Number.MAX_SAFE_INTEGER) return (v) => v.join(',');
  return (v) => {
    let key = 0;
    for (let i = v.length - 1; i >= 0; i--) key = key * (high[i] - low[i] + 1) + (v[i] - low[i]);
    return key;
  };
}

/**
 * Indices (in order) of the two-agent states that no other state dominates (≥ in both scores,
 * states being distinct). At most one state per value of S_0 survives.
 */
export function undominated2(v: readonly number[]): number[] {
  const m = v.length / 2;
  const order = Array.from({ length: m }, (_, s) => s).sort(
    (a, b) => v[2 * b] - v[2 * a] || v[2 * b + 1] - v[2 * a + 1],
  );
  const keep = new Uint8Array(m);
  let top = -Infinity;
  for (const s of order) {
    if (v[2 * s + 1] > top) keep[s] = 1; // every earlier state has a larger or equal S_0 and a smaller S_1
    top = Math.max(top, v[2 * s + 1]);
  }
  const out: number[] = [];
  for (let s = 0; s < m; s++) if (keep[s]) out.push(s);
  return out;
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
