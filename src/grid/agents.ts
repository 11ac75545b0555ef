/**
 * Which Agent a model name becomes: scripted:<strategy> offline; API and sim: models
 * through the LLM agent once the provider layer resolves them. Unknown names and
 * missing components fail fast with the fix.
 */
import { scriptedFactory, checkScriptedModel, isScripted, scriptedNames, UnknownModelError } from '../agents/index.ts';
import type { AgentFactory } from '../protocol/agent.ts';
import { UserError } from '../errors.ts';
import { PRESETS } from './presets.ts';

const API_MODELS = new Set(PRESETS.seed.weak.concat(PRESETS.seed.strong));

function isApiModel(m: string): boolean {
  return API_MODELS.has(m) || m.startsWith('sim:');
}

/** Throws a UserError for names that are neither scripted strategies nor (when allowed) API models. */
export function checkModels(models: string[], opts: { allowApi?: boolean } = {}): void {
  for (const m of models) {
    if (opts.allowApi && isApiModel(m)) continue;
    try {
      checkScriptedModel(m);
    } catch (e) {
      if (e instanceof UnknownModelError) {
        throw new UserError(opts.allowApi
          ? `unknown model "${m}": use an API model (${[...API_MODELS].join(', ')}) or a scripted one (${scriptedNames().join(', ')})`
          : e.message);
      }
      throw e;
    }
  }
}

export function resolveFactory(models: string[]): AgentFactory {
  const api = models.filter(isApiModel);
  if (api.length) {
    throw new UserError(`model "${api[0]}" needs an LLM provider, and LLM agents are not available in this build yet; ` +
      'run the offline demo grid instead: bargain all --grid demo');
  }
  checkModels(models);
  return (model, ctx) => {
    if (isScripted(model)) return scriptedFactory(model, ctx);
    throw new UserError(`model "${model}" cannot be run here`);
  };
}
