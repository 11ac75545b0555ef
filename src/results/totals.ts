/**
 * Totals over seats: calls, tokens and dollars per experiment and per model. One reduction
 * for the result documents (collect's summary) and the runs.csv rows (the report), which
 * carry the same per-seat fields. A field a result written before it existed lacks counts 0.
 */
import type { Spend } from '../protocol/series.ts';
import type { ResultFile } from './document.ts';

export type SeatCount =
  | 'calls'
  | 'input_tokens'
  | 'output_tokens'
  | 'reasoning_tokens'
  | 'cache_read_tokens'
  | 'cache_write_tokens'
  | 'cost_usd'
  | 'repairs'
  | 'voided';

/** A count summed over every seat of every run of a result. */
export function seatSum(r: Pick<ResultFile, 'runs'>, k: SeatCount): number {
  return r.runs.reduce((t, x) => t + x.agents.reduce((u, a) => u + (a[k] ?? 0), 0), 0);
}

/** A result's calls, tokens and dollars: its seats' sums (dollars to the micro-dollar), in the result document's order. */
export function spendOf(r: Pick<ResultFile, 'runs'>): Required<Spend> {
  return {
    calls: seatSum(r, 'calls'),
    input_tokens: seatSum(r, 'input_tokens'),
    output_tokens: seatSum(r, 'output_tokens'),
    reasoning_tokens: seatSum(r, 'reasoning_tokens'),
    cache_read_tokens: seatSum(r, 'cache_read_tokens'),
    cache_write_tokens: seatSum(r, 'cache_write_tokens'),
    cost_usd: Math.round(seatSum(r, 'cost_usd') * 1e6) / 1e6,
  };
}

/** Calls, tokens and dollars of one model over its seats (API models; scripted ones show zeros). */
export interface ModelTotals {
  seats: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** cache_read_tokens / input_tokens (null without input) */
  cached_input_share: number | null;
  cost_usd: number;
}

type Seat = { model: string } & { [K in Exclude<SeatCount, 'repairs' | 'voided'>]?: number };

export function modelTotals(seats: Iterable<Seat>): Record<string, ModelTotals> {
  // keyed by model names: no prototype, so constructor or toString is a model like any other
  const out: Record<string, ModelTotals> = Object.create(null);
  for (const a of seats) {
    const m = (out[a.model] ??= {
      seats: 0,
      calls: 0,
      input_tokens: 0,
      output_tokens: 0,
      reasoning_tokens: 0,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cached_input_share: null,
      cost_usd: 0,
    });
    m.seats++;
    m.calls += a.calls ?? 0;
    m.input_tokens += a.input_tokens ?? 0;
    m.output_tokens += a.output_tokens ?? 0;
    m.reasoning_tokens += a.reasoning_tokens ?? 0;
    m.cost_usd += a.cost_usd ?? 0;
    m.cache_read_tokens += a.cache_read_tokens ?? 0;
    m.cache_write_tokens += a.cache_write_tokens ?? 0;
  }
  for (const m of Object.values(out)) {
    m.cost_usd = Math.round(m.cost_usd * 1e6) / 1e6;
    m.cached_input_share = m.input_tokens > 0 ? Math.round((m.cache_read_tokens / m.input_tokens) * 1e4) / 1e4 : null;
  }
  return out;
}

/** Every seat of every run of the results. */
export function* seatsOf(results: Iterable<Pick<ResultFile, 'runs'>>) {
  for (const r of results) for (const run of r.runs) yield* run.agents;
}
