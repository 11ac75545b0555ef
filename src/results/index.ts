/**
 * The results contract (DESIGN §4) in one module: the experiment config, the result
 * document and statuses, the tidy tables (columns, rows, CSV writing and reading) and
 * the totals. src/grid writes through it; src/report reads through it.
 */
export * from './config.ts';
export * from './csv.ts';
export * from './document.ts';
export * from './served-models.ts';
export * from './tables.ts';
export * from './totals.ts';
