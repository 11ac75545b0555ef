/**
 * Flag parsers shared by the commands: each turns a string into a typed value or throws a
 * UserError naming the flag and the accepted form. Flags stay undefined unless given.
 */
import { InvalidArgumentError } from 'commander';

export function intArg(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        `${flag} takes a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'} (got "${v}")`,
      );
    }
    return n;
  };
}

export function floatArg(flag: string, ok: (x: number) => boolean, range: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || !ok(n))
      throw new InvalidArgumentError(`${flag} takes a number ${range} (got "${v}")`);
    return n;
  };
}

export const levelArg = floatArg('--competition-level', (x) => x >= 0 && x <= 1, 'from 0 to 1');
export const gammaArg = floatArg('--gamma', (x) => x > 0 && x <= 1, 'in (0, 1]');

export function listArg(v: string): string[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const PROVIDERS = ['openai', 'anthropic', 'google', 'openrouter', 'compatible', 'sim'];

/** Repeatable PROVIDER=N flags (--rpm openai=500 --rpm anthropic=50) into a map. */
export function providerValueArg(flag: string, integer: boolean) {
  return (v: string, into: Record<string, number> = {}): Record<string, number> => {
    const m = /^([a-z]+)=(\d+(?:\.\d+)?)$/.exec(v.trim());
    if (!m || !PROVIDERS.includes(m[1]) || Number(m[2]) <= 0 || (integer && !Number.isInteger(Number(m[2])))) {
      throw new InvalidArgumentError(
        `${flag} takes PROVIDER=N with PROVIDER one of ${PROVIDERS.join(', ')} and N > 0${integer ? ', a whole number' : ''} (got "${v}"); repeat it for more providers`,
      );
    }
    return { ...into, [m[1]]: Number(m[2]) };
  };
}

/** Repeatable MODEL=URL flags (--base-url my-llama=http://127.0.0.1:8000/v1). */
export function modelUrlArg(v: string, into: string[] = []): string[] {
  if (!/^[^=\s]+=\S+$/.test(v))
    throw new InvalidArgumentError(`--base-url takes MODEL=URL, e.g. llama=http://127.0.0.1:8000/v1 (got "${v}")`);
  return [...into, v];
}
