/**
 * Azure ML's managed virtual network as the service keeps it: the versioned contract
 * (`managedNetwork` from 2023-10-01, V2's `…/managedNetworks/default` from 2025-12-01), its
 * outbound rules served as resources, and what provisioning does.
 * https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
 */
import {
  armTypeOfPath,
  envelope,
  json,
  notFound,
  text,
  type ArmObject,
  type MockApp,
  type MockResponse,
  type RouteRequest,
} from '../../core/index.js';
import { workspaceOperationUrl } from './operations.js';

/** The first GA api-version of Microsoft.MachineLearningServices that defines the managed network. */
export const MANAGED_NETWORK_SINCE = '2023-10-01';

/** The first GA api-version that defines the managed network V2 (`managedNetworkKind`, `…/managedNetworks/default`). */
export const MANAGED_NETWORK_V2_SINCE = '2025-12-01';

/** The subscription of Microsoft's in which the mock's managed networks create their private endpoints. */
export const MANAGED_NETWORK_SUBSCRIPTION = '9c8b7a65-4321-4fed-8cba-0a1b2c3d4e5f';

/** The id of the private endpoint a managed network creates for an outbound rule. */
export function managedPrivateEndpointId(workspaceName: string, ruleName: string): string {
  return `/subscriptions/${MANAGED_NETWORK_SUBSCRIPTION}/resourceGroups/azureml-mvnet-${workspaceName}/providers/Microsoft.Network/privateEndpoints/${workspaceName}-${ruleName}`;
}

/** `…/outboundRules(/{name})` and `…/provisionManagedNetwork`: V1 paths, defined from 2023-10-01. */
export const MANAGED_NETWORK_PATH =
  /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+\/(outboundrules(\/[^/]+)?|provisionmanagednetwork)$/i;

/** `…/managedNetworks(/{name}(/outboundRules(/{name})|/batchOutboundRules))`: V2 paths, defined from 2025-12-01. */
export const MANAGED_NETWORK_V2_PATH =
  /\/providers\/microsoft\.machinelearningservices\/workspaces\/[^/]+\/managednetworks(\/[^/]+(\/outboundrules(\/[^/]+)?|\/batchoutboundrules)?)?$/i;

export function managedNetworkOf(workspace: ArmObject): ArmObject | undefined {
  const mn = (workspace.properties as { managedNetwork?: unknown } | undefined)?.managedNetwork;
  return mn && typeof mn === 'object' ? (mn as ArmObject) : undefined;
}

/**
 * A managed network's `outboundRules` map (a workspace's `managedNetwork`, V1, or the V2
 * resource's), also served as `…/outboundRules/{name}` resources and listed at `…/outboundRules`.
 */
export function outboundRules(ownerType: string): (owner: ArmObject, id: string) => ArmObject[] {
  return (owner, id) => {
    const rules = managedNetworkOf(owner)?.outboundRules;
    if (!rules || typeof rules !== 'object') return [];
    return Object.entries(rules as Record<string, unknown>).map(([name, rule]) => ({
      id: `${id}/outboundRules/${name}`,
      name,
      type: `${ownerType}/outboundRules`,
      properties: rule,
    }));
  };
}

/** Workspace properties that api-versions before 2023-10-01 do not define. */
const NEWER_WORKSPACE_FIELDS = ['managedNetwork', 'serverlessComputeSettings'] as const;

/** Drops what the request's api-version does not define from a workspace or a list of them (ARM answers per api-version). */
export function versionedWorkspaces(answer: MockResponse, req: RouteRequest): MockResponse {
  const v = (req.url.searchParams.get('api-version') ?? '').slice(0, 10);
  if (answer.status !== 200 || !answer.body || v >= MANAGED_NETWORK_V2_SINCE) return answer;
  const body = JSON.parse(answer.body) as { value?: unknown[]; properties?: Record<string, unknown> };
  const before = v < MANAGED_NETWORK_SINCE;
  for (const ws of Array.isArray(body.value) ? (body.value as { properties?: Record<string, unknown> }[]) : [body]) {
    if (!ws.properties) continue;
    if (before) for (const field of NEWER_WORKSPACE_FIELDS) delete ws.properties[field];
    // `managedNetworkKind` is new in 2025-12-01.
    const mn = ws.properties.managedNetwork as Record<string, unknown> | undefined;
    if (mn && typeof mn === 'object') delete mn.managedNetworkKind;
  }
  return { ...answer, body: JSON.stringify(body) };
}

/**
 * What holds a workspace's managed network: the workspace (V1), or for a V2 workspace
 * (`managedNetworkKind: V2`) its child `…/managedNetworks/default`, when the world has one.
 */
function networkOwner(app: MockApp, workspaceKey: string): ArmObject {
  const workspace = app.resources.get(workspaceKey)!;
  if (!/^v2$/i.test(text(managedNetworkOf(workspace)?.managedNetworkKind))) return workspace;
  return app.resources.get(`${workspaceKey}/managednetworks/default`) ?? workspace;
}

/** `POST …/provisionManagedNetwork`: a long-running operation, refused when the workspace has no managed network. */
export function startProvision(app: MockApp, req: RouteRequest): MockResponse {
  const workspaceKey = req.key.replace(/\/provisionmanagednetwork$/, '');
  const workspace = app.resources.get(workspaceKey);
  if (!workspace) return notFound(req.path.replace(/\/provisionManagedNetwork$/i, ''));
  const mode = text(managedNetworkOf(networkOwner(app, workspaceKey))?.isolationMode, 'Disabled');
  if (/^disabled$/i.test(mode))
    return json(
      400,
      envelope('BadRequest', `Workspace ${String(workspace.name)} has no managed network to provision (isolationMode ${mode}).`),
    );
  return app.operations.start({
    location: (opId) => workspaceOperationUrl(workspace, opId, req.origin),
    retryAfter: String(app.options.resyncRetryAfterSeconds ?? 0),
    complete: () => applyProvision(app, workspaceKey),
  });
}

/**
 * What provisioning does in Azure: the network becomes Active, its Inactive rules Active, and
 * each private-endpoint rule's endpoint (in Microsoft's subscription) gets an Approved connection
 * on its target, as an auto-approved private endpoint of the resource owner does.
 */
function applyProvision(app: MockApp, workspaceKey: string): unknown {
  const workspace = app.resources.get(workspaceKey)!;
  const owner = networkOwner(app, workspaceKey);
  const mn = managedNetworkOf(owner)!;
  mn.status = { status: 'Active', sparkReady: false };
  if (owner !== workspace) (owner.properties as ArmObject).provisioningState = 'Succeeded';
  const rulesKey = owner === workspace ? `${workspaceKey}/outboundrules` : `${workspaceKey}/managednetworks/default/outboundrules`;
  for (const r of app.resources.children(rulesKey)) {
    const rule = (r.properties ?? {}) as ArmObject;
    if (/^(inactive|provisioning)$/i.test(text(rule.status, 'Inactive'))) rule.status = 'Active';
    const dest = rule.destination as { serviceResourceId?: unknown } | undefined;
    if (
      !/^privateendpoint$/i.test(String(rule.type)) ||
      typeof dest?.serviceResourceId !== 'string' ||
      !/^active$/i.test(String(rule.status))
    )
      continue;
    const target = app.resources.get(dest.serviceResourceId.toLowerCase());
    if (!target) continue;
    const props = (target.properties ??= {}) as ArmObject;
    const connections = ((props.privateEndpointConnections as ArmObject[] | undefined) ??= []);
    const endpointId = managedPrivateEndpointId(String(workspace.name), String(r.name));
    if (
      connections.some(
        (c) =>
          text((c.properties as { privateEndpoint?: { id?: string } } | undefined)?.privateEndpoint?.id).toLowerCase() ===
          endpointId.toLowerCase(),
      )
    )
      continue;
    const name = `${String(workspace.name)}.${String(r.name)}`;
    const connection = {
      id: `${String(target.id)}/privateEndpointConnections/${name}`,
      name,
      type: `${armTypeOfPath(String(target.id))}/privateEndpointConnections`,
      properties: {
        provisioningState: 'Succeeded',
        privateEndpoint: { id: endpointId },
        privateLinkServiceConnectionState: { status: 'Approved', description: 'Auto-Approved', actionsRequired: 'None' },
      },
    };
    connections.push(connection);
    app.resources.add(connection);
  }
  return { status: 'Active', sparkReady: false };
}
