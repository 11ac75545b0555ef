/**
 * What a process's API calls cost (DESIGN §3): the CostMeter that progress and --max-cost read,
 * and the ChatModel layer that feeds it every answer (cached ones at $0) and reports a model the
 * provider refuses for good.
 */
import { modelErrorOf, type ChatModel, type ChatRequest, type ChatResult } from '../providers/types.ts';

/** Dollars and calls so far, in total and per model (`cached`: answers the response cache gave). */
export class CostMeter {
  usd = 0;
  calls = 0;
  cached = 0;
  readonly byModel = new Map<string, { calls: number; usd: number }>();
  add(model: string, r: ChatResult): void {
    const usd = r.cached ? 0 : (r.costUsd ?? 0);
    this.usd += usd;
    this.calls++;
    if (r.cached) this.cached++;
    const m = this.byModel.get(model) ?? { calls: 0, usd: 0 };
    m.calls++;
    m.usd += usd;
    this.byModel.set(model, m);
  }
}

/** `inner` with each answer added to `meter`; `onModelError` hears of a model refused for good. */
export function metered(
  inner: ChatModel,
  meter: CostMeter,
  model: string,
  onModelError: (model: string, reason: string) => void,
): ChatModel {
  return {
    spec: 'v1',
    provider: inner.provider,
    modelId: inner.modelId,
    get keyLabel() {
      return inner.keyLabel;
    },
    async generate(req: ChatRequest) {
      let r;
      try {
        r = await inner.generate(req);
      } catch (e) {
        // a model the provider refuses for good (not found, unsupported parameter): see run-session's hold
        const me = modelErrorOf(e);
        if (me) onModelError(model, me.message);
        throw e;
      }
      meter.add(model, r);
      return r;
    },
  };
}
