import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { AuditReport } from '../src/report/types.js';
import { parseWorld, type WorldInput } from '../src/world/schema.js';
import { TENANT, tenantWorkspaceId, tenantWorld } from '../mocks/worlds/tenant.js';
import { startMockServer, type MockServer } from '../mocks/server.js';
import { fastRetries } from './helpers.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The CLI against a mock serving `world`, so a test can read what the mock was asked. */
async function audit(
  world: WorldInput,
  args: string[],
): Promise<{
  code: number;
  stdout: string;
  stderr: string;
  report: AuditReport;
  log: { method: string; path: string; status: number; apiVersion?: string }[];
}> {
  server = await startMockServer(parseWorld(world));
  let stdout = '';
  let stderr = '';
  const code = await main(['audit', '--endpoint', server.url, '--format', 'json', ...args], {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: false,
    connectionOverrides: { ...fastRetries, ca: server.ca },
  });
  return { code, stdout, stderr, report: JSON.parse(stdout || '{}') as AuditReport, log: [...server.handler.log] };
}

const audited = (r: AuditReport): string[] => r.targets.map((t) => t.workspaceId).sort();
// Two items a page: the subscription and descendant lists need their nextLinks.
const world = (): WorldInput => ({ ...tenantWorld(), pageSize: 2 });

describe('--management-group', () => {
  it('audits exactly the workspaces of the subscriptions under the group, recursively; the disabled one is skipped with a note', async () => {
    const r = await audit(world(), ['--management-group', 'mg-contoso-ml']);
    expect(audited(r.report)).toEqual([tenantWorkspaceId(TENANT.platform), tenantWorkspaceId(TENANT.prod)].sort());
    expect(r.report.scope).toEqual({
      managementGroups: ['mg-contoso-ml'],
      subscriptions: [TENANT.platform, TENANT.prod],
      skipped: [{ subscriptionId: TENANT.legacy, displayName: 'sub-ml-legacy', state: 'Disabled' }],
    });
    expect(r.stderr).toContain(`aml-preflight: skipping subscription sub-ml-legacy (${TENANT.legacy}): Disabled`);
    expect(r.code).toBe(1); // sub-ml-prod blocks Front Door
    const descendants = r.log.filter((e) => /\/managementGroups\/mg-contoso-ml\/descendants$/i.test(e.path));
    expect(descendants.length).toBeGreaterThanOrEqual(2); // paged
    expect(new Set(descendants.map((e) => e.apiVersion))).toEqual(new Set(['2023-04-01']));
    expect(r.log.some((e) => e.path === '/subscriptions' && e.apiVersion === '2022-12-01')).toBe(true);
    // Nothing of the subscriptions outside the scope was read.
    expect(r.log.filter((e) => e.path.toLowerCase().includes(TENANT.analytics) || e.path.toLowerCase().includes(TENANT.legacy))).toEqual(
      [],
    );
  });

  it('a nested group covers only its own subtree', async () => {
    const r = await audit(world(), ['--management-group', 'mg-contoso-ml-prod']);
    expect(audited(r.report)).toEqual([tenantWorkspaceId(TENANT.prod)]);
    expect(r.report.scope?.skipped?.map((s) => s.subscriptionId)).toEqual([TENANT.legacy]);
  });

  it('Resource Graph mode passes the group to the query and lists no descendants; the verdicts are the same', async () => {
    const arm = await audit(world(), ['--management-group', 'mg-contoso-ml']);
    await server!.close();
    server = undefined;
    const graph = await audit(world(), ['--management-group', 'mg-contoso-ml', '--inventory', 'resource-graph']);
    expect(graph.report.stats.inventory).toBe('resource-graph');
    expect(graph.log.some((e) => /descendants$/i.test(e.path))).toBe(false);
    expect(audited(graph.report)).toEqual(audited(arm.report));
    const verdicts = (r: AuditReport) => r.targets.flatMap((t) => t.results.map((x) => `${t.workspaceId}:${x.checkId}:${x.status}`)).sort();
    expect(verdicts(graph.report)).toEqual(verdicts(arm.report));
    expect(graph.report.scope?.skipped?.map((s) => s.subscriptionId)).toEqual([TENANT.legacy]);
  });

  it('a group the identity cannot read: one line, the audit says it is incomplete (exit 3); a malformed id exits 2', async () => {
    const r = await audit(world(), ['--management-group', 'mg-nowhere']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot list management group mg-nowhere: .*Microsoft\.Management\/managementGroups\/descendants\/read/);
    expect(r.report.scope?.unreadable).toEqual(['/providers/Microsoft.Management/managementGroups/mg-nowhere']);
    expect(r.report.incomplete).toBe(true);
    const bad = await audit(world(), ['--management-group', 'mg with spaces']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--management-group "mg with spaces" is not a management group id/);
  });

  // Another client has spent every bucket: the first request of each subscription (and of the
  // tenant) is answered 429, and the pacing keeps the rest under the refill rate.
  it('under ARM throttling the audit still covers the whole group, the 429s retried', async () => {
    const r = await audit({ ...world(), throttling: { reads: { capacity: 6, refillPerSecond: 40, initialTokens: 0 } } }, [
      '--management-group',
      'mg-contoso-ml',
    ]);
    expect(audited(r.report)).toEqual([tenantWorkspaceId(TENANT.platform), tenantWorkspaceId(TENANT.prod)].sort());
    expect(r.report.summary.error).toBe(0);
    expect(r.log.some((e) => e.status === 429)).toBe(true);
  });
});

describe('--all-subscriptions', () => {
  it('audits every readable subscription, skipping the disabled one with a note', async () => {
    const r = await audit(world(), ['--all-subscriptions']);
    expect(audited(r.report)).toEqual([TENANT.platform, TENANT.prod, TENANT.analytics].map(tenantWorkspaceId).sort());
    expect(r.report.scope?.subscriptions).toEqual([TENANT.platform, TENANT.prod, TENANT.analytics]);
    expect(r.stderr).toContain('skipping subscription sub-ml-legacy');
  });

  it('a subscription named with --subscription is audited even when disabled', async () => {
    const r = await audit(world(), ['--subscription', TENANT.legacy]);
    expect(audited(r.report)).toEqual([tenantWorkspaceId(TENANT.legacy)]);
  });
});

describe('tenant shards merge', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aml-preflight-tenant-'));
  });
  it('one report per group or subscription, merged into the whole tenant', async () => {
    const a = await audit(world(), ['--management-group', 'mg-contoso-ml', '-o', join(dir, 'a.json')]);
    expect(a.code).toBe(1);
    await server!.close();
    server = undefined;
    await audit(world(), ['--subscription', TENANT.analytics, '-o', join(dir, 'b.json')]);
    let merged = '';
    const code = await main(['merge', join(dir, 'a.json'), join(dir, 'b.json')], {
      stdout: (s) => (merged += s),
      stderr: () => undefined,
      isTTY: false,
    });
    expect(code).toBe(1);
    const m = JSON.parse(merged) as AuditReport;
    expect(audited(m)).toEqual([TENANT.platform, TENANT.prod, TENANT.analytics].map(tenantWorkspaceId).sort());
    expect(JSON.parse(await readFile(join(dir, 'a.json'), 'utf8'))).toHaveProperty('scope.managementGroups', ['mg-contoso-ml']);
  });
});
