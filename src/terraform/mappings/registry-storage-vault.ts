/**
 * The workspace's dependent resources: container registry, storage account (and its separate
 * `azurerm_storage_account_network_rules`), key vault (and its separate access policies).
 * Attributes follow hashicorp/terraform-provider-azurerm: internal/services/containers/,
 * internal/services/storage/ and internal/services/keyvault/ (file per mapping); ARM bodies follow
 * Microsoft.ContainerRegistry/registries, Microsoft.Storage/storageAccounts and
 * Microsoft.KeyVault/vaults as the worlds carry them.
 */
import { armId, compact, enabled, identity, strings, type Family, type Json, type MapContext } from './types.js';

function rg(c: MapContext): string | undefined {
  return c.str(['resource_group_name']);
}

/** `network_rules` / `network_acls` of a storage account or key vault, or the separate resource's own attributes (base `[]`). */
function acls(c: MapContext, base: readonly (string | number)[]): Json {
  const bypass = strings(c.get([...base, 'bypass']));
  return compact({
    defaultAction: c.str([...base, 'default_action']),
    // azurerm writes the set as ARM's comma-separated flags ("AzureServices, Logging").
    bypass: bypass ? (bypass.length ? bypass.join(', ') : 'None') : c.str([...base, 'bypass']),
    ipRules: strings(c.get([...base, 'ip_rules']))?.map((value) => ({ value, action: 'Allow' })),
    virtualNetworkRules: strings(c.get([...base, 'virtual_network_subnet_ids']))?.map((id) => ({ id, action: 'Allow' })),
  });
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function accessPolicy(c: MapContext, base: readonly (string | number)[]): Json {
  return compact({
    tenantId: c.str([...base, 'tenant_id']),
    objectId: c.str([...base, 'object_id']),
    applicationId: c.str([...base, 'application_id']),
    permissions: compact({
      keys: strings(c.get([...base, 'key_permissions'])),
      secrets: strings(c.get([...base, 'secret_permissions'])),
      certificates: strings(c.get([...base, 'certificate_permissions'])),
      storage: strings(c.get([...base, 'storage_permissions'])),
    }),
  });
}

export const registryStorageVault: Family = {
  mappings: {
    azurerm_container_registry: {
      source: 'internal/services/containers/container_registry_resource.go',
      armType: 'Microsoft.ContainerRegistry/registries',
      id: (c) => armId(c.subscriptionId, rg(c), 'Microsoft.ContainerRegistry/registries', c.str(['name'])),
      body(c) {
        const sku = c.str(['sku']);
        const rules = c.blocks('network_rule_set');
        return compact({
          location: c.str(['location']),
          sku: sku ? { name: sku, tier: sku } : undefined,
          identity: identity(c),
          properties: compact({
            adminUserEnabled: c.get(['admin_enabled']),
            publicNetworkAccess: enabled(c.get(['public_network_access_enabled'])),
            networkRuleBypassOptions: c.str(['network_rule_bypass_option']),
            networkRuleSet: rules?.length
              ? compact({
                  defaultAction: c.str(['network_rule_set', 0, 'default_action']),
                  ipRules: list(c.get(['network_rule_set', 0, 'ip_rule'])).map((_, i) =>
                    compact({
                      action: c.str(['network_rule_set', 0, 'ip_rule', i, 'action']),
                      value: c.str(['network_rule_set', 0, 'ip_rule', i, 'ip_range']),
                    }),
                  ),
                })
              : undefined,
            // A new registry has no private endpoint connections until endpoints are made to it.
            privateEndpointConnections: c.action === 'create' ? [] : undefined,
          }),
        });
      },
    },
    azurerm_storage_account: {
      source: 'internal/services/storage/storage_account_resource.go',
      armType: 'Microsoft.Storage/storageAccounts',
      id: (c) => armId(c.subscriptionId, rg(c), 'Microsoft.Storage/storageAccounts', c.str(['name'])),
      body(c) {
        const tier = c.str(['account_tier']);
        const repl = c.str(['account_replication_type']);
        const rules = c.blocks('network_rules');
        return compact({
          location: c.str(['location']),
          kind: c.str(['account_kind']),
          sku: tier && repl ? { name: `${tier}_${repl}`, tier } : undefined,
          identity: identity(c),
          properties: compact({
            allowSharedKeyAccess: c.get(['shared_access_key_enabled']),
            publicNetworkAccess: enabled(c.get(['public_network_access_enabled'])),
            isHnsEnabled: c.get(['is_hns_enabled']),
            // Left out of the configuration, network_rules is Computed: the live rules stay.
            networkAcls: rules?.length ? acls(c, ['network_rules', 0]) : undefined,
            privateEndpointConnections: c.action === 'create' ? [] : undefined,
          }),
        });
      },
    },
    azurerm_storage_account_network_rules: {
      source: 'internal/services/storage/storage_account_network_rules_resource.go',
      armType: 'Microsoft.Storage/storageAccounts',
      id: (c) => c.str(['storage_account_id']),
      edits: (c, accountId) => [
        {
          target: accountId,
          apply(body) {
            const props = ((body.properties as Json | undefined) ??= {});
            // Deleting the resource resets the account to allow all traffic (the provider's delete).
            props.networkAcls =
              c.action === 'delete'
                ? { defaultAction: 'Allow', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] }
                : acls(c, []);
            return body;
          },
        },
      ],
    },
    azurerm_key_vault: {
      source: 'internal/services/keyvault/key_vault_resource.go',
      armType: 'Microsoft.KeyVault/vaults',
      id: (c) => armId(c.subscriptionId, rg(c), 'Microsoft.KeyVault/vaults', c.str(['name'])),
      body(c) {
        const rbac = c.get(['rbac_authorization_enabled']) ?? c.get(['enable_rbac_authorization']); // 4.x / 3.x
        const policies = c.blocks('access_policy');
        const nacl = c.blocks('network_acls');
        return compact({
          location: c.str(['location']),
          properties: compact({
            tenantId: c.str(['tenant_id']),
            sku: c.str(['sku_name']) ? { family: 'A', name: c.str(['sku_name']) } : undefined,
            enableRbacAuthorization: rbac,
            publicNetworkAccess: enabled(c.get(['public_network_access_enabled'])),
            networkAcls: nacl?.length ? acls(c, ['network_acls', 0]) : undefined,
            // Optional+Computed: left out (separate access policies), a new vault starts with none.
            accessPolicies:
              policies === undefined
                ? c.action === 'create'
                  ? []
                  : undefined
                : policies.map((i) => accessPolicy(c, ['access_policy', i])),
            privateEndpointConnections: c.action === 'create' ? [] : undefined,
          }),
        });
      },
    },
    azurerm_key_vault_access_policy: {
      source: 'internal/services/keyvault/key_vault_access_policy_resource.go',
      armType: 'Microsoft.KeyVault/vaults',
      id: (c) => c.str(['key_vault_id']),
      edits: (c, vaultId) => [
        {
          target: vaultId,
          apply(body) {
            const props = ((body.properties as Json | undefined) ??= {});
            const policy = accessPolicy(c, []);
            const text = (v: unknown): string => (typeof v === 'string' ? v.toLowerCase() : '');
            const same = (p: unknown): boolean =>
              text((p as Json).objectId) === text(policy.objectId) && text((p as Json).applicationId) === text(policy.applicationId);
            const rest = ((props.accessPolicies as unknown[] | undefined) ?? []).filter((p) => !same(p));
            props.accessPolicies = c.action === 'delete' ? rest : [...rest, policy];
            return body;
          },
        },
      ],
    },
  },
};
