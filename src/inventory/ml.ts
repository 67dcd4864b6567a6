/** Microsoft.MachineLearningServices: workspaces, their managed network, computes and keys. */
import type { ComputeResource, DiagnoseResponseResultValue, Workspace } from '@azure/arm-machinelearning';
import type { FullOperationResponse } from '@azure/core-client';
import { ML_API_VERSION } from '../arm/connection.js';
import { rbacActionFor, toArmRequestError } from '../arm/errors.js';
import { beginPost, getOne, listAll } from '../arm/raw.js';
import { idKey, parseResourceId } from '../base/resource-id.js';
import { outboundRulesCollectionId, type ManagedNetwork, type ManagedNetworkKind, type OutboundRule } from '../network/managed.js';
import { managedNetworkKindOf, parseManagedNetwork, parseManagedNetworkV2, parseOutboundRule } from '../network/gather/managed-schema.js';
import { digestSecret } from '../base/secrets.js';
import type { ArmReader } from './reader.js';
import { digestNamed, type ComputeView, type ReadOptions, type WorkspaceKeyDigests, type WorkspaceView } from './views.js';

export async function workspace(r: ArmReader, id: string, opts?: ReadOptions): Promise<WorkspaceView> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const ml = await r.clients.ml(rid.subscriptionId);
    let raw: { kind?: unknown; properties?: { managedNetwork?: unknown; hubResourceId?: unknown } } | undefined;
    const ws = await ml.workspaces.get(rid.resourceGroup!, rid.names[0]!, {
      abortSignal: signal,
      onResponse: (r: FullOperationResponse) => {
        try {
          raw = JSON.parse(r.bodyAsText ?? 'null') as typeof raw;
        } catch {
          raw = undefined;
        }
      },
    });
    let managedNetwork: ManagedNetwork | undefined;
    let managedNetworkError: string | undefined;
    // A V2 workspace keeps its network in a child resource: what the workspace body still says of
    // it (a V1 leftover after the move) is never read as the network.
    const managedNetworkKind = managedNetworkKindOf(raw?.properties?.managedNetwork);
    try {
      if (managedNetworkKind === 'V1') managedNetwork = parseManagedNetwork(raw?.properties?.managedNetwork, ws.id ?? rid.id);
    } catch (err) {
      managedNetworkError = (err as Error).message;
    }
    const hub = raw?.properties?.hubResourceId;
    const kind = typeof raw?.kind === 'string' ? raw.kind : undefined;
    return Object.assign(ws, {
      managedNetwork,
      managedNetworkError,
      managedNetworkKind,
      hubResourceId: typeof hub === 'string' && hub !== '' ? hub : undefined,
      ...(kind ? { kind } : {}),
    });
  });
}

/**
 * The outbound rules of a workspace's managed network, all pages: V1 at `…/outboundRules`, V2 at
 * `…/managedNetworks/default/outboundRules` (the same `OutboundRuleBasicResource` items).
 */
export async function outboundRules(
  r: ArmReader,
  workspaceId: string,
  kind: ManagedNetworkKind = 'V1',
  opts?: ReadOptions,
): Promise<readonly OutboundRule[]> {
  const rid = parseResourceId(workspaceId);
  const scope = outboundRulesCollectionId(rid.id, kind);
  const operation = kind === 'V2' ? 'LIST managedNetworks/default/outboundRules' : 'LIST outboundRules';
  return r.onceKey(
    `${operation} ${idKey(rid.id)}`,
    operation,
    scope,
    kind === 'V2'
      ? 'Microsoft.MachineLearningServices/workspaces/managedNetworks/outboundRules/read'
      : 'Microsoft.MachineLearningServices/workspaces/outboundRules/read',
    opts,
    async (signal) => {
      const ml = await r.clients.ml(rid.subscriptionId);
      const items = await listAll(ml, `${r.connection.endpoint}${scope}?api-version=${ML_API_VERSION}`, signal);
      return items.map((item, i) => parseOutboundRule(item, i, scope));
    },
  );
}

/**
 * A V2 workspace's managed network, `GET …/managedNetworks/default` (api-version 2025-12-01),
 * validated: undefined when its isolation mode is `Disabled`.
 */
export async function managedNetworkV2(r: ArmReader, workspaceId: string, opts?: ReadOptions): Promise<ManagedNetwork | undefined> {
  const rid = parseResourceId(workspaceId);
  const id = `${rid.id}/managedNetworks/default`;
  return r.onceKey(
    `GET managedNetworks/default ${idKey(rid.id)}`,
    'GET managedNetworks/default',
    id,
    'Microsoft.MachineLearningServices/workspaces/managedNetworks/read',
    opts,
    async (signal) => {
      const ml = await r.clients.ml(rid.subscriptionId);
      return parseManagedNetworkV2(await getOne(ml, `${r.connection.endpoint}${id}?api-version=${ML_API_VERSION}`, signal), id);
    },
  );
}

export async function provisionManagedNetwork(
  r: ArmReader,
  workspaceId: string,
  opts: ReadOptions & { pollIntervalInMs?: number } = {},
): Promise<{ status?: string }> {
  const rid = parseResourceId(workspaceId);
  let result: { status?: string } | undefined;
  try {
    const ml = await r.clients.ml(rid.subscriptionId);
    const url = `${r.connection.endpoint}${rid.id}/provisionManagedNetwork?api-version=${ML_API_VERSION}`;
    result = await r.lro<{ status?: string }>(opts, (options) => beginPost(ml, url, { includeSpark: false }, options));
  } catch (err) {
    throw toArmRequestError(err, 'POST provisionManagedNetwork', rid.id, rbacActionFor(rid.id, 'provisionManagedNetwork'));
  }
  // Provisioning changes more than the workspace: the rules, and the connections on the registry
  // and storage account. Every later read must see Azure as it is now.
  r.forgetReads();
  return result ?? {};
}

export async function computes(r: ArmReader, workspaceId: string, opts?: ReadOptions): Promise<readonly ComputeView[]> {
  const rid = parseResourceId(workspaceId);
  return r.once('LIST computes', rid, opts, async (signal) => {
    const ml = await r.clients.ml(rid.subscriptionId);
    const out: ComputeView[] = [];
    for await (const c of ml.computeOperations.list(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal })) out.push(computeView(c));
    return out;
  });
}

export async function workspaces(
  r: ArmReader,
  subscriptionId: string,
  resourceGroup?: string,
  opts?: ReadOptions,
): Promise<readonly Workspace[]> {
  const scope = `/subscriptions/${subscriptionId}${resourceGroup ? `/resourceGroups/${resourceGroup}` : ''}`;
  return r.onceKey(
    `LIST workspaces ${idKey(scope)}`,
    'LIST workspaces',
    scope,
    'Microsoft.MachineLearningServices/workspaces/read',
    opts,
    async (signal) => {
      const ml = await r.clients.ml(subscriptionId);
      const out: Workspace[] = [];
      const pages = resourceGroup
        ? ml.workspaces.listByResourceGroup(resourceGroup, { abortSignal: signal })
        : ml.workspaces.listBySubscription({ abortSignal: signal });
      for await (const w of pages) out.push(w);
      return out;
    },
  );
}

export async function workspaceKeys(r: ArmReader, workspaceId: string, opts?: ReadOptions): Promise<WorkspaceKeyDigests> {
  const rid = parseResourceId(workspaceId);
  return r.once(
    'POST listKeys',
    rid,
    opts,
    async (signal) => {
      const ml = await r.clients.ml(rid.subscriptionId);
      let raw: RawWorkspaceKeys = {};
      await ml.workspaces.listKeys(rid.resourceGroup!, rid.names[0]!, {
        abortSignal: signal,
        // The SDK model predates `userStorageArmId`; read the answer as ARM sent it.
        onResponse: (r: FullOperationResponse) => {
          raw = (r.parsedBody ?? {}) as RawWorkspaceKeys;
        },
      });
      const registry = raw.containerRegistryCredentials;
      const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
      const storageKey = str(raw.userStorageKey);
      return {
        storageKey: storageKey ? digestSecret(storageKey) : null,
        storageAccountId: str(raw.userStorageArmId) ?? str(raw.userStorageResourceId),
        registry:
          registry && typeof registry === 'object'
            ? {
                username: str(registry.username),
                passwords: digestNamed(Array.isArray(registry.passwords) ? registry.passwords : [], 'name'),
              }
            : null,
      };
    },
    'listKeys',
  );
}

export async function resyncKeys(r: ArmReader, workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<void> {
  const rid = parseResourceId(workspaceId);
  try {
    const ml = await r.clients.ml(rid.subscriptionId);
    await r.lro(opts, (options) => ml.workspaces.beginResyncKeys(rid.resourceGroup!, rid.names[0]!, options));
  } catch (err) {
    throw toArmRequestError(err, 'POST resyncKeys', rid.id, rbacActionFor(rid.id, 'resyncKeys'));
  }
  r.forgetKeys();
}

export async function diagnose(
  r: ArmReader,
  workspaceId: string,
  opts: ReadOptions & { pollIntervalInMs?: number } = {},
): Promise<DiagnoseResponseResultValue> {
  const rid = parseResourceId(workspaceId);
  return r.once(
    'POST diagnose',
    rid,
    opts,
    async () => {
      const ml = await r.clients.ml(rid.subscriptionId);
      const result = await r.lro(opts, (options) =>
        ml.workspaces.beginDiagnose(rid.resourceGroup!, rid.names[0]!, { ...options, parameters: { value: {} } }),
      );
      return result?.value ?? {};
    },
    'diagnose',
  );
}

interface RawWorkspaceKeys {
  userStorageKey?: string | null;
  userStorageResourceId?: string | null;
  userStorageArmId?: string | null;
  containerRegistryCredentials?: { username?: string | null; passwords?: { name?: string; value?: string | null }[] | null } | null;
}

/** The computes Azure ML creates itself: ARM names their subnet when they have one, so none means none. */
const CREATED_BY_AZURE_ML = new Set(['amlcompute', 'computeinstance']);

/**
 * The SDK's polymorphic compute model, reduced to what the checks read. Where ARM names the
 * compute's subnet depends on its type: `properties.properties.subnet.id` (AmlCompute,
 * ComputeInstance), `properties.properties.aksNetworkingConfiguration.subnetId` (AKS). An attached
 * compute (Kubernetes, a VM, HDInsight, …) without either is somewhere ARM does not say.
 * https://learn.microsoft.com/rest/api/azureml/compute/get
 */
export function computeView(c: ComputeResource): ComputeView {
  const props = (c.properties ?? {}) as {
    computeType?: string;
    provisioningState?: string;
    properties?: {
      vmSize?: string;
      subnet?: { id?: string } | null;
      aksNetworkingConfiguration?: { subnetId?: string | null } | null;
    } | null;
  };
  const inner = props.properties ?? {};
  const computeType = props.computeType ?? 'Unknown';
  const subnetId = str(inner.subnet?.id) ?? str(inner.aksNetworkingConfiguration?.subnetId);
  return {
    id: c.id ?? '',
    name: c.name ?? '',
    computeType,
    provisioningState: props.provisioningState,
    vmSize: inner.vmSize,
    subnetId,
    network: subnetId ? 'subnet' : CREATED_BY_AZURE_ML.has(computeType.toLowerCase()) ? 'none' : 'unknown',
    location: c.location,
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
