/**
 * Seeded pseudo-random generator (sfc32 seeded through splitmix32).
 * Contract: pure, deterministic; the game never touches Math.random or the clock.
 * Must not import anything outside src/game.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A new independent generator derived from this one's seed and a label. */
  fork(label: string | number): Rng;
  readonly seed: number;
}

function splitmix32(a: number): () => number {
  return () => {
    a = (a + 0x9e3779b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t = t ^ (t >>> 15);
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}

/** FNV-1a over a string, for deriving sub-seeds from labels. */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function deriveSeed(seed: number, ...labels: Array<string | number>): number {
  let h = hashString(String(seed));
  for (const l of labels) h = hashString('/' + String(l), h);
  return h >>> 0;
}

export function createRng(seed: number): Rng {
  const sm = splitmix32((seed >>> 0) ^ Math.floor(seed / 0x100000000));
  let a = sm(),
    b = sm(),
    c = sm(),
    d = sm();
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return {
    seed,
    next,
    int: (n: number) => Math.floor(next() * n),
    fork: (label) => createRng(deriveSeed(seed, label)),
  };
}

export function shuffle<T>(rng: Rng, xs: T[]): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
