/**
 * The layers of src/ (DESIGN §7), checked by `npm run lint:layers` in CI. Imports point
 * down this list only (a layer may skip the ones between):
 *
 *   cli                      commands only: parse flags, call the layers below
 *   mock                     the mock provider server (a dev/test double; only cli starts it)
 *   cluster                  SLURM
 *   grid | report            running and collecting a grid | reading a results tree (neither imports the other)
 *   results                  the results contract: configs, result documents, tables, layout
 *   protocol                 one negotiation over Agents, and an experiment's runs
 *   agents                   the Agent interface, scripted strategies, the LLM agent, the sim chat model
 *   providers | governor     model registry, clients, cost, retry | rate limits (one layer: they share types)
 *   game                     the pure game
 *
 * src/errors.ts, src/files.ts and src/sleep.ts are shared by every layer and import nothing above them.
 * Tests (*.test.ts) and test helpers (any `testing/` folder) are outside the product's
 * import graph: they may import anything, and no product module may import them.
 */
const LAYERS = [
  ['cli', '^src/cli/'],
  ['mock', '^src/mock/'],
  ['cluster', '^src/cluster/'],
  ['grid', '^src/grid/'],
  ['report', '^src/report/'],
  ['results', '^src/results/'],
  ['protocol', '^src/protocol/'],
  ['agents', '^src/agents/'],
  ['providers', '^src/(providers|governor)/'],
  ['game', '^src/game/'],
];
// peers: grid and report sit side by side and may not import each other
const RANK = {
  cli: 9,
  mock: 8,
  cluster: 7,
  grid: 6,
  report: 6,
  results: 5,
  protocol: 4,
  agents: 3,
  providers: 2,
  game: 1,
};
const TEST = '(\\.test\\.ts$|/testing/)';

const rules = [];
for (const [name, path] of LAYERS) {
  const above = LAYERS.filter(([other]) => other !== name && RANK[other] >= RANK[name]).map(([, p]) => p);
  if (above.length === 0) continue;
  rules.push({
    name: `${name}-imports-down-only`,
    comment: `${name} may import only the layers below it (see the table at the top of .dependency-cruiser.cjs)`,
    severity: 'error',
    from: { path, pathNot: TEST },
    to: { path: above.join('|') },
  });
}
rules.push(
  {
    name: 'shared-imports-nothing-above',
    comment: 'src/errors.ts, src/files.ts and src/sleep.ts are shared by every layer',
    severity: 'error',
    from: { path: '^src/(errors|files|sleep)\\.ts$' },
    to: { path: '^src/[^/]+/' },
  },
  {
    name: 'no-test-code-in-the-product',
    comment: 'tests and testing/ helpers are outside the product import graph',
    severity: 'error',
    from: { path: '^src/', pathNot: TEST },
    to: { path: `${TEST}|^test/` },
  },
  {
    name: 'no-cycles',
    comment: 'a cycle between product modules (type-only imports included) hides which one is the lower',
    severity: 'error',
    from: { path: '^src/', pathNot: TEST },
    to: { circular: true, pathNot: TEST },
  },
);

module.exports = {
  forbidden: rules,
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(node_modules|dist)/' },
  },
};
