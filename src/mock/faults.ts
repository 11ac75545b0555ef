/**
 * The mock server's fault injection, deterministic by request: a fault is drawn from a
 * hash of (request, how many times that same request was seen before), so a run against
 * the server is reproducible and a retried request draws afresh (as a real retry would).
 * Transport faults hit any request; output faults hit proposal and vote answers (the JSON
 * the parser must cope with or reject). Pure.
 */
import { createHash } from 'node:crypto';

export const TRANSPORT_FAULTS = ['server_error', 'reset', 'slow'] as const;
export const OUTPUT_FAULTS = [
  'fenced',
  'prose',
  'trailing_comma',
  'comments',
  'single_quotes',
  'truncated',
  'refusal',
] as const;
export type TransportFault = (typeof TRANSPORT_FAULTS)[number];
export type OutputFault = (typeof OUTPUT_FAULTS)[number];
export type FaultKind = TransportFault | OutputFault;

export interface FaultRates {
  /** probability of a transport fault, split evenly over 5xx, reset and slow */
  errorRate?: number;
  /** probability of a malformed proposal/vote answer, split evenly over the output faults */
  malformedRate?: number;
  /** per-kind probabilities; when any kind of a family is given they replace that family's even split */
  perKind?: Partial<Record<FaultKind, number>>;
}

/** A uniform number in [0, 1) from a hash and a label. */
export function unit(hash: string, label: string): number {
  const h = createHash('sha256').update(hash).update('\u0000').update(label).digest();
  return (h.readUInt32BE(0) * 2 ** 21 + (h.readUInt32BE(4) >>> 11)) / 2 ** 53;
}

function pick<K extends FaultKind>(
  kinds: readonly K[],
  total: number | undefined,
  perKind: FaultRates['perKind'],
  u: number,
): K | null {
  const explicit = kinds.some((k) => perKind?.[k] !== undefined);
  let acc = 0;
  for (const k of kinds) {
    acc += explicit ? (perKind?.[k] ?? 0) : (total ?? 0) / kinds.length;
    if (u < acc) return k;
  }
  return null;
}

export function transportFault(reqHash: string, occurrence: number, rates: FaultRates): TransportFault | null {
  return pick(TRANSPORT_FAULTS, rates.errorRate, rates.perKind, unit(reqHash, `transport/${occurrence}`));
}

export function outputFault(reqHash: string, occurrence: number, rates: FaultRates): OutputFault | null {
  return pick(OUTPUT_FAULTS, rates.malformedRate, rates.perKind, unit(reqHash, `output/${occurrence}`));
}

export const REFUSAL_TEXT = "I'm sorry, but I can't help with that.";

/**
 * The answer text after an output fault. `cut` says the answer was truncated (the server
 * reports it as stopped by the token limit, as a real API does).
 */
export function applyOutputFault(kind: OutputFault, text: string): { text: string; cut: boolean } {
  switch (kind) {
    case 'fenced':
      return { text: '```json\n' + JSON.stringify(JSON.parse(text), null, 2) + '\n```', cut: false };
    case 'prose':
      return {
        text: `Here is my answer, after weighing my values:\n\n${text}\n\nI believe this is reasonable.`,
        cut: false,
      };
    case 'trailing_comma':
      return { text: text.replace(/\]/g, ',]').replace(/\}$/, ',}'), cut: false };
    case 'comments':
      return {
        text: `// my answer\n${JSON.stringify(JSON.parse(text), null, 2).replace(/\n/, ' /* final */\n')}`,
        cut: false,
      };
    case 'single_quotes':
      return { text: text.replace(/"/g, "'"), cut: false };
    case 'truncated':
      return { text: text.slice(0, Math.max(1, Math.floor(text.length * 0.6))), cut: true };
    case 'refusal':
      return { text: REFUSAL_TEXT, cut: false };
  }
}
