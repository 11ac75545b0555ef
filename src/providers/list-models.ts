/**
 * Which models a key can call, asked of the provider itself (`bargain models --live`):
 *   openai      GET {base}/models                 Authorization: Bearer   {data: [{id}]}
 *   anthropic   GET {root}/v1/models?limit=1000    x-api-key + anthropic-version   {data: [{id}], has_more, last_id}
 *   google      GET {root}/v1beta/models?pageSize=1000   x-goog-api-key   {models: [{name: "models/ID"}], nextPageToken}
 *   openrouter  GET {base}/models                 (public)                {data: [{id, context_length, pricing}]}
 * Sources: https://platform.openai.com/docs/api-reference/models/list ,
 * https://docs.anthropic.com/en/api/models-list , https://ai.google.dev/api/models#method:-models.list ,
 * https://openrouter.ai/docs/api-reference/list-available-models (read 2026-12-02).
 * Failures are one scrubbed line per provider; keys never leave ApiKey except in the header.
 */
import type { ApiKey } from './env.ts';
import { classifyHttp } from './errors.ts';
import { displayUrl, scrub } from './scrub.ts';
import type { FetchFn } from './clients.ts';

export type ListedProvider = 'openai' | 'anthropic' | 'google' | 'openrouter';

export interface ListedModel {
  id: string;
  context_length?: number;
  /** USD per million tokens (OpenRouter lists them) */
  price_input?: number;
  price_output?: number;
}

export type Listing = { ok: true; models: ListedModel[] } | { ok: false; error: string };

const MAX_PAGES = 20;

export async function listModels(
  provider: ListedProvider,
  baseUrl: string,
  key: ApiKey,
  fetchFn: FetchFn = globalThis.fetch,
  signal?: AbortSignal,
): Promise<Listing> {
  const out: ListedModel[] = [];
  let page: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const { url, headers } = request(provider, baseUrl, key, page);
    let res: Response;
    try {
      res = await fetchFn(url, { headers, signal: signal ?? AbortSignal.timeout(30_000) });
    } catch (e) {
      return {
        ok: false,
        error: scrub(
          `cannot reach ${displayUrl(baseUrl)} (${(e as NodeJS.ErrnoException).cause ? String((e as { cause: NodeJS.ErrnoException }).cause.code ?? e) : (e as Error).message})`,
        ),
      };
    }
    const body = await res.text();
    if (!res.ok) {
      const c = classifyHttp({
        status: res.status,
        headers: Object.fromEntries(res.headers),
        body,
        message: res.statusText,
      });
      return { ok: false, error: scrub(`HTTP ${res.status}: ${c.detail}`.slice(0, 300)) };
    }
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return { ok: false, error: 'the model list is not JSON' };
    }
    const next = parsePage(provider, j, out);
    if (next === undefined) return { ok: true, models: out };
    page = next;
  }
  return { ok: true, models: out };
}

function request(
  provider: ListedProvider,
  baseUrl: string,
  key: ApiKey,
  page?: string,
): { url: string; headers: Record<string, string> } {
  switch (provider) {
    case 'openai':
      return { url: `${baseUrl}/models`, headers: { authorization: `Bearer ${key.value}` } };
    case 'openrouter':
      return { url: `${baseUrl}/models`, headers: key.value ? { authorization: `Bearer ${key.value}` } : {} };
    case 'anthropic':
      return {
        url: `${baseUrl}/v1/models?limit=1000${page ? `&after_id=${encodeURIComponent(page)}` : ''}`,
        headers: { 'x-api-key': key.value, 'anthropic-version': '2023-06-01' },
      };
    case 'google':
      return {
        url: `${baseUrl}/v1beta/models?pageSize=1000${page ? `&pageToken=${encodeURIComponent(page)}` : ''}`,
        headers: { 'x-goog-api-key': key.value },
      };
  }
}

/** Appends this page's models; returns the next page's token, or undefined when done. */
function parsePage(provider: ListedProvider, j: Record<string, unknown>, out: ListedModel[]): string | undefined {
  if (provider === 'google') {
    for (const m of Array.isArray(j.models) ? j.models : []) {
      const o = m as { name?: unknown; inputTokenLimit?: unknown };
      if (typeof o.name === 'string')
        out.push({
          id: o.name.replace(/^models\//, ''),
          ...(typeof o.inputTokenLimit === 'number' ? { context_length: o.inputTokenLimit } : {}),
        });
    }
    return typeof j.nextPageToken === 'string' && j.nextPageToken ? j.nextPageToken : undefined;
  }
  for (const m of Array.isArray(j.data) ? j.data : []) {
    const o = m as { id?: unknown; context_length?: unknown; pricing?: { prompt?: unknown; completion?: unknown } };
    if (typeof o.id !== 'string') continue;
    const perM = (x: unknown) =>
      (typeof x === 'string' || typeof x === 'number') && Number.isFinite(Number(x))
        ? Math.round(Number(x) * 1e6 * 1e6) / 1e6
        : undefined;
    out.push({
      id: o.id,
      ...(typeof o.context_length === 'number' ? { context_length: o.context_length } : {}),
      ...(perM(o.pricing?.prompt) !== undefined ? { price_input: perM(o.pricing?.prompt) } : {}),
      ...(perM(o.pricing?.completion) !== undefined ? { price_output: perM(o.pricing?.completion) } : {}),
    });
  }
  if (provider === 'anthropic' && j.has_more === true && typeof j.last_id === 'string') return j.last_id;
  return undefined;
}
