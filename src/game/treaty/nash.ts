/**
 * The treaty's Nash bargaining solution (disagreement point 0) over integer agreement
 * vectors a ∈ {0..100}^K: the agreements maximising Π_i U_i(a). Pure and exact.
 *
 * Definition (as item allocation's, for seat symmetry): U_NBS is the mean of the DISTINCT
 * utility vectors of the maximisers, and `agreement` is the lexicographically smallest
 * maximiser. The maximum product is positive whenever every agent has some positive
 * weight (a = 50 everywhere gives each agent at least half its total weight), so
 * 'zero_product' arises only for an agent whose weights are all 0.
 *
 * Method. Work with integer scores S_i = 100·U_i = Σ_k s_ik(a_k), s_ik(a) = w_ik·(100 − |p_ik − a|),
 * so the game is a sum over issues of per-issue score vectors, and products are exact.
 * 1. Candidates. A maximiser puts a_k within [lo_k, hi_k], the span of the positions of the agents
 *    with positive weight on k: outside it a unit step towards the span raises every such agent
 *    and leaves the rest unchanged, so the product rises. An issue nobody weighs only changes
 *    the agreement, never the utilities: it gets the one candidate 0 (the lexicographic tie rule).
 * 2. A bound. For any λ > 0 and any agreement, AM–GM gives Π_i S_i ≤ (Σ_i λ_i·S_i / n)^n / Π_i λ_i,
 *    and Σ_i λ_i·S_i = Σ_k λ·s_k(a_k) ≤ Σ_k max_c λ·s_k(c), which is separable over issues. So an
 *    agreement reaching a product ≥ L has Σ_k λ·s_k(a_k) ≥ τ = n·(L·Π λ)^{1/n}, and a partial
 *    agreement on issues < j can be completed to one only if its λ-value plus the best λ-value of
 *    the remaining issues reaches τ.
 * 3. Exact search. A dynamic programme over the issues in order keeps every distinct partial
 *    score vector that passes the bound (step 2) with L = the product of a good integer agreement
 *    (step 4). Every maximiser's prefixes pass (its product is ≥ L), and the bound depends only on
 *    the partial vector, so no maximiser's utility vector is lost; the final layer's largest exact
 *    product is the maximum, and its states are exactly the distinct maximising utility vectors.
 *    Children are generated from parents in lexicographic order of their prefixes, values
 *    ascending, keeping the first prefix to reach each vector, so each state holds the
 *    lexicographically smallest prefix that reaches it and the layer is in that order.
 * 4. Making the bound tight (efficiency only, not correctness). λ = 1/u* where u* maximises
 *    Σ log u over the convex hull of the achievable score vectors (the continuous relaxation; its
 *    dual variables), found by Frank–Wolfe with exact line search: at u*, λ·s ≤ n for every
 *    achievable s, so only partial vectors within a thin slab of the supporting hyperplane survive.
 *    L comes from rounding the relaxed agreement and integer coordinate ascent.
 * 5. Size. Flat issues (λ·s_k constant over a range, e.g. identical weights) keep every value of
 *    the range. For two agents each layer also drops dominated partial vectors (a maximiser's
 *    prefix is never dominated: swapping in the dominating prefix would raise its product), so a
 *    layer holds at most one state per value of S_0 (≤ 10,001) and the search always finishes.
 *    For three or more agents, flat issues in several directions can make layers large (measured
 *    over generated games, K ≤ 12: three agents ≤ 0.7 M extensions; four agents with identical
 *    weights often more than WORK_BUDGET), so the search stops there with reason 'too_large'.
 * A relative margin of 1e-9 on τ absorbs floating-point error in the bound; it only keeps more states.
 *
 * Seat symmetry: the set of maximising utility vectors does not depend on seat order and
 * their sum is exact in integers, so permuting seats permutes U_NBS exactly.
 */
import { dot, undominated2, vectorKey } from './layers.ts';
import { checkInstance, FULL_GRID, type IssueTable, issueTables } from './tables.ts';

export interface TreatyNashPoint {
  /** U_NBS per seat: the mean of the distinct maximising raw utility vectors (may be fractional) */
  utilities: number[];
  /** the lexicographically smallest agreement with the maximum product */
  agreement: number[];
  /** how many distinct utility vectors reach the maximum product */
  maximisers: number;
}

/**
 * No Nash point: 'zero_product' when some agent has all weights 0 (every product is 0);
 * 'too_large' when the exact search would exceed WORK_BUDGET (never for two agents; see
 * step 5 of the header).
 */
export interface TreatyNashUndefined {
  utilities: null;
  reason: 'zero_product' | 'too_large';
}

export type TreatyNash = TreatyNashPoint | TreatyNashUndefined;

export interface TreatyNashOptions {
  /**
   * Restrict every issue's agreement to these values (ascending integers within 0..100);
   * default all of 0..100. For tests against brute force on a coarse grid.
   */
  grid?: readonly number[];
  /** WORK_BUDGET by default (three or more agents only); for tests of the 'too_large' path */
  workBudget?: number;
}

/** Search statistics, for tests and benchmarks. */
export interface TreatyNashStats {
  /** Frank–Wolfe iterations and the final duality gap λ·s − n */
  iterations: number;
  gap: number;
  /** the largest number of states in one layer of the search */
  maxLayer: number;
  /** total states over all layers */
  states: number;
  /** candidate extensions tried (what WORK_BUDGET limits) */
  work: number;
}

const MARGIN = 1e-9;
const FW_MAX_ITERATIONS = 4000;
const FW_GAP = 1e-9;
/**
 * Candidate extensions the search may try, for three or more agents, before it gives up with
 * 'too_large' (about a second or two). Two agents need no budget: see the header.
 */
export const WORK_BUDGET = 3_000_000;

export function treatyNash(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  opts: TreatyNashOptions = {},
): TreatyNash {
  return solveTreatyNash(positions, weights, opts).nash;
}

/** treatyNash and its search statistics. */
export function solveTreatyNash(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  opts: TreatyNashOptions = {},
): { nash: TreatyNash; stats: TreatyNashStats | null } {
  checkInstance(positions, weights);
  const n = positions.length;
  if (weights.some((w) => w.every((x) => x === 0)))
    return { nash: { utilities: null, reason: 'zero_product' }, stats: null };
  const tables = issueTables(positions, weights, opts.grid ?? FULL_GRID);
  const budget = opts.workBudget ?? WORK_BUDGET;

  const relaxed = relaxation(tables, n);
  if (relaxed === null) return { nash: { utilities: null, reason: 'zero_product' }, stats: null };
  const { lambda, x, iterations, gap } = relaxed;
  const incumbent = integerAscent(tables, n, roundTo(tables, x));
  const L = productOf(scoreOf(tables, n, incumbent));

  // τ in λ-space (step 2), lowered by the margin.
  let logLambda = 0;
  for (const l of lambda) logLambda += Math.log(l);
  const tau = n * Math.exp((Math.log(L) + logLambda) / n) * (1 - MARGIN);
  const K = tables.length;
  const best = tables.map((t) => Math.max(...t.scores.map((s) => dot(lambda, s))));
  const rest = new Array<number>(K + 1).fill(0); // rest[k] = Σ_{j ≥ k} best_j
  for (let k = K - 1; k >= 0; k--) rest[k] = rest[k + 1] + best[k];

  // Layer arrays: score vectors (flat), λ-values, parent index and candidate index per state.
  let vecs: number[] = new Array<number>(n).fill(0);
  let vals: number[] = [0];
  const parents: number[][] = [];
  const choices: number[][] = [];
  const low = new Array<number>(n).fill(0), // per-agent range of the partial scores, for the keys
    high = new Array<number>(n).fill(0);
  let maxLayer = 1,
    states = 1,
    work = 0;
  const tooLarge = () => ({
    nash: { utilities: null, reason: 'too_large' } as const,
    stats: { iterations, gap, maxLayer, states, work },
  });
  for (let k = 0; k < K; k++) {
    const t = tables[k];
    for (let i = 0; i < n; i++) {
      low[i] += Math.min(...t.scores.map((sc) => sc[i]));
      high[i] += Math.max(...t.scores.map((sc) => sc[i]));
    }
    const keyOf = vectorKey(low, high);
    const lam = t.scores.map((sc) => dot(lambda, sc));
    let peak = 0;
    for (let c = 1; c < lam.length; c++) if (lam[c] > lam[peak]) peak = c;
    const seen = new Set<number | string>();
    const nv: number[] = [],
      nvals: number[] = [],
      par: number[] = [],
      cho: number[] = [];
    const v = new Array<number>(n);
    for (let s = 0; s < vals.length; s++) {
      // λ·s_k is concave in the agreement, so the candidates passing the bound are one run around the peak.
      const need = tau - rest[k + 1] - vals[s];
      if (lam[peak] < need) continue;
      let from = peak,
        to = peak;
      while (from > 0 && lam[from - 1] >= need) from--;
      while (to + 1 < lam.length && lam[to + 1] >= need) to++;
      work += to - from + 1;
      if (n > 2 && work > budget) return tooLarge();
      for (let c = from; c <= to; c++) {
        const sc = t.scores[c];
        for (let i = 0; i < n; i++) v[i] = vecs[s * n + i] + sc[i];
        const key = keyOf(v);
        const size = seen.size;
        seen.add(key);
        if (seen.size === size) continue; // an earlier (lexicographically smaller) prefix reached it
        for (let i = 0; i < n; i++) nv.push(v[i]);
        nvals.push(vals[s] + lam[c]);
        par.push(s);
        cho.push(c);
      }
    }
    const keep = n === 2 ? undominated2(nv) : null;
    vecs = keep ? keep.flatMap((s) => [nv[2 * s], nv[2 * s + 1]]) : nv;
    vals = keep ? keep.map((s) => nvals[s]) : nvals;
    parents.push(keep ? keep.map((s) => par[s]) : par);
    choices.push(keep ? keep.map((s) => cho[s]) : cho);
    maxLayer = Math.max(maxLayer, vals.length);
    states += vals.length;
  }

  // Exact products of the final layer (in lexicographic order of their smallest agreements).
  const exact = exactProduct(weights);
  let top: number | bigint = -1;
  let first = -1,
    count = 0;
  const sum = new Array<number>(n).fill(0);
  const u = new Array<number>(n);
  for (let s = 0; s < vals.length; s++) {
    for (let i = 0; i < n; i++) u[i] = vecs[s * n + i];
    const p = exact(u);
    if (p > top) {
      top = p;
      first = s;
      count = 0;
      sum.fill(0);
    }
    if (p === top) {
      count++;
      for (let i = 0; i < n; i++) sum[i] += u[i]; // integers: exact in any order
    }
  }
  // Only a restricted grid can make every product 0 (on 0..100, a = 50 gives everyone a positive score).
  if (!(top > 0))
    return { nash: { utilities: null, reason: 'zero_product' }, stats: { iterations, gap, maxLayer, states, work } };
  // Otherwise the incumbent passes the bound, so the final layer holds a maximiser.
  const agreement = new Array<number>(K);
  for (let k = K - 1, s = first; k >= 0; k--) {
    agreement[k] = tables[k].values[choices[k][s]];
    s = parents[k][s];
  }
  return {
    nash: { utilities: sum.map((x) => x / (count * 100)), agreement, maximisers: count },
    stats: { iterations, gap, maxLayer, states, work },
  };
}

/**
 * Step 4: Frank–Wolfe on max Σ log u over conv(achievable score vectors). Returns λ = 1/u,
 * the relaxed agreement x (per issue, a convex combination of candidate values), and the gap;
 * null when some agent scores 0 everywhere (possible only on a restricted grid).
 */
function relaxation(
  tables: IssueTable[],
  n: number,
): { lambda: number[]; x: number[]; iterations: number; gap: number } | null {
  const K = tables.length;
  // Start: the mean of the n dictators' points (each agent's best candidate per issue), where
  // every agent has a positive score.
  const u = new Array<number>(n).fill(0);
  const x = new Array<number>(K).fill(0);
  for (let d = 0; d < n; d++) {
    const e = new Array<number>(n).fill(0);
    e[d] = 1;
    const { s, a } = oracle(tables, e, n);
    if (s[d] === 0) return null; // agent d's best is 0
    for (let i = 0; i < n; i++) u[i] += s[i] / n;
    for (let k = 0; k < K; k++) x[k] += a[k] / n;
  }
  const lambda = u.map((v) => 1 / v);
  let gap = Infinity,
    it = 0;
  for (; it < FW_MAX_ITERATIONS; it++) {
    for (let i = 0; i < n; i++) lambda[i] = 1 / u[i];
    const { s, a } = oracle(tables, lambda, n);
    gap = dot(lambda, s) - n; // ≥ the gap in Σ log u to the relaxed optimum
    if (gap <= FW_GAP) break;
    const d = s.map((v, i) => v - u[i]);
    const g = lineSearch(u, d);
    if (g === 0) break;
    for (let i = 0; i < n; i++) u[i] += g * d[i];
    for (let k = 0; k < K; k++) x[k] += g * (a[k] - x[k]);
  }
  for (let i = 0; i < n; i++) lambda[i] = 1 / u[i];
  return { lambda, x, iterations: it, gap };
}

/** The vertex maximising λ·s: per issue the best candidate next to a kink. */
function oracle(tables: IssueTable[], lambda: readonly number[], n: number): { s: number[]; a: number[] } {
  const s = new Array<number>(n).fill(0);
  const a = tables.map((t) => {
    let bestC = t.peaks[0],
      bestV = -Infinity;
    for (const c of t.peaks) {
      const v = dot(lambda, t.scores[c]);
      if (v > bestV) {
        bestV = v;
        bestC = c;
      }
    }
    for (let i = 0; i < n; i++) s[i] += t.scores[bestC][i];
    return t.values[bestC];
  });
  return { s, a };
}

/** argmax over γ ∈ [0, 1] of Σ log(u + γ·d) (concave): bisection on the derivative. */
function lineSearch(u: readonly number[], d: readonly number[]): number {
  const slope = (g: number) => {
    let s = 0;
    for (let i = 0; i < u.length; i++) s += d[i] / (u[i] + g * d[i]);
    return s;
  };
  if (!(slope(0) > 0)) return 0;
  if (u.every((v, i) => v + d[i] > 0) && slope(1) >= 0) return 1;
  let lo = 0,
    hi = 1;
  for (let j = 0; j < 60; j++) {
    const mid = (lo + hi) / 2;
    if (u.every((v, i) => v + mid * d[i] > 0) && slope(mid) > 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The candidate index nearest to x per issue (ties to the lower value). */
function roundTo(tables: IssueTable[], x: readonly number[]): number[] {
  return tables.map((t, k) => {
    let best = 0;
    for (let c = 1; c < t.values.length; c++)
      if (Math.abs(t.values[c] - x[k]) < Math.abs(t.values[best] - x[k])) best = c;
    return best;
  });
}

function scoreOf(tables: IssueTable[], n: number, choice: readonly number[]): number[] {
  const s = new Array<number>(n).fill(0);
  choice.forEach((c, k) => {
    for (let i = 0; i < n; i++) s[i] += tables[k].scores[c][i];
  });
  return s;
}

function productOf(s: readonly number[]): number {
  let p = 1;
  for (const v of s) p *= v;
  return p;
}

/**
 * A good integer agreement for L: from the rounded relaxation (or, if its product is 0, from
 * the candidates nearest 50, where every agent scores), improve one issue at a time by an exact
 * scan of its candidates until no single issue can raise the product. Only L depends on it.
 */
function integerAscent(tables: IssueTable[], n: number, start: number[]): number[] {
  let choice = start.slice();
  if (productOf(scoreOf(tables, n, choice)) <= 0)
    choice = roundTo(
      tables,
      tables.map(() => 50),
    );
  const s = scoreOf(tables, n, choice);
  let current = productOf(s);
  const trial = new Array<number>(n);
  for (let sweep = 0, improved = true; improved && sweep < 100; sweep++) {
    improved = false;
    tables.forEach((t, k) => {
      const old = t.scores[choice[k]];
      let bestC = choice[k];
      for (let c = 0; c < t.values.length; c++) {
        for (let i = 0; i < n; i++) trial[i] = s[i] - old[i] + t.scores[c][i];
        const p = productOf(trial);
        if (p > current * (1 + 1e-12)) {
          current = p;
          bestC = c;
        }
      }
      if (bestC === choice[k]) return;
      for (let i = 0; i < n; i++) s[i] += t.scores[bestC][i] - old[i];
      choice[k] = bestC;
      improved = true;
    });
  }
  return choice;
}

/** Exact products: numbers while every product fits in 2^53, else BigInt. */
function exactProduct(weights: readonly (readonly number[])[]): (v: readonly number[]) => number | bigint {
  const bound = weights.reduce((p, w) => p * 100 * w.reduce((a, b) => a + b, 0), 1);
  if (bound < Number.MAX_SAFE_INTEGER) return productOf;
  return (v) => v.reduce((p, x) => p * BigInt(x), 1n);
}
