/**
 * Reads start as soon as their ids are known (bench figure 1 counts the round trips): each case
 * holds one answer at the mock and waits, on the mock's request log, for a read that must not
 * depend on it. The held read is still unanswered when that read arrives; without the overlap the
 * awaited read would never come while the held one is held. No clock decides: the hold outlasts
 * any test, and the audit is stopped once the read is seen.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allChecks } from '../../checks/index.js';
import { runAudit } from '../../src/engine/run.js';
import type { WorldInput } from '../../src/world/schema.js';
import type { MockRequestLogEntry } from '../../mocks/core/types.js';
import { healthyPrivate, ids } from '../../mocks/worlds/generate.js';
import { firewallWorlds } from '../../mocks/worlds/firewall.js';
import { startHarness, type MockHarness } from '../helpers.js';

const harnesses: MockHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    h.inventory.dispose();
    await h.close();
  }
});

/**
 * Audits `world` with the answer to `hold` (a `METHOD /path` pattern) held back, until a request
 * matching `awaited` arrives; answers whether the held request was still unanswered then.
 */
async function heldWhenRequested(
  world: WorldInput,
  hold: RegExp,
  awaited: RegExp,
  checks = allChecks,
): Promise<{ held: boolean; log: string[] }> {
  const h = await startHarness({ ...world, faults: [{ match: hold.source, latencyMs: 600_000 }] });
  harnesses.push(h);
  const log = h.server.handler.log;
  const signature = (e: MockRequestLogEntry) => `${e.method} ${e.path}`;
  let heldThen: boolean | undefined;
  const push = log.push.bind(log);
  log.push = (...entries: MockRequestLogEntry[]) => {
    for (const e of entries)
      if (heldThen === undefined && awaited.test(signature(e))) {
        // Unanswered: not yet arrived, or arrived and held (status 0 until answered).
        heldThen = log.filter((x) => hold.test(signature(x))).every((x) => x.status === 0);
      }
    return push(...entries);
  };
  const controller = new AbortController();
  const audit = runAudit({
    inventory: h.inventory,
    checks,
    workspaceIds: [ids.workspace],
    abortSignal: controller.signal,
  }).catch(() => undefined);
  await vi.waitFor(
    () => {
      if (heldThen === undefined) throw new Error(`no ${awaited.source} yet: ${log.map(signature).join(', ')}`);
    },
    { timeout: 60_000, interval: 20 },
  );
  controller.abort();
  await audit;
  return { held: heldThen!, log: log.map(signature) };
}

const path = (id: string) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('reads that do not wait for each other', () => {
  it('lists the computes beside the workspace read, not after it (they are listed under its id)', async () => {
    const r = await heldWhenRequested(healthyPrivate(), new RegExp(`^GET ${path(ids.workspace)}$`, 'i'), /\/computes$/i);
    expect(r.held, r.log.join('\n')).toBe(true);
  });

  it("gathers a compute's VNet into the network model while the storage account and registry are still being read", async () => {
    // same-vnet-placement alone: no egress check reads the subnet on its own.
    const r = await heldWhenRequested(
      healthyPrivate(),
      /^GET .*\/providers\/Microsoft\.(Storage\/storageAccounts|ContainerRegistry\/registries)\/[^/]+$/i,
      /^GET .*\/virtualNetworks\/vnet-mlops-prod-weu$/i,
      allChecks.filter((c) => c.meta.id === 'same-vnet-placement'),
    );
    expect(r.held, r.log.join('\n')).toBe(true);
  });

  it("reads the workspace's own private endpoint (private-dns-zones) before the network model is complete", async () => {
    const r = await heldWhenRequested(
      healthyPrivate(),
      /^GET .*\/privateEndpoints\/pe-stmlopsprodweu-blob$/i,
      /^GET .*\/privateEndpoints\/pe-mlw-mlops-prod-weu$/i,
    );
    expect(r.held, r.log.join('\n')).toBe(true);
  });

  it('reads the peered hub VNet beside the spoke subnet’s route table, not after it', async () => {
    const r = await heldWhenRequested(
      firewallWorlds()['fw-hub-healthy']!,
      /^GET .*\/routeTables\/[^/]+$/i,
      /^GET .*\/virtualNetworks\/vnet-hub-weu$/i,
    );
    expect(r.held, r.log.join('\n')).toBe(true);
  });
});

describe('the peered VNets read ahead of a route table', () => {
  it('are not read for a subnet without a route table', async () => {
    const world = firewallWorlds()['fw-hub-healthy']!;
    const spoke = world.resources.find((r) => r.id.endsWith('/virtualNetworks/vnet-mlops-prod-weu'))!;
    const subnets = (spoke.properties as { subnets: { name: string; properties: Record<string, unknown> }[] }).subnets;
    for (const s of subnets) delete s.properties.routeTable;
    const h = await startHarness(world);
    harnesses.push(h);
    await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    const reads = h.server.handler.log.map((e) => `${e.method} ${e.path}`);
    expect(reads.some((r) => /virtualNetworks\/vnet-mlops-prod-weu$/i.test(r))).toBe(true);
    expect(reads.filter((r) => /vnet-hub-weu|azureFirewalls|firewallPolicies/i.test(r))).toEqual([]);
  });

  it('are exactly the VNets the appliance search reads: read once each, and nothing is read twice', async () => {
    const h = await startHarness(firewallWorlds()['fw-hub-healthy']!);
    harnesses.push(h);
    await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    const hubReads = h.server.handler.log.filter((e) => /\/virtualNetworks\/vnet-hub-weu$/i.test(e.path));
    expect(hubReads).toHaveLength(1);
    // Polls of a long-running operation (the diagnosis) repeat by design; no read does.
    const signatures = h.server.handler.log.map((e) => `${e.method} ${e.path}`).filter((s) => !/\/workspaceOperationsStatus\//i.test(s));
    expect(signatures.filter((s, i) => signatures.indexOf(s) !== i)).toEqual([]);
  });
});
