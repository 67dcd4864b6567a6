/**
 * The npm package as published: `npm pack`, installed into an empty directory (runtime
 * dependencies only), then the CLI and the library run from there. Dependencies come from npm's
 * cache (`npm ci` filled it), falling back to the registry.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../src/base/paths.js';
import { VERSION } from '../src/base/version.js';

const run = promisify(execFile);
let dir: string;
let tarball: string;
let files: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aml-preflight-pack-'));
  // dist/ is built by `npm test` before vitest; --ignore-scripts packs it as it is.
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
    cwd: packageRoot,
    maxBuffer: 64 * 1024 * 1024,
  });
  const info = (JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
  tarball = join(dir, info.filename);
  files = info.files.map((f) => f.path);
  const app = join(dir, 'app');
  await run('mkdir', ['-p', app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  await run('npm', ['install', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], {
    cwd: app,
    maxBuffer: 64 * 1024 * 1024,
  });
}, 300_000);

const app = (): string => join(dir, 'app');
const bin = (): string => join(app(), 'node_modules', '.bin', 'aml-preflight');

describe('the packed tarball', () => {
  it('holds what the CLI needs at run time and none of the sources, tests or tools', () => {
    for (const f of [
      'dist/bundle/aml-preflight.mjs',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      // What the library's --mock loads (src/cli/session.ts): the mock's core and its services.
      'dist/mocks/server.js',
      'dist/mocks/core/app.js',
      'dist/mocks/services/machine-learning/index.js',
      'mocks/worlds/demo.json',
      'mocks/worlds/demo-managed.json',
      'schema/world.schema.json',
      'schema/config.schema.json',
      'checks/same-vnet-placement/README.md',
      'action.yml',
    ]) {
      expect(files, f).toContain(f);
    }
    expect(
      files.filter((f) =>
        /^(src|test|bench|scripts|mocks\/fixtures)\/|^dist\/(test|bench|scripts)\/|\.ts$(?<!\.d\.ts)|^dist\/src\/.*\.map$/.test(f),
      ),
    ).toEqual([]);
  });

  it('npx aml-preflight demo runs from an empty directory', async () => {
    const r = await run('npx', ['--no-install', 'aml-preflight', 'demo'], { cwd: app(), maxBuffer: 16 * 1024 * 1024 });
    expect(r.stdout).toContain('Summary:');
    expect(r.stdout).toContain('✖ FAIL');
  });

  it('aml-preflight audit --mock, --version and explain run from the installed package', async () => {
    const world = join(app(), 'node_modules', 'aml-preflight', 'mocks', 'worlds', 'demo-managed.json');
    const audit = await run(bin(), ['audit', '--mock', world, '--format', 'json']).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => e,
    );
    expect(audit.code).toBe(1);
    expect((JSON.parse(audit.stdout) as { tool: { version: string } }).tool.version).toBe(VERSION);
    expect((await run(bin(), ['--version'])).stdout.trim()).toBe(VERSION);
    expect((await run(bin(), ['explain', 'image-build-compute'])).stdout).toContain('How to fix');
  });

  it('the library imports from the package, with runtime dependencies only', async () => {
    const probe = "const m = await import('aml-preflight'); console.log(typeof m.runAudit, typeof m.Inventory, m.allChecks.length);";
    const r = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: app() });
    expect(r.stdout.trim()).toMatch(/^function function \d+$/);
    const installed = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const dev of Object.keys(installed.devDependencies)) expect(existsSync(join(app(), 'node_modules', dev)), dev).toBe(false);
  });
});
