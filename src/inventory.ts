/**
 * The inventory: the one place that talks to Azure. It reads each resource at most once per run
 * (concurrent reads of the same id share one call, failures included), counts requests, parses
 * ids case-insensitively, and hands checks typed, read-only views. Secrets are digested the moment
 * they arrive and the answers that carried them are dropped.
 */
import type { Workspace, ComputeResource, DiagnoseResponseResultValue } from '@azure/arm-machinelearning';
import type {
  VirtualNetwork,
  Subnet,
  NetworkSecurityGroup,
  RouteTable,
  PrivateEndpoint,
  ServiceTagsListResult,
  PrivateDnsZoneGroup,
} from '@azure/arm-network';
import type { VirtualNetworkLink } from '@azure/arm-privatedns';
import type { StorageAccount } from '@azure/arm-storage';
import type { FullOperationResponse } from '@azure/core-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { setMaxListeners } from 'node:events';
import type { Registry } from '@azure/arm-containerregistry';
import { abortError, waitFor } from './abort.js';
import { createClients, ML_API_VERSION, type ArmConnection, type Clients } from './arm/connection.js';
import { beginPost, listAll } from './arm/raw.js';
import type { ManagedNetwork, OutboundRule } from './network/managed.js';
import { parseManagedNetwork, parseOutboundRule } from './network/managed-schema.js';
import { isResourceGraphUrl, queryResources, ResourceGraphInventory } from './arm/resource-graph.js';
import { rbacActionFor, toArmRequestError } from './arm/errors.js';
import { idKey, parseResourceId, parentId, resourceType, sameId, type ResourceId } from './arm/resource-id.js';
import { digestSecret, type SecretDigest } from './secrets.js';
import { normaliseLocation } from './arm/location.js';
import { VERSION } from './version.js';

/** Whether an image exists in a registry. */
export type ArtifactLookup = { readonly exists: true; readonly digest: string } | { readonly exists: false; readonly missing: 'repository' | 'tag' | 'digest'; readonly code: string };

/** A workspace, with what api-versions newer than the SDK's model define. */
export type WorkspaceView = Workspace & {
  /** The managed virtual network; undefined when the isolation mode is `Disabled` or absent. */
  readonly managedNetwork: ManagedNetwork | undefined;
  /** Why `managedNetwork` could not be read (an unexpected shape, with its JSON path). */
  readonly managedNetworkError: string | undefined;
  /** A project workspace's hub (`kind: Project`), whose managed network it uses. */
  readonly hubResourceId: string | undefined;
  /** `Default`, `Hub`, `Project`, `FeatureStore` (newer api-versions). */
  readonly kind?: string | undefined;
};

/** A registry, with the service-endpoint rules the SDK model drops. */
export type RegistryView = Registry & { readonly virtualNetworkRules: readonly { readonly id: string; readonly action: string }[] };

/** A compute of the workspace, as the checks need it. */
export interface ComputeView {
  readonly id: string;
  readonly name: string;
  /** `AmlCompute`, `ComputeInstance`, `Kubernetes`, … */
  readonly computeType: string;
  readonly provisioningState: string | undefined;
  readonly vmSize: string | undefined;
  /** The subnet the compute's nodes sit in; absent when it is not in a customer VNet. */
  readonly subnetId: string | undefined;
  readonly location: string | undefined;
}

/** The workspace's `listKeys`, secrets digested. */
export interface WorkspaceKeyDigests {
  readonly storageKey: SecretDigest | null;
  /** `userStorageArmId` (newer api-versions) or `userStorageResourceId`. */
  readonly storageAccountId: string | null;
  readonly registry: { readonly username: string | null; readonly passwords: readonly NamedDigest[] } | null;
}

export interface NamedDigest {
  readonly name: string;
  readonly digest: SecretDigest | null;
}

/** A storage account's `listKeys`, digested. */
export interface StorageKeyDigests {
  readonly keys: readonly NamedDigest[];
}

/** A registry's `listCredentials`, digested. */
export interface RegistryCredentialDigests {
  readonly username: string | null;
  readonly passwords: readonly NamedDigest[];
}

export interface InventoryOptions {
  /** Aborts every request of the run (Ctrl-C, overall timeout). */
  abortSignal?: AbortSignal;
  /** At most this many HTTP requests in flight. Default 16. */
  concurrency?: number;
}

export interface ReadOptions {
  abortSignal?: AbortSignal;
}

/** Read-only, typed access to the ARM state of one run. */
export class Inventory {
  readonly #clients: Clients;
  readonly #connection: ArmConnection;
  readonly #cache = new Map<string, Promise<unknown>>();
  /** Cancels every request of the inventory: the run's signal, or dispose(). */
  readonly #signal: AbortSignal;
  readonly #disposer = new AbortController();
  readonly #limit: Semaphore;
  #requests = 0;
  #graphRequests = 0;
  #graph: ResourceGraphInventory | undefined;
  #graphFailure: string | undefined;
  readonly #resourcesRead = new Set<string>();

  constructor(connection: ArmConnection, options: InventoryOptions = {}) {
    this.#connection = connection;
    const onRequest = connection.onRequest;
    this.#clients = createClients(
      {
        ...connection,
        onRequest: (method, url) => {
          if (isResourceGraphUrl(url)) this.#graphRequests++;
          else this.#requests++;
          onRequest?.(method, url);
        },
      },
      `aml-preflight/${VERSION}`,
      { answerLocally: (method, url) => this.#graph?.answer(method, url) },
    );
    this.#signal = options.abortSignal ? AbortSignal.any([options.abortSignal, this.#disposer.signal]) : this.#disposer.signal;
    // Every request in flight listens on these; a subscription audit has hundreds.
    setMaxListeners(0, this.#signal, this.#disposer.signal);
    this.#limit = new Semaphore(options.concurrency ?? 16);
  }

  /**
   * Cancels every request still in flight (retries included) and makes later reads fail. Call it
   * when the run is over: a read that one check abandoned must not keep retrying in the background.
   */
  dispose(): void {
    this.#disposer.abort(new Error('the run is over'));
  }

  /** The ARM endpoint this inventory reads (a cloud's, or a mock's origin). */
  get endpoint(): string {
    return this.#connection.endpoint;
  }

  /** ARM requests sent so far, retries and polls included (Resource Graph queries not counted). */
  get requestCount(): number {
    return this.#requests;
  }

  /** Resource Graph queries sent so far, pages and retries included. */
  get resourceGraphRequestCount(): number {
    return this.#graphRequests;
  }

  /** Why {@link useResourceGraph} failed, when it did (the run then read everything from ARM). */
  get resourceGraphFailure(): string | undefined {
    return this.#graphFailure;
  }

  /** Where resources come from: ARM one by one, or Resource Graph queries loaded by {@link useResourceGraph}. */
  get mode(): 'arm' | 'resource-graph' {
    return this.#graph ? 'resource-graph' : 'arm';
  }

  /**
   * Loads the workspaces, storage accounts, registries, VNets, NSGs, route tables, private endpoints
   * and private DNS zones of `subscriptions` with Resource Graph queries; from then on ARM GETs of
   * those resources are answered from the results (see `arm/resource-graph.ts`). All or nothing:
   * if any page fails, this throws and the inventory stays in direct ARM mode.
   */
  async useResourceGraph(subscriptions: readonly string[], opts: ReadOptions & { pageSize?: number } = {}): Promise<{ rows: number }> {
    const subs = [...new Set(subscriptions.map((s) => s.toLowerCase()))];
    const scope = `/providers/Microsoft.ResourceGraph/resources (${subs.length} subscription${subs.length === 1 ? '' : 's'})`;
    const signal = opts.abortSignal ? AbortSignal.any([this.#signal, opts.abortSignal]) : this.#signal;
    try {
      const client = await this.#clients.resourceGraph();
      const rows = await queryResources(client, subs, { abortSignal: signal, ...(opts.pageSize ? { pageSize: opts.pageSize } : {}) });
      this.#graph = new ResourceGraphInventory(rows, subs);
      return { rows: rows.length };
    } catch (err) {
      const failure = toArmRequestError(err, 'POST query', scope, 'Microsoft.ResourceGraph/resources/read');
      this.#graphFailure = failure.message;
      throw failure;
    }
  }

  /** Distinct resources and actions read so far. */
  get distinctReads(): number {
    return this.#resourcesRead.size;
  }

  /**
   * A workspace, read at {@link ML_API_VERSION}. The SDK's 2022-10-01 model drops what newer
   * versions define; `managedNetwork`, `hubResourceId` and `kind` are read from the answer as ARM
   * sent it, and the managed network is validated there (a shape the spec does not define becomes
   * `managedNetworkError`, which the checks that need it report as `error`).
   */
  async workspace(id: string, opts?: ReadOptions): Promise<WorkspaceView> {
    const rid = parseResourceId(id);
    return this.#once('GET', rid, opts, async (signal) => {
      const ml = await this.#clients.ml(rid.subscriptionId);
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
      try {
        managedNetwork = parseManagedNetwork(raw?.properties?.managedNetwork, ws.id ?? rid.id);
      } catch (err) {
        managedNetworkError = (err as Error).message;
      }
      const hub = raw?.properties?.hubResourceId;
      const kind = typeof raw?.kind === 'string' ? raw.kind : undefined;
      return Object.assign(ws, {
        managedNetwork,
        managedNetworkError,
        hubResourceId: typeof hub === 'string' && hub !== '' ? hub : undefined,
        ...(kind ? { kind } : {}),
      }) as WorkspaceView;
    });
  }

  /**
   * The outbound rules of a workspace's managed network (`GET …/outboundRules`, all pages), each
   * validated; a shape the spec does not define fails the read naming its JSON path.
   */
  async outboundRules(workspaceId: string, opts?: ReadOptions): Promise<readonly OutboundRule[]> {
    const rid = parseResourceId(workspaceId);
    const scope = `${rid.id}/outboundRules`;
    return this.#onceKey(`LIST outboundRules ${idKey(rid.id)}`, 'LIST outboundRules', scope, 'Microsoft.MachineLearningServices/workspaces/outboundRules/read', opts, async (signal) => {
      const ml = await this.#clients.ml(rid.subscriptionId);
      const items = await listAll(ml, `${this.#connection.endpoint}${rid.id}/outboundRules?api-version=${ML_API_VERSION}`, signal);
      return items.map((item, i) => parseOutboundRule(item, i, rid.id));
    });
  }

  /**
   * Provisions the workspace's managed network (`POST …/provisionManagedNetwork`, a long-running
   * operation) and waits for it; then forgets every cached read so the next ones show the state
   * after it. Answers the final provision status.
   */
  async provisionManagedNetwork(workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<{ status?: string }> {
    const rid = parseResourceId(workspaceId);
    let result: { status?: string } | undefined;
    try {
      const ml = await this.#clients.ml(rid.subscriptionId);
      const url = `${this.#connection.endpoint}${rid.id}/provisionManagedNetwork?api-version=${ML_API_VERSION}`;
      result = await this.#lro<{ status?: string }>(opts, (options) => beginPost(ml, url, { includeSpark: false }, options));
    } catch (err) {
      throw toArmRequestError(err, 'POST provisionManagedNetwork', rid.id, rbacActionFor(rid.id, 'provisionManagedNetwork'));
    }
    // Provisioning changes more than the workspace: the rules, and the connections on the registry
    // and storage account. Every later read must see Azure as it is now.
    this.forgetReads();
    return result ?? {};
  }

  /** The workspace with its computes, storage account and registry, read at once (each cached as usual). */
  async workspaceEstate(workspaceId: string, opts?: ReadOptions): Promise<{ workspace: WorkspaceView; computes: readonly ComputeView[]; storage: StorageAccount | undefined; registry: RegistryView | undefined }> {
    const workspace = await this.workspace(workspaceId, opts);
    const [computes, storage, registry] = await Promise.all([
      this.computes(workspaceId, opts),
      workspace.storageAccount ? this.storageAccount(workspace.storageAccount, opts) : undefined,
      workspace.containerRegistry ? this.registry(workspace.containerRegistry, opts) : undefined,
    ]);
    return { workspace, computes, storage, registry };
  }

  /** The workspace and its container registry (undefined when it has none yet). */
  async workspaceRegistry(workspaceId: string, opts?: ReadOptions): Promise<{ workspace: WorkspaceView; registry: RegistryView; registryId: string; registryName: string } | undefined> {
    const workspace = await this.workspace(workspaceId, opts);
    if (!workspace.containerRegistry) return undefined;
    const registry = await this.registry(workspace.containerRegistry, opts);
    return { workspace, registry, registryId: registry.id ?? workspace.containerRegistry, registryName: registry.name ?? workspace.containerRegistry.split('/').pop()! };
  }

  /** The workspace's computes (all pages). */
  async computes(workspaceId: string, opts?: ReadOptions): Promise<readonly ComputeView[]> {
    const rid = parseResourceId(workspaceId);
    return this.#once('LIST computes', rid, opts, async (signal) => {
      const ml = await this.#clients.ml(rid.subscriptionId);
      const out: ComputeView[] = [];
      for await (const c of ml.computeOperations.list(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal })) out.push(computeView(c));
      return out;
    });
  }

  /** The workspaces of a subscription, or of one resource group in it (all pages). */
  async workspaces(subscriptionId: string, resourceGroup?: string, opts?: ReadOptions): Promise<readonly Workspace[]> {
    const scope = `/subscriptions/${subscriptionId}${resourceGroup ? `/resourceGroups/${resourceGroup}` : ''}`;
    return this.#onceKey(`LIST workspaces ${idKey(scope)}`, 'LIST workspaces', scope, 'Microsoft.MachineLearningServices/workspaces/read', opts, async (signal) => {
      const ml = await this.#clients.ml(subscriptionId);
      const out: Workspace[] = [];
      const pages = resourceGroup ? ml.workspaces.listByResourceGroup(resourceGroup, { abortSignal: signal }) : ml.workspaces.listBySubscription({ abortSignal: signal });
      for await (const w of pages) out.push(w);
      return out;
    });
  }

  async storageAccount(id: string, opts?: ReadOptions): Promise<StorageAccount> {
    const rid = parseResourceId(id);
    return this.#once('GET', rid, opts, async (signal) => {
      const st = await this.#clients.storage(rid.subscriptionId);
      return st.storageAccounts.getProperties(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
    });
  }

  /**
   * A container registry. `virtualNetworkRules` (ACR's service-endpoint rules, a retired preview the
   * current SDK model no longer carries) are read from the answer as ARM sent it.
   */
  async registry(id: string, opts?: ReadOptions): Promise<RegistryView> {
    const rid = parseResourceId(id);
    return this.#once('GET', rid, opts, async (signal) => {
      const cr = await this.#clients.registry(rid.subscriptionId);
      let rules: { id?: string; action?: string }[] = [];
      const registry = await cr.registries.get(rid.resourceGroup!, rid.names[0]!, {
        abortSignal: signal,
        onResponse: (r: { parsedBody?: unknown }) => {
          const body = r.parsedBody as { properties?: { networkRuleSet?: { virtualNetworkRules?: unknown } } } | undefined;
          const raw = body?.properties?.networkRuleSet?.virtualNetworkRules;
          rules = Array.isArray(raw) ? (raw as { id?: string; action?: string }[]) : [];
        },
      });
      return Object.assign(registry, { virtualNetworkRules: rules.filter((x) => typeof x.id === 'string').map((x) => ({ id: x.id!, action: x.action ?? 'Allow' })) });
    });
  }

  /** The private DNS zone groups of a private endpoint (all pages). */
  async privateDnsZoneGroups(privateEndpointId: string, opts?: ReadOptions): Promise<readonly PrivateDnsZoneGroup[]> {
    const rid = parseResourceId(privateEndpointId);
    return this.#onceKey(`LIST zonegroups ${idKey(rid.id)}`, 'LIST privateDnsZoneGroups', rid.id, 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read', opts, async (signal) => {
      const net = await this.#clients.network(rid.subscriptionId);
      const out: PrivateDnsZoneGroup[] = [];
      for await (const g of net.privateDnsZoneGroups.list(rid.names[0]!, rid.resourceGroup!, { abortSignal: signal })) out.push(g);
      return out;
    });
  }

  /** The virtual network links of a private DNS zone (all pages). */
  async privateDnsZoneLinks(zoneId: string, opts?: ReadOptions): Promise<readonly VirtualNetworkLink[]> {
    const rid = parseResourceId(zoneId);
    return this.#onceKey(`LIST zonelinks ${idKey(rid.id)}`, 'LIST virtualNetworkLinks', rid.id, 'Microsoft.Network/privateDnsZones/virtualNetworkLinks/read', opts, async (signal) => {
      const dns = await this.#clients.privateDns(rid.subscriptionId);
      const out: VirtualNetworkLink[] = [];
      for await (const l of dns.virtualNetworkLinks.list(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal })) out.push(l);
      return out;
    });
  }

  async virtualNetwork(id: string, opts?: ReadOptions): Promise<VirtualNetwork> {
    const rid = parseResourceId(id);
    return this.#once('GET', rid, opts, async (signal) => {
      const net = await this.#clients.network(rid.subscriptionId);
      return net.virtualNetworks.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
    });
  }

  /**
   * A subnet. ARM embeds subnets in their virtual network, so this reads the VNet (which checks
   * need anyway) and falls back to the subnet's own id only when the VNet does not embed it.
   */
  async subnet(id: string, opts?: ReadOptions): Promise<Subnet> {
    const rid = parseResourceId(id);
    if (resourceType(rid).toLowerCase() !== 'microsoft.network/virtualnetworks/subnets') {
      throw new TypeError(`${id} is not a subnet id (…/virtualNetworks/<vnet>/subnets/<subnet>)`);
    }
    const vnet = await this.virtualNetwork(parentId(rid)!, opts);
    const embedded = vnet.subnets?.find((s) => sameId(s.id, id));
    if (embedded) return embedded;
    return this.#once('GET', rid, opts, async (signal) => {
      const net = await this.#clients.network(rid.subscriptionId);
      return net.subnets.get(rid.resourceGroup!, rid.names[0]!, rid.names[1]!, { abortSignal: signal });
    });
  }

  async networkSecurityGroup(id: string, opts?: ReadOptions): Promise<NetworkSecurityGroup> {
    const rid = parseResourceId(id);
    return this.#once('GET', rid, opts, async (signal) => {
      const net = await this.#clients.network(rid.subscriptionId);
      return net.networkSecurityGroups.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
    });
  }

  async routeTable(id: string, opts?: ReadOptions): Promise<RouteTable> {
    const rid = parseResourceId(id);
    return this.#once('GET', rid, opts, async (signal) => {
      const net = await this.#clients.network(rid.subscriptionId);
      return net.routeTables.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
    });
  }

  async privateEndpoint(id: string, opts?: ReadOptions): Promise<PrivateEndpoint> {
    const rid = parseResourceId(id);
    return this.#once('GET', rid, opts, async (signal) => {
      const net = await this.#clients.network(rid.subscriptionId);
      return net.privateEndpoints.get(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
    });
  }

  /** The live service tags of a region (`serviceTags.list(location)`). */
  async serviceTags(subscriptionId: string, location: string, opts?: ReadOptions): Promise<ServiceTagsListResult> {
    const loc = normaliseLocation(location);
    const scope = `/subscriptions/${subscriptionId}/providers/Microsoft.Network/locations/${loc}/serviceTags`;
    return this.#onceKey(`GET ${idKey(scope)}`, 'GET', scope, 'Microsoft.Network/locations/serviceTags/read', opts, async (signal) => {
      const net = await this.#clients.network(subscriptionId);
      return net.serviceTags.list(loc, { abortSignal: signal });
    });
  }

  /** The resource types that support private endpoints in a region, lower-cased (`microsoft.containerregistry/registries`). */
  async availablePrivateEndpointTypes(subscriptionId: string, location: string, opts?: ReadOptions): Promise<ReadonlySet<string>> {
    const loc = normaliseLocation(location);
    const scope = `/subscriptions/${subscriptionId}/providers/Microsoft.Network/locations/${loc}/availablePrivateEndpointTypes`;
    return this.#onceKey(`GET ${idKey(scope)}`, 'GET', scope, 'Microsoft.Network/locations/availablePrivateEndpointTypes/read', opts, async (signal) => {
      const net = await this.#clients.network(subscriptionId);
      const out = new Set<string>();
      for await (const t of net.availablePrivateEndpointTypes.list(loc, { abortSignal: signal })) {
        if (t.resourceName) out.add(t.resourceName.toLowerCase());
      }
      return out;
    });
  }

  /** The workspace's `listKeys`, digested; the answer itself is dropped. */
  async workspaceKeys(workspaceId: string, opts?: ReadOptions): Promise<WorkspaceKeyDigests> {
    const rid = parseResourceId(workspaceId);
    return this.#once('POST listKeys', rid, opts, async (signal) => {
      const ml = await this.#clients.ml(rid.subscriptionId);
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
        registry: registry && typeof registry === 'object' ? { username: str(registry.username), passwords: digestNamed(Array.isArray(registry.passwords) ? registry.passwords : [], 'name') } : null,
      };
    }, 'listKeys');
  }

  async storageKeys(storageAccountId: string, opts?: ReadOptions): Promise<StorageKeyDigests> {
    const rid = parseResourceId(storageAccountId);
    return this.#once('POST listKeys', rid, opts, async (signal) => {
      const st = await this.#clients.storage(rid.subscriptionId);
      const res = await st.storageAccounts.listKeys(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
      return { keys: digestNamed(res.keys, 'keyName') };
    }, 'listKeys');
  }

  async registryCredentials(registryId: string, opts?: ReadOptions): Promise<RegistryCredentialDigests> {
    const rid = parseResourceId(registryId);
    return this.#once('POST listCredentials', rid, opts, async (signal) => {
      const cr = await this.#clients.registry(rid.subscriptionId);
      const res = await cr.registries.listCredentials(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
      return { username: res.username ?? null, passwords: digestNamed(res.passwords, 'name') };
    }, 'listCredentials');
  }

  /**
   * Runs the workspace's `resyncKeys` long-running operation to completion, then forgets the cached
   * key digests so the next read shows the state after the resync.
   *
   * The poll loop is ours: the generated SDK polls once inside `beginResyncKeys` and again at once
   * in `pollUntilDone`, so the first poll answer's `Retry-After` would be ignored. Here every poll
   * waits what the previous answer's `Retry-After` asked (seconds or an HTTP date), else
   * `pollIntervalInMs`.
   */
  async resyncKeys(workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<void> {
    const rid = parseResourceId(workspaceId);
    try {
      const ml = await this.#clients.ml(rid.subscriptionId);
      await this.#lro(opts, (options) => ml.workspaces.beginResyncKeys(rid.resourceGroup!, rid.names[0]!, options));
    } catch (err) {
      throw toArmRequestError(err, 'POST resyncKeys', rid.id, rbacActionFor(rid.id, 'resyncKeys'));
    }
    this.forgetKeys();
  }

  /**
   * Azure ML's server-side diagnosis of the workspace (`POST …/diagnose`, a long-running operation
   * that can take minutes), read once per run.
   */
  async diagnose(workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<DiagnoseResponseResultValue> {
    const rid = parseResourceId(workspaceId);
    return this.#once('POST diagnose', rid, opts, async () => {
      const ml = await this.#clients.ml(rid.subscriptionId);
      const result = await this.#lro(opts, (options) => ml.workspaces.beginDiagnose(rid.resourceGroup!, rid.names[0]!, { ...options, parameters: { value: {} } }));
      return (result as { value?: DiagnoseResponseResultValue } | undefined)?.value ?? {};
    }, 'diagnose');
  }

  /**
   * Runs a long-running operation to completion. The poll loop is ours: the generated SDK polls once
   * inside `begin…` and again at once in `pollUntilDone`, so the first poll answer's `Retry-After`
   * would be ignored. Here every poll waits what the previous answer's `Retry-After` asked
   * (seconds or an HTTP date), else `pollIntervalInMs`.
   */
  async #lro<T>(
    opts: ReadOptions & { pollIntervalInMs?: number },
    begin: (options: { abortSignal: AbortSignal; updateIntervalInMs: number; onResponse: (r: { headers: { get(name: string): string | undefined } }) => void }) => Promise<{ isDone(): boolean; poll(o: { abortSignal: AbortSignal }): Promise<void>; getResult(): T | undefined }>,
  ): Promise<T | undefined> {
    const signal = opts.abortSignal ? AbortSignal.any([this.#signal, opts.abortSignal]) : this.#signal;
    const interval = opts.pollIntervalInMs ?? 2000;
    let retryAfterMs: number | undefined;
    const poller = await begin({
      abortSignal: signal,
      updateIntervalInMs: interval,
      onResponse: (r) => {
        retryAfterMs = parseRetryAfter(r.headers.get('retry-after'));
      },
    });
    while (!poller.isDone()) {
      await sleep(retryAfterMs ?? interval, undefined, { signal });
      await poller.poll({ abortSignal: signal });
    }
    return poller.getResult();
  }

  /**
   * Whether `repository:tag` (or `@digest`) exists in a registry, through the ACR data plane
   * (@azure/container-registry, authenticated with the same credential). Read once per run.
   */
  async registryArtifact(loginServer: string, repository: string, reference: { tag?: string; digest?: string }, opts?: ReadOptions): Promise<ArtifactLookup> {
    const key = `ACR ${loginServer.toLowerCase()}/${repository}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`;
    return this.#onceKey(key, 'GET artifact', `${loginServer}/${repository}`, 'Microsoft.ContainerRegistry/registries/pull/read (AcrPull)', opts, async (signal) => {
      const client = await this.#registryDataClient(loginServer);
      try {
        const repo = client.getRepository(repository);
        if (reference.digest) {
          const m = await repo.getArtifact(reference.digest).getManifestProperties({ abortSignal: signal });
          return { exists: true, digest: m.digest };
        }
        const t = await repo.getArtifact(reference.tag!).getTagProperties(reference.tag!, { abortSignal: signal });
        return { exists: true, digest: t.digest };
      } catch (err) {
        const code = (err as { code?: string; statusCode?: number; details?: { errors?: { code?: string }[] } }).details?.errors?.[0]?.code ?? (err as { code?: string }).code;
        if ((err as { statusCode?: number }).statusCode === 404) {
          return { exists: false, missing: code === 'NAME_UNKNOWN' ? 'repository' : code === 'MANIFEST_UNKNOWN' ? 'digest' : 'tag', code: code ?? 'NOT_FOUND' };
        }
        throw err;
      }
    });
  }

  #dataClients = new Map<string, Promise<import('@azure/container-registry').ContainerRegistryClient>>();
  #registryDataClient(loginServer: string): Promise<import('@azure/container-registry').ContainerRegistryClient> {
    const key = loginServer.toLowerCase();
    let p = this.#dataClients.get(key);
    if (!p) {
      p = import('@azure/container-registry').then(({ ContainerRegistryClient, KnownContainerRegistryAudience }) => {
        const endpoint = this.#connection.registryEndpoint?.(loginServer) ?? `https://${loginServer}`;
        const audience = /chinacloudapi/.test(this.#connection.endpoint)
          ? KnownContainerRegistryAudience.AzureResourceManagerChina
          : /usgovcloudapi/.test(this.#connection.endpoint)
            ? KnownContainerRegistryAudience.AzureResourceManagerGovernment
            : KnownContainerRegistryAudience.AzureResourceManagerPublicCloud;
        return new ContainerRegistryClient(endpoint, this.#connection.credential, {
          audience,
          ...(this.#connection.ca ? { tlsOptions: { ca: this.#connection.ca } } : {}),
          retryOptions: { maxRetries: this.#connection.maxRetries ?? 4, retryDelayInMs: this.#connection.retryDelayInMs ?? 500 },
        });
      });
      this.#dataClients.set(key, p);
    }
    return p;
  }

  /** Drops every cached read, so the next reads show Azure as it is now (after a fix changed it). */
  forgetReads(): void {
    this.#cache.clear();
  }

  /** Drops the cached key digests (workspace, storage account, registry) so the next read is fresh; nothing else. */
  forgetKeys(): void {
    for (const key of [...this.#cache.keys()]) if (key.startsWith('POST listKeys ') || key.startsWith('POST listCredentials ')) this.#cache.delete(key);
  }

  #once<T>(operation: string, rid: ResourceId, opts: ReadOptions | undefined, read: (signal: AbortSignal) => Promise<T>, action?: string): Promise<T> {
    return this.#onceKey(`${operation} ${idKey(rid.id)}`, operation, rid.id, rbacActionFor(rid.id, action), opts, read);
  }

  /**
   * Single flight: the first caller reads, later callers share its promise. Failures are cached
   * too: the SDK already retried, and a second check asking must get the same answer. The shared
   * request runs under the run's signal only; a caller's own signal (its check timed out) stops
   * that caller waiting without failing the read for the others.
   */
  #onceKey<T>(
    key: string,
    operation: string,
    resourceId: string,
    requiredAction: string | undefined,
    opts: ReadOptions | undefined,
    read: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    let p = this.#cache.get(key) as Promise<T> | undefined;
    if (!p) {
      this.#resourcesRead.add(key);
      p = this.#limit.run(() => read(this.#signal).then(compactArrays)).catch((err: unknown) => {
        throw toArmRequestError(err, operation, resourceId, requiredAction);
      });
      p.catch(() => undefined);
      this.#cache.set(key, p);
    }
    return waitFor(p, opts?.abortSignal, () => toArmRequestError(abortError(), operation, resourceId));
  }
}

/**
 * Drops `null` entries from every array of an answer, in place: the checks iterate subnets,
 * rules, connections and tag values, and one `null` among them must not crash a check.
 */
export function compactArrays<T>(value: T): T {
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) if (v[i] === null || v[i] === undefined) v.splice(i, 1);
      for (const x of v) walk(x);
      return;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return;
    for (const x of Object.values(v as Record<string, unknown>)) walk(x);
  };
  walk(value);
  return value;
}

interface RawWorkspaceKeys {
  userStorageKey?: string | null;
  userStorageResourceId?: string | null;
  userStorageArmId?: string | null;
  containerRegistryCredentials?: { username?: string | null; passwords?: { name?: string; value?: string | null }[] | null } | null;
}

function digestNamed<K extends string>(items: ReadonlyArray<Partial<Record<K | 'value', string | null | undefined>>> | null | undefined, nameField: K): NamedDigest[] {
  return (items ?? []).map((item) => {
    const value = item.value;
    return { name: String(item[nameField] ?? ''), digest: typeof value === 'string' && value !== '' ? digestSecret(value) : null };
  });
}

/** The SDK's polymorphic compute model, reduced to what the checks read. */
export function computeView(c: ComputeResource): ComputeView {
  const props = (c.properties ?? {}) as { computeType?: string; provisioningState?: string; properties?: { vmSize?: string; subnet?: { id?: string } | null } | null };
  const inner = props.properties ?? {};
  return {
    id: c.id ?? '',
    name: c.name ?? '',
    computeType: props.computeType ?? 'Unknown',
    provisioningState: props.provisioningState,
    vmSize: inner.vmSize,
    subnetId: inner.subnet?.id ?? undefined,
    location: c.location,
  };
}

export { normaliseLocation } from './arm/location.js';

/** `Retry-After` in milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}


/** Bounds concurrent requests. */
class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(size: number) {
    this.#free = Math.max(1, size);
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}
