/**
 * The report's seeded percentile bootstrap: resamples whole units (runs, or seat-swapped
 * pairs) so every metric of a replicate comes from the same resampled runs. Pure and
 * deterministic: the same inputs and seed give the same numbers, bit for bit those of the
 * plain algorithm (testing/reference-aggregate.ts), with far less work.
 */
import { quantileSorted, type Stat } from './stats.ts';

/**
 * Percentile bootstrap over units. `columns[k][u]` is metric k's value for unit u (null
 * when the unit has none, e.g. rounds to agreement of a run without a deal). Each
 * replicate draws n units with replacement and takes every metric's mean over the drawn
 * units that carry it. Returns one Stat per metric.
 *
 * Same numbers, bit for bit, as the plain algorithm (per replicate, draw
 * Math.floor(rng.next() * n) n times from createRng(seed), add each metric's values in
 * draw order and divide by the count; sort each metric's replicate means and interpolate;
 * kept in testing/reference-aggregate.ts), with less work: see drawStream, planSums,
 * sumReplicates, tailQuantiles, and sequenceSums for groups of up to 4 units.
 * `resamples` is a whole number ≥ 0.
 */
export function bootstrap(
  columns: readonly (readonly (number | null)[])[],
  seed: number,
  resamples: number,
  level = 0.95,
): Stat[] {
  if (!(Number.isInteger(resamples) && resamples >= 0))
    throw new RangeError(`resamples must be a whole number ≥ 0, not ${resamples}`);
  const units = columns.length ? columns[0].length : 0;
  const base: Stat[] = columns.map((col) => {
    // mean() of the non-null values, without the copy
    let n = 0,
      s = 0;
    for (const v of col)
      if (v !== null) {
        n++;
        s += v;
      }
    return { n, mean: n ? s / n : null, lo: null, hi: null };
  });
  // metrics without any value keep n = 0 and no interval; they take no work
  const live = base.flatMap((s, m) => (s.n > 0 ? [m] : []));
  if (units === 0 || live.length === 0 || resamples === 0) return base;
  const plan = planSums(
    live.map((m) => columns[m]),
    units,
  );
  const a = (1 - level) / 2;
  const out = base.slice();
  const quantiles = (m: number, q: [number, number] | null) => {
    if (q) out[m] = { ...base[m], lo: q[0], hi: q[1] };
  };
  if (units <= 4 && 2 * units ** units <= resamples) {
    const seq = sequenceSums(plan, units, seed, resamples);
    live.forEach((m, j) => quantiles(m, sequenceQuantiles(plan.metrics[j], seq, units, a)));
  } else {
    const sums = sumReplicates(plan, units, seed, resamples);
    live.forEach((m, j) => quantiles(m, replicateQuantiles(plan.metrics[j], sums, units, resamples, a)));
  }
  return out;
}

/** quantileSorted at a and 1 − a of the sorted replicate means: the plain way, for what the fast ways do not take. */
function sortedQuantiles(reps: Float64Array, a: number): [number, number] {
  const sorted = reps.sort();
  return [quantileSorted(sorted, a), quantileSorted(sorted, 1 - a)];
}

/** The interval of a metric from every replicate's sums; null when no replicate has a value. */
function replicateQuantiles(
  p: MetricPlan,
  sums: Float64Array,
  units: number,
  resamples: number,
  a: number,
): [number, number] | null {
  const reps = scratch(SLOT.reps, resamples);
  const n = replicateMeans(p, sums, units, resamples, reps);
  if (n === 0) return null;
  const r = reps.subarray(0, n);
  return (p.finite && tailQuantiles(r, a, 1 - a)) || sortedQuantiles(r, a);
}

/** Where a metric's replicate sums and counts are: rows of `sums`, −1 for none. */
interface MetricPlan {
  /** row of the sums; −1: every value equals `constant` */
  sum: number;
  /** row of the counts; −1: no gaps, the count is the number of units */
  count: number;
  constant: number;
  /** no ±Infinity among the values, so no replicate mean is NaN */
  finite: boolean;
}

/** A metric's replicate means in replicate order, leaving out replicates without a value; returns how many. */
function replicateMeans(p: MetricPlan, sums: Float64Array, units: number, R: number, reps: Float64Array): number {
  let n = 0;
  if (p.count < 0 && p.sum >= 0) for (let b = 0, at = p.sum * R; b < R; b++) reps[n++] = sums[at + b] / units;
  else if (p.count < 0) {
    const mean = repeatSum(p.constant, units)[units] / units;
    for (let b = 0; b < R; b++) reps[n++] = mean;
  } else if (p.sum >= 0) {
    for (let b = 0, at = p.sum * R, ct = p.count * R; b < R; b++) {
      const c = sums[ct + b];
      if (c > 0) reps[n++] = sums[at + b] / c;
    }
  } else {
    const table = repeatSum(p.constant, units);
    for (let b = 0, ct = p.count * R; b < R; b++) {
      const c = sums[ct + b];
      if (c > 0) reps[n++] = table[c] / c;
    }
  }
  return n;
}

/** table[c] = v + v + … (c terms, in order): what a replicate's sum of c equal values comes to. */
function repeatSum(v: number, units: number): Float64Array {
  const t = new Float64Array(units + 1);
  let s = 0;
  for (let c = 1; c <= units; c++) t[c] = s += v;
  return t;
}

interface SumPlan {
  /** the columns summed per replicate, in blocks of up to four side by side: vals[block][u * 4 + r] */
  blocks: { width: number; vals: Float64Array }[];
  /** integer vectors packed into one column: row of the packed sums, row to unpack into, bit offset and width */
  packed: { from: number; to: number; shift: number; bits: number }[];
  /** rows of sums in all: the summed columns, then the unpacked vectors */
  rows: number;
  metrics: MetricPlan[];
}

/**
 * What a replicate has to add up. A metric's sum vector holds its values with +0 for a
 * missing one (a sum starts at +0, so is never −0, and adding +0 changes nothing); a metric
 * with gaps also has a count vector, 1 where it has a value. Identical vectors are summed
 * once (the agreement rate is the deal-only metrics' count vector). A metric whose values
 * are all equal needs no sum: c equal values add up to repeatSum(v)[c]. Vectors of small
 * non-negative integers (counts, rounds, repairs) share a column, each in its own bits: a
 * sum of integers below 2^53 is exact in any order, so its bits come out as the sum.
 */
function planSums(columns: readonly (readonly (number | null)[])[], units: number): SumPlan {
  // candidate vectors in rows of `units`: at most a sum and a count vector per metric
  const vecs = scratch(SLOT.vectors, 2 * columns.length * units);
  const bitsOf: number[] = [];
  let nv = 0;
  // keeps the vector just written in row nv, unless an earlier row holds the same values
  const keep = (): number => {
    const at = nv * units;
    for (let i = 0, o = 0; i < nv; i++, o += units) {
      let u = 0;
      while (u < units && vecs[o + u] === vecs[at + u]) u++;
      if (u === units) return i;
    }
    bitsOf.push(integerBits(vecs, at, units));
    return nv++;
  };
  const metrics = columns.map((col): MetricPlan => {
    let gaps = false,
      finite = true,
      first: number | null = null,
      constant = true;
    let at = nv * units;
    for (let u = 0; u < units; u++) {
      const v = col[u] ?? NaN;
      if (v !== v) {
        gaps = true;
        vecs[at + u] = 0;
        continue;
      }
      vecs[at + u] = v;
      if (v === Infinity || v === -Infinity) finite = false;
      // ±0 count as equal: added to a sum that starts at +0 they do the same
      if (first === null) first = v;
      else if (v !== first) constant = false;
    }
    const sum = constant ? -1 : keep();
    let count = -1;
    if (gaps) {
      at = nv * units;
      for (let u = 0; u < units; u++) {
        const v = col[u] ?? NaN;
        vecs[at + u] = v === v ? 1 : 0;
      }
      count = keep();
    }
    return { sum, count, constant: first ?? 0, finite };
  });
  // the summed columns: a vector alone, or integer vectors packed first-fit below 2^52
  const cols: { vector: number; shift: number }[][] = [];
  const used: number[] = [];
  for (let i = 0; i < nv; i++) {
    const bits = bitsOf[i];
    let c = bits ? used.findIndex((b, j) => b > 0 && b + bits <= 52 && cols[j].length > 0) : -1;
    if (c < 0) c = cols.push([]) - 1;
    cols[c].push({ vector: i, shift: used[c] ?? 0 });
    used[c] = (used[c] ?? 0) + bits;
  }
  const rowOf = new Int32Array(nv);
  const packed: SumPlan['packed'] = [];
  let rows = cols.length;
  cols.forEach((members, c) => {
    if (members.length === 1) rowOf[members[0].vector] = c;
    else
      for (const { vector, shift } of members)
        packed.push({ from: c, to: (rowOf[vector] = rows++), shift, bits: bitsOf[vector] });
  });
  const nb = Math.ceil(cols.length / 4);
  const buf = scratch(SLOT.blocks, nb * units * 4);
  const blocks: SumPlan['blocks'] = [];
  for (let q = 0; q < nb; q++) {
    const width = Math.min(4, cols.length - 4 * q);
    const vals = buf.subarray(q * units * 4, (q + 1) * units * 4);
    for (let r = 0; r < width; r++) {
      const members = cols[4 * q + r];
      for (let u = 0; u < units; u++) {
        let v = vecs[members[0].vector * units + u];
        for (let m = 1; m < members.length; m++) v += vecs[members[m].vector * units + u] * 2 ** members[m].shift;
        vals[u * 4 + r] = v;
      }
    }
    blocks.push({ width, vals });
  }
  const row = (i: number) => (i < 0 ? -1 : rowOf[i]);
  return { blocks, packed, rows, metrics: metrics.map((p) => ({ ...p, sum: row(p.sum), count: row(p.count) })) };
}

/** Bits a packed field needs for this vector's sums over a replicate (units × its largest value); 0 if not small non-negative integers. */
function integerBits(vecs: Float64Array, at: number, units: number): number {
  let max = 0;
  for (let u = 0; u < units; u++) {
    const v = vecs[at + u];
    if (!(Number.isInteger(v) && v >= 0)) return 0;
    if (v > max) max = v;
  }
  // one bit to spare over what units × max needs
  const bits = Math.ceil(Math.log2(max * units + 1)) + 1;
  return bits <= 26 ? bits : 0;
}

/**
 * Every replicate's sum of every planned column: sums[row * resamples + b]. The draws of a
 * run of replicates are made in one go (one stream, in order), then each block of columns
 * is added up side by side over them: independent sums keep the CPU busy, and each still
 * adds its values in draw order. Packed integer sums are then split into their fields.
 */
function sumReplicates(plan: SumPlan, units: number, seed: number, resamples: number): Float64Array {
  const sums = scratch(SLOT.sums, plan.rows * resamples);
  const chunk = Math.max(1, Math.floor(CHUNK / units));
  const draws = scratchInt(SLOT_INT.draws, chunk * units);
  const stream = drawStream(seed);
  for (let b0 = 0; b0 < resamples; b0 += chunk) {
    const nb = Math.min(chunk, resamples - b0);
    // the drawn units times 4: the offsets of their rows in a block
    stream(draws, units, nb * units, 2);
    plan.blocks.forEach(({ width, vals }, q) => {
      const at = q * 4 * resamples + b0;
      if (width === 4) sum4(vals, units, draws, nb, sums, at, resamples);
      else if (width === 3) sum3(vals, units, draws, nb, sums, at, resamples);
      else if (width === 2) sum2(vals, units, draws, nb, sums, at, resamples);
      else sum1(vals, units, draws, nb, sums, at);
    });
  }
  unpack(plan, sums, resamples);
  return sums;
}

const CHUNK = 1 << 15;

/** Splits packed integer sums into their fields: rows of `size` entries. */
function unpack(plan: SumPlan, sums: Float64Array, size: number): void {
  for (const { from, to, shift, bits } of plan.packed) {
    // exact: integers below 2^53 and powers of two (no %, which is a slow call on doubles)
    const down = 2 ** shift,
      mod = 2 ** bits;
    for (let e = 0; e < size; e++) {
      const q = Math.floor(sums[from * size + e] / down);
      sums[to * size + e] = q - Math.floor(q / mod) * mod;
    }
  }
}

/** A few units' replicates as draw sequences: each sequence's sums, how many replicates drew it, and which one each did. */
interface Sequences {
  /** units^units sequences */
  size: number;
  /** sums[row * size + code]: the sum of a planned column over the sequence's draws, in draw order */
  sums: Float64Array;
  drawn: Int32Array;
  codes: Int32Array;
  resamples: number;
}

/**
 * Few units: a replicate is one of units^units draw sequences (256 for 4 units, against
 * 2,000 replicates), so each column's sum is worked out once per sequence, adding in draw
 * order as a replicate does, and the replicates only count how often each sequence came up.
 */
function sequenceSums(plan: SumPlan, units: number, seed: number, resamples: number): Sequences {
  const size = units ** units;
  const sums = scratch(SLOT.sums, plan.rows * size);
  // the sums of the first L draws of every sequence from those of the first L − 1: draw i
  // is digit i of the code in base `units`, so code = prefix + last draw × units^(L − 1)
  const prev = scratch(SLOT.prefix, size),
    next = scratch(SLOT.prefix2, size);
  plan.blocks.forEach(({ width, vals }, q) => {
    for (let r = 0; r < width; r++) {
      prev[0] = 0; // the empty sequence: a sum starts at +0
      for (let L = 1, n = 1; L <= units; L++, n *= units) {
        const out = L === units ? sums.subarray((q * 4 + r) * size) : next;
        for (let d = 0; d < units; d++) {
          const v = vals[d * 4 + r];
          for (let p = 0; p < n; p++) out[d * n + p] = prev[p] + v;
        }
        if (L < units) prev.set(next.subarray(0, n * units));
      }
    }
  });
  unpack(plan, sums, size);
  const draws = scratchInt(SLOT_INT.draws, units * resamples);
  drawStream(seed)(draws, units, units * resamples, 0);
  const codes = scratchInt(SLOT_INT.codes, resamples),
    drawn = scratchInt(SLOT_INT.drawn, size).fill(0, 0, size);
  for (let b = 0; b < resamples; b++) {
    let code = 0;
    for (let i = units - 1; i >= 0; i--) code = code * units + draws[b * units + i];
    codes[b] = code;
    drawn[code]++;
  }
  return { size, sums, drawn, codes, resamples };
}

/**
 * The interval of a metric from its draw sequences: each sequence's mean, weighted by how
 * many replicates drew it, is the same multiset of replicate means as before, so its
 * order statistics are read off the few sorted sequence means. Null when no replicate has
 * a value.
 */
function sequenceQuantiles(p: MetricPlan, seq: Sequences, units: number, a: number): [number, number] | null {
  const { size, sums, drawn, codes, resamples } = seq;
  const equal = p.sum < 0 ? repeatSum(p.constant, units) : null;
  // the mean of sequence `code`; NaN-free unless a value is infinite
  const count = (code: number) => (p.count < 0 ? units : sums[p.count * size + code]);
  const meanOf = (code: number, c: number) => (equal ? equal[c] : sums[p.sum * size + code]) / c;
  const vals = scratch(SLOT.reps, size),
    weights = scratchInt(SLOT_INT.weights, size);
  let k = 0,
    n = 0;
  for (let code = 0; code < size; code++) {
    const c = count(code);
    if (drawn[code] === 0 || !(c > 0)) continue;
    vals[k] = meanOf(code, c);
    weights[k++] = drawn[code];
    n += drawn[code];
  }
  if (n === 0) return null;
  const q = p.finite ? weightedQuantiles(vals, weights, k, n, a, 1 - a) : null;
  if (q) return q;
  // the replicate means in replicate order, as the plain way has them
  const reps = scratch(SLOT.reps, resamples);
  let m = 0;
  for (let b = 0; b < resamples; b++) {
    const c = count(codes[b]);
    if (c > 0) reps[m++] = meanOf(codes[b], c);
  }
  return sortedQuantiles(reps.subarray(0, m), a);
}

/**
 * quantileSorted of the multiset where vals[i] occurs weights[i] times (n in all), at lo
 * and hi, without sorting it: one pass keeps the fewest smallest entries whose weights
 * reach past rank k1 + 1 and the fewest largest ones reaching below rank k2 (a handful
 * each for a 95% interval), and only those are sorted and walked. Null for ranks out of
 * range. vals must hold no NaN.
 */
function weightedQuantiles(
  vals: Float64Array,
  weights: Int32Array,
  k: number,
  n: number,
  lo: number,
  hi: number,
): [number, number] | null {
  const h1 = (n - 1) * lo,
    h2 = (n - 1) * hi;
  const k1 = Math.floor(h1),
    k2 = Math.floor(h2);
  if (!(k1 >= 0 && k2 >= k1 && k2 <= n - 1)) return null;
  // the smallest entries hold ranks 0 … k1 + 1; the largest, as negated values, ranks n − 1 down to k2
  const low = extremes(vals, weights, k, Math.min(k1 + 2, n), 1, 0),
    high = extremes(vals, weights, k, n - k2, -1, 1);
  const a1 = rankIn(low, k1),
    b1 = rankIn(low, Math.min(k1 + 1, n - 1)),
    a2 = -rankIn(high, n - 1 - k2),
    b2 = -rankIn(high, n - 1 - Math.min(k2 + 1, n - 1));
  return [a1 + (h1 - k1) * (b1 - a1), a2 + (h2 - k2) * (b2 - a2)];
}

interface Extremes {
  keys: Float64Array;
  weights: Int32Array;
  size: number;
}

/**
 * The fewest entries of smallest sign × value whose weights add up to at least `need`,
 * sorted by sign × value. A max-heap on sign × value: an entry goes in when the heap is
 * short of `need` or it is below the top, and the top goes out while the rest still reach
 * `need`; so every entry left out is at least the largest kept, and the kept entries,
 * sorted and repeated by weight, are the start of the sorted multiset (ties are equal values).
 */
function extremes(
  vals: Float64Array,
  weights: Int32Array,
  k: number,
  need: number,
  sign: number,
  slot: number,
): Extremes {
  const keys = scratch(SLOT.heap + slot, k),
    ws = scratchInt(SLOT_INT.heap + slot, k);
  let size = 0,
    total = 0;
  for (let i = 0; i < k; i++) {
    const key = sign * vals[i];
    if (total >= need && !(key < keys[0])) continue;
    // sift up from the end
    let j = size++;
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (!(keys[parent] < key)) break;
      keys[j] = keys[parent];
      ws[j] = ws[parent];
      j = parent;
    }
    keys[j] = key;
    ws[j] = weights[i];
    total += weights[i];
    while (total - ws[0] >= need) {
      total -= ws[0];
      // the last entry replaces the top and sifts down
      const key = keys[--size],
        w = ws[size];
      let j = 0;
      for (;;) {
        let c = 2 * j + 1;
        if (c >= size) break;
        if (c + 1 < size && keys[c + 1] > keys[c]) c++;
        if (!(keys[c] > key)) break;
        keys[j] = keys[c];
        ws[j] = ws[c];
        j = c;
      }
      keys[j] = key;
      ws[j] = w;
    }
  }
  sortPairs(keys, ws, 0, size - 1);
  return { keys, weights: ws, size };
}

/** The key at rank r of sorted extremes repeated by weight. */
function rankIn(e: Extremes, r: number): number {
  let i = 0;
  for (let below = 0; below + e.weights[i] <= r; i++) below += e.weights[i];
  return e.keys[i];
}

/** Sorts vals[lo … hi] ascending, moving weights along: quicksort, insertion sort for short runs. */
function sortPairs(v: Float64Array, w: Int32Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const p = v[lo],
      q = v[(lo + hi) >> 1],
      s = v[hi];
    const x = p < q ? (q < s ? q : p < s ? s : p) : p < s ? p : q < s ? s : q;
    let i = lo,
      j = hi;
    do {
      while (v[i] < x) i++;
      while (x < v[j]) j--;
      if (i <= j) {
        const t = v[i],
          u = w[i];
        v[i] = v[j];
        w[i] = w[j];
        v[j] = t;
        w[j] = u;
        i++;
        j--;
      }
    } while (i <= j);
    // the smaller side by recursion, the larger by the loop
    if (j - lo < hi - i) {
      sortPairs(v, w, lo, j);
      lo = i;
    } else {
      sortPairs(v, w, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = v[i],
      y = w[i];
    let j = i - 1;
    for (; j >= lo && v[j] > x; j--) {
      v[j + 1] = v[j];
      w[j + 1] = w[j];
    }
    v[j + 1] = x;
    w[j + 1] = y;
  }
}

function sum4(
  vals: Float64Array,
  units: number,
  draws: Int32Array,
  nb: number,
  sums: Float64Array,
  at: number,
  stride: number,
): void {
  for (let b = 0, i = 0; b < nb; b++) {
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (const end = i + units; i < end; i++) {
      const o = draws[i];
      s0 += vals[o];
      s1 += vals[o + 1];
      s2 += vals[o + 2];
      s3 += vals[o + 3];
    }
    sums[at + b] = s0;
    sums[at + stride + b] = s1;
    sums[at + 2 * stride + b] = s2;
    sums[at + 3 * stride + b] = s3;
  }
}

function sum3(
  vals: Float64Array,
  units: number,
  draws: Int32Array,
  nb: number,
  sums: Float64Array,
  at: number,
  stride: number,
): void {
  for (let b = 0, i = 0; b < nb; b++) {
    let s0 = 0,
      s1 = 0,
      s2 = 0;
    for (const end = i + units; i < end; i++) {
      const o = draws[i];
      s0 += vals[o];
      s1 += vals[o + 1];
      s2 += vals[o + 2];
    }
    sums[at + b] = s0;
    sums[at + stride + b] = s1;
    sums[at + 2 * stride + b] = s2;
  }
}

function sum2(
  vals: Float64Array,
  units: number,
  draws: Int32Array,
  nb: number,
  sums: Float64Array,
  at: number,
  stride: number,
): void {
  for (let b = 0, i = 0; b < nb; b++) {
    let s0 = 0,
      s1 = 0;
    for (const end = i + units; i < end; i++) {
      const o = draws[i];
      s0 += vals[o];
      s1 += vals[o + 1];
    }
    sums[at + b] = s0;
    sums[at + stride + b] = s1;
  }
}

function sum1(vals: Float64Array, units: number, draws: Int32Array, nb: number, sums: Float64Array, at: number): void {
  for (let b = 0, i = 0; b < nb; b++) {
    let s = 0;
    for (const end = i + units; i < end; i++) s += vals[draws[i]];
    sums[at + b] = s;
  }
}

/**
 * The bootstrap's draws from createRng(seed) (src/game/rng.ts: sfc32 seeded through
 * splitmix32, 12 warm-up draws), replicated with the state in local int32 variables: the
 * same stream, `out[i] = Math.floor(rng.next() * units) << shift` for i < n, in order
 * (units << shift below 2^31), about 10× faster than calling rng.next(), whose closure keeps
 * its state as uint32 (boxed numbers) between calls. The shift is an int32 operation, which
 * keeps the store fast (a multiplication here made the loop 3× slower). stats.test.ts
 * checks the replica against createRng draw for draw.
 */
export function drawStream(seed: number): (out: Int32Array, units: number, n: number, shift: number) => void {
  let x = (seed >>> 0) ^ Math.floor(seed / 0x100000000);
  const splitmix = () => {
    x = (x + 0x9e3779b9) | 0;
    let t = x ^ (x >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return t ^ (t >>> 15);
  };
  const st = new Int32Array(4);
  for (let i = 0; i < 4; i++) st[i] = splitmix();
  const fill = (out: Int32Array, units: number, n: number, shift: number) => {
    let a = st[0],
      b = st[1],
      c = st[2],
      d = st[3];
    for (let i = 0; i < n; i++) {
      let t = (a + b) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      d = (d + 1) | 0;
      t = (t + d) | 0;
      c = (c + t) | 0;
      // × 2^−32 is exactly rng.next()'s / 2^32, without a division
      out[i] = Math.floor((t >>> 0) * 2.3283064365386963e-10 * units) << shift;
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
  };
  fill(new Int32Array(12), 1, 12, 0);
  return fill;
}

/**
 * [quantileSorted(sort(xs), lo), quantileSorted(sort(xs), hi)] for lo ≤ hi without sorting.
 * A type-7 quantile reads two neighbouring order statistics, and selection finds those
 * exactly. To select among few values, thresholds from a sample of 128 first set aside the
 * values that surely hold the ranks wanted (about 7% of xs at each end for a 95% interval
 * of 2,000 replicates): the values at or below the low threshold are exactly the smallest
 * ones, those at or above the high one the largest. When a threshold misses (rarely) or xs
 * is short, it selects in all of xs. Comparisons do not order −0 and +0 as sort does, but
 * the interpolation gives the same number either way. Null for ranks out of range (a level
 * outside [0, 1]). Reorders xs; xs must hold no NaN.
 */
export function tailQuantiles(xs: Float64Array, lo: number, hi: number): [number, number] | null {
  const n = xs.length;
  const h1 = (n - 1) * lo,
    h2 = (n - 1) * hi;
  const k1 = Math.floor(h1),
    k2 = Math.floor(h2);
  if (!(k1 >= 0 && k2 >= k1 && k2 <= n - 1)) return null;
  const [a1, b1, a2, b2] = (n >= 8 * SAMPLE && fromTails(xs, k1, k2)) || fromAll(xs, k1, k2);
  return [a1 + (h1 - k1) * (b1 - a1), a2 + (h2 - k2) * (b2 - a2)];
}

const SAMPLE = 128;

/** The order statistics k1, k1 + 1, k2, k2 + 1 (the next ones capped at n − 1) by selection in all of xs. */
function fromAll(xs: Float64Array, k1: number, k2: number): [number, number, number, number] {
  const n = xs.length;
  select(xs, 0, n - 1, k1);
  const a1 = xs[k1],
    b1 = k1 + 1 < n ? minOf(xs, k1 + 1, n - 1) : a1;
  if (k2 === k1) return [a1, b1, a1, b1];
  // positions k1 + 1 … n − 1 hold exactly the values ranked above k1
  select(xs, k1 + 1, n - 1, k2);
  const a2 = xs[k2];
  return [a1, b1, a2, k2 + 1 < n ? minOf(xs, k2 + 1, n - 1) : a2];
}

/** The same from the values set aside by two sample thresholds; null when they do not hold the ranks. */
function fromTails(xs: Float64Array, k1: number, k2: number): [number, number, number, number] | null {
  const n = xs.length,
    S = SAMPLE;
  const needLow = Math.min(k1 + 2, n),
    needHigh = n - k2;
  // sample ranks whose expected rank in xs is 1.5× the need, plus a few
  const iLow = Math.min(S - 1, Math.ceil(((needLow * S) / n) * 1.5) + 3),
    iHigh = S - 1 - Math.min(S - 1, Math.ceil(((needHigh * S) / n) * 1.5) + 3);
  if (iLow >= iHigh) return null;
  const sample = scratch(SLOT.sample, S);
  for (let i = 0; i < S; i++) sample[i] = xs[Math.floor((i * n) / S)];
  select(sample, 0, S - 1, iLow);
  select(sample, iLow + 1, S - 1, iHigh);
  const tLow = sample[iLow],
    tHigh = sample[iHigh];
  if (!(tLow < tHigh)) return null;
  const low = scratch(SLOT.low, n),
    high = scratch(SLOT.high, n);
  let cl = 0,
    ch = 0;
  // branch-free: every value is written, the end moves on only for one that belongs (tLow < tHigh)
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    low[cl] = x;
    high[ch] = x;
    cl += +(x <= tLow);
    ch += +(x >= tHigh);
  }
  if (cl < needLow || ch < needHigh) return null;
  // low holds the ranks 0 … cl − 1, high the ranks n − ch … n − 1
  select(low, 0, cl - 1, k1);
  const a1 = low[k1],
    b1 = k1 + 1 < n ? minOf(low, k1 + 1, cl - 1) : a1;
  const p = k2 - (n - ch);
  select(high, 0, ch - 1, p);
  const a2 = high[p];
  return [a1, b1, a2, k2 + 1 < n ? minOf(high, p + 1, ch - 1) : a2];
}

function minOf(xs: Float64Array, from: number, to: number): number {
  let m = xs[from];
  for (let i = from + 1; i <= to; i++) if (xs[i] < m) m = xs[i];
  return m;
}

/**
 * Hoare/Wirth selection: afterwards xs[k] holds the value of rank k within xs[l … r], no
 * larger value before it and no smaller one after. The scans stop at values equal to the
 * pivot, so the many equal replicate means of a small group still split evenly.
 */
function select(xs: Float64Array, l: number, r: number, k: number): void {
  while (l < r) {
    const p = xs[l],
      q = xs[k],
      s = xs[r];
    // the median of three as the pivot
    const x = p < q ? (q < s ? q : p < s ? s : p) : p < s ? p : q < s ? s : q;
    let i = l,
      j = r;
    do {
      while (xs[i] < x) i++;
      while (x < xs[j]) j--;
      if (i <= j) {
        const t = xs[i];
        xs[i] = xs[j];
        xs[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) l = i;
    if (k < i) r = j;
  }
}

// Buffers reused across calls: the report bootstraps thousands of small groups.
const SLOT = { sums: 0, reps: 1, sample: 2, low: 3, high: 4, vectors: 5, blocks: 6, prefix: 7, prefix2: 8, heap: 9 };
const floats: Float64Array[] = [];
function scratch(slot: number, n: number): Float64Array {
  if (!floats[slot] || floats[slot].length < n) floats[slot] = new Float64Array(Math.max(n, 64));
  return floats[slot];
}
const SLOT_INT = { draws: 0, codes: 1, drawn: 2, weights: 3, heap: 4 };
const intBuffers: Int32Array[] = [];
function scratchInt(slot: number, n: number): Int32Array {
  if (!intBuffers[slot] || intBuffers[slot].length < n) intBuffers[slot] = new Int32Array(Math.max(n, 64));
  return intBuffers[slot];
}
