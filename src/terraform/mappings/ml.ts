/**
 * Azure ML: workspaces (and the AI Foundry hub and project, which are workspaces of kind Hub and
 * Project), compute clusters and instances, and the managed network's outbound rules. Attributes
 * follow hashicorp/terraform-provider-azurerm, internal/services/machinelearning/ (file per
 * mapping); ARM bodies follow Microsoft.MachineLearningServices (workspaces, workspaces/computes,
 * workspaces/outboundRules) as the worlds and what-if carry them.
 *
 * An outbound rule is its own resource in azurerm and ARM, and ARM also shows it in the
 * workspace's `managedNetwork.outboundRules` map: the rule edits that map too, so both reads agree.
 */
import { armId, childId, compact, enabled, identity, ref, type Edit, type Family, type Json, type MapContext } from './types.js';

const ML = 'Microsoft.MachineLearningServices';

function workspaceId(c: MapContext): string | undefined {
  return armId(c.subscriptionId, c.str(['resource_group_name']), `${ML}/workspaces`, c.str(['name']));
}

/** The workspace body azurerm writes (`expandMachineLearningWorkspace…` in machine_learning_workspace_resource.go). */
function workspaceBody(c: MapContext, kind: string | undefined): Json {
  const isolation = c.str(['managed_network', 0, 'isolation_mode']);
  const serverless = c.blocks('serverless_compute');
  const pna = c.get(['public_network_access']); // ai_foundry: "Enabled" / "Disabled"
  return compact({
    location: c.str(['location']),
    kind,
    identity: identity(c),
    sku: c.str(['sku_name']) ? { name: c.str(['sku_name']), tier: c.str(['sku_name']) } : undefined,
    properties: compact({
      storageAccount: c.str(['storage_account_id']),
      keyVault: c.str(['key_vault_id']),
      applicationInsights: c.str(['application_insights_id']),
      containerRegistry: c.str(['container_registry_id']),
      publicNetworkAccess: typeof pna === 'string' ? pna : enabled(c.get(['public_network_access_enabled'])),
      imageBuildCompute: c.str(['image_build_compute_name']),
      primaryUserAssignedIdentity: c.str(['primary_user_assigned_identity']),
      // storage_account_access_type: "accessKey" / "identity" → systemDatastoresAuthMode.
      systemDatastoresAuthMode: c.str(['storage_account_access_type']),
      managedNetwork: isolation ? { isolationMode: isolation } : undefined,
      serverlessComputeSettings: serverless?.length
        ? compact({
            serverlessComputeCustomSubnet: c.str(['serverless_compute', 0, 'subnet_id']),
            serverlessComputeNoPublicIP: noPublicIp(c.get(['serverless_compute', 0, 'public_ip_enabled'])),
          })
        : undefined,
    }),
  });
}

function noPublicIp(v: unknown): unknown {
  return typeof v === 'boolean' ? !v : v;
}

function computeId(c: MapContext): string | undefined {
  return childId(c.str(['machine_learning_workspace_id']), 'computes', c.str(['name']));
}

/** The rule's properties as ARM shows them in the workspace's map and at its own id. */
function outboundRule(type: string, destination: (c: MapContext) => unknown): Family['mappings'][string] {
  const props = (c: MapContext): Json => compact({ type, category: 'UserDefined', destination: destination(c) });
  return {
    source: `internal/services/machinelearning/machine_learning_workspace_network_outbound_rule_${type === 'FQDN' ? 'fqdn' : type === 'ServiceTag' ? 'service_tag' : 'private_endpoint'}_resource.go`,
    armType: `${ML}/workspaces/outboundRules`,
    id: (c) => childId(c.str(['workspace_id']), 'outboundRules', c.str(['name'])),
    body: (c) => ({ properties: props(c) }),
    edits(c, id): Edit[] {
      const ws = id.slice(0, id.toLowerCase().lastIndexOf('/outboundrules/'));
      const name = id.slice(id.lastIndexOf('/') + 1);
      return [
        {
          target: ws,
          apply(body) {
            const p = ((body.properties as Json | undefined) ??= {});
            const mn = ((p.managedNetwork as Json | undefined) ??= {});
            const rules = Object.entries((mn.outboundRules as Json | undefined) ?? {}).filter(([k]) => k !== name);
            if (c.action !== 'delete') rules.push([name, props(c)]);
            mn.outboundRules = Object.fromEntries(rules);
            return body;
          },
        },
      ];
    },
  };
}

export const ml: Family = {
  mappings: {
    azurerm_machine_learning_workspace: {
      source: 'internal/services/machinelearning/machine_learning_workspace_resource.go',
      armType: `${ML}/workspaces`,
      id: workspaceId,
      body: (c) => workspaceBody(c, c.str(['kind']) ?? (c.action === 'create' ? 'Default' : undefined)),
    },
    azurerm_ai_foundry: {
      source: 'internal/services/machinelearning/ai_foundry_resource.go',
      armType: `${ML}/workspaces`,
      id: workspaceId,
      body: (c) => workspaceBody(c, 'Hub'),
    },
    azurerm_ai_foundry_project: {
      source: 'internal/services/machinelearning/ai_foundry_project_resource.go',
      armType: `${ML}/workspaces`,
      // A project sits in its hub's resource group (the provider builds its id from the hub id).
      id(c) {
        const hub = c.str(['ai_services_hub_id']);
        const m = hub ? /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\//i.exec(hub) : null;
        return m ? armId(m[1], m[2], `${ML}/workspaces`, c.str(['name'])) : undefined;
      },
      body: (c) =>
        compact({
          location: c.str(['location']),
          kind: 'Project',
          identity: identity(c),
          properties: compact({
            hubResourceId: c.str(['ai_services_hub_id']),
            primaryUserAssignedIdentity: c.str(['primary_user_assigned_identity']),
          }),
        }),
    },
    azurerm_machine_learning_compute_cluster: {
      source: 'internal/services/machinelearning/machine_learning_compute_cluster_resource.go',
      armType: `${ML}/workspaces/computes`,
      id: computeId,
      body: (c) =>
        compact({
          location: c.str(['location']),
          identity: identity(c),
          properties: compact({
            computeType: 'AmlCompute',
            description: c.str(['description']),
            disableLocalAuth: typeof c.get(['local_auth_enabled']) === 'boolean' ? !c.get(['local_auth_enabled']) : undefined,
            properties: compact({
              vmSize: c.str(['vm_size']),
              vmPriority: c.str(['vm_priority']),
              subnet: ref(c.str(['subnet_resource_id'])),
              enableNodePublicIp: c.get(['node_public_ip_enabled']),
              remoteLoginPortPublicAccess: enabled(c.get(['ssh_public_access_enabled'])),
              scaleSettings: c.blocks('scale_settings')?.length
                ? compact({
                    minNodeCount: c.get(['scale_settings', 0, 'min_node_count']),
                    maxNodeCount: c.get(['scale_settings', 0, 'max_node_count']),
                    nodeIdleTimeBeforeScaleDown: c.str(['scale_settings', 0, 'scale_down_nodes_after_idle_duration']),
                  })
                : undefined,
            }),
          }),
        }),
    },
    azurerm_machine_learning_compute_instance: {
      source: 'internal/services/machinelearning/machine_learning_compute_instance_resource.go',
      armType: `${ML}/workspaces/computes`,
      id: computeId,
      body: (c) =>
        compact({
          identity: identity(c),
          properties: compact({
            computeType: 'ComputeInstance',
            description: c.str(['description']),
            properties: compact({
              vmSize: c.str(['virtual_machine_size']),
              subnet: ref(c.str(['subnet_resource_id'])),
              enableNodePublicIp: c.get(['node_public_ip_enabled']),
            }),
          }),
        }),
    },
    azurerm_machine_learning_workspace_network_outbound_rule_fqdn: outboundRule('FQDN', (c) => c.str(['destination_fqdn'])),
    azurerm_machine_learning_workspace_network_outbound_rule_private_endpoint: outboundRule('PrivateEndpoint', (c) =>
      compact({
        serviceResourceId: c.str(['service_resource_id']),
        subresourceTarget: c.str(['sub_resource_target']),
        sparkEnabled: c.get(['spark_enabled']),
      }),
    ),
    azurerm_machine_learning_workspace_network_outbound_rule_service_tag: outboundRule('ServiceTag', (c) =>
      compact({ serviceTag: c.str(['service_tag']), protocol: c.str(['protocol']), portRanges: c.str(['port_ranges']) }),
    ),
  },
  unmapped: {
    azurerm_machine_learning_inference_cluster: {
      changes: "a workspace's computes (an AKS inference cluster)",
      id: (c) => childId(c.str(['machine_learning_workspace_id']), 'computes', c.str(['name'])),
    },
    azurerm_machine_learning_synapse_spark: {
      changes: "a workspace's computes (a Synapse Spark pool)",
      id: (c) => childId(c.str(['machine_learning_workspace_id']), 'computes', c.str(['name'])),
    },
  },
};
