/**
 * Key rotation: the keys of one provider route, in order, shared by every model that uses
 * that route in this process. A key rejected for a key-kind error (invalid key, quota,
 * insufficient funds) is set aside and the next one serves; when none is left every call
 * fails fast with one message naming each key's label and why it was rejected.
 * Labels (OPENAI_API_KEY_2) are what logs and budgets see; values never leave ApiKey.
 */
import { ApiKey, type ProviderEnv } from './env.ts';
import { scrub } from './scrub.ts';

export interface RejectedKey { label: string; reason: string }

export class KeyPool {
  private readonly rejectedByLabel = new Map<string, string>();

  /** `keys` empty means the route needs no key (a keyless compatible server): one anonymous slot. */
  constructor(readonly name: string, private readonly keys: readonly ApiKey[]) {}

  get keyless(): boolean { return this.keys.length === 0; }

  get labels(): string[] { return this.keyless ? ['none'] : this.keys.map((k) => k.label); }

  /** The key to use now, or undefined when every key has been rejected. */
  current(): ApiKey | undefined {
    if (this.keyless) return this.rejectedByLabel.has('none') ? undefined : NO_KEY;
    return this.keys.find((k) => !this.rejectedByLabel.has(k.label));
  }

  /** Set a key aside; idempotent, so concurrent calls that failed on the same key rotate once. */
  reject(label: string, reason: string): void {
    if (!this.rejectedByLabel.has(label)) this.rejectedByLabel.set(label, scrub(reason));
  }

  get rejected(): RejectedKey[] {
    return [...this.rejectedByLabel].map(([label, reason]) => ({ label, reason }));
  }

  /** "OPENAI_API_KEY (401 invalid key); OPENAI_API_KEY_2 (insufficient funds)" */
  describeRejected(): string {
    return this.rejected.map((r) => `${r.label} (${r.reason})`).join('; ');
  }
}

/** The anonymous slot of a keyless route: sends no credentials. */
export const NO_KEY = new ApiKey('none', '');

const pools = new WeakMap<ProviderEnv, Map<string, KeyPool>>();

/**
 * The shared pool for (env, pool name): one per provider route and base URL, so a key found
 * dead by one experiment is skipped by all others in the process.
 */
export function sharedKeyPool(env: ProviderEnv, name: string, make: () => ApiKey[]): KeyPool {
  let byName = pools.get(env);
  if (!byName) pools.set(env, (byName = new Map()));
  let pool = byName.get(name);
  if (!pool) byName.set(name, (pool = new KeyPool(name, make())));
  return pool;
}
