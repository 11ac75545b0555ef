/**
 * The true floor of a grid's makespan against the bench's mock (issue 12 §5): no scheduler,
 * however clever, can finish before the largest of these terms.
 *   bucket  per key and limit (requests, tokens, input or output tokens per minute): what the
 *           key's answered requests took from it, through a token bucket that starts full with
 *           `burstS` seconds of budget and refills continuously at the limit: (N − burst) ÷ rate
 *   chain   the longest experiment: its runs and their calls are sequential, so the sum of
 *           its calls' latencies
 *   slots   the parallelism limit: every answered call's latency ÷ the parallel experiments
 * Pure; the bench prints every term and which binds.
 */

/** One enforced limit of one key and what the run took from it. */
export interface Limit {
  /** printed name, e.g. "tpm openai" */
  name: string;
  /** what the answered requests took (requests, or tokens as the limit counts them) */
  amount: number;
  /** per minute; 0 or Infinity: not enforced (no term) */
  perMin: number;
  /** seconds of budget the bucket holds, full at the start */
  burstS: number;
}

export interface Term {
  name: string;
  seconds: number;
}

export interface Floor {
  terms: Term[];
  seconds: number;
  binding: string;
}

/** Seconds until a bucket of `burstS` seconds of `perMin` (full at the start) has let `amount` through. */
export function bucketSeconds(amount: number, perMin: number, burstS: number): number {
  if (!(perMin > 0) || !Number.isFinite(perMin)) return 0;
  const burst = Math.max(1, (perMin * burstS) / 60);
  return Math.max(0, ((amount - burst) * 60) / perMin);
}

export function floorOf(limits: Limit[], chainS: number, latencySumS: number, parallel: number): Floor {
  const terms: Term[] = [];
  for (const l of limits) {
    if (l.perMin > 0 && Number.isFinite(l.perMin))
      terms.push({ name: l.name, seconds: bucketSeconds(l.amount, l.perMin, l.burstS) });
  }
  terms.push({ name: 'chain', seconds: chainS });
  terms.push({ name: `slots (${parallel})`, seconds: latencySumS / Math.max(1, parallel) });
  const top = terms.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  return { terms, seconds: top.seconds, binding: top.name };
}
