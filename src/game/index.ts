export * from './rng.ts';
export * from './items.ts';
export * from './preferences.ts';
export * from './allocation.ts';
export * from './pass-rule.ts';
export * from './utility.ts';
export * from './metrics.ts';
export * from './spec.ts';
