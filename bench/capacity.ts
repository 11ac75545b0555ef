/**
 * The true floor of a grid's makespan against the bench's mock (issue 12 §5): no scheduler,
 * however clever, can finish before the largest of these terms.
 *   rpm    per key: its answered requests through a token bucket that starts full with
 *          `burstS` seconds of budget and refills at the RPM: (N − burst) ÷ rate
 *   tpm    per key: the same with its answered requests' tokens (input + output) and the TPM
 *   chain  the longest experiment: its runs and their calls are sequential, so the sum of
 *          its calls' latencies
 *   slots  the parallelism limit: every answered call's latency ÷ the parallel experiments
 * Pure; the bench prints every term and which binds.
 */

export interface KeyLoad {
  /** provider name as the bench labels it */
  key: string;
  requests: number;
  tokens: number;
  /** per minute; 0 or Infinity: not enforced */
  rpm: number;
  tpm: number;
}

export interface Term { name: string; seconds: number }

export interface Floor { terms: Term[]; seconds: number; binding: string }

/** Seconds until a bucket of `burstS` seconds of `perMin` (full at the start) has let `amount` through. */
export function bucketSeconds(amount: number, perMin: number, burstS: number): number {
  if (!(perMin > 0) || !Number.isFinite(perMin)) return 0;
  const burst = Math.max(1, (perMin * burstS) / 60);
  return Math.max(0, ((amount - burst) * 60) / perMin);
}

export function floorOf(keys: KeyLoad[], burstS: number, chainS: number, latencySumS: number, parallel: number): Floor {
  const terms: Term[] = [];
  for (const k of keys) {
    if (k.rpm > 0 && Number.isFinite(k.rpm)) terms.push({ name: `rpm ${k.key}`, seconds: bucketSeconds(k.requests, k.rpm, burstS) });
    if (k.tpm > 0 && Number.isFinite(k.tpm)) terms.push({ name: `tpm ${k.key}`, seconds: bucketSeconds(k.tokens, k.tpm, burstS) });
  }
  terms.push({ name: 'chain', seconds: chainS });
  terms.push({ name: `slots (${parallel})`, seconds: latencySumS / Math.max(1, parallel) });
  const top = terms.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return { terms, seconds: top.seconds, binding: top.name };
}
