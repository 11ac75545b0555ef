/**
 * `bargain check` and the check before a run (DESIGN §3, "Models come and go"): one minimal
 * real call per (model, route) of a grid, sent through the same route, key rotation, rate
 * governor and sampling rules the grid's calls will use (no response cache: a check must
 * reach the provider), so a retired id, a dead key, a rerouted model or a parameter the
 * model rejects shows before money is spent on experiments. A pass is remembered for an
 * hour in the results directory (cache/check.json), keyed by what was checked.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { isScripted } from '../agents/index.ts';
import { createChatModel, ProviderError, scrub, type ChatResult } from '../providers/index.ts';
import { isServedMismatch } from '../providers/served.ts';
import { writeFileAtomicallySync } from '../files.ts';
import type { ModelResolver } from './model-resolver.ts';
import type { Layout } from '../results/layout.ts';
import { formatKeyLimits } from '../governor/describe.ts';

export interface CheckRow {
  model: string;
  route: string;
  key_label: string;
  model_id: string;
  served_model_id: string | null;
  latency_ms: number | null;
  ok: boolean;
  /** the provider's reason, or what was wrong with the answer */
  reason: string | null;
  fix: string | null;
  cost_usd: number;
  /** the key's budgets after the call, by label: learned from the provider's headers, the user's, or the registry's default */
  key_limits?: string;
}

/** passes remembered per model: what was checked (fingerprint) and when */
export interface CheckMemo {
  passes: Record<string, { checked_at: string; fingerprint: string; row: CheckRow }>;
}

/** output tokens a check's answer may use ("OK"), and reasoning on top for reasoning models */
const CHECK_ANSWER_TOKENS = 16;
const CHECK_REASONING_TOKENS = 256;

/** a pass counts this long */
export const CHECK_MEMO_MS = 60 * 60_000;
const MEMO_FILE = 'check.json';

const PROMPT = [
  { role: 'system' as const, content: 'You are being checked for availability before a negotiation experiment.' },
  { role: 'user' as const, content: 'Reply with the single word OK.' },
];

/** What a model's check covers: its route, id, keys and sampling (a change re-checks). */
export function checkFingerprint(resolver: ModelResolver, model: string): string {
  const r = resolver.route(model);
  const e = resolver.registry.get(model);
  const parts = [model, r.label, r.modelId, r.baseUrl, r.keyLabels.join(','), e.sampling];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** The API models of a grid the check calls (scripted negotiators need no check). */
export function checkedModels(models: readonly string[]): string[] {
  return [...new Set(models)].filter((m) => !isScripted(m));
}

/** One real call per model; never throws for a provider's answer (a failed row instead). */
export async function checkModels(
  resolver: ModelResolver,
  models: readonly string[],
  signal?: AbortSignal,
): Promise<CheckRow[]> {
  const s = resolver.settings;
  return Promise.all(
    checkedModels(models).map(async (model): Promise<CheckRow> => {
      const route = resolver.route(model);
      const entry = resolver.registry.get(model);
      const chat = createChatModel(model, {
        env: resolver.env,
        registry: resolver.registry,
        baseUrls: s.baseUrls,
        fetch: s.fetch,
        governor: resolver.governor,
        callTimeoutMs: s.callTimeoutMs ?? 120_000,
        // a check answers quickly or says why: at most one more try after a 5xx or reset
        retry: { maxAttempts: 2, maxRetryAfterMs: s.maxWaitMs ?? 120_000 },
      });
      const base = { model, route: route.label, key_label: chat.keyLabel, model_id: route.modelId };
      // what the key's budget is once the provider has answered (its headers teach the limits)
      const limitsOf = (label: string): { key_limits?: string } => {
        const b = resolver.governor
          .snapshot()
          .find((x) => x.provider === route.provider && x.key === `${route.provider}/${label}`);
        return b ? { key_limits: formatKeyLimits(b) } : {};
      };
      let r: ChatResult;
      try {
        // the grid's own sampling rules (effort, thinking mode, temperature); the room to answer
        // and to reason is small, to bound the price of a one-word question: a cut-off answer
        // still shows the model exists and takes these parameters
        r = await chat.generate({
          messages: PROMPT,
          maxOutputTokens: CHECK_ANSWER_TOKENS,
          reasoningAllowance: CHECK_REASONING_TOKENS,
          signal,
        });
      } catch (e) {
        if (!(e instanceof ProviderError)) throw e;
        // the row gives its own fix: the provider layer's hint would say it twice
        const reason = scrub(e.message).replace(/;\s*fix: [\s\S]*$/, '');
        return {
          ...base,
          served_model_id: null,
          latency_ms: null,
          ok: false,
          reason,
          fix: fixFor(e, model),
          cost_usd: 0,
          ...limitsOf(chat.keyLabel),
        };
      }
      const served = r.servedModelId ?? null;
      const row = {
        ...base,
        key_label: r.keyLabel ?? chat.keyLabel,
        served_model_id: served,
        latency_ms: r.latencyMs ?? null,
        cost_usd: r.costUsd ?? 0,
        ...limitsOf(r.keyLabel ?? chat.keyLabel),
      };
      if (served !== null && isServedMismatch(entry, route.modelId, served)) {
        return {
          ...row,
          ok: false,
          reason: `the provider answered with ${served}, not ${route.modelId}`,
          fix: `the id is rerouted: measure ${served} under its own registry name (add it with --models FILE) or choose another model`,
        };
      }
      return { ...row, ok: true, reason: null, fix: null };
    }),
  );
}

function fixFor(e: ProviderError, model: string): string {
  if (e.kind === 'key') return 'check the key and its credit, or set another key (e.g. a _2 variable)';
  if (e.kind === 'rate_limit') return 'the key is rate-limited now; wait, or lower --rpm/--concurrency';
  if (e.kind === 'transient') return 'the provider did not answer; check the network or base URL and try again';
  if (e.status === 404 || /not a valid model|does not exist|not found/i.test(e.message)) {
    return `the provider does not serve ${model}'s id: choose a live model (bargain models), or correct model_id with --models FILE`;
  }
  return `the provider rejects the request as ${model} is configured: correct its sampling in --models FILE, or choose another model`;
}

/** The table `check` prints. */
export function formatCheck(rows: readonly CheckRow[]): string[] {
  const head = ['model', 'route', 'key', 'served model', 'latency', 'result'];
  const table = [
    head,
    ...rows.map((r) => [
      r.model,
      r.route,
      r.key_label,
      r.served_model_id ?? '-',
      r.latency_ms === null ? '-' : `${r.latency_ms} ms`,
      r.ok ? 'OK' : `FAIL: ${oneLine(r.reason ?? '')}; fix: ${r.fix}`,
    ]),
  ];
  const widths = head.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const cost = rows.reduce((t, r) => t + r.cost_usd, 0);
  const failed = rows.filter((r) => !r.ok).length;
  // each key once: several models may share it
  const byKey = new Map<string, string>();
  for (const r of rows) if (r.key_limits) byKey.set(r.key_limits.split(':')[0], r.key_limits);
  const limits = [...byKey.values()];
  return [
    ...table.map((row) =>
      row
        .map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    ),
    `${rows.length - failed} of ${rows.length} model${rows.length === 1 ? '' : 's'} OK; the check cost $${cost.toFixed(4)}.`,
    ...(limits.length ? ['Key limits:', ...limits.map((l) => `  ${l}`)] : []),
  ];
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 240 ? `${t.slice(0, 239)}…` : t;
}

export function readMemo(layout: Layout): CheckMemo {
  try {
    const m = JSON.parse(readFileSync(layout.abs(`${layout.cacheDir}/${MEMO_FILE}`), 'utf8')) as CheckMemo;
    return m && typeof m.passes === 'object' && m.passes !== null ? m : { passes: {} };
  } catch {
    return { passes: {} };
  }
}

/** The oldest pass time if every model passed the same check within the hour, else null. */
export function recentPass(
  layout: Layout,
  resolver: ModelResolver,
  models: readonly string[],
  now = Date.now(),
): string | null {
  const { passes } = readMemo(layout);
  let oldest: string | null = null;
  for (const m of models) {
    const p = passes[m];
    const age = p ? now - Date.parse(p.checked_at) : NaN;
    if (!p || p.fingerprint !== checkFingerprint(resolver, m) || !(age >= 0 && age < CHECK_MEMO_MS)) return null;
    if (oldest === null || p.checked_at < oldest) oldest = p.checked_at;
  }
  return oldest;
}

/** Remembers the rows that passed (failures are never remembered: they are checked again). */
export function rememberPasses(
  layout: Layout,
  resolver: ModelResolver,
  rows: readonly CheckRow[],
  now = Date.now(),
): void {
  const memo = readMemo(layout);
  for (const r of rows) {
    if (r.ok)
      memo.passes[r.model] = {
        checked_at: new Date(now).toISOString(),
        fingerprint: checkFingerprint(resolver, r.model),
        row: r,
      };
    else delete memo.passes[r.model];
  }
  mkdirSync(layout.abs(layout.cacheDir), { recursive: true });
  writeFileAtomicallySync(layout.abs(`${layout.cacheDir}/${MEMO_FILE}`), JSON.stringify(memo, null, 2) + '\n');
}
