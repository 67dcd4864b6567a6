/**
 * The Azure Firewall allow command both egress checks offer (src/network/firewall-fix.ts), over
 * plain data: classic rules, the firewall's own policy, a parent's rule, and the defaults.
 */
import { describe, expect, it } from 'vitest';
import { firewallAllowCommand, type FirewallAllow, type FirewallToFix } from '../../src/network/firewall-fix.js';
import type { FirewallRuleRef, OrderedCollection } from '../../src/network/firewall-rules.js';

const RG = '/subscriptions/5e1c7a3b-0000-4000-8000-00000000c0de/resourceGroups/rg-connectivity-weu/providers/Microsoft.Network';
const FIREWALL = `${RG}/azureFirewalls/afw-hub-weu`;
const POLICY = `${RG}/firewallPolicies/fwp-hub-weu`;
const BASE = `${RG}/firewallPolicies/fwp-org-base`;
const SOURCE = ['10.62.8.0/24', '10.62.9.0/24'];

const mcr: FirewallAllow = {
  target: { kind: 'application', fqdns: ['mcr.microsoft.com', '*.data.mcr.microsoft.com'] },
  source: SOURCE,
  ruleName: 'allow-mcr',
  collectionName: 'allow-aml-egress',
};
const azureMl: FirewallAllow = {
  target: { kind: 'network', protocols: ['TCP', 'UDP'], addresses: 'AzureMachineLearning', ports: ['443', '5831'] },
  source: SOURCE,
  ruleName: 'allow-azure-machine-learning',
  collectionName: 'allow-aml-compute-egress',
};

/** A collection as the gathered rules hold it: where it sits, no rules needed. */
const collection = (ownerId: string, inheritance: number, group: string | undefined, name = 'coll'): OrderedCollection<never> => ({
  ref: {
    ownerId,
    inheritance,
    ...(group ? { group: { name: group, priority: 200 } } : {}),
    collection: { name, priority: 300 },
    action: 'Deny',
  },
  rules: [],
});
const firewall = (policyIds: readonly string[], ...network: OrderedCollection<never>[]): FirewallToFix => ({
  firewallId: FIREWALL,
  policyIds,
  rules: { network, application: [] },
});
const ref = (p: Partial<FirewallRuleRef>): FirewallRuleRef => ({
  kind: 'network',
  ownerId: POLICY,
  group: { name: 'rcg-spokes', priority: 200 },
  collection: { name: 'deny-internet', priority: 400 },
  action: 'Deny',
  rule: 'deny-all',
  inheritance: 0,
  ...p,
});

const classic = firewall([]);
const policy = firewall([POLICY, BASE], collection(BASE, 1, 'rcg-org'), collection(POLICY, 0, 'rcg-platform'));
const src = '--source-addresses 10.62.8.0/24 10.62.9.0/24';

describe('firewallAllowCommand', () => {
  it('classic rules: a new Allow collection one above the deciding one, --protocols in both forms', () => {
    const deciding = ref({ ownerId: FIREWALL, group: undefined, collection: { name: 'deny-all', priority: 300 } });
    expect(firewallAllowCommand(classic, deciding, mcr)).toBe(
      `az network firewall application-rule create --resource-group rg-connectivity-weu --firewall-name afw-hub-weu --collection-name allow-aml-egress --priority 299 --action Allow --name allow-mcr --protocols Https=443 --target-fqdns mcr.microsoft.com *.data.mcr.microsoft.com ${src}`,
    );
    expect(firewallAllowCommand(classic, deciding, azureMl)).toBe(
      `az network firewall network-rule create --resource-group rg-connectivity-weu --firewall-name afw-hub-weu --collection-name allow-aml-compute-egress --priority 299 --action Allow --name allow-azure-machine-learning --protocols TCP UDP --destination-addresses AzureMachineLearning --destination-ports 443 5831 ${src}`,
    );
  });

  it('classic rules and no deciding rule (default deny): the lowest priority but one', () => {
    expect(firewallAllowCommand(classic, undefined, mcr)).toContain('--collection-name allow-aml-egress --priority 64999 --action Allow');
  });

  it("the deciding collection is an Allow collection of the firewall's own policy: the rule joins it", () => {
    const deciding = ref({ action: 'Allow', collection: { name: 'allow-aml', priority: 150 } });
    expect(firewallAllowCommand(policy, deciding, mcr)).toBe(
      `az network firewall policy rule-collection-group collection rule add --resource-group rg-connectivity-weu --policy-name fwp-hub-weu --rule-collection-group-name rcg-spokes --collection-name allow-aml --name allow-mcr --rule-type ApplicationRule --protocols Https=443 --target-fqdns mcr.microsoft.com *.data.mcr.microsoft.com ${src}`,
    );
    expect(firewallAllowCommand(policy, deciding, azureMl)).toBe(
      `az network firewall policy rule-collection-group collection rule add --resource-group rg-connectivity-weu --policy-name fwp-hub-weu --rule-collection-group-name rcg-spokes --collection-name allow-aml --name allow-azure-machine-learning --rule-type NetworkRule --ip-protocols TCP UDP --destination-addresses AzureMachineLearning --destination-ports 443 5831 ${src}`,
    );
  });

  it('a Deny collection decides: a filter collection before it, in its group, never above priority 100', () => {
    expect(firewallAllowCommand(policy, ref({}), azureMl)).toBe(
      `az network firewall policy rule-collection-group collection add-filter-collection --resource-group rg-connectivity-weu --policy-name fwp-hub-weu --rule-collection-group-name rcg-spokes --name allow-aml-compute-egress --collection-priority 399 --action Allow --rule-name allow-azure-machine-learning --rule-type NetworkRule --ip-protocols TCP UDP --destination-addresses AzureMachineLearning --destination-ports 443 5831 ${src}`,
    );
    const first = ref({ collection: { name: 'deny-internet', priority: 100 } });
    expect(firewallAllowCommand(policy, first, mcr)).toContain('--name allow-aml-egress --collection-priority 100 --action Allow');
  });

  it("default deny (no deciding rule): the firewall's own policy's first group, never its parent's", () => {
    expect(firewallAllowCommand(policy, undefined, mcr)).toBe(
      `az network firewall policy rule-collection-group collection add-filter-collection --resource-group rg-connectivity-weu --policy-name fwp-hub-weu --rule-collection-group-name rcg-platform --name allow-aml-egress --collection-priority 64999 --action Allow --rule-name allow-mcr --rule-type ApplicationRule --protocols Https=443 --target-fqdns mcr.microsoft.com *.data.mcr.microsoft.com ${src}`,
    );
  });

  it('no group of its own policy is known: a placeholder to fill in', () => {
    const parentOnly = firewall([POLICY, BASE], collection(BASE, 1, 'rcg-org'));
    expect(firewallAllowCommand(parentOnly, undefined, mcr)).toContain(
      '--policy-name fwp-hub-weu --rule-collection-group-name <rule-collection-group> --name allow-aml-egress',
    );
  });

  it("a parent policy's Allow collection decides (undecidable): the allow goes in a new collection of the firewall's own policy, not into the parent's collection", () => {
    const deciding = ref({
      ownerId: BASE,
      inheritance: 1,
      action: 'Allow',
      group: { name: 'rcg-org', priority: 100 },
      collection: { name: 'allow-org-web', priority: 300 },
    });
    const command = firewallAllowCommand(policy, deciding, mcr);
    expect(command).toMatch(/^The deciding rule is in parent policy fwp-org-base, /);
    expect(command).toContain(
      'collection add-filter-collection --resource-group rg-connectivity-weu --policy-name fwp-hub-weu --rule-collection-group-name rcg-platform',
    );
    expect(command).not.toContain('allow-org-web');
  });
  it("the deciding rule is a parent policy's: the sentence first, then the allow in the firewall's own policy", () => {
    const deciding = ref({ ownerId: BASE, inheritance: 1, group: { name: 'rcg-org', priority: 100 } });
    expect(firewallAllowCommand(policy, deciding, mcr)).toBe(
      `The deciding rule is in parent policy fwp-org-base, which is processed before fwp-hub-weu: change it there, or az network firewall policy rule-collection-group collection add-filter-collection --resource-group rg-connectivity-weu --policy-name fwp-hub-weu --rule-collection-group-name rcg-platform --name allow-aml-egress --collection-priority 399 --action Allow --rule-name allow-mcr --rule-type ApplicationRule --protocols Https=443 --target-fqdns mcr.microsoft.com *.data.mcr.microsoft.com ${src}`,
    );
    const command = firewallAllowCommand(firewall([POLICY, BASE]), deciding, azureMl);
    expect(command).toMatch(/^The deciding rule is in parent policy fwp-org-base, .*: change it there, or az network firewall policy /);
    expect(command).toContain(
      '--rule-collection-group-name <rule-collection-group> --name allow-aml-compute-egress --collection-priority 399',
    );
  });
});
