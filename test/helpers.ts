/** Test plumbing: worlds by name, the mock over real HTTPS, an inventory on it, and the CLI in-process. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockCredential, type ArmConnection } from '../src/arm/connection.js';
import { Inventory } from '../src/inventory/index.js';
import { packageRoot } from '../src/base/paths.js';
import { parseWorld, type World, type WorldInput } from '../src/world/schema.js';
import { startMockServer, type MockServer, type MockServerOptions } from '../mocks/server.js';
import { main } from '../src/cli/main.js';
import { afterEach, expect } from 'vitest';
import { runAudit } from '../src/engine/run.js';
import type { Check } from '../src/engine/check.js';
import type { CheckResult } from '../src/report/types.js';
import { ids } from '../mocks/worlds/generate.js';

export function worldPath(name: string): string {
  return join(packageRoot, 'mocks', 'worlds', `${name}.json`);
}

export function loadWorldByName(name: string): World {
  return parseWorld(JSON.parse(readFileSync(worldPath(name), 'utf8')), name);
}

export interface MockHarness {
  server: MockServer;
  connection: ArmConnection;
  inventory: Inventory;
  close(): Promise<void>;
}

/** Fast retries so fault tests stay quick; `Retry-After` from the mock still wins. */
export const fastRetries: Partial<ArmConnection> = { retryDelayInMs: 20, maxRetryDelayInMs: 3000 };

export async function startHarness(
  world: World | WorldInput | string,
  options: MockServerOptions & { connection?: Partial<ArmConnection> } = {},
): Promise<MockHarness> {
  const w = typeof world === 'string' ? loadWorldByName(world) : parseWorld(world);
  const server = await startMockServer(w, options);
  const connection: ArmConnection = {
    endpoint: server.url,
    credential: mockCredential,
    ca: server.ca,
    registryEndpoint: (ls) => `${server.url}/acr-data/${ls}`,
    ...fastRetries,
    ...options.connection,
  };
  return {
    server,
    connection,
    inventory: new Inventory(connection),
    close: async () => {
      await server.close();
    },
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as a pipe (not a terminal) unless `tty`. */
export async function runCli(args: string[], opts: { tty?: boolean; abortSignal?: AbortSignal } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: opts.tty ?? false,
    connectionOverrides: { ...fastRetries },
    ...(opts.abortSignal ? { abortSignal: opts.abortSignal } : {}),
  });
  return { code, stdout, stderr };
}

export function workspaceIdOfWorld(world: World | WorldInput): string {
  return world.resources.find((r) => r.type === 'Microsoft.MachineLearningServices/workspaces')!.id;
}

/**
 * Runs one check against worlds, each over its own mock; the mock of the last audit stays open for
 * inspection until the test ends.
 */
export function checkAuditor(check: Check): {
  audit: (world: World | WorldInput | string, images?: string[]) => Promise<CheckResult>;
  readonly harness: MockHarness;
} {
  let current: MockHarness | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return {
    audit: async (world, images) => {
      await current?.close();
      current = await startHarness(world);
      const report = await runAudit({
        inventory: current.inventory,
        checks: [check],
        workspaceIds: [ids.workspace],
        ...(images ? { checkOptions: { images } } : {}),
      });
      return report.targets[0]!.results[0]!;
    },
    get harness() {
      if (!current) throw new Error('no audit ran yet');
      return current;
    },
  };
}

/**
 * A check's verdict on a world: its status, and its findings' messages in order, each containing
 * its string or matching its pattern (a wrong status names every finding's message).
 */
export function expectVerdict(result: CheckResult, status: string, messages: readonly (string | RegExp)[]): void {
  const found = result.findings.map((f) => f.message);
  expect(result.status, JSON.stringify(found)).toBe(status);
  expect(found).toHaveLength(messages.length);
  messages.forEach((m, i) => {
    expect(found[i]).toMatch(m);
  });
}
