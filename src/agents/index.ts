/**
 * Agent construction by model name: scripted:<strategy> here; LLM models are added by
 * registering a resolver (src/agents/llm), so the protocol never asks which kind it holds.
 */
import type { Agent, AgentContext, AgentFactory } from './agent.ts';
import { isStrategy, ScriptedAgent, STRATEGIES } from './scripted/strategies.ts';

export class UnknownModelError extends Error {
  constructor(model: string, hint: string) {
    super(`unknown model "${model}": ${hint}`);
    this.name = 'UnknownModelError';
  }
}

export function scriptedNames(includeDiagnostics = false): string[] {
  return STRATEGIES.filter((s) => includeDiagnostics || !s.diagnostic).map((s) => `scripted:${s.name}`);
}

export function isScripted(model: string): boolean {
  return model.startsWith('scripted:') && isStrategy(model.slice('scripted:'.length));
}

/** Throws UnknownModelError with a fix when a model cannot be built offline. */
export function checkScriptedModel(model: string): void {
  if (isScripted(model)) return;
  if (model.startsWith('scripted:')) {
    throw new UnknownModelError(model, `scripted strategies are ${scriptedNames(true).join(', ')}`);
  }
  throw new UnknownModelError(model, `offline runs take scripted models (${scriptedNames().join(', ')})`);
}

export const scriptedFactory: AgentFactory = (model: string, ctx: AgentContext): Agent => {
  checkScriptedModel(model);
  return new ScriptedAgent(model.slice('scripted:'.length), ctx);
};

export { STRATEGIES };
