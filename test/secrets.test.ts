/**
 * Secrets never leave memory: plant distinct secrets in every key and password of the worlds, run
 * every command in every format (and the SDK's verbose logging in real processes), trigger errors
 * around the key actions, and grep every output and file for each secret and the bearer token.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorlds, ids, secrets } from '../mocks/worlds/generate.js';
import { packageRoot } from '../src/base/paths.js';
import { runCli, worldPath } from './helpers.js';

const run = promisify(execFile);
const bin = join(packageRoot, 'dist', 'src', 'cli', 'bin.js');
const SECRETS = Object.entries(secrets);
const TOKEN = 'mock-arm-token';

function assertClean(label: string, text: string): void {
  for (const [name, value] of SECRETS) expect(text.includes(value), `${label} contains secrets.${name}`).toBe(false);
  expect(text.includes(TOKEN), `${label} contains the bearer token`).toBe(false);
}

let dir: string;
let faulty: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aml-preflight-secrets-'));
  process.env.AML_PREFLIGHT_CACHE_DIR = dir;
  // Errors around every key action: truncated JSON, a 500 whose body echoes the credentials, a 403.
  const w = buildWorlds()['keys-storage-rotated']!;
  const creds = w.responses![`POST ${ids.registry}/listCredentials`]!.body;
  w.faults = [
    { match: 'POST .*/storageAccounts/.*/listKeys', truncate: true },
    {
      match: 'POST .*/registries/.*/listCredentials',
      status: 500,
      body: { error: { code: 'InternalServerError', message: JSON.stringify(creds) } },
    },
    { match: 'POST .*/resyncKeys', status: 403, times: 1 },
  ];
  faulty = join(dir, 'faulty.json');
  await writeFile(faulty, JSON.stringify(w));
});

// The managed ones hold the same secrets; --fix there provisions the network.
const SECRET_WORLDS = [
  'healthy-private',
  'demo',
  'keys-storage-rotated',
  'keys-registry-rotated',
  'keys-other-storage',
  'demo-managed',
  'managed-not-provisioned',
];

describe('no secret in any output', () => {
  it.each(SECRET_WORLDS)('%s: audit in every format, --fix, resync with and without --yes', async (world) => {
    const outputs: string[] = [];
    const file = join(dir, `${world}-report.json`);
    for (const args of [
      ['audit', '--mock', worldPath(world), '--format', 'json'],
      ['audit', '--mock', worldPath(world), '--format', 'table'],
      ['audit', '--mock', worldPath(world), '--format', 'sarif'],
      ['audit', '--mock', worldPath(world), '--format', 'junit'],
      ['audit', '--mock', worldPath(world), '--format', 'markdown'],
      ['snapshot', '--mock', worldPath(world), '-o', join(dir, `${world}-snap.json`)],
      ['audit', '--mock', worldPath(world), '--fix'],
      ['audit', '--mock', worldPath(world), '--inventory', 'resource-graph', '--format', 'markdown'],
      ['audit', '--mock', worldPath(world), '--inventory', 'resource-graph', '--format', 'table', '--fix'],
      ['audit', '--mock', worldPath(world), '-o', file],
      ['resync', '--workspace', ids.workspace, '--mock', worldPath(world)],
      ['resync', '--workspace', ids.workspace, '--mock', worldPath(world), '--format', 'json'],
      ['resync', '--workspace', ids.workspace, '--mock', worldPath(world), '--yes', '--format', 'json'],
    ]) {
      const r = await runCli(args, { tty: args.includes('table') });
      outputs.push(r.stdout, r.stderr);
    }
    outputs.push(await readFile(file, 'utf8'), await readFile(join(dir, `${world}-snap.json`), 'utf8'));
    const merged = await runCli(['merge', file, file, '--format', 'markdown']);
    outputs.push(merged.stdout, merged.stderr);
    assertClean(world, outputs.join('\n'));
  });

  it('errors around the key actions (truncated JSON, a 500 echoing credentials, a 403 on resync) print no secret', async () => {
    const outputs: string[] = [];
    for (const args of [
      ['audit', '--mock', faulty, '--format', 'json'],
      ['audit', '--mock', faulty, '--format', 'table', '--fix'],
      ['resync', '--workspace', ids.workspace, '--mock', faulty, '--yes'],
    ]) {
      const r = await runCli(args);
      outputs.push(r.stdout, r.stderr);
    }
    const all = outputs.join('\n');
    expect(all).toContain('PARSE_ERROR');
    assertClean('fault outputs', all);
  });

  it('real processes with the Azure SDK logging at verbose level print no secret and no token', async () => {
    const env = { ...process.env, AZURE_LOG_LEVEL: 'verbose', AML_PREFLIGHT_CACHE_DIR: dir };
    const outputs: string[] = [];
    for (const args of [
      ['audit', '--mock', worldPath('keys-storage-rotated'), '--format', 'json'],
      ['audit', '--mock', worldPath('keys-storage-rotated'), '--format', 'json', '--inventory', 'resource-graph'],
      ['resync', '--workspace', ids.workspace, '--mock', worldPath('keys-registry-rotated'), '--yes'],
      ['audit', '--mock', faulty, '--format', 'table'],
    ]) {
      const r = await run(process.execPath, [bin, ...args], { env, maxBuffer: 64 * 1024 * 1024 }).catch(
        (e: { stdout: string; stderr: string }) => e,
      );
      outputs.push(r.stdout, r.stderr);
    }
    const all = outputs.join('\n');
    // The verbose log really ran (so the grep means something), with the Authorization header redacted.
    expect(all).toMatch(/azure:core-rest-pipeline/);
    expect(all, 'the Resource Graph query really ran').toMatch(/Microsoft\.ResourceGraph\/resources/);
    expect(all).toMatch(/"authorization": "REDACTED"/i);
    assertClean('verbose logs', all);
  }, 60_000);
});
