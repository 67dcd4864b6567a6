/** The managed network's pure parts: FQDN wildcards, port ranges, service-tag rules, reachability. */
import { describe, expect, it } from 'vitest';
import { fqdnCovers, portRangesInclude, serviceTagRuleAllows, type OutboundRule } from '../../src/network/managed.js';
import { parseManagedNetwork, parseOutboundRule } from '../../src/network/gather/managed-schema.js';
import { type ComputeNode, type NetworkModel, type TargetNode } from '../../src/network/gather/model.js';
import { reach } from '../../src/network/reach.js';
import type { Exposure } from '../../src/network/exposure.js';

describe('fqdnCovers (Azure Firewall application-rule wildcards)', () => {
  it.each([
    ['*.anaconda.org', 'conda.anaconda.org', true],
    ['*.anaconda.org', 'a.b.anaconda.org', true],
    ['*.anaconda.org', 'anaconda.org', false],
    ['*.anaconda.org', 'notanaconda.org', false],
    ['pypi.org', 'PyPI.org', true],
    ['pypi.org', 'files.pythonhosted.org', false],
    ['*', 'anything.example', true],
    ['repo.anaconda.com.', 'repo.anaconda.com', true],
    ['', 'pypi.org', false],
  ])('%s covers %s: %s', (pattern, host, want) => {
    expect(fqdnCovers(pattern, host)).toBe(want);
  });
});

describe('portRangesInclude', () => {
  it.each([
    ['443', true],
    ['80,443', true],
    ['400-500', true],
    ['*', true],
    ['80', false],
    ['444-500', false],
    ['', false],
    ['abc', false],
  ])('%s includes 443: %s', (ranges, want) => {
    expect(portRangesInclude(ranges, 443)).toBe(want);
  });
});

describe('serviceTagRuleAllows', () => {
  const rule = (over: Partial<Extract<OutboundRule, { type: 'ServiceTag' }>>): Extract<OutboundRule, { type: 'ServiceTag' }> => ({
    name: 'r',
    category: 'Required',
    status: 'Active',
    errorInformation: undefined,
    type: 'ServiceTag',
    serviceTag: 'AzureFrontDoor.FirstParty',
    protocol: 'TCP',
    portRanges: '443',
    action: 'Allow',
    ...over,
  });
  it('needs the tag, TCP (or any), 443 and Allow', () => {
    expect(serviceTagRuleAllows(rule({}), ['AzureFrontDoor.FirstParty'], 443)).toBe(true);
    expect(serviceTagRuleAllows(rule({ serviceTag: 'azurefrontdoor.firstparty' }), ['AzureFrontDoor.FirstParty'], 443)).toBe(true);
    expect(serviceTagRuleAllows(rule({ protocol: '*' }), ['AzureFrontDoor.FirstParty'], 443)).toBe(true);
    expect(serviceTagRuleAllows(rule({ protocol: 'UDP' }), ['AzureFrontDoor.FirstParty'], 443)).toBe(false);
    expect(serviceTagRuleAllows(rule({ action: 'Deny' }), ['AzureFrontDoor.FirstParty'], 443)).toBe(false);
    expect(serviceTagRuleAllows(rule({ portRanges: '8443' }), ['AzureFrontDoor.FirstParty'], 443)).toBe(false);
    expect(serviceTagRuleAllows(rule({ serviceTag: 'AzureFrontDoor.Frontend' }), ['AzureFrontDoor.FirstParty'], 443)).toBe(false);
  });
});

describe('parsing what ARM answers', () => {
  it("reads Microsoft's listRule example", () => {
    const r = parseOutboundRule(
      {
        id: 'x',
        name: 'rule_name_1',
        type: 'workspace/outboundRules',
        properties: {
          type: 'FQDN',
          destination: 'destination_of_the_fqdn_rule',
          status: 'Inactive',
          category: 'Required',
          errorInformation: 'Error message',
        },
      },
      0,
      '/ws',
    );
    expect(r).toEqual({
      name: 'rule_name_1',
      category: 'Required',
      status: 'Inactive',
      errorInformation: 'Error message',
      type: 'FQDN',
      fqdn: 'destination_of_the_fqdn_rule',
    });
  });
  it('Disabled or absent is no managed network; an unknown rule type is kept, not fatal', () => {
    expect(parseManagedNetwork({ isolationMode: 'Disabled', status: { status: 'Inactive' }, outboundRules: {} }, '/ws')).toBeUndefined();
    expect(parseManagedNetwork(null, '/ws')).toBeUndefined();
    expect(parseOutboundRule({ name: 'n', properties: { type: 'FutureKind', status: 'Active' } }, 0, '/ws')).toMatchObject({
      type: 'Other',
      rawType: 'FutureKind',
    });
  });
});

describe('reach (pure)', () => {
  const exposure = (publicNetworkAccess: string, connections: Exposure['connections'] = []): Exposure => ({
    restricted: publicNetworkAccess === 'Disabled',
    reasons: [],
    publicNetworkAccess,
    defaultAction: 'Allow',
    connections,
    serviceEndpointSubnets: [],
    bypass: 'AzureServices',
  });
  const target = (publicNetworkAccess: string, status?: string): TargetNode => {
    const connections = status
      ? [
          {
            privateEndpointId: '/subscriptions/ms/resourceGroups/g/providers/Microsoft.Network/privateEndpoints/pe',
            status,
            description: undefined,
            connectionId: 'c',
          },
        ]
      : [];
    return {
      kind: 'container registry',
      id: '/subscriptions/s/resourceGroups/g/providers/Microsoft.ContainerRegistry/registries/cr',
      name: 'cr',
      exposure: exposure(publicNetworkAccess, connections),
      groups: ['registry'],
      service: 'Microsoft.ContainerRegistry',
      customerEndpoints: [],
      managedConnections: connections,
      endpointReadError: undefined,
    };
  };
  const compute: ComputeNode = {
    id: 'c',
    name: 'cpu',
    computeType: 'AmlCompute',
    provisioningState: 'Succeeded',
    vmSize: 'Standard_DS3_v2',
    subnetId: undefined,
    network: 'none',
    location: 'westeurope',
    placement: { kind: 'managed' },
  };
  const model = (isolationMode: 'AllowOnlyApprovedOutbound' | 'AllowInternetOutbound', ruleStatus?: string): NetworkModel => ({
    workspace: { id: '/ws', name: 'ws' } as NetworkModel['workspace'],
    managed: {
      isolationMode,
      status: 'Active',
      firewallSku: undefined,
      kind: 'V1',
      statusSource: 'managedNetwork.status.status',
      ownerId: '/ws',
      rulesId: '/ws/outboundRules',
      rules: ruleStatus
        ? [
            {
              name: 'pe-cr',
              category: 'Required',
              status: ruleStatus,
              errorInformation: undefined,
              type: 'PrivateEndpoint',
              serviceResourceId: target('Disabled').id.toUpperCase(),
              subresourceTarget: 'registry',
            },
          ]
        : [],
    },
    computes: [compute],
    storage: undefined,
    registry: undefined,
    vnets: new Map(),
  });

  it('an Active rule with an Approved connection reaches (ids compared case-insensitively)', () => {
    expect(reach(model('AllowOnlyApprovedOutbound', 'Active'), compute, target('Disabled', 'Approved'), 'registry')).toMatchObject({
      ok: true,
      via: 'managed-rule',
    });
  });
  it('a rule that is not Active, a missing rule, and a Pending connection each say why', () => {
    expect(reach(model('AllowOnlyApprovedOutbound', 'Failed'), compute, target('Disabled'), 'registry')).toMatchObject({
      ok: false,
      why: { kind: 'rule-not-active' },
    });
    expect(reach(model('AllowOnlyApprovedOutbound'), compute, target('Disabled'), 'registry')).toMatchObject({
      ok: false,
      why: { kind: 'rule-missing' },
    });
    expect(reach(model('AllowOnlyApprovedOutbound', 'Active'), compute, target('Disabled', 'Pending'), 'registry')).toMatchObject({
      ok: false,
      why: { kind: 'connection-not-approved' },
    });
    expect(reach(model('AllowOnlyApprovedOutbound', 'Active'), compute, target('Disabled', 'Approved'), 'blob')).toMatchObject({
      ok: false,
      why: { kind: 'rule-missing' },
    });
  });
  it('public access serves AllowInternetOutbound, never AllowOnlyApprovedOutbound', () => {
    expect(reach(model('AllowInternetOutbound'), compute, target('Enabled'), 'registry')).toMatchObject({ ok: true, via: 'public' });
    expect(reach(model('AllowOnlyApprovedOutbound'), compute, target('Enabled'), 'registry')).toMatchObject({
      ok: false,
      why: { kind: 'rule-missing' },
    });
    expect(reach(model('AllowInternetOutbound'), compute, target('Disabled'), 'registry')).toMatchObject({ ok: false });
  });
});
