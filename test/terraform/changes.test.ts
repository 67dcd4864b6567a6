/**
 * From resource changes to planned ARM changes, and those laid over live bodies: the real checkov
 * plan (separate-rule style), replaces, unknown values, references, edits, ignored and unmapped types.
 */
import { describe, expect, it } from 'vitest';
import {
  loadTerraformPlan,
  mapTerraformPlan,
  merge,
  parseTerraformPlan,
  plannedChanges,
  type TerraformChange,
} from '../../src/terraform/index.js';
import { PlannedState } from '../../src/what-if/plan.js';
import { fixture } from './plans.js';

const SUB = '3f2e4d5c-6b7a-4988-9a1b-2c3d4e5f6a7b';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-mlops-prod-weu`;
const NSG = `${RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-mlops-training-weu`;
const VNET = `${RG}/providers/Microsoft.Network/virtualNetworks/vnet-mlops-prod-weu`;
const SUBNET = `${VNET}/subnets/snet-training`;
const WS = `${RG}/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-prod-weu`;

interface Rc {
  address: string;
  type: string;
  actions: string[];
  before?: object | null;
  after?: object | null;
  after_unknown?: object;
}

/** A plan of these changes, in the shape `terraform show -json` prints (format 1.2). */
function plan(changes: Rc[], configuration?: object): ReturnType<typeof parseTerraformPlan> {
  return parseTerraformPlan({
    format_version: '1.2',
    terraform_version: '1.9.8',
    resource_changes: changes.map((c) => ({
      address: c.address,
      mode: 'managed',
      type: c.type,
      name: c.address.split('.').at(-1)!.replace(/\[.*$/, ''),
      provider_name: 'registry.terraform.io/hashicorp/azurerm',
      change: {
        actions: c.actions,
        before: c.before ?? null,
        after: c.after ?? null,
        after_unknown: c.after_unknown ?? {},
        before_sensitive: false,
        after_sensitive: {},
      },
    })),
    ...(configuration ? { configuration: { root_module: configuration } } : {}),
  });
}

function byId(changes: readonly TerraformChange[]): Record<string, TerraformChange> {
  return Object.fromEntries(changes.map((c) => [c.resourceId, c]));
}

describe('the real checkov plan: NSGs created with a separate rule', () => {
  it('maps each NSG to a create with an empty rule list and the rule to a child of its NSG; the resource group is ignored', async () => {
    const p = await loadTerraformPlan(fixture('checkov-nsg-separate-rule.tfplan.json'));
    const m = mapTerraformPlan(p, { subscriptionId: SUB });
    const nsg = `/subscriptions/${SUB}/resourceGroups/test/providers/Microsoft.Network/networkSecurityGroups`;
    expect(m.changes.map((c) => `${c.changeType} ${c.resourceId}`)).toEqual([
      `Create ${nsg}/fail`,
      `Create ${nsg}/pass`,
      `Create ${nsg}/pass/securityRules/pass`,
    ]);
    expect(m.ignored).toEqual(['azurerm_resource_group.test']);
    expect(m.problems).toEqual([]);
    const rule = byId(m.changes)[`${nsg}/pass/securityRules/pass`]!;
    expect(rule.after).toEqual({
      id: `${nsg}/pass/securityRules/pass`,
      name: 'pass',
      type: 'Microsoft.Network/networkSecurityGroups/securityRules',
      properties: {
        provisioningState: 'Succeeded',
        priority: 100,
        direction: 'Inbound',
        access: 'Deny',
        protocol: 'Tcp',
        sourcePortRange: '*',
        destinationPortRange: '3389',
        sourceAddressPrefix: '*',
        destinationAddressPrefix: '*',
        sourcePortRanges: [],
        destinationPortRanges: [],
        sourceAddressPrefixes: [],
        destinationAddressPrefixes: [],
      },
    });
    // Laid over ARM, the separate rule is in its NSG's body, as ARM will show it.
    const state = new PlannedState(await plannedChanges(m, () => Promise.resolve(undefined)));
    const got = state.answer('GET', `https://arm.test${nsg}/pass?api-version=2024-05-01`);
    expect(got?.status).toBe(200);
    const rules = (got!.body as { properties: { securityRules: { name: string }[] } }).properties.securityRules;
    expect(rules.map((r) => r.name)).toEqual(['pass']);
    const other = state.answer('GET', `https://arm.test${nsg}/fail?api-version=2024-05-01`);
    expect((other!.body as { properties: { securityRules: unknown[] } }).properties.securityRules).toEqual([]);
  });

  it('cannot place a create without a subscription, and says which address', async () => {
    const p = await loadTerraformPlan(fixture('checkov-nsg-separate-rule.tfplan.json'));
    const m = mapTerraformPlan(p);
    expect(m.changes).toEqual([]);
    expect(m.problems.map((x) => x.address)).toEqual([
      'azurerm_network_security_group.fail',
      'azurerm_network_security_group.pass',
      'azurerm_network_security_rule.pass',
    ]);
    expect(m.problems[0]!.reason).toMatch(/ARM id of azurerm_network_security_group\.fail .* is known only after apply/);
  });
});

describe('actions', () => {
  const rule = (name: string, priority: number) => ({
    name,
    resource_group_name: 'rg-mlops-prod-weu',
    network_security_group_name: 'nsg-mlops-training-weu',
    priority,
    direction: 'Outbound',
    access: 'Deny',
    protocol: '*',
    source_port_range: '*',
    destination_port_range: '*',
    source_address_prefix: '*',
    destination_address_prefix: 'Internet',
  });

  it('an update takes before.id and is laid over the live body; a delete takes before.id; no-op and read are unchanged', async () => {
    const m = mapTerraformPlan(
      plan([
        {
          address: 'azurerm_network_security_rule.deny',
          type: 'azurerm_network_security_rule',
          actions: ['update'],
          before: { id: `${NSG}/securityRules/DenyInternet`, ...rule('DenyInternet', 4000) },
          after: { id: `${NSG}/securityRules/DenyInternet`, ...rule('DenyInternet', 90) },
        },
        {
          address: 'azurerm_network_security_rule.old',
          type: 'azurerm_network_security_rule',
          actions: ['delete'],
          before: { id: `${NSG}/securityRules/Old`, ...rule('Old', 300) },
        },
        {
          address: 'azurerm_network_security_group.nsg',
          type: 'azurerm_network_security_group',
          actions: ['no-op'],
          before: { id: NSG },
          after: { id: NSG },
        },
        { address: 'data.azurerm_client_config.current', type: 'azurerm_client_config', actions: ['read'] },
      ]),
    );
    expect(m.unchanged).toEqual(['azurerm_network_security_group.nsg', 'data.azurerm_client_config.current']);
    const live = {
      id: `${NSG}/securityRules/DenyInternet`,
      name: 'DenyInternet',
      etag: 'W/"1"',
      properties: { provisioningState: 'Succeeded', priority: 4000, sourceAddressPrefixes: [], sourceAddressPrefix: '*' },
    };
    const changes = byId(await plannedChanges(m, (id) => Promise.resolve(id.endsWith('DenyInternet') ? live : undefined)));
    const modified = changes[`${NSG}/securityRules/DenyInternet`]!;
    expect(modified.changeType).toBe('Modify');
    expect(modified.before).toBe(live);
    expect(modified.after).toMatchObject({
      etag: 'W/"1"',
      properties: { provisioningState: 'Succeeded', priority: 90, destinationAddressPrefix: 'Internet', sourceAddressPrefix: '*' },
    });
    expect((modified.after!.properties as Record<string, unknown>).sourceAddressPrefixes).toEqual([]);
    expect(changes[`${NSG}/securityRules/Old`]!.changeType).toBe('Delete');
  });

  it('an update of a resource ARM does not have is Unsupported, naming the address', async () => {
    const m = mapTerraformPlan(
      plan([
        {
          address: 'azurerm_network_security_rule.deny',
          type: 'azurerm_network_security_rule',
          actions: ['update'],
          before: { id: `${NSG}/securityRules/Gone`, ...rule('Gone', 1) },
          after: { id: `${NSG}/securityRules/Gone`, ...rule('Gone', 2) },
        },
      ]),
    );
    const [c] = await plannedChanges(m, () => Promise.resolve(undefined));
    expect(c!.changeType).toBe('Unsupported');
    expect(c!.unsupportedReason).toMatch(/through azurerm_network_security_rule\.deny, but ARM has no such resource/);
  });

  it('a replace is a create of the new resource, and a delete of the old id when the name changes', () => {
    const cluster = (name: string, subnet: string) => ({
      name,
      machine_learning_workspace_id: WS,
      location: 'westeurope',
      vm_size: 'Standard_DS3_v2',
      vm_priority: 'Dedicated',
      subnet_resource_id: subnet,
      node_public_ip_enabled: false,
      scale_settings: [{ min_node_count: 0, max_node_count: 4, scale_down_nodes_after_idle_duration: 'PT10M' }],
      identity: [],
    });
    const m = mapTerraformPlan(
      plan([
        {
          address: 'azurerm_machine_learning_compute_cluster.build',
          type: 'azurerm_machine_learning_compute_cluster',
          actions: ['delete', 'create'],
          before: { id: `${WS}/computes/cpu-build-cluster`, ...cluster('cpu-build-cluster', SUBNET) },
          after: cluster('cpu-build-cluster', `${VNET}/subnets/snet-build`),
          after_unknown: { id: true },
        },
        {
          address: 'azurerm_machine_learning_compute_cluster.renamed',
          type: 'azurerm_machine_learning_compute_cluster',
          actions: ['create', 'delete'],
          before: { id: `${WS}/computes/gpu-old`, ...cluster('gpu-old', SUBNET) },
          after: cluster('gpu-new', SUBNET),
          after_unknown: { id: true },
        },
      ]),
    );
    expect(m.changes.map((c) => `${c.changeType} ${c.resourceId.slice(WS.length)}`)).toEqual([
      'Create /computes/cpu-build-cluster',
      'Delete /computes/gpu-old',
      'Create /computes/gpu-new',
    ]);
    expect(m.changes[0]!.after).toMatchObject({
      properties: {
        computeType: 'AmlCompute',
        properties: { vmSize: 'Standard_DS3_v2', subnet: { id: `${VNET}/subnets/snet-build` }, scaleSettings: { maxNodeCount: 4 } },
      },
    });
  });
});

describe('unknown values', () => {
  it('an unknown id the configuration takes from a resource this plan creates is that resource id', () => {
    const m = mapTerraformPlan(
      plan(
        [
          {
            address: 'azurerm_subnet.build',
            type: 'azurerm_subnet',
            actions: ['create'],
            after: {
              name: 'snet-build',
              resource_group_name: 'rg-mlops-prod-weu',
              virtual_network_name: 'vnet-mlops-prod-weu',
              address_prefixes: ['10.20.3.0/24'],
            },
            after_unknown: { id: true },
          },
          {
            address: 'azurerm_subnet_network_security_group_association.build',
            type: 'azurerm_subnet_network_security_group_association',
            actions: ['create'],
            after: { network_security_group_id: NSG },
            after_unknown: { id: true, subnet_id: true },
          },
        ],
        {
          resources: [
            {
              address: 'azurerm_subnet_network_security_group_association.build',
              type: 'azurerm_subnet_network_security_group_association',
              expressions: {
                subnet_id: { references: ['azurerm_subnet.build.id', 'azurerm_subnet.build'] },
                network_security_group_id: { constant_value: NSG },
              },
            },
          ],
        },
      ),
      { subscriptionId: SUB },
    );
    expect(m.problems).toEqual([]);
    expect(m.edits.map((e) => e.target)).toEqual([`${VNET}/subnets/snet-build`]);
  });

  it('an unknown parent id of a resource group the plan creates resolves to its id (the group itself is ignored)', () => {
    const m = mapTerraformPlan(
      plan(
        [
          {
            address: 'azurerm_resource_group.ml',
            type: 'azurerm_resource_group',
            actions: ['create'],
            after: { name: 'rg-mlops-dev-weu', location: 'westeurope' },
            after_unknown: { id: true },
          },
          {
            address: 'azapi_resource.vnet',
            type: 'azapi_resource',
            actions: ['create'],
            after: {
              type: 'Microsoft.Network/virtualNetworks@2024-05-01',
              name: 'vnet-mlops-dev-weu',
              location: 'westeurope',
              body: { properties: { addressSpace: { addressPrefixes: ['10.30.0.0/16'] } } },
            },
            after_unknown: { id: true, parent_id: true },
          },
        ],
        {
          resources: [
            {
              address: 'azapi_resource.vnet',
              type: 'azapi_resource',
              expressions: { parent_id: { references: ['azurerm_resource_group.ml.id', 'azurerm_resource_group.ml'] } },
            },
          ],
        },
      ),
      { subscriptionId: SUB },
    );
    expect(m.ignored).toEqual(['azurerm_resource_group.ml']);
    expect(m.problems).toEqual([]);
    expect(m.changes.map((c) => c.resourceId)).toEqual([
      `/subscriptions/${SUB}/resourceGroups/rg-mlops-dev-weu/providers/Microsoft.Network/virtualNetworks/vnet-mlops-dev-weu`,
    ]);
  });

  it('any other unknown value becomes unevaluated, and the read of its resource fails naming the address and attribute', async () => {
    const m = mapTerraformPlan(
      plan([
        {
          address: 'module.endpoints.azurerm_private_endpoint.registry',
          type: 'azurerm_private_endpoint',
          actions: ['create'],
          after: {
            name: 'pe-crmlopsprodweu-registry',
            resource_group_name: 'rg-mlops-prod-weu',
            location: 'westeurope',
            private_service_connection: [
              {
                name: 'registry',
                is_manual_connection: false,
                private_connection_resource_id: `${RG}/providers/Microsoft.ContainerRegistry/registries/crmlopsprodweu`,
                subresource_names: ['registry'],
              },
            ],
          },
          after_unknown: { id: true, subnet_id: true, private_service_connection: [{ private_ip_address: true }] },
        },
      ]),
      { subscriptionId: SUB },
    );
    const [pe] = await plannedChanges(m, () => Promise.resolve(undefined));
    expect(pe!.unknown).toEqual([
      {
        path: 'properties.subnet.id',
        why: 'Terraform knows module.endpoints.azurerm_private_endpoint.registry.subnet_id only after apply (after_unknown)',
      },
    ]);
    const state = new PlannedState([pe!]);
    const got = state.answer('GET', `https://arm.test${pe!.resourceId}?api-version=2024-05-01`);
    expect(got?.status).toBe(400);
    expect(JSON.stringify(got?.body)).toContain('module.endpoints.azurerm_private_endpoint.registry.subnet_id');
  });
});

describe('separate-resource style and edits', () => {
  it('an NSG association edits the live subnet (and its deletion removes the NSG)', async () => {
    const live = { id: SUBNET, name: 'snet-training', properties: { addressPrefix: '10.20.1.0/24', networkSecurityGroup: { id: NSG } } };
    const other = `${RG}/providers/Microsoft.Network/networkSecurityGroups/nsg-other`;
    const assoc = (actions: string[], nsg: string) => ({
      address: 'azurerm_subnet_network_security_group_association.training',
      type: 'azurerm_subnet_network_security_group_association',
      actions,
      before: { id: SUBNET, subnet_id: SUBNET, network_security_group_id: NSG },
      after: actions[0] === 'delete' ? null : { id: SUBNET, subnet_id: SUBNET, network_security_group_id: nsg },
    });
    const read = () => Promise.resolve(structuredClone(live));
    const [set] = await plannedChanges(mapTerraformPlan(plan([assoc(['update'], other)])), read);
    expect(set).toMatchObject({
      changeType: 'Modify',
      resourceId: SUBNET,
      after: { properties: { addressPrefix: '10.20.1.0/24', networkSecurityGroup: { id: other } } },
    });
    const [gone] = await plannedChanges(mapTerraformPlan(plan([assoc(['delete'], NSG)])), read);
    expect(gone!.after).toEqual({ id: SUBNET, name: 'snet-training', properties: { addressPrefix: '10.20.1.0/24' } });
  });

  it('an outbound rule is its own resource and joins the workspace managed network map', async () => {
    const m = mapTerraformPlan(
      plan([
        {
          address: 'azurerm_machine_learning_workspace_network_outbound_rule_fqdn.pypi',
          type: 'azurerm_machine_learning_workspace_network_outbound_rule_fqdn',
          actions: ['create'],
          after: { name: 'allow-pypi', workspace_id: WS, destination_fqdn: 'pypi.org' },
          after_unknown: { id: true },
        },
      ]),
    );
    const live = {
      id: WS,
      properties: {
        managedNetwork: {
          isolationMode: 'AllowOnlyApprovedOutbound',
          outboundRules: { existing: { type: 'FQDN', destination: 'files.pythonhosted.org' } },
        },
      },
    };
    const out = byId(await plannedChanges(m, () => Promise.resolve(structuredClone(live))));
    expect(out[`${WS}/outboundRules/allow-pypi`]!.after).toMatchObject({
      properties: { type: 'FQDN', category: 'UserDefined', destination: 'pypi.org' },
    });
    expect(
      Object.keys(
        (out[WS]!.after as { properties: { managedNetwork: { outboundRules: object } } }).properties.managedNetwork.outboundRules,
      ),
    ).toEqual(['existing', 'allow-pypi']);
  });
});

describe('edit-only types take the target from their attributes, not before.id', () => {
  it('deleting an azurerm_key_vault_access_policy (id {vault}/objectId/{oid}) removes its policy from the vault', async () => {
    const vault = `${RG}/providers/Microsoft.KeyVault/vaults/kv-mlops-prod-weu`;
    const oid = '5b1c7a2e-0d3f-4e8a-9c6b-1f2e3d4c5b6a';
    const m = mapTerraformPlan(
      plan([
        {
          address: 'azurerm_key_vault_access_policy.workspace',
          type: 'azurerm_key_vault_access_policy',
          actions: ['delete'],
          before: {
            id: `${vault}/objectId/${oid}`,
            key_vault_id: vault,
            tenant_id: '72f988bf-86f1-41af-91ab-2d7cd011db47',
            object_id: oid,
            secret_permissions: ['Get'],
          },
        },
      ]),
    );
    const live = {
      id: vault,
      properties: {
        accessPolicies: [
          { objectId: oid, permissions: { secrets: ['Get'] } },
          { objectId: 'other', permissions: {} },
        ],
      },
    };
    const [c] = await plannedChanges(m, (id) => Promise.resolve(id === vault ? structuredClone(live) : undefined));
    expect(c).toMatchObject({
      resourceId: vault,
      changeType: 'Modify',
      after: { properties: { accessPolicies: [{ objectId: 'other' }] } },
    });
  });
});

describe('types', () => {
  it('a type a check reads without a mapping is a problem naming address and type, and its resource is Unsupported', () => {
    const m = mapTerraformPlan(
      plan([
        {
          address: 'azurerm_private_dns_a_record.registry',
          type: 'azurerm_private_dns_a_record',
          actions: ['create'],
          after: {
            name: 'crmlopsprodweu',
            zone_name: 'privatelink.azurecr.io',
            resource_group_name: 'rg-mlops-prod-weu',
            records: ['10.20.2.5'],
            ttl: 10,
          },
          after_unknown: { id: true },
        },
        {
          address: 'azurerm_log_analytics_workspace.logs',
          type: 'azurerm_log_analytics_workspace',
          actions: ['create'],
          after: { name: 'log-mlops' },
        },
      ]),
      { subscriptionId: SUB },
    );
    expect(m.ignored).toEqual(['azurerm_log_analytics_workspace.logs']);
    expect(m.problems).toHaveLength(1);
    expect(m.problems[0]!.reason).toMatch(
      /through azurerm_private_dns_a_record\.registry \(azurerm_private_dns_a_record\), which aml-preflight cannot map/,
    );
    expect(m.changes).toEqual([
      expect.objectContaining({
        changeType: 'Unsupported',
        resourceId: `${RG}/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io`,
      }),
    ]);
  });
});

describe('merge', () => {
  it('merges objects, removes nulls, takes Terraform lists and keeps live members of the same id', () => {
    expect(
      merge({ a: 1, b: { c: 2, d: 3 }, l: [{ id: '/X', p: 1, q: 2 }, { id: '/Y' }] }, { b: { c: 5, d: null }, l: [{ id: '/x', p: 9 }] }),
    ).toEqual({
      a: 1,
      b: { c: 5 },
      l: [{ id: '/x', p: 9, q: 2 }],
    });
  });
});
