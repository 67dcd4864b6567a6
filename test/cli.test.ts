import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { healthyPrivate, ids } from '../mocks/worlds/generate.js';
import { startMockServer } from '../mocks/server.js';
import { main } from '../src/cli/main.js';
import { packageRoot } from '../src/base/paths.js';
import { fastRetries, loadWorldByName, runCli, worldPath } from './helpers.js';

const run = promisify(execFile);

async function tempWorld(world: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-test-'));
  const file = join(dir, 'world.json');
  await writeFile(file, typeof world === 'string' ? world : JSON.stringify(world));
  return file;
}

describe('aml-preflight audit', () => {
  it('exits 0 on healthy-private and writes the JSON report of CONTRACT.md', async () => {
    const r = await runCli(['audit', '--workspace', ids.workspace, '--mock', worldPath('healthy-private')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ schemaVersion: 1, tool: { name: 'aml-preflight', version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    expect(report.targets).toHaveLength(1);
    expect(report.targets[0].workspaceId).toBe(ids.workspace);
    for (const result of report.targets[0].results) {
      expect(Object.keys(result)).toEqual(expect.arrayContaining(['checkId', 'status', 'severity', 'findings', 'durationMs']));
      expect(['pass', 'skip']).toContain(result.status);
    }
    expect(report.summary.fail + report.summary.error + report.summary.warn).toBe(0);
    expect(report.stats.armRequests).toBeGreaterThan(0);
  });

  it('exits 1 on a defect and prints the table with the finding, evidence and fix', async () => {
    const r = await runCli(['audit', '--workspace', ids.workspace, '--mock', worldPath('ibc-gpu-cluster'), '--format', 'table']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ FAIL\s+image-build-compute/);
    expect(r.stdout).toContain('uses the GPU size Standard_NC6s_v3');
    expect(r.stdout).toContain('fix: Use a CPU cluster');
    expect(r.stdout).not.toContain('\u001b['); // no colour when not a terminal
  });

  it('the table is scannable: status line, message, resource by name, fix; evidence only with -v', async () => {
    const plain = await runCli(['audit', '--workspace', ids.workspace, '--mock', worldPath('ibc-gpu-cluster'), '--format', 'table']);
    expect(plain.stdout).toContain('        rg-mlops-prod-weu / computes / mlw-mlops-prod-weu/gpu-train-cluster\n');
    expect(plain.stdout).not.toContain('vmSize: Standard_NC6s_v3');
    expect(plain.stdout).not.toContain('resource: /subscriptions/');
    const verbose = await runCli([
      'audit',
      '--workspace',
      ids.workspace,
      '--mock',
      worldPath('ibc-gpu-cluster'),
      '--format',
      'table',
      '-v',
    ]);
    expect(verbose.stdout).toContain('vmSize: Standard_NC6s_v3');
    expect(verbose.stdout).toContain(`resource: ${ids.computes}/gpu-train-cluster`);
    // Other formats always carry the evidence.
    const json = await runCli(['audit', '--workspace', ids.workspace, '--mock', worldPath('ibc-gpu-cluster'), '--format', 'json']);
    expect(json.stdout).toContain('"vmSize": "Standard_NC6s_v3"');
  });

  it("wraps the table to the terminal's width, and shortens ARM ids in messages", async () => {
    const { renderTable, shortId, shortenIds } = await import('../src/report/table.js');
    expect(shortId(ids.peRegistry)).toBe('rg-mlops-prod-weu / privateEndpoints / pe-crmlopsprodweu-registry');
    expect(shortId(`${ids.nsg}/securityRules/DenyInternetOutbound`)).toBe(
      'rg-mlops-prod-weu / securityRules / nsg-mlops-training-weu/DenyInternetOutbound',
    );
    expect(shortId('not-an-id')).toBe('not-an-id');
    expect(shortenIds(`GET ${ids.vnet} failed.`)).toBe('GET rg-mlops-prod-weu / virtualNetworks / vnet-mlops-prod-weu failed.');
    const r = await runCli(['audit', '--workspace', ids.workspace, '--mock', worldPath('demo'), '--format', 'json']);
    const text = renderTable(JSON.parse(r.stdout), { width: 80 });
    // Only a word longer than the width (an id in a command) may stand past it, alone on its line.
    const long = text.split('\n').filter((l) => l.length > 80);
    for (const line of long) expect(line.trim().split(' ').filter(Boolean).length, line).toBeLessThanOrEqual(2);
    expect(long.length).toBeLessThan(text.split('\n').length / 4);
    expect(renderTable(JSON.parse(r.stdout)).split('\n').length).toBeLessThan(text.split('\n').length);
  });

  it('colours the table on a terminal', async () => {
    const r = await runCli(['audit', '--mock', worldPath('ibc-gpu-cluster')], { tty: true });
    expect(r.stdout).toContain('\u001b[31m✖ FAIL');
  });

  it('--fail-on never exits 0 despite findings; --check selects', async () => {
    const r = await runCli(['audit', '--mock', worldPath('ibc-gpu-cluster'), '--fail-on', 'never', '--check', 'image-build-compute']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).targets[0].results.map((x: { checkId: string }) => x.checkId)).toEqual(['image-build-compute']);
  });

  it('writes -o atomically and leaves no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-out-'));
    const out = join(dir, 'report.json');
    const r = await runCli(['audit', '--mock', worldPath('healthy-private'), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(await readFile(out, 'utf8')).schemaVersion).toBe(1);
    expect(await readdir(dir)).toEqual(['report.json']);
  });

  it('exits 3 with a reason naming the resource when the workspace does not exist', async () => {
    const missing = ids.workspace.replace('mlw-mlops-prod-weu', 'mlw-does-not-exist');
    const r = await runCli(['audit', '--workspace', missing, '--mock', worldPath('healthy-private')]);
    expect(r.code).toBe(3);
    const result = JSON.parse(r.stdout).targets[0].results[0];
    expect(result.status).toBe('error');
    expect(result.reason).toContain(`GET ${missing} failed: 404 ResourceNotFound`);
  });

  it('exits 3 naming the RBAC action when the workspace cannot be read (403)', async () => {
    const world = await tempWorld({ ...healthyPrivate(), faults: [{ match: 'GET .*/workspaces/mlw-mlops-prod-weu$', status: 403 }] });
    const r = await runCli(['audit', '--workspace', ids.workspace, '--mock', world]);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).targets[0].results[0].reason).toMatch(
      /403 AuthorizationFailed; grant Microsoft\.MachineLearningServices\/workspaces\/read/,
    );
  });

  it.each([
    [['audit', '--workspace', '/subscriptions/x/resourceGroups/rg'], /--workspace: .* is not an ARM resource id/],
    [['audit', '--workspace', ids.vnet], /not an Azure ML workspace id/],
    [
      ['audit', '--mock', 'x.json', '--check', 'no-such-check'],
      /unknown check "no-such-check"; known checks: same-vnet-placement, acr-private-endpoint-region, image-build-compute, acr-workspace-access, private-dns-zones, nsg-outbound-service-tags, compute-outbound, managed-network-outbound, workspace-keys-in-sync, workspace-diagnose, image-reference, identity-access$/m,
    ],
    [['audit', '--mock', '/nonexistent/world.json'], /cannot read world file \/nonexistent\/world.json: ENOENT/],
    [['audit', '--workspace', ids.workspace, '--format', 'yaml'], /--format "yaml" is not one of table, json/],
    [['audit', '--workspace', ids.workspace, '--fail-on', 'sometimes'], /--fail-on "sometimes" is not one of/],
    [['audit'], /say what to audit/],
    [['audit', '--workspace', ids.workspace, '--endpoint', 'http://example.com'], /must use https/],
    [['audit', '--workspace', ids.workspace, '--cloud', 'Mars'], /argument 'Mars' is invalid/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['audit', '--no-such-flag'], /unknown option '--no-such-flag'/],
  ])('bad input %j: exit 2 and one line on stderr', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an invalid world with the JSON path at fault', async () => {
    const bad = healthyPrivate() as any;
    bad.resources[3].id = 'vnet-without-an-id';
    const r = await runCli(['audit', '--mock', await tempWorld(bad)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid world file .*: at \$\.resources\[3\]\.id: .*\/subscriptions\//);
    const notJson = await runCli(['audit', '--mock', await tempWorld('{"schemaVersion": 1,')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/not JSON/);
  });
});

describe('other commands', () => {
  it('checks lists every check with its RBAC actions', async () => {
    const r = await runCli(['checks']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('image-build-compute  [error]');
    expect(r.stdout).toContain('Microsoft.MachineLearningServices/workspaces/computes/read');
    const json = JSON.parse((await runCli(['checks', '--format', 'json'])).stdout);
    expect(json.map((c: { id: string }) => c.id)).toContain('image-build-compute');
  });

  it('permissions prints a custom role for az role definition create', async () => {
    const r = await runCli(['permissions', '--check', 'image-build-compute']);
    const role = JSON.parse(r.stdout);
    expect(role).toMatchObject({ IsCustom: true, NotActions: [], AssignableScopes: ['/subscriptions/<subscription-id>'] });
    expect(role.Actions).toContain('Microsoft.ContainerRegistry/registries/read');
    expect(role.Actions.every((a: string) => !a.endsWith('/action'))).toBe(true);
  });

  it('demo audits the bundled demo world and exits 0 although it finds defects', async () => {
    const r = await runCli(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FAIL/);
    expect(r.stdout).toContain('mlw-mlops-prod-weu');
  });

  it('--version and --help exit 0', async () => {
    expect((await runCli(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await runCli(['--help'])).code).toBe(0);
  });
});

describe('the built executable', () => {
  const bin = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');

  it('exits with the contract codes and prints no stack trace', async () => {
    const ok = await run(process.execPath, [bin, 'audit', '--mock', worldPath('healthy-private'), '--format', 'json']);
    expect(JSON.parse(ok.stdout).summary.fail).toBe(0);
    const bad = await run(process.execPath, [bin, 'audit', '--workspace', 'not-an-id']).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2 });
    expect((bad as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
    const failing = await run(process.execPath, [bin, 'audit', '--mock', worldPath('ibc-missing')]).catch((e: { code: number }) => e);
    expect(failing).toMatchObject({ code: 1 });
  });

  it('serves a world with `mock` and says how to trust it', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [bin, 'mock', '--world', worldPath('healthy-private')]);
    const text = await new Promise<string>((resolve) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Ctrl-C')) resolve(out);
      });
    });
    child.kill('SIGINT');
    expect(text).toMatch(/Serving .* as ARM at https:\/\/127\.0\.0\.1:\d+/);
    expect(text).toMatch(/NODE_EXTRA_CA_CERTS=.*mock-ca\.pem/);
    const url = /https:\/\/127\.0\.0\.1:\d+/.exec(text)![0];
    expect(url).toBeTruthy();
  });
});

describe("the bundled executable (the package's bin)", () => {
  const bundle = join(packageRoot, 'dist', 'bundle', 'aml-preflight.mjs');
  const run = promisify(execFile);

  it('audits as the unbundled CLI does, in every format', async () => {
    for (const world of ['healthy-private', 'demo-managed']) {
      const inProcess = await runCli(['audit', '--mock', worldPath(world), '--format', 'json']);
      const bundled = await run(process.execPath, [bundle, 'audit', '--mock', worldPath(world), '--format', 'json']).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
      );
      expect(bundled.code).toBe(inProcess.code);
      const verdicts = (s: string) =>
        (
          JSON.parse(s) as { targets: { results: { checkId: string; status: string; findings: { message: string }[] }[] }[] }
        ).targets[0]!.results.map((r) => [r.checkId, r.status, r.findings.map((f) => f.message)]);
      expect(verdicts(bundled.stdout)).toEqual(verdicts(inProcess.stdout));
    }
  });

  it('compiles from its code cache from the second start on, one folder per build and Node options; NODE_DISABLE_COMPILE_CACHE turns it off', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'aml-bundle-cache-'));
    const start = async (env: Record<string, string> = {}) => {
      const r = await run(process.execPath, [bundle, 'audit', '--mock', worldPath('healthy-private'), '--format', 'json'], {
        env: { ...process.env, AML_PREFLIGHT_CACHE_DIR: cacheDir, NODE_DEBUG: 'aml-preflight', ...env },
      });
      const line = /code cache: (\{.*\})/.exec(r.stderr);
      expect(line, r.stderr).not.toBeNull();
      return { stats: JSON.parse(line![1]!) as { hits: number; misses: number; written: number; unused?: string }, stdout: r.stdout };
    };
    const first = await start();
    expect(first.stats.hits).toBe(0);
    expect(first.stats.written).toBe(first.stats.misses);
    const second = await start();
    expect(second.stats).toEqual({ hits: first.stats.misses, misses: 0, written: 0 });
    const verdicts = (s: string) => (JSON.parse(s) as { summary: unknown }).summary;
    expect(verdicts(second.stdout)).toEqual(verdicts(first.stdout));
    const folders = await readdir(join(cacheDir, 'code-cache'));
    expect(folders).toHaveLength(1);
    // Other Node options (V8 would reject this cache under them): a folder of their own, the first one kept.
    expect((await start({ NODE_OPTIONS: '--max-old-space-size=300' })).stats.hits).toBe(0);
    const after = await readdir(join(cacheDir, 'code-cache'));
    expect(after).toHaveLength(2);
    expect(after).toContain(folders[0]);
    expect((await start({ NODE_DISABLE_COMPILE_CACHE: '1' })).stats).toMatchObject({ hits: 0, written: 0, unused: 'no cache folder' });
  });

  it("loads no undici during an audit (neither the SDK's FormData test nor an ESM facade of node:http)", async () => {
    // Node loads undici lazily, for fetch, FormData and (Node 22+) http's WebSocket getters: ~45-90 ms of a start.
    const probe = `process.on('exit', () => console.error('undici:' + process.moduleLoadList.some((m) => m.includes('undici')))); process.argv = [process.argv[0], 'aml-preflight', 'audit', '--mock', ${JSON.stringify(worldPath('healthy-private'))}, '--format', 'json']; await import(${JSON.stringify(`file://${bundle}`)});`;
    const r = await run(process.execPath, ['--input-type=module', '-e', probe]).then(
      (x) => x,
      (e: { stdout: string; stderr: string }) => e,
    );
    expect(r.stdout).toContain('"checkId"');
    expect(r.stderr).toContain('undici:false');
  });

  it('maps stack locations to the TypeScript sources under --enable-source-maps, through both bundle passes, and does not parse the maps at every start', async () => {
    const map = JSON.parse(await readFile(join(packageRoot, 'dist', 'bundle', 'cli.cjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('src/cli/main.ts'))).toBe(true);
    expect(await readFile(bundle, 'utf8')).not.toContain('setSourceMapsEnabled');
    // An error thrown in bundled code shows the .ts file and line: the chunk that holds parseResourceId
    // (minified, with its name kept: esbuild's keepNames).
    const chunks = join(packageRoot, 'dist', 'bundle', 'chunks');
    const files = await readdir(chunks);
    let chunk: string | undefined;
    for (const f of files.filter((x) => x.endsWith('.cjs')))
      if ((await readFile(join(chunks, f), 'utf8')).includes('"parseResourceId"')) chunk = join(chunks, f);
    expect(chunk).toBeDefined();
    const probe = `const m = require(${JSON.stringify(chunk!)}); try { Object.values(m).find((v) => typeof v === 'function' && v.name === 'parseResourceId')('not an id'); } catch (e) { console.log(e.stack); }`;
    const r = await run(process.execPath, ['--enable-source-maps', '-e', probe]);
    expect(r.stdout).toMatch(/^UsageError|^TypeError|^Error/);
    expect(r.stdout).toMatch(/at parseResourceId \(.*src\/base\/resource-id\.ts:\d+:\d+\)/);
    // With the maps on, Node's own loader runs the bundle (it applies them), and the CLI works the same.
    const args = [bundle, 'audit', '--mock', worldPath('healthy-private'), '--format', 'json'];
    const summary = (r: { stdout: string }) => (JSON.parse(r.stdout) as { summary: Record<string, number> }).summary;
    const plain = summary(await run(process.execPath, args));
    expect(summary(await run(process.execPath, ['--enable-source-maps', ...args]))).toEqual(plain);
    expect(plain.pass).toBeGreaterThan(0);
  });
});

describe('audit --format markdown', () => {
  it('draws each workspace from the reads its checks made: no request more than the JSON report', async () => {
    const requests: Record<string, number> = {};
    for (const format of ['json', 'markdown']) {
      const server = await startMockServer(loadWorldByName('demo'));
      let out = '';
      await main(['audit', '--endpoint', server.url, '--workspace', ids.workspace, '--format', format], {
        stdout: (s) => (out += s),
        stderr: () => undefined,
        isTTY: false,
        connectionOverrides: { ...fastRetries, ca: server.ca },
      });
      requests[format] = server.handler.log.length;
      if (format === 'markdown') expect(out).toContain('```mermaid');
      await server.close();
    }
    expect(requests.markdown).toBe(requests.json);
  });
});
