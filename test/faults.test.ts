/**
 * The fault table: every kind of request the audit makes × every kind of fault, generated from
 * healthy-private (where every check passes), through the real SDK clients over HTTPS.
 * - transient faults that clear within the retry budget change nothing;
 * - persistent faults leave every check either at its verdict or `error`, with a reason naming the
 *   faulted resource and the status (and, for 403, the RBAC action) — never a wrong verdict;
 * - the audit always finishes, and the exit code follows CONTRACT.md.
 */
import { describe, expect, it } from 'vitest';
import { allChecks as every } from '../checks/index.js';

/** Every check that runs without --image (image-reference needs references to judge). */
const allChecks = every.filter((c) => c.meta.id !== 'image-reference');
import { healthyPrivate, ids, res } from '../mocks/worlds/generate.js';
import { firewallWorlds } from '../mocks/worlds/firewall.js';
import { virtualWanWorlds } from '../mocks/worlds/virtual-wan.js';
import { runAudit } from '../src/engine/run.js';
import { exitCodeFor } from '../src/report/types.js';
import type { WorldFault, WorldInput } from '../src/world/schema.js';
import { startHarness } from './helpers.js';

/** Request kinds: the request's regex, and what an error reason must name. */
const KINDS: Record<string, { match: string; names: RegExp }> = {
  'GET workspace': { match: 'GET .*/workspaces/mlw-mlops-prod-weu$', names: /workspaces\/mlw-mlops-prod-weu/ },
  'LIST computes': { match: 'GET .*/workspaces/mlw-mlops-prod-weu/computes$', names: /LIST computes .*mlw-mlops-prod-weu/ },
  'GET storage account': { match: 'GET .*/storageAccounts/stmlopsprodweu$', names: /storageAccounts\/stmlopsprodweu/ },
  'GET registry': { match: 'GET .*/registries/crmlopsprodweu$', names: /registries\/crmlopsprodweu/ },
  'GET virtual network': { match: 'GET .*/virtualNetworks/vnet-mlops-prod-weu$', names: /virtualNetworks\/vnet-mlops-prod-weu/ },
  'GET network security group': {
    match: 'GET .*/networkSecurityGroups/nsg-mlops-training-weu$',
    names: /networkSecurityGroups\/nsg-mlops-training-weu/,
  },
  'GET private endpoint': { match: 'GET .*/privateEndpoints/[^/]+$', names: /privateEndpoints\/pe-/ },
  'LIST DNS zone groups': { match: 'GET .*/privateDnsZoneGroups$', names: /LIST privateDnsZoneGroups .*privateEndpoints\/pe-/ },
  'LIST zone links': { match: 'GET .*/virtualNetworkLinks$', names: /LIST virtualNetworkLinks .*privateDnsZones\/privatelink\./ },
  'GET service tags': { match: 'GET .*/serviceTags$', names: /locations\/westeurope\/serviceTags/ },
  'GET endpoint types': { match: 'GET .*/availablePrivateEndpointTypes$', names: /locations\/westeurope\/availablePrivateEndpointTypes/ },
  'POST workspace listKeys': {
    match: 'POST .*/workspaces/mlw-mlops-prod-weu/listKeys$',
    names: /POST listKeys .*workspaces\/mlw-mlops-prod-weu/,
  },
  'POST storage listKeys': {
    match: 'POST .*/storageAccounts/stmlopsprodweu/listKeys$',
    names: /POST listKeys .*storageAccounts\/stmlopsprodweu/,
  },
  'POST registry listCredentials': {
    match: 'POST .*/registries/crmlopsprodweu/listCredentials$',
    names: /POST listCredentials .*registries\/crmlopsprodweu/,
  },
  // The diagnosis is a long-running operation: its POST and its polls.
  'POST workspace diagnose (and its polls)': {
    match: 'POST .*/workspaces/mlw-mlops-prod-weu/diagnose$|GET .*/workspaceOperationsStatus/.*',
    names: /POST diagnose .*workspaces\/mlw-mlops-prod-weu/,
  },
};

/**
 * A slow answer is one that never comes within the request timeout: the mock holds it until the
 * client gives up. The timeout is far above what any other request takes on a loaded machine, so
 * only the faulted read times out, whatever the machine's speed (a 300 ms budget against an 800 ms
 * answer also timed out unrelated reads under load).
 */
const NEVER_MS = 600_000;
const SLOW_TIMEOUT_MS = 3_000;

/** Fault kinds: transient ones clear within the retry budget; persistent ones do not. */
const FAULTS: Record<string, { fault: Omit<WorldFault, 'match'>; transient: boolean; status?: RegExp }> = {
  '429 with Retry-After, then answers': { fault: { status: 429, headers: { 'Retry-After': '1' }, times: 1 }, transient: true },
  '500 twice, then answers': { fault: { status: 500, times: 2 }, transient: true },
  '503 twice, then answers': { fault: { status: 503, times: 2 }, transient: true },
  'connection reset, then answers': { fault: { reset: true, times: 1 }, transient: true },
  '503 always': { fault: { status: 503 }, transient: false, status: /failed: 503 ServiceUnavailable; ARM failed on its side/ },
  'slower than the request timeout': {
    fault: { latencyMs: NEVER_MS },
    transient: false,
    status: /failed: Timeout.*ARM did not answer in time/,
  },
  'truncated JSON': { fault: { truncate: true }, transient: false, status: /failed: 200 PARSE_ERROR; ARM's answer was not valid JSON/ },
  'malformed JSON (an HTML page)': {
    fault: { rawBody: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
    transient: false,
    status: /failed: 200 PARSE_ERROR/,
  },
  '403 always': {
    fault: { status: 403 },
    transient: false,
    status: /failed: 403 AuthorizationFailed; grant Microsoft\.[A-Za-z]+\/[A-Za-z/]+\/(read|action) to the identity/,
  },
};

const cases = Object.entries(KINDS).flatMap(([kind, k]) => Object.entries(FAULTS).map(([name, f]) => [kind, name, k, f] as const));

async function auditWith(world: WorldInput, requestTimeoutInMs = 30_000) {
  // A read that never answers is retried once: each attempt costs the whole timeout.
  const maxRetries = requestTimeoutInMs === SLOW_TIMEOUT_MS ? 1 : 3;
  const h = await startHarness(world, { connection: { requestTimeoutInMs, maxRetries } });
  try {
    const report = await runAudit({
      inventory: h.inventory,
      checks: allChecks,
      workspaceIds: [ids.workspace],
      checkTimeoutInMs: 30_000,
      abortSignal: AbortSignal.timeout(60_000),
    });
    return { report, log: h.server.handler.log };
  } finally {
    h.inventory.dispose();
    await h.close();
  }
}

/** The verdict of each check on healthy-private, which has no managed network. */
function healthy(checkId: string): string {
  // identity-access: the admin user is enabled, shared keys are allowed and the world has no key vault.
  return checkId === 'managed-network-outbound' || checkId === 'identity-access' ? 'skip' : 'pass';
}

describe('fault table', () => {
  it.concurrent.each(cases)('%s × %s', async (_kind, faultName, k, f) => {
    const world = healthyPrivate();
    world.faults = [{ match: k.match, ...f.fault }];
    const { report, log } = await auditWith(world, faultName.startsWith('slower') ? SLOW_TIMEOUT_MS : 30_000);
    // The fault really hit a request the audit makes.
    expect(log.some((e) => new RegExp(k.match, 'i').test(`${e.method} ${e.path}`))).toBe(true);
    expect(report.incomplete).toBeUndefined();
    const results = report.targets[0]!.results;
    expect(results).toHaveLength(allChecks.length);
    if (f.transient) {
      expect(results.map((r) => `${r.checkId}:${r.status}`)).toEqual(allChecks.map((c) => `${c.meta.id}:${healthy(c.meta.id)}`));
      expect(exitCodeFor(report, 'error')).toBe(0);
      return;
    }
    const errors = results.filter((r) => r.status === 'error');
    expect(errors.length, 'a persistent fault leaves some check undecided').toBeGreaterThan(0);
    for (const r of results) {
      // Never a wrong verdict: the check's verdict on healthy-private, or `error`.
      expect([healthy(r.checkId), 'error']).toContain(r.status);
      if (r.status === 'error') {
        expect(r.reason, r.checkId).toMatch(k.names);
        expect(r.reason, r.checkId).toMatch(f.status!);
      }
    }
    expect(exitCodeFor(report, 'error')).toBe(3);
  });

  it('a deleted subnet referenced by the computes: error naming the subnet, 404', async () => {
    const w = healthyPrivate();
    const vnet = res(w, ids.vnet);
    vnet.properties.subnets = vnet.properties.subnets.filter((s: { id: string }) => s.id !== ids.trainingSubnet);
    const { report } = await auditWith(w);
    const nsg = report.targets[0]!.results.find((r) => r.checkId === 'nsg-outbound-service-tags')!;
    expect(nsg.status).toBe('error');
    expect(nsg.reason).toMatch(
      /GET .*virtualNetworks\/vnet-mlops-prod-weu\/subnets\/snet-training failed: 404 ResourceNotFound; the resource does not exist/,
    );
    // The placement check confirms the subnet instead of trusting the id's parent.
    const placement = report.targets[0]!.results.find((r) => r.checkId === 'same-vnet-placement')!;
    expect(placement.status).toBe('fail');
    expect(placement.findings.map((f) => f.message)).toEqual([
      'Compute cluster cpu-build-cluster sits in subnet vnet-mlops-prod-weu/snet-training, which does not exist: its nodes cannot allocate and it reaches nothing.',
      'Compute cluster gpu-train-cluster sits in subnet vnet-mlops-prod-weu/snet-training, which does not exist: its nodes cannot allocate and it reaches nothing.',
    ]);
    expect(placement.findings[0]!.remediation).toContain(
      'az network vnet subnet create --resource-group rg-mlops-prod-weu --vnet-name vnet-mlops-prod-weu --name snet-training',
    );
  });

  it('a dangling private endpoint: error naming it where it must be read; a finding where dangling is the verdict', async () => {
    const w = healthyPrivate();
    w.resources = w.resources.filter((r) => r.id !== ids.peRegistry);
    const { report } = await auditWith(w);
    const byId = Object.fromEntries(report.targets[0]!.results.map((r) => [r.checkId, r]));
    expect(byId['acr-private-endpoint-region']!.status).toBe('fail');
    expect(byId['acr-private-endpoint-region']!.findings[0]!.message).toMatch(
      /refers to private endpoint pe-crmlopsprodweu-registry, which does not exist \(404\)/,
    );
    for (const id of ['same-vnet-placement', 'image-build-compute', 'private-dns-zones']) {
      expect(byId[id]!.status).toBe('error');
      expect(byId[id]!.reason).toMatch(/privateEndpoints\/pe-crmlopsprodweu-registry failed: 404 ResourceNotFound/);
    }
    expect(byId['nsg-outbound-service-tags']!.status).toBe('pass');
    expect(byId['workspace-keys-in-sync']!.status).toBe('pass');
  });
});

/** Issue 21: the reads on the way to a hub firewall, on fw-hub-healthy (where every check passes). */
const HUB_KINDS: Record<string, { match: string; names: RegExp }> = {
  'GET hub virtual network': { match: 'GET .*/virtualNetworks/vnet-hub-weu$', names: /virtualNetworks\/vnet-hub-weu/ },
  'GET azure firewall': { match: 'GET .*/azureFirewalls/afw-hub-weu$', names: /azureFirewalls\/afw-hub-weu/ },
  'GET firewall policy': { match: 'GET .*/firewallPolicies/fwp-hub-weu$', names: /firewallPolicies\/fwp-hub-weu/ },
  'LIST rule collection groups': {
    match: 'GET .*/firewallPolicies/fwp-hub-weu/ruleCollectionGroups$',
    names: /LIST ruleCollectionGroups .*firewallPolicies\/fwp-hub-weu/,
  },
  'GET IP group': { match: 'GET .*/ipGroups/ipg-ml-spokes$', names: /ipGroups\/ipg-ml-spokes/ },
};
const hubCases = Object.entries(HUB_KINDS).flatMap(([kind, k]) => Object.entries(FAULTS).map(([name, f]) => [kind, name, k, f] as const));

let baseline: ReturnType<typeof auditWith> | undefined;
const hubBaseline = async () => (await (baseline ??= auditWith(firewallWorlds()['fw-hub-healthy']!))).report;

describe('fault table, hub-and-spoke reads', () => {
  it.concurrent.each(hubCases)('%s × %s', async (_kind, faultName, k, f) => {
    const world = firewallWorlds()['fw-hub-healthy']!;
    world.faults = [{ match: k.match, ...f.fault }];
    const { report, log } = await auditWith(world, faultName.startsWith('slower') ? SLOW_TIMEOUT_MS : 30_000);
    expect(log.some((e) => new RegExp(k.match, 'i').test(`${e.method} ${e.path}`))).toBe(true);
    const results = report.targets[0]!.results;
    // Only the egress checks read the hub: every other verdict stays what it is without the fault.
    const egress = ['nsg-outbound-service-tags', 'compute-outbound'];
    const others = (list: typeof results) => list.filter((r) => !egress.includes(r.checkId)).map((r) => `${r.checkId}:${r.status}`);
    expect(others(results)).toEqual(others((await hubBaseline()).targets[0]!.results));
    const nsg = results.find((r) => r.checkId === 'nsg-outbound-service-tags')!;
    // compute-outbound asks the same path (src/network/egress-path.ts): the same verdict, but for the
    // IP group, which only the Front Door rule names (the hub's compute rules name the spoke's addresses).
    const compute = results.find((r) => r.checkId === 'compute-outbound')!;
    expect(compute.status).toBe(/ip group/i.test(_kind) && nsg.status === 'warn' ? 'pass' : nsg.status);
    if (f.transient) {
      expect(nsg.status).toBe('pass');
      expect(exitCodeFor(report, 'error')).toBe(0);
    } else if (faultName.startsWith('403')) {
      // Undecidable: a warning naming the subscription and the missing read action, never pass or fail.
      expect(nsg.status).toBe('warn');
      expect(nsg.findings.map((x) => x.message).join('\n')).toMatch(/Microsoft\.Network\/[A-Za-z/]+\/read/);
      expect(nsg.findings.map((x) => x.message).join('\n')).toMatch(/9c4b7e2a-1d3f-4a6b-8e5c-0f2a3b4c5d6e/);
      expect(exitCodeFor(report, 'error')).toBe(0);
    } else {
      expect(nsg.status).toBe('error');
      expect(nsg.reason).toMatch(k.names);
      expect(nsg.reason).toMatch(f.status!);
      expect(exitCodeFor(report, 'error')).toBe(3);
    }
  });
});

/**
 * Issue 21: the reads on the way to a Virtual WAN secured hub (vwan-hub-healthy: routing intent to
 * the hub firewall) and, on fw-owner-outside-peerings, the search of the readable subscriptions
 * for a firewall no peering leads to. Transient faults change no verdict; a 403 is undecidable.
 */
const VWAN_KINDS: Record<string, { world: 'vwan-hub-healthy' | 'fw-owner-outside-peerings'; match: string; names: RegExp }> = {
  'LIST subscriptions': { world: 'vwan-hub-healthy', match: 'GET /subscriptions$', names: /LIST subscriptions/ },
  'LIST virtual hubs': {
    world: 'vwan-hub-healthy',
    match: 'GET /subscriptions/9c4b7e2a-1d3f-4a6b-8e5c-0f2a3b4c5d6e/providers/Microsoft.Network/virtualHubs$',
    names: /LIST virtualHubs/,
  },
  'LIST hub connections': {
    world: 'vwan-hub-healthy',
    match: 'GET .*/virtualHubs/vhub-weu/hubVirtualNetworkConnections$',
    names: /LIST hubVirtualNetworkConnections .*virtualHubs\/vhub-weu/,
  },
  'LIST routing intent': {
    world: 'vwan-hub-healthy',
    match: 'GET .*/virtualHubs/vhub-weu/routingIntent$',
    names: /LIST routingIntent .*virtualHubs\/vhub-weu/,
  },
  'GET hub firewall': { world: 'vwan-hub-healthy', match: 'GET .*/azureFirewalls/afw-vhub-weu$', names: /azureFirewalls\/afw-vhub-weu/ },
  'LIST firewalls of a subscription': {
    world: 'fw-owner-outside-peerings',
    match: 'GET /subscriptions/9c4b7e2a-1d3f-4a6b-8e5c-0f2a3b4c5d6e/providers/Microsoft.Network/azureFirewalls$',
    names: /LIST azureFirewalls/,
  },
  'LIST NICs of a subscription': {
    world: 'fw-owner-outside-peerings',
    match: 'GET /subscriptions/9c4b7e2a-1d3f-4a6b-8e5c-0f2a3b4c5d6e/providers/Microsoft.Network/networkInterfaces$',
    names: /LIST networkInterfaces/,
  },
};
const vwanCases = Object.entries(VWAN_KINDS).flatMap(([kind, k]) => Object.entries(FAULTS).map(([name, f]) => [kind, name, k, f] as const));
const vwanBaselines = new Map<string, ReturnType<typeof auditWith>>();
const vwanBaseline = async (world: keyof ReturnType<typeof virtualWanWorlds>) => {
  if (!vwanBaselines.has(world)) vwanBaselines.set(world, auditWith(virtualWanWorlds()[world]!));
  return (await vwanBaselines.get(world)!).report;
};
/** The checks that follow the egress path to the hub. */
const EGRESS_CHECKS = new Set(['nsg-outbound-service-tags', 'compute-outbound']);

describe('fault table, Virtual WAN and subscription-search reads', () => {
  it.concurrent.each(vwanCases)('%s × %s', async (_kind, faultName, k, f) => {
    const world = virtualWanWorlds()[k.world]!;
    // Slow enough to miss a 2.5 s request timeout that every other read meets, even on a loaded machine.
    const slow = faultName.startsWith('slower');
    world.faults = [...(world.faults ?? []), { match: k.match, ...(slow ? { latencyMs: 6_000 } : f.fault) }];
    const { report, log } = await auditWith(world, slow ? 2_500 : 30_000);
    expect(log.some((e) => new RegExp(k.match, 'i').test(`${e.method} ${e.path}`))).toBe(true);
    const results = report.targets[0]!.results;
    const others = (list: typeof results) => list.filter((r) => !EGRESS_CHECKS.has(r.checkId)).map((r) => `${r.checkId}:${r.status}`);
    expect(others(results)).toEqual(others((await vwanBaseline(k.world)).targets[0]!.results));
    const nsg = results.find((r) => r.checkId === 'nsg-outbound-service-tags')!;
    const text = nsg.findings.map((x) => x.message).join('\n');
    if (f.transient) {
      expect(nsg.status, text).toBe('pass');
    } else if (faultName.startsWith('403')) {
      // Undecidable, never pass or fail; where the hub's subscription is known it is named with the action.
      expect(nsg.status, `${text} ${nsg.reason ?? ''}`).toBe('warn');
      if (/LIST (hub connections|routing intent)/.test(_kind))
        expect(text).toMatch(
          /Microsoft\.Network\/virtualHubs\/[A-Za-z]+\/read is missing in subscription 9c4b7e2a-1d3f-4a6b-8e5c-0f2a3b4c5d6e/,
        );
      if (k.world === 'fw-owner-outside-peerings')
        expect(text).toMatch(/Microsoft\.Network\/[A-Za-z]+\/read is missing in subscription 9c4b7e2a-1d3f-4a6b-8e5c-0f2a3b4c5d6e/);
    } else {
      expect(nsg.status, text).toBe('error');
      expect(nsg.reason).toMatch(k.names);
      expect(nsg.reason).toMatch(f.status!);
    }
  });
});
