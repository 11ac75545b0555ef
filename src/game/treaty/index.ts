/** The diplomatic treaty game's pure math (issues, preferences, utilities, validation, NBS, metrics). */
export * from './issues.ts';
export * from './stats.ts';
export * from './preferences.ts';
export * from './utility.ts';
export * from './agreement.ts';
export * from './nash.ts';
export * from './pareto.ts';
export * from './metrics.ts';
