/**
 * The provider layer's entry point: createChatModel(name, …) gives a ChatModel for a registry
 * name, routed (route.ts), with one client per wire format (clients.ts), key rotation
 * (keys.ts), the retry policy (retry.ts) and the call's cost filled in (cost.ts, cache reads
 * and writes at their own prices). Prompt caching is asked on the wire unless a request says
 * promptCache: false (prompt-cache.ts, clients.ts).
 *
 *   const registry = loadRegistry(opts.models);       // --models FILE or built-in
 *   const env = loadEnv();                            // process env + ./.env
 *   const model = createChatModel('gpt-4o', { env, registry, callTimeoutMs: 120_000 });
 *   const r = await model.generate({ messages, maxOutputTokens: 400, temperature: 0.7 });
 *   // r.text, r.usage, r.costUsd, r.route, r.keyLabel, r.attempts, r.latencyMs,
 *   // r.servedModelId (and r.servedModelMismatch when another model answered)
 *
 * Must not import src/game, src/protocol or src/agents.
 */
import type { ChatModel, ChatRequest, ChatResult } from './types.ts';
import type { ProviderEnv } from './env.ts';
import type { Registry } from './registry.ts';
import { resolveRoute, routeKeys, type Route } from './route.ts';
import { sharedKeyPool, type KeyPoolOptions } from './keys.ts';
import { createWireModel, type FetchFn } from './clients.ts';
import { withRetry, type RetryPolicy, type RetryDeps } from './retry.ts';
import { callCostUsd } from './cost.ts';
import { wireSampling } from './sampling.ts';
import { isServedMismatch, registryNameForServed } from './served.ts';
import { scrubSecrets } from './scrub.ts';
import type { Governor } from '../governor/governor.ts';

export interface CreateChatModelOptions {
  env: ProviderEnv;
  registry: Registry;
  /** per-attempt timeout in ms (--call-timeout); a timed-out attempt is retried as transient */
  callTimeoutMs?: number;
  /** injected fetch (tests, proxies); defaults to the global fetch */
  fetch?: FetchFn;
  /** --base-url NAME=URL overrides: those models go to an OpenAI-compatible server */
  baseUrls?: Readonly<Record<string, string>>;
  retry?: Partial<RetryPolicy> & { deps?: Partial<RetryDeps> };
  /** the rate governor shared by every model of the process (per-key budgets) */
  governor?: Governor;
  /** cool-down of a set-aside key before it is probed again (the first model of a route sets it) */
  keyPool?: KeyPoolOptions;
}

export interface RoutedChatModel extends ChatModel {
  readonly name: string;
  readonly route: Route;
}

export function createChatModel(name: string, o: CreateChatModelOptions): RoutedChatModel {
  const route = resolveRoute(name, o);
  const entry = o.registry.get(name);
  // one pool per provider endpoint and key family, shared by every model using it
  const pool = sharedKeyPool(
    o.env,
    `${route.provider} ${route.baseUrl} ${route.keyVars.join(',')}`,
    () => routeKeys(o.env, route),
    o.keyPool,
  );
  const clients = new Map<string, ChatModel>();
  const retrying = withRetry(
    {
      provider: route.provider,
      modelId: route.modelId,
      pool,
      forKey: (key) => {
        let m = clients.get(key.label);
        if (!m) clients.set(key.label, (m = createWireModel(route, entry, key, o.fetch)));
        return m;
      },
    },
    {
      ...o.retry,
      governor: o.governor,
      callTimeoutMs: o.callTimeoutMs,
      describe: `${name} (${route.modelId} via ${route.label})`,
      // the governor's TPM charge and the call timeout follow the cap actually sent
      wireCap: (req) => wireSampling(entry, req, route).maxOutputTokens,
    },
  );
  return {
    spec: 'v1',
    name,
    route,
    provider: route.provider,
    modelId: route.modelId,
    get keyLabel() {
      return retrying.keyLabel;
    },
    async generate(req: ChatRequest): Promise<ChatResult> {
      // A key echoed in an answer is removed here, before anything stores it (the cache
      // wraps this model), records it, shows it or forwards it to the other agent.
      const answered = await retrying.generate(req);
      const r = {
        ...answered,
        text: typeof answered.text === 'string' ? scrubSecrets(answered.text) : answered.text,
        warnings: (answered.warnings ?? []).map(scrubSecrets),
      };
      // a rerouted model is priced as what answered when the registry knows it
      const mismatch = isServedMismatch(entry, route.modelId, r.servedModelId);
      const servedName = mismatch ? registryNameForServed(o.registry, r.servedModelId!) : undefined;
      const price = servedName ? o.registry.get(servedName).price : entry.price;
      return {
        ...r,
        costUsd: r.cached ? 0 : callCostUsd(price, r.usage, route.priceMultiplier),
        ...(mismatch ? { servedModelMismatch: true } : {}),
        ...(servedName && servedName !== name ? { pricedAs: servedName } : {}),
      };
    },
  };
}

export { loadEnv, envFrom, type ProviderEnv } from './env.ts';
export { loadRegistry, isSimName, isScriptedName, type Registry, type ModelEntry } from './registry.ts';
export { resolveRoute, tryRoute, parseBaseUrlFlags, type Route } from './route.ts';
export { callCostUsd } from './cost.ts';
export { isServedMismatch, sameModelId, registryNameForServed } from './served.ts';
export { KeyPool, DEFAULT_KEY_COOL_DOWN_MS, type KeyPoolOptions } from './keys.ts';
export { classifyHttp } from './errors.ts';
export { RetryExhausted, withRetry, DEFAULT_RETRY_POLICY, type AttemptRecord } from './retry.ts';
export { scrub, scrubSecrets } from './scrub.ts';
export * from './types.ts';
