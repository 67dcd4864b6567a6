/**
 * The managed virtual network worlds: the healthy private workspace moved to Azure ML's managed
 * network (computes without subnets; registry, blob, file and key vault reached through
 * private-endpoint outbound rules whose endpoints sit in Microsoft's subscription), and one world
 * per defect. Shapes follow Microsoft's examples in `../shared/azure-examples/machinelearning/`
 * (Workspace-get-managedNetwork.json, ManagedNetwork-listRule.json) at api-version 2025-12-01.
 */
import type { WorldInput } from '../../src/world/schema.js';
import { managedPrivateEndpointId } from '../services/machine-learning/index.js';
import { computeOf, connection, ids, res, RG, SUB } from './base.js';
import { healthyPrivate } from './healthy.js';

// Free-form ARM JSON: the world schema validates every world built from it.
type Json = Record<string, any>;

const WS = 'mlw-mlops-prod-weu';
export const hubId = `/subscriptions/${SUB}/resourceGroups/${RG}/providers/Microsoft.MachineLearningServices/workspaces/mlw-mlops-hub-weu`;

/** Rule names as `az ml workspace outbound-rule list` shows the required ones, and ours. */
export const rules = {
  registry: '__SYS_PE_crmlopsprodweu_registry',
  blob: '__SYS_PE_stmlopsprodweu_blob',
  file: '__SYS_PE_stmlopsprodweu_file',
  vault: '__SYS_PE_kv-mlops-prod-weu_vault',
  mcr: '__SYS_ST_MicrosoftContainerRegistry',
  frontDoor: '__SYS_ST_AzureFrontDoor.FirstParty',
  pypi: 'allow-pypi',
  pythonhosted: 'allow-pythonhosted',
  conda: 'allow-anaconda-org',
  anacondaRepo: 'allow-anaconda-repo',
} as const;

function peRule(target: string, subresource: string, status = 'Active'): Json {
  return {
    type: 'PrivateEndpoint',
    category: 'Required',
    status,
    destination: { serviceResourceId: target, subresourceTarget: subresource, sparkEnabled: false, sparkStatus: 'Inactive' },
  };
}

function tagRule(tag: string, status = 'Active'): Json {
  return {
    type: 'ServiceTag',
    category: 'Required',
    status,
    destination: { serviceTag: tag, protocol: 'TCP', portRanges: '443', action: 'Allow' },
  };
}

function fqdnRule(fqdn: string, status = 'Active'): Json {
  return { type: 'FQDN', category: 'UserDefined', status, destination: fqdn };
}

/** The connection an Active private-endpoint rule's endpoint has on its target, auto-approved. */
function managedConnection(targetId: string, rule: string, workspace = WS): Json {
  return connection(targetId, managedPrivateEndpointId(workspace, rule), 'Approved', 'Auto-Approved', `${workspace}.${rule}`);
}

function managedNetwork(
  isolationMode: 'AllowOnlyApprovedOutbound' | 'AllowInternetOutbound',
  status: 'Active' | 'Inactive' = 'Active',
): Json {
  const r: Record<string, Json> = {
    [rules.registry]: peRule(ids.registry, 'registry', status),
    [rules.blob]: peRule(ids.storage, 'blob', status),
    [rules.file]: peRule(ids.storage, 'file', status),
    [rules.vault]: peRule(ids.keyVault, 'vault', status),
  };
  if (isolationMode === 'AllowOnlyApprovedOutbound') {
    Object.assign(r, {
      [rules.mcr]: tagRule('MicrosoftContainerRegistry', status),
      [rules.frontDoor]: tagRule('AzureFrontDoor.FirstParty', status),
      [rules.pypi]: fqdnRule('pypi.org', status),
      [rules.pythonhosted]: fqdnRule('files.pythonhosted.org', status),
      [rules.conda]: fqdnRule('*.anaconda.org', status),
      [rules.anacondaRepo]: fqdnRule('repo.anaconda.com', status),
    });
  }
  return {
    isolationMode,
    networkId: '6b1f3c2e-8a4d-4e0b-9c7a-2d5e8f1a3b6c',
    firewallSku: isolationMode === 'AllowOnlyApprovedOutbound' ? 'Standard' : undefined,
    status: { status, sparkReady: false },
    outboundRules: r,
  };
}

/**
 * The healthy managed-VNet workspace (AllowOnlyApprovedOutbound): no customer VNet, NSG or private
 * endpoint; every compute in the managed network; every check passes or is not applicable.
 */
export function healthyManaged(
  isolationMode: 'AllowOnlyApprovedOutbound' | 'AllowInternetOutbound' = 'AllowOnlyApprovedOutbound',
): WorldInput {
  const w = healthyPrivate();
  w.description = `healthy-managed: the healthy workspace in Azure ML's managed virtual network (${isolationMode}, provisioned): computes without subnets; registry, blob, file and key vault through Active private-endpoint outbound rules with Approved connections; MCR, Front Door and package-source rules. Every check passes or is not applicable.`;
  const customer = new Set<string>([
    ids.vnet,
    ids.nsg,
    ids.peRegistry,
    ids.peBlob,
    ids.peFile,
    ids.peWorkspace,
    ids.zoneAcr,
    ids.zoneBlob,
    ids.zoneFile,
    ids.zoneApi,
    ids.zoneNotebooks,
  ]);
  w.resources = w.resources.filter((r) => ![...customer].some((c) => r.id === c || r.id.startsWith(`${c}/`)));
  const ws = res(w, ids.workspace);
  ws.properties.managedNetwork = managedNetwork(isolationMode);
  ws.properties.publicNetworkAccess = 'Enabled';
  ws.properties.privateEndpointConnections = [];
  ws.properties.privateLinkCount = 0;
  ws.properties.serverlessComputeSettings = null;
  ws.kind = 'Default';
  res(w, ids.registry).properties.privateEndpointConnections = [managedConnection(ids.registry, rules.registry)];
  res(w, ids.storage).properties.privateEndpointConnections = [
    managedConnection(ids.storage, rules.blob),
    managedConnection(ids.storage, rules.file),
  ];
  for (const c of ['cpu-build-cluster', 'gpu-train-cluster', 'ci-analyst-ds']) computeOf(w, c).properties.properties.subnet = null;
  return w;
}

function mutateManaged(
  description: string,
  change: (w: WorldInput) => void,
  isolationMode?: 'AllowOnlyApprovedOutbound' | 'AllowInternetOutbound',
): WorldInput {
  const w = healthyManaged(isolationMode);
  w.description = description;
  change(w);
  return w;
}

function rulesOf(w: WorldInput, workspaceId = ids.workspace): Record<string, Json> {
  return res(w, workspaceId).properties.managedNetwork.outboundRules as Record<string, Json>;
}

function dropConnection(w: WorldInput, targetId: string, rule: string): void {
  const t = res(w, targetId);
  t.properties.privateEndpointConnections = (t.properties.privateEndpointConnections as Json[]).filter(
    (c) => !String(c.name).endsWith(`.${rule}`),
  );
}

/** The managed worlds, by file name. */
export function managedWorlds(): Record<string, WorldInput> {
  return {
    'healthy-managed': healthyManaged(),
    'managed-internet-outbound': mutateManaged(
      'managed-internet-outbound: the healthy managed workspace with isolation AllowInternetOutbound: no service-tag or FQDN rules are needed; every check passes or is not applicable.',
      () => undefined,
      'AllowInternetOutbound',
    ),
    'managed-not-provisioned': mutateManaged(
      'managed-not-provisioned: the managed network was never provisioned (status Inactive): its rules are Inactive and no private endpoint exists yet, so image builds and jobs wait on it.',
      (w) => {
        const ws = res(w, ids.workspace);
        ws.properties.managedNetwork = managedNetwork('AllowOnlyApprovedOutbound', 'Inactive');
        res(w, ids.registry).properties.privateEndpointConnections = [];
        res(w, ids.storage).properties.privateEndpointConnections = [];
      },
    ),
    'managed-registry-rule-failed': mutateManaged(
      'managed-registry-rule-failed: the registry private-endpoint rule is Failed (the registry is not Premium-capable for private link in the managed network), so no endpoint exists.',
      (w) => {
        Object.assign(rulesOf(w)[rules.registry]!, {
          status: 'Failed',
          errorInformation:
            'Failed to create private endpoint: the container registry crmlopsprodweu denied the connection (RegistryPrivateEndpointCreationFailed).',
        });
        dropConnection(w, ids.registry, rules.registry);
      },
    ),
    'managed-storage-rule-missing': mutateManaged(
      'managed-storage-rule-missing: the managed network has no private-endpoint rule for the file share of the storage account.',
      (w) => {
        delete rulesOf(w)[rules.file];
        dropConnection(w, ids.storage, rules.file);
      },
    ),
    'managed-ibc-missing': mutateManaged(
      'managed-ibc-missing: the registry is private, but the managed-network workspace names no imageBuildCompute, so builds fall back to serverless compute, which cannot reach it.',
      (w) => {
        delete res(w, ids.workspace).properties.imageBuildCompute;
      },
    ),
    'managed-ibc-gpu-cluster': mutateManaged(
      'managed-ibc-gpu-cluster: imageBuildCompute of the managed-network workspace names a GPU cluster.',
      (w) => {
        res(w, ids.workspace).properties.imageBuildCompute = 'gpu-train-cluster';
      },
    ),
    'managed-package-fqdn-missing': mutateManaged(
      'managed-package-fqdn-missing: AllowOnlyApprovedOutbound without FQDN rules for PyPI: pip installs in image builds fail or time out.',
      (w) => {
        delete rulesOf(w)[rules.pypi];
        delete rulesOf(w)[rules.pythonhosted];
      },
    ),
    'managed-service-tag-missing': mutateManaged(
      'managed-service-tag-missing: AllowOnlyApprovedOutbound without the AzureFrontDoor.FirstParty service-tag rule: base images cannot be pulled from MCR.',
      (w) => {
        delete rulesOf(w)[rules.frontDoor];
      },
    ),
    'managed-hub-project': hubAndProject(),
    'managed-customer-pe': mutateManaged(
      'managed-customer-pe: the healthy managed workspace, plus a private endpoint of the customer on the same registry in a VNet of theirs; that endpoint is still read and checked, the managed one never.',
      (w) => {
        const h = healthyPrivate();
        const keep = new Set<string>([ids.vnet, ids.peRegistry, ids.zoneAcr]);
        for (const r of h.resources) if ([...keep].some((k) => r.id === k || r.id.startsWith(`${k}/`))) w.resources.push(r);
        const vnet = res(w, ids.vnet);
        // No compute sits in this VNet now, and no NSG guards it.
        vnet.properties.subnets = (vnet.properties.subnets as Json[]).filter((s) => s.id === ids.endpointsSubnet);
        const customerConnection = (res(h, ids.registry).properties.privateEndpointConnections as Json[])[0]!;
        res(w, ids.registry).properties.privateEndpointConnections.push(customerConnection);
      },
    ),
  };
}

/** A hub (kind Hub) holding the managed network and rules, and a project (kind Project) using it. */
function hubAndProject(): WorldInput {
  const w = healthyManaged();
  w.description =
    "managed-hub-project: a project workspace (kind Project) whose hub (kind Hub) holds the managed network and its outbound rules; the project shares the hub's registry and storage. Every check passes or is not applicable.";
  const project = res(w, ids.workspace);
  const hub: Json = structuredClone(project);
  hub.id = hubId;
  hub.name = 'mlw-mlops-hub-weu';
  hub.kind = 'Hub';
  hub.identity.principalId = '2e7d4b1a-93c6-4f58-8a0d-5b6c7e8f9a01';
  hub.properties.friendlyName = 'MLOps hub (West Europe)';
  hub.properties.workspaceHubConfig = { defaultWorkspaceResourceGroup: `/subscriptions/${SUB}/resourceGroups/${RG}` };
  delete hub.properties.imageBuildCompute;
  project.kind = 'Project';
  project.properties.hubResourceId = hubId;
  delete project.properties.managedNetwork;
  // The managed network's endpoints are the hub's.
  for (const [target, rule] of [
    [ids.registry, rules.registry],
    [ids.storage, rules.blob],
    [ids.storage, rules.file],
  ] as const) {
    const t = res(w, target);
    for (const c of t.properties.privateEndpointConnections as Json[]) {
      if (String(c.name).endsWith(`.${rule}`)) Object.assign(c, managedConnection(target, rule, 'mlw-mlops-hub-weu'));
    }
  }
  w.resources.push(hub as WorldInput['resources'][number]);
  // The hub holds the same storage key and registry password, and has its own diagnosis.
  for (const action of ['listKeys', 'diagnose'])
    w.responses![`POST ${hubId}/${action}`] = structuredClone(w.responses![`POST ${ids.workspace}/${action}`]!);
  return w;
}

/**
 * The managed demo: a managed-network workspace with the managed defects `aml-preflight audit --mock
 * mocks/worlds/demo-managed.json` shows: a Failed registry rule, no Front Door service-tag rule, no
 * PyPI FQDN rules, no image build compute.
 */
export function demoManaged(): WorldInput {
  return mutateManaged(
    'demo-managed: a managed-network workspace (AllowOnlyApprovedOutbound) in trouble: the registry private-endpoint rule Failed, no AzureFrontDoor.FirstParty rule, no PyPI FQDN rules, no imageBuildCompute.',
    (w) => {
      Object.assign(rulesOf(w)[rules.registry]!, {
        status: 'Failed',
        errorInformation:
          'Failed to create private endpoint: the container registry crmlopsprodweu denied the connection (RegistryPrivateEndpointCreationFailed).',
      });
      dropConnection(w, ids.registry, rules.registry);
      delete rulesOf(w)[rules.frontDoor];
      delete rulesOf(w)[rules.pypi];
      delete rulesOf(w)[rules.pythonhosted];
      delete res(w, ids.workspace).properties.imageBuildCompute;
    },
  );
}
