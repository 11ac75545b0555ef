/**
 * Which Agent a model name becomes. Offline today: scripted:<strategy>. API model names
 * fail fast with the component or key that is missing and how to run offline instead.
 */
import { scriptedFactory, checkScriptedModel, isScripted, UnknownModelError } from '../agents/index.ts';
import type { AgentFactory } from '../protocol/agent.ts';
import { UserError } from '../errors.ts';

export function checkModels(models: string[]): void {
  for (const m of models) {
    try {
      checkScriptedModel(m);
    } catch (e) {
      if (e instanceof UnknownModelError) throw new UserError(e.message);
      throw e;
    }
  }
}

export function resolveFactory(models: string[]): AgentFactory {
  checkModels(models);
  return (model, ctx) => {
    if (isScripted(model)) return scriptedFactory(model, ctx);
    throw new UserError(`model "${model}" cannot be run here`);
  };
}
