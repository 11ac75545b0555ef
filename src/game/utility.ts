/** Utilities: raw = sum of own values of own items; discounted = raw * gamma^(round-1). Pure. */
import type { Owners } from './allocation.ts';

export function rawUtilities(values: readonly (readonly number[])[], owners: Owners): number[] {
  const u = values.map(() => 0);
  owners.forEach((s, j) => {
    u[s] += values[s][j];
  });
  return u;
}

export function discount(raw: number, gamma: number, round: number): number {
  return raw * Math.pow(gamma, round - 1);
}
