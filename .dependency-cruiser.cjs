/**
 * Import cycles and layering, checked by `npm test` (dependency-cruiser).
 * The layers, from the bottom: src/base (shared vocabulary: severity, status, result types, resource
 * ids, usage errors; imports nothing of ours) ← src/arm, src/network, … ← src/engine, checks/ ←
 * src/report ← src/cli. The mock (mocks/) serves tests and the CLI's --mock, mock and demo.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle ties modules into one: a change to either reaches the other. Move the shared part down to src/base.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'base-imports-nothing-of-ours',
      severity: 'error',
      comment: 'src/base is the shared vocabulary everything may import; it imports nothing of ours beyond itself.',
      from: { path: '^src/base/' },
      to: { path: '^(src|checks|mocks|test|bench|scripts)/', pathNot: '^src/base/' },
    },
    {
      name: 'checks-not-cli-or-mock',
      severity: 'error',
      comment: 'A check reads through the inventory; it never reaches for the CLI or the mock.',
      from: { path: '^checks/' },
      to: { path: '^(src/cli|mocks)/' },
    },
    {
      name: 'engine-not-cli',
      severity: 'error',
      comment: 'The engine runs checks for any caller; the CLI is one of them.',
      from: { path: '^src/engine/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'reports-not-inventory',
      severity: 'error',
      comment: 'Reporters are pure functions of the audit result: no Azure access.',
      from: { path: '^src/report/' },
      to: { path: '^src/(inventory|arm)(/|\\.ts$)' },
    },
    {
      name: 'network-evaluators-pure',
      severity: 'error',
      comment:
        "src/network's evaluators decide from the data they are given: they import neither the inventory, nor src/arm, nor the gathering in src/network/gather/. Allowed: the inventory's view types (the shapes a read returns) and ARM's error values (src/arm/errors), which the model carries as data.",
      from: { path: '^src/network/', pathNot: '^src/network/gather/' },
      to: { path: '^src/(inventory|arm)/|^src/network/gather/', pathNot: '^src/(inventory/views|arm/errors)\\.[jt]s$' },
    },
    {
      name: 'src-not-mocks',
      severity: 'error',
      comment: "The library never depends on the mock; only the CLI's --mock, mock and demo serve a world.",
      from: { path: '^src/', pathNot: '^src/cli/(session|commands/mock)\\.[jt]s$' },
      to: { path: '^mocks/' },
    },
    {
      name: 'mock-services-through-the-core',
      severity: 'error',
      comment:
        'A mock service (mocks/services/<service>/) reaches the world store, paging, operations and the other services only through mocks/core: a new service never lengthens another.',
      from: { path: '^mocks/services/([^/]+)/' },
      to: { path: '^mocks/services/', pathNot: '^mocks/services/$1/' },
    },
    {
      name: 'mock-core-not-services',
      severity: 'error',
      comment: "The mock's core knows no service: mocks/handler.ts registers them on it.",
      from: { path: '^mocks/core/' },
      to: { path: '^mocks/(services/|handler\\.|server\\.)' },
    },
    {
      name: 'not-to-tests',
      severity: 'error',
      comment: 'Shipped code never imports test code.',
      from: { path: '^(src|checks|mocks)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // test/fixtures/architecture breaks every rule on purpose (test/architecture.test.ts).
    exclude: { path: '^(dist|node_modules|test/fixtures)/' },
    // Type-only imports count: a cycle through types is still a cycle in the design.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
