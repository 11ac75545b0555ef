/**
 * Key rotation: the keys of one provider route, in order, shared by every model that uses
 * that route in this process. A key rejected for a key-kind error (invalid key, no credit)
 * is set aside and the next one serves. A set-aside key is not dead for the process: after
 * a cool-down (10 min by default) one call may probe it again; success restores it, another
 * key error sets it aside for twice as long (capped). When every key is set aside and none
 * is due for a probe, calls fail fast with one line naming each key's label and why.
 * Labels (OPENAI_API_KEY_2) are what logs and budgets see; values never leave ApiKey.
 */
import { ApiKey, type ProviderEnv } from './env.ts';
import { scrub } from './scrub.ts';

export interface RejectedKey {
  label: string;
  reason: string /** ms until it may be probed again (0: due now) */;
  retryInMs: number;
}

export interface KeyPoolOptions {
  /** first cool-down of a set-aside key before one call probes it again (default 10 min) */
  coolDownMs?: number;
  /** ceiling of the doubling cool-down (default 6 h) */
  maxCoolDownMs?: number;
  /** wall clock in ms (tests inject one) */
  now?: () => number;
}

export const DEFAULT_KEY_COOL_DOWN_MS = 10 * 60_000;
const DEFAULT_MAX_COOL_DOWN_MS = 6 * 3600_000;

interface SetAside {
  reason: string;
  until: number;
  coolDownMs: number;
  probing: boolean;
}

/** A key handed to one call; `probe` when the call is testing a set-aside key after its cool-down. */
export interface TakenKey {
  key: ApiKey;
  probe: boolean;
}

export class KeyPool {
  private readonly aside = new Map<string, SetAside>();
  private readonly coolDownMs: number;
  private readonly maxCoolDownMs: number;
  private readonly now: () => number;

  /** `keys` empty means the route needs no key (a keyless compatible server): one anonymous slot. */
  constructor(
    readonly name: string,
    private readonly keys: readonly ApiKey[],
    opts: KeyPoolOptions = {},
  ) {
    this.coolDownMs = opts.coolDownMs ?? DEFAULT_KEY_COOL_DOWN_MS;
    this.maxCoolDownMs = Math.max(this.coolDownMs, opts.maxCoolDownMs ?? DEFAULT_MAX_COOL_DOWN_MS);
    this.now = opts.now ?? Date.now;
  }

  get keyless(): boolean {
    return this.keys.length === 0;
  }

  get labels(): string[] {
    return this.all.map((k) => k.label);
  }

  private get all(): readonly ApiKey[] {
    return this.keyless ? [NO_KEY] : this.keys;
  }

  /** The key a call would use now (no side effect), or undefined when every key is set aside and none is due. */
  current(): ApiKey | undefined {
    const t = this.now();
    return this.all.find((k) => {
      const a = this.aside.get(k.label);
      return !a || (!a.probing && t >= a.until);
    });
  }

  /**
   * The key for one call, in order: a healthy key, or a set-aside key whose cool-down is
   * over (that call is its only probe until it ends). Undefined when none is usable now.
   */
  take(): TakenKey | undefined {
    const key = this.current();
    if (!key) return undefined;
    const a = this.aside.get(key.label);
    if (a) a.probing = true;
    return { key, probe: a !== undefined };
  }

  /** A call on this key succeeded: a probed key is back in service. */
  succeeded(label: string): void {
    this.aside.delete(label);
  }

  /** A probe ended without saying anything about the key (a 429, a reset): another call may probe it. */
  probeInconclusive(label: string): void {
    const a = this.aside.get(label);
    if (a) a.probing = false;
  }

  /**
   * Set a key aside for a key error. Idempotent while it is set aside, so concurrent calls
   * that failed on the same key rotate once; a failed probe doubles the cool-down.
   */
  reject(label: string, reason: string): void {
    const a = this.aside.get(label);
    const t = this.now();
    if (!a) {
      this.aside.set(label, {
        reason: scrub(reason),
        until: t + this.coolDownMs,
        coolDownMs: this.coolDownMs,
        probing: false,
      });
    } else if (a.probing || t >= a.until) {
      const next = Math.min(this.maxCoolDownMs, a.coolDownMs * 2);
      this.aside.set(label, { reason: scrub(reason), until: t + next, coolDownMs: next, probing: false });
    }
  }

  get rejected(): RejectedKey[] {
    const t = this.now();
    return [...this.aside].map(([label, a]) => ({ label, reason: a.reason, retryInMs: Math.max(0, a.until - t) }));
  }

  /** "OPENAI_API_KEY (401: invalid key; tried again in 10 min); OPENAI_API_KEY_2 (429: insufficient_quota; tried again in 20 min)" */
  describeRejected(): string {
    return this.rejected.map((r) => `${r.label} (${r.reason}; tried again in ${formatWait(r.retryInMs)})`).join('; ');
  }
}

function formatWait(ms: number): string {
  if (ms < 60_000) return `${Math.max(1, Math.ceil(ms / 1000))} s`;
  if (ms < 3600_000) return `${Math.ceil(ms / 60_000)} min`;
  return `${(ms / 3600_000).toFixed(1)} h`;
}

/** The anonymous slot of a keyless route: sends no credentials. */
export const NO_KEY = new ApiKey('none', '');

const pools = new WeakMap<ProviderEnv, Map<string, KeyPool>>();

/**
 * The shared pool for (env, pool name): one per provider route and base URL, so a key found
 * dead by one experiment is skipped by all others in the process. The first caller's
 * options (cool-down, clock) make the pool.
 */
export function sharedKeyPool(env: ProviderEnv, name: string, make: () => ApiKey[], opts?: KeyPoolOptions): KeyPool {
  let byName = pools.get(env);
  if (!byName) pools.set(env, (byName = new Map()));
  let pool = byName.get(name);
  if (!pool) byName.set(name, (pool = new KeyPool(name, make(), opts)));
  return pool;
}
