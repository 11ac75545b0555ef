/**
 * Pareto optimality of a treaty agreement among integer agreements: true when no
 * a' ∈ {0..100}^K gives every agent at least as much and someone more. Pure.
 *
 * Integer, not continuous: agreements are whole percentages, and an agreement the integer
 * grid cannot improve on counts as optimal even if a fractional exchange would improve it.
 *
 * Method, on integer scores S_i = 100·U_i and the target T = S(a). Steps 1–3 are quick
 * certificates; step 4 decides the rest.
 * 1. If some a_k lies outside the span of the positions of the agents who weigh issue k, a step
 *    towards the span helps them all and hurts nobody: dominated.
 * 2. A dominating agreement that differs from a on one issue, or on two by at most 10 points
 *    each: dominated.
 * 3. If a maximises μ·S over all agreements for some μ with every μ_i > 0, nothing dominates it
 *    (a dominating a' would have a larger μ·S): optimal. Decided exactly as a small linear
 *    feasibility problem (supported).
 * 4. Otherwise an exact search over the issues in order keeps every distinct partial score vector
 *    from which a dominating agreement could still be completed: each agent must still be able
 *    to reach T_i, and μ·S must still be able to reach μ·T (any μ > 0 gives a valid test).
 *    A dominating agreement may be taken within the spans (step 1) and its prefixes pass every
 *    test, so the search finds one if one exists. For two agents, dominated partial vectors are
 *    dropped too (a dominating completion of one completes the other), so a layer holds at most
 *    one state per value of S_0 (≤ 10,001) and the answer is never null. For three or more agents
 *    the search stops after PARETO_WORK_BUDGET candidate extensions: null (unknown).
 */
import { dot, undominated2, vectorKey } from './layers.ts';
import { checkInstance, type IssueTable, issueTables } from './tables.ts';
import { issueScore, treatyScores } from './utility.ts';

/** Candidate extensions allowed for three or more agents before the answer is null. */
export const PARETO_WORK_BUDGET = 1_000_000;

/**
 * true: Pareto optimal among integer agreements; false: dominated; null: too large to decide.
 * opts.certificates = false skips steps 2–3, so that tests can check the exact search alone.
 */
export function treatyParetoOptimal(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  agreement: readonly number[],
  opts: { certificates?: boolean } = {},
): boolean | null {
  checkInstance(positions, weights);
  const n = positions.length,
    K = positions[0].length;
  if (agreement.length !== K || agreement.some((a) => !Number.isInteger(a) || a < 0 || a > 100)) {
    throw new RangeError('the agreement needs one integer 0..100 per issue');
  }
  // Step 1.
  for (let k = 0; k < K; k++) {
    const held = positions.filter((_, i) => weights[i][k] > 0).map((p) => p[k]);
    if (held.length > 0 && (agreement[k] < Math.min(...held) || agreement[k] > Math.max(...held))) return false;
  }
  const target = treatyScores(positions, weights, agreement);
  const tables = issueTables(positions, weights);

  if (opts.certificates !== false) {
    if (dominatedLocally(tables, target, agreement)) return false; // step 2
    if (supported(positions, weights, agreement)) return true; // step 3
  }

  // Step 4. μ for the bound: any μ > 0 is valid; μ_i ∝ 1/T_i weighs every agent's relative gain alike.
  const mu = target.map((t) => Math.max(1, Math.round(1e6 / Math.max(1, t))));
  const best = tables.map((t) => Math.max(...t.scores.map((sc) => dot(mu, sc))));
  const restMu = new Array<number>(K + 1).fill(0); // Σ_{j ≥ k} max μ·s_j
  const restAgent = Array.from({ length: K + 1 }, () => new Array<number>(n).fill(0)); // Σ_{j ≥ k} max s_ij
  for (let k = K - 1; k >= 0; k--) {
    restMu[k] = restMu[k + 1] + best[k];
    for (let i = 0; i < n; i++)
      restAgent[k][i] = restAgent[k + 1][i] + Math.max(...tables[k].scores.map((sc) => sc[i]));
  }
  const muTarget = dot(mu, target);
  let vecs: number[] = new Array<number>(n).fill(0);
  const low = new Array<number>(n).fill(0),
    high = new Array<number>(n).fill(0);
  let work = 0;
  const v = new Array<number>(n);
  for (let k = 0; k < K; k++) {
    const t = tables[k];
    for (let i = 0; i < n; i++) {
      low[i] += Math.min(...t.scores.map((sc) => sc[i]));
      high[i] += Math.max(...t.scores.map((sc) => sc[i]));
    }
    const keyOf = vectorKey(low, high);
    const lam = t.scores.map((sc) => dot(mu, sc));
    const reach = restAgent[k + 1];
    const seen = new Set<number | string>();
    const next: number[] = [];
    for (let s = 0; s < vecs.length; s += n) {
      const muV = dot(mu, vecs.slice(s, s + n));
      for (let c = 0; c < lam.length; c++) {
        if (muV + lam[c] + restMu[k + 1] < muTarget) continue;
        const sc = t.scores[c];
        let ok = true;
        for (let i = 0; i < n && ok; i++) {
          v[i] = vecs[s + i] + sc[i];
          ok = v[i] + reach[i] >= target[i];
        }
        if (!ok) continue;
        if (n > 2 && ++work > PARETO_WORK_BUDGET) return null;
        const size = seen.size;
        seen.add(keyOf(v));
        if (seen.size > size) next.push(...v);
      }
    }
    vecs = n === 2 ? undominated2(next).flatMap((s) => [next[2 * s], next[2 * s + 1]]) : next;
  }
  for (let s = 0; s < vecs.length; s += n) {
    let geq = true,
      gt = false;
    for (let i = 0; i < n; i++) {
      if (vecs[s + i] < target[i]) geq = false;
      if (vecs[s + i] > target[i]) gt = true;
    }
    if (geq && gt) return false;
  }
  return true;
}

const LOCAL_REACH = 10;

/**
 * Step 2: a dominating agreement that changes one issue to any candidate, or two issues by at
 * most LOCAL_REACH points each. Cheap, and it catches the usual split-the-difference deals.
 */
function dominatedLocally(tables: IssueTable[], target: readonly number[], agreement: readonly number[]): boolean {
  const n = target.length;
  // deltas[k][c] = s_k(c) − s_k(a_k) for the issues someone weighs (a_k is a candidate there: step 1)
  const at: number[] = [];
  const deltas: number[][][] = [];
  tables.forEach((t, k) => {
    const c0 = t.values.indexOf(agreement[k]);
    if (c0 < 0) return; // nobody weighs issue k: it changes nothing
    at.push(c0);
    deltas.push(t.scores.map((sc) => sc.map((x, i) => x - t.scores[c0][i])));
  });
  const improves = (d: readonly number[]) => d.every((x) => x >= 0) && d.some((x) => x > 0);
  for (const d of deltas) if (d.some(improves)) return true;
  const sum = new Array<number>(n);
  for (let j = 0; j < deltas.length; j++) {
    for (let k = j + 1; k < deltas.length; k++) {
      for (let cj = Math.max(0, at[j] - LOCAL_REACH); cj <= Math.min(deltas[j].length - 1, at[j] + LOCAL_REACH); cj++) {
        for (
          let ck = Math.max(0, at[k] - LOCAL_REACH);
          ck <= Math.min(deltas[k].length - 1, at[k] + LOCAL_REACH);
          ck++
        ) {
          for (let i = 0; i < n; i++) sum[i] = deltas[j][cj][i] + deltas[k][ck][i];
          if (improves(sum)) return true;
        }
      }
    }
  }
  return false;
}

/** Largest vertex enumeration step 3 attempts (subsets of n constraints). */
const SUPPORT_SUBSETS = 200_000;

/**
 * Step 3: is there μ with every μ_i ≥ 1 such that each a_k maximises μ·s_k(·)? μ·s_k is concave
 * in the agreement, so that holds iff μ·(s_k(a_k) − s_k(a_k − 1)) ≥ 0 and μ·(s_k(a_k) − s_k(a_k + 1)) ≥ 0
 * for every k: the polyhedron {μ : G·μ ≥ 0, μ ≥ 1}. It contains no line, so it is non-empty iff
 * it has a vertex, where n linearly independent constraints are tight: we enumerate those
 * subsets and solve each by Cramer's rule in exact integer arithmetic.
 * false: not supported, or the enumeration is too large or not exact in doubles (step 4 decides).
 */
function supported(
  positions: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  agreement: readonly number[],
): boolean {
  const n = positions.length;
  const rows = new Map<string, number[]>(); // g with g·μ ≥ 0, distinct, not implied by μ ≥ 1
  const score = (k: number, a: number) => positions.map((p, i) => issueScore(weights[i][k], p[k], a));
  agreement.forEach((a, k) => {
    for (const b of [a - 1, a + 1]) {
      if (b < 0 || b > 100) continue;
      const sa = score(k, a),
        sb = score(k, b);
      const g = sa.map((x, i) => x - sb[i]);
      if (g.every((x) => x >= 0)) continue; // implied by μ ≥ 1
      rows.set(g.join(','), g);
    }
  });
  const G = [...rows.values()];
  if (G.some((g) => g.every((x) => x <= 0))) return false; // g·μ < 0 for every μ ≥ 1
  if (G.length === 0) return true;
  // Constraint i: row·μ ≥ rhs, with the unit rows μ_j ≥ 1 last.
  const all = [...G.map((g) => ({ row: g, rhs: 0 })), ...positions.map((_, j) => ({ row: unit(n, j), rhs: 1 }))];
  const big = Math.max(...G.flat().map(Math.abs), 1);
  // Exact in doubles: |det| ≤ n!·big^n, a check multiplies that by n·big, and Bareiss's
  // intermediate products are at most the square of an (n − 1)-minor.
  const largest = Math.max(
    factorial(n) * Math.pow(big, n + 1) * n,
    Math.pow(factorial(n - 1) * Math.pow(big, n - 1), 2),
  );
  if (largest > Number.MAX_SAFE_INTEGER || choose(all.length, n) > SUPPORT_SUBSETS) return false;
  for (const subset of subsets(all.length, n)) {
    const B = subset.map((c) => all[c].row);
    const D = det(B);
    if (D === 0) continue;
    // μ_j = N_j / D with N_j = det(B with column j replaced by the right-hand sides).
    const N = B[0].map((_, j) => det(B.map((r, q) => r.map((x, col) => (col === j ? all[subset[q]].rhs : x)))));
    const sign = Math.sign(D);
    const feasible = all.every(({ row, rhs }) => sign * row.reduce((s, x, j) => s + x * N[j], 0) >= rhs * Math.abs(D));
    if (feasible) return true;
  }
  return false;
}

function unit(n: number, j: number): number[] {
  const e = new Array<number>(n).fill(0);
  e[j] = 1;
  return e;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

function choose(m: number, n: number): number {
  let c = 1;
  for (let i = 0; i < n; i++) c = (c * (m - i)) / (i + 1);
  return c;
}

/** All n-subsets of 0..m−1 in lexicographic order. */
function* subsets(m: number, n: number): Generator<number[]> {
  const s = Array.from({ length: n }, (_, i) => i);
  while (true) {
    yield s.slice();
    let i = n - 1;
    while (i >= 0 && s[i] === m - n + i) i--;
    if (i < 0) return;
    s[i]++;
    for (let j = i + 1; j < n; j++) s[j] = s[j - 1] + 1;
  }
}

/** Determinant of a small integer matrix by the Bareiss algorithm (exact while it fits in a double). */
function det(M: readonly (readonly number[])[]): number {
  const a = M.map((r) => r.slice());
  const n = a.length;
  let sign = 1,
    prev = 1;
  for (let k = 0; k < n - 1; k++) {
    if (a[k][k] === 0) {
      const swap = a.findIndex((r, i) => i > k && r[k] !== 0);
      if (swap < 0) return 0;
      [a[k], a[swap]] = [a[swap], a[k]];
      sign = -sign;
    }
    for (let i = k + 1; i < n; i++) {
      for (let j = k + 1; j < n; j++) a[i][j] = (a[i][j] * a[k][k] - a[i][k] * a[k][j]) / prev;
    }
    prev = a[k][k];
  }
  return sign * a[n - 1][n - 1];
}
