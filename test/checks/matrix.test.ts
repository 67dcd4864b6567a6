/**
 * Every check on every world, asserting the complete set of statuses (STYLE.md: an unexpected
 * finding anywhere fails loudly). One defect per world: only the check it targets changes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allChecks } from '../../checks/index.js';
import { runAudit } from '../../src/engine/run.js';
import { packageRoot } from '../../src/base/paths.js';
import type { Status } from '../../src/engine/check.js';
import { ids } from '../../mocks/worlds/generate.js';
import { startHarness, type MockHarness } from '../helpers.js';

type Row = Partial<Record<string, Status>>;
const HEALTHY: Record<string, Status> = {
  'same-vnet-placement': 'pass',
  'acr-private-endpoint-region': 'pass',
  'image-build-compute': 'pass',
  'acr-workspace-access': 'pass',
  'private-dns-zones': 'pass',
  'nsg-outbound-service-tags': 'pass',
  'compute-outbound': 'pass',
  // A customer-VNet workspace has no managed network.
  'managed-network-outbound': 'skip',
  'workspace-keys-in-sync': 'pass',
  'workspace-diagnose': 'pass',
  // Opt-in and given no image here: not applicable.
  'image-reference': 'skip',
  // The admin user is enabled, shared keys are allowed and the world has no key vault: nothing to decide.
  'identity-access': 'skip',
};
/** A healthy managed-network workspace, as deviations from HEALTHY. */
const MANAGED: Row = {
  'private-dns-zones': 'skip',
  'nsg-outbound-service-tags': 'skip',
  'compute-outbound': 'skip',
  'managed-network-outbound': 'pass',
};
/** Deviations from HEALTHY, per world. A defect's consequences count: a Pending registry endpoint
 * also leaves the registry unreachable for placement and the build cluster. */
const EXPECTED: Record<string, Row> = {
  'healthy-private': {},
  demo: {
    'same-vnet-placement': 'fail',
    'acr-private-endpoint-region': 'fail',
    'image-build-compute': 'fail',
    'acr-workspace-access': 'fail',
    'private-dns-zones': 'fail',
    'nsg-outbound-service-tags': 'fail',
    'workspace-keys-in-sync': 'fail',
    'workspace-diagnose': 'fail',
  },
  // Its NSG denies the Internet, and the public registry is reached there: compute-outbound fails on its hosts.
  'public-registry': {
    'acr-private-endpoint-region': 'skip',
    'image-build-compute': 'skip',
    'acr-workspace-access': 'skip',
    'compute-outbound': 'fail',
  },
  'ibc-missing': { 'image-build-compute': 'fail' },
  'ibc-not-found': { 'image-build-compute': 'fail' },
  'ibc-compute-instance': { 'image-build-compute': 'fail' },
  'ibc-gpu-cluster': { 'image-build-compute': 'fail' },
  'ibc-failed-cluster': { 'image-build-compute': 'fail' },
  'ibc-outside-vnet': { 'image-build-compute': 'fail', 'same-vnet-placement': 'fail' },
  'ibc-unpeered-vnet': { 'image-build-compute': 'fail', 'same-vnet-placement': 'fail' },
  'ibc-peering-disconnected': { 'image-build-compute': 'fail', 'same-vnet-placement': 'fail' },
  'ibc-peered-vnet': {},
  'ibc-mixed-case-ids': {},
  'nsg-deny-before-allow': { 'nsg-outbound-service-tags': 'fail', 'compute-outbound': 'fail' },
  'nsg-frontdoor-missing': { 'nsg-outbound-service-tags': 'fail' },
  'nsg-explicit-cidrs': {},
  'nsg-explicit-cidrs-one-missing': { 'nsg-outbound-service-tags': 'fail' },
  'nsg-udp-only': { 'nsg-outbound-service-tags': 'fail' },
  'nsg-port-ranges': {},
  'nsg-wrong-port': { 'nsg-outbound-service-tags': 'fail' },
  'nsg-deny-other-subnet': {},
  'nsg-no-nsg': {},
  'nsg-asg-rule': { 'nsg-outbound-service-tags': 'warn' },
  'nsg-forced-tunnel': { 'nsg-outbound-service-tags': 'warn', 'compute-outbound': 'warn' },
  // Only MCR and Front Door are routed straight out; the rest goes to an appliance nothing readable owns.
  'nsg-forced-tunnel-tag-routes': { 'compute-outbound': 'warn' },
  // Issue 21: hub and spoke through an Azure Firewall in the connectivity subscription.
  'fw-hub-healthy': {},
  'fw-classic-rules': {},
  'fw-frontdoor-denied': { 'nsg-outbound-service-tags': 'fail' },
  'fw-mcr-data-missing': { 'nsg-outbound-service-tags': 'fail' },
  'fw-parent-policy-deny': { 'nsg-outbound-service-tags': 'fail' },
  'fw-dns-proxy-off': { 'nsg-outbound-service-tags': 'warn' },
  'fw-ip-group-forbidden': { 'nsg-outbound-service-tags': 'warn' },
  'fw-hub-forbidden': { 'nsg-outbound-service-tags': 'warn', 'compute-outbound': 'warn' },
  'fw-third-party-nva': { 'nsg-outbound-service-tags': 'warn', 'compute-outbound': 'warn' },
  // compute-outbound (mocks/worlds/outbound.ts): one missing dependency each.
  'outbound-nsg-entra-denied': { 'compute-outbound': 'fail' },
  'outbound-fw-batch-denied': { 'compute-outbound': 'fail' },
  'outbound-fw-registry-no-pe': {
    'acr-private-endpoint-region': 'skip',
    'image-build-compute': 'skip',
    'acr-workspace-access': 'skip',
    'compute-outbound': 'fail',
  },
  'outbound-fw-package-denied': { 'compute-outbound': 'warn' },
  // Issue 21: a Virtual WAN secured hub, and a firewall no peering leads to.
  'vwan-hub-healthy': {},
  'vwan-route-table-default': {},
  'vwan-mcr-data-denied': { 'nsg-outbound-service-tags': 'fail' },
  'vwan-routing-intent-forbidden': { 'nsg-outbound-service-tags': 'warn', 'compute-outbound': 'warn' },
  'fw-owner-outside-peerings': {},
  'nsg-route-none': { 'nsg-outbound-service-tags': 'fail' },
  'keys-storage-rotated': { 'workspace-keys-in-sync': 'fail' },
  'keys-registry-rotated': { 'workspace-keys-in-sync': 'fail' },
  // Identity-based, yet no role assignment, no compute identity and key-based system datastores.
  'keys-identity-based': { 'identity-access': 'fail' },
  'keys-listkeys-forbidden': { 'workspace-keys-in-sync': 'error' },
  'keys-other-storage': { 'workspace-keys-in-sync': 'fail' },
  'placement-service-endpoint-other-subnet': { 'same-vnet-placement': 'fail' },
  'placement-service-endpoint-missing': { 'same-vnet-placement': 'fail' },
  'placement-service-endpoint-ok': {},
  'placement-unpeered-endpoint-vnet': { 'same-vnet-placement': 'fail' },
  'placement-peering-disconnected': { 'same-vnet-placement': 'fail' },
  'placement-peered-endpoint-vnet': {},
  'placement-mixed-case-ids': {},
  // The subnet's 404 leaves the NSG undecidable; placement and the build cluster fail on it.
  'placement-subnet-deleted': {
    'same-vnet-placement': 'fail',
    'image-build-compute': 'fail',
    'nsg-outbound-service-tags': 'error',
    'compute-outbound': 'error',
  },
  'acr-pe-pending': { 'acr-private-endpoint-region': 'fail', 'same-vnet-placement': 'fail', 'image-build-compute': 'fail' },
  'acr-pe-rejected': { 'acr-private-endpoint-region': 'fail', 'same-vnet-placement': 'fail', 'image-build-compute': 'fail' },
  'acr-pe-unsupported-region': { 'acr-private-endpoint-region': 'fail' },
  'acr-pe-location-display-name': {},
  'acr-standard-sku': { 'acr-private-endpoint-region': 'fail' },
  'acr-trusted-services-off': { 'acr-workspace-access': 'fail' },
  'acr-trusted-services-off-ws-endpoint': {},
  // No workspace identity and computes without identities, with the admin user disabled.
  'acr-admin-disabled-no-identity': { 'acr-workspace-access': 'fail', 'identity-access': 'fail' },
  'dns-missing-zone-group': { 'private-dns-zones': 'fail' },
  'dns-zone-not-linked': { 'private-dns-zones': 'fail' },
  'dns-missing-data-record': { 'private-dns-zones': 'fail' },
  'dns-custom-servers': { 'private-dns-zones': 'warn' },
  'quirks-nulls-and-extras': {},
  'diagnose-findings': { 'workspace-diagnose': 'fail' },
  // Identity and access (mocks/worlds/identity.ts): the admin user disabled, the roles there or not.
  'identity-healthy-admin-disabled': { 'identity-access': 'pass' },
  'identity-role-inherited': { 'identity-access': 'pass' },
  'identity-group-role': { 'identity-access': 'pass' },
  'identity-custom-role': { 'identity-access': 'pass' },
  'identity-storage-identity-datastores': { 'identity-access': 'pass' },
  'identity-vault-rbac': { 'identity-access': 'pass' },
  'identity-acr-pull-only': { 'identity-access': 'fail' },
  'identity-compute-no-identity': { 'identity-access': 'fail' },
  'identity-custom-role-notactions': { 'identity-access': 'fail' },
  'identity-deny-assignment': { 'identity-access': 'fail' },
  'identity-abac-legacy-roles': { 'identity-access': 'fail' },
  'identity-storage-key-datastores': { 'identity-access': 'fail' },
  'identity-storage-no-file-role': { 'identity-access': 'fail' },
  'identity-vault-rbac-missing': { 'identity-access': 'fail' },
  'identity-vault-policy-lost': { 'identity-access': 'fail' },
  'identity-uai-missing-role': { 'identity-access': 'fail' },
  'identity-abac-condition': { 'identity-access': 'warn' },
  'identity-assignments-forbidden': { 'identity-access': 'warn' },
  // Condition 5 needs --image (test/checks/identity-access-images.test.ts); without it they are the healthy identity world.
  'identity-image-registry': { 'identity-access': 'pass' },
  'identity-image-registry-no-pull': { 'identity-access': 'pass' },
  'identity-image-registry-forbidden': { 'identity-access': 'pass' },
  // Managed virtual network worlds: no customer NSG and (but for managed-customer-pe) no customer
  // private endpoint, so those two checks are not applicable; managed-network-outbound decides.
  // Microsoft's machine-learning-end-to-end-secure quickstart: its NSG names AzureContainerRegistry.westeurope,
  // which the mock's service-tag data (mocks/fixtures/service-tags) lacks, so both NSG checks warn.
  // Its key vault uses Azure RBAC, and the world holds no role assignment for the workspace
  // identity (the one Azure ML makes at creation), so identity-access fails on the vault.
  'quickstart-e2e-secure': { 'nsg-outbound-service-tags': 'warn', 'compute-outbound': 'warn', 'identity-access': 'fail' },
  'quickstart-e2e-secure-vault-zone': {
    'nsg-outbound-service-tags': 'warn',
    'compute-outbound': 'warn',
    'private-dns-zones': 'fail',
    'identity-access': 'fail',
  },
  'quickstart-attached-kubernetes': { 'nsg-outbound-service-tags': 'warn', 'compute-outbound': 'warn', 'identity-access': 'fail' },
  'dns-custom-servers-unlinked': { 'private-dns-zones': 'warn' },
  'dns-workspace-zone-not-linked': { 'private-dns-zones': 'fail' },
  'healthy-managed': MANAGED,
  'managed-internet-outbound': MANAGED,
  'managed-hub-project': MANAGED,
  'managed-customer-pe': { ...MANAGED, 'private-dns-zones': 'pass' },
  'managed-not-provisioned': {
    ...MANAGED,
    'managed-network-outbound': 'fail',
    'same-vnet-placement': 'fail',
    'image-build-compute': 'fail',
    'acr-private-endpoint-region': 'skip',
  },
  'managed-registry-rule-failed': {
    ...MANAGED,
    'managed-network-outbound': 'fail',
    'same-vnet-placement': 'fail',
    'image-build-compute': 'fail',
    'acr-private-endpoint-region': 'skip',
  },
  'managed-storage-rule-missing': { ...MANAGED, 'managed-network-outbound': 'fail', 'same-vnet-placement': 'fail' },
  'managed-ibc-missing': { ...MANAGED, 'image-build-compute': 'fail' },
  'managed-ibc-gpu-cluster': { ...MANAGED, 'image-build-compute': 'fail' },
  'managed-package-fqdn-missing': { ...MANAGED, 'managed-network-outbound': 'warn' },
  'managed-service-tag-missing': { ...MANAGED, 'managed-network-outbound': 'fail' },
  // The same worlds on managed network V2 (managedNetworks/default): the same verdicts.
  'healthy-managed-v2': MANAGED,
  'managed-v2-internet-outbound': MANAGED,
  'managed-v2-status-from-provisioning-state': MANAGED,
  'managed-v2-moved-from-v1': MANAGED,
  'managed-v2-provisioning': {
    ...MANAGED,
    'managed-network-outbound': 'fail',
    'same-vnet-placement': 'fail',
    'image-build-compute': 'fail',
    'acr-private-endpoint-region': 'skip',
  },
  'managed-v2-not-provisioned': {
    ...MANAGED,
    'managed-network-outbound': 'fail',
    'same-vnet-placement': 'fail',
    'image-build-compute': 'fail',
    'acr-private-endpoint-region': 'skip',
  },
  'managed-v2-registry-rule-failed': {
    ...MANAGED,
    'managed-network-outbound': 'fail',
    'same-vnet-placement': 'fail',
    'image-build-compute': 'fail',
    'acr-private-endpoint-region': 'skip',
  },
  'managed-v2-storage-rule-missing': { ...MANAGED, 'managed-network-outbound': 'fail', 'same-vnet-placement': 'fail' },
  'managed-v2-ibc-missing': { ...MANAGED, 'image-build-compute': 'fail' },
  'managed-v2-package-fqdn-missing': { ...MANAGED, 'managed-network-outbound': 'warn' },
  'managed-v2-service-tag-missing': { ...MANAGED, 'managed-network-outbound': 'fail' },
  'demo-managed': {
    ...MANAGED,
    'managed-network-outbound': 'fail',
    'same-vnet-placement': 'fail',
    'image-build-compute': 'fail',
    'acr-private-endpoint-region': 'skip',
  },
};

const worlds = readdirSync(join(packageRoot, 'mocks', 'worlds'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));
const harnesses: MockHarness[] = [];
afterAll(async () => Promise.all(harnesses.map((h) => h.close())));

describe('every check on every world', () => {
  it('has an expectation for every world and every check', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...worlds].sort());
    expect(Object.keys(HEALTHY).sort()).toEqual(allChecks.map((c) => c.meta.id).sort());
  });

  it.each(worlds)('%s', async (world) => {
    const h = await startHarness(world);
    harnesses.push(h);
    const report = await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [ids.workspace] });
    const got = Object.fromEntries(report.targets[0]!.results.map((r) => [r.checkId, r.status]));
    expect(got, JSON.stringify(report.targets[0]!.results.filter((r) => r.status === 'error').map((r) => r.reason))).toEqual({
      ...HEALTHY,
      ...EXPECTED[world],
    });
  });
});
