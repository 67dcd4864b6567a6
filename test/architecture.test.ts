import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type IConfiguration, type IViolation } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../src/base/paths.js';

// The rules `npm test` enforces on the tree (the `lint` script runs dependency-cruiser with them).
const config = createRequire(import.meta.url)(join(packageRoot, '.dependency-cruiser.cjs')) as IConfiguration;

async function violations(baseDir: string): Promise<string[]> {
  const result = await cruise(['src', 'checks', 'mocks'], {
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
    doNotFollow: { path: 'node_modules' },
  });
  if (typeof result.output === 'string') throw new Error('dependency-cruiser answered text, not a result');
  return result.output.summary.violations.map((v: IViolation) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('the layering and cycle rules', () => {
  it('catch each kind of break in a tree made to break them', async () => {
    expect(await violations(join(packageRoot, 'test', 'fixtures', 'architecture'))).toEqual(
      [
        'base-imports-nothing-of-ours: src/base/results.js -> src/engine/check.js',
        'checks-not-cli-or-mock: checks/some-check/index.js -> mocks/server.js',
        'checks-not-cli-or-mock: checks/some-check/index.js -> src/cli/main.js',
        'engine-not-cli: src/engine/check.js -> src/cli/main.js',
        // The evaluator's import of ARM's error values is allowed; the inventory and the gathering are not.
        'network-evaluators-pure: src/network/nsg.js -> src/inventory/index.js',
        'network-evaluators-pure: src/network/nsg.js -> src/network/gather/model.js',
        'mock-core-not-services: mocks/core/index.js -> mocks/services/network/index.js',
        'mock-services-through-the-core: mocks/services/storage/index.js -> mocks/services/network/index.js',
        // A cycle is reported once, at the module dependency-cruiser met first.
        'no-circular: src/engine/check.js -> src/report/types.js',
        'reports-not-inventory: src/report/types.js -> src/inventory/index.js',
        'src-not-mocks: src/inventory/index.js -> mocks/server.js',
      ].sort(),
    );
  });
});
