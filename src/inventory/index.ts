/**
 * The inventory: the one place that talks to Azure. It reads each resource at most once per run
 * (concurrent reads of the same id share one call, failures included), counts requests, parses
 * ids case-insensitively, and hands checks typed, read-only views. Secrets are digested the moment
 * they arrive and the answers that carried them are dropped.
 *
 * This class is the face; the reads live by provider (`ml.ts`, `network.ts`, `storage.ts`,
 * `registry.ts`) over the shared machinery of `reader.ts`.
 */
import type { Workspace, DiagnoseResponseResultValue } from '@azure/arm-machinelearning';
import type {
  NetworkSecurityGroup,
  PrivateDnsZoneGroup,
  PrivateEndpoint,
  RouteTable,
  ServiceTagsListResult,
  Subnet,
  VirtualNetwork,
} from '@azure/arm-network';
import type { PrivateZone, RecordSet, VirtualNetworkLink } from '@azure/arm-privatedns';
import type { StorageAccount } from '@azure/arm-storage';
import type { ArmConnection } from '../arm/connection.js';
import type { SharedGets } from '../arm/clients.js';
import type { RbacFacts } from '../identity/rbac-types.js';
import { ArmRequestError } from '../arm/errors.js';
import type { ManagedNetwork, ManagedNetworkKind, OutboundRule } from '../network/managed.js';
import * as keyvault from './keyvault.js';
import * as ml from './ml.js';
import * as network from './network.js';
import * as authorization from './authorization.js';
import * as firewall from './firewall.js';
import * as vwan from './virtual-wan.js';
import { ArmReader } from './reader.js';
import * as registry from './registry.js';
import * as storage from './storage.js';
import * as tenant from './tenant.js';
import * as deployments from './deployments.js';
import type { WhatIfChangeView, WhatIfRequest } from './deployments.js';
import type { DescendantView, SubscriptionView } from './tenant.js';
import type {
  ArtifactLookup,
  ComputeView,
  InventoryOptions,
  KeyVaultView,
  ReadOptions,
  RegistryCredentialDigests,
  RegistryView,
  StorageKeyDigests,
  WorkspaceKeyDigests,
  WorkspaceView,
} from './views.js';

export type * from './views.js';
export type { ComputeIdentityView, ManagedIdentityView, WorkspaceIdentityView } from './authorization.js';
export type { DescendantView, SubscriptionView } from './tenant.js';
export type { RegistryLookupView } from './registry.js';
export type { DeploymentScope, WhatIfChangeView, WhatIfRequest } from './deployments.js';
export { computeView } from './ml.js';
export { compactArrays, parseRetryAfter } from './reader.js';
export { normaliseLocation } from '../arm/location.js';

/** Read-only, typed access to the ARM state of one run. */
export class Inventory {
  readonly #r: ArmReader;
  readonly #plan: InventoryOptions['plan'];

  constructor(connection: ArmConnection, options: InventoryOptions = {}) {
    this.#r = new ArmReader(connection, options);
    this.#plan = options.plan;
  }

  /**
   * Why a value cannot be used (`--what-if`: a value of the planned state ARM left unevaluated), as
   * the error a read of it raises, naming where it came from; undefined for any other value. A read
   * by such an id fails with it: only what uses the value errors.
   */
  unevaluated(value: unknown): ArmRequestError | undefined {
    const at = typeof value === 'string' ? this.#plan?.describe?.(value) : undefined;
    return at
      ? new ArmRequestError({ operation: 'what-if', resourceId: at.resourceId, code: 'WhatIfUnevaluated', detail: at.message })
      : undefined;
  }

  /** A read by an id the planned state left unevaluated: its error, else undefined (read it). */
  #unknown(id: string): Promise<never> | undefined {
    const err = this.unevaluated(id);
    return err ? Promise.reject(err) : undefined;
  }

  /**
   * Cancels every request still in flight (retries included) and makes later reads fail. Call it
   * when the run is over: a read that one check abandoned must not keep retrying in the background.
   */
  dispose(): void {
    this.#r.dispose();
  }

  /** The ARM endpoint this inventory reads (a cloud's, or a mock's origin). */
  get endpoint(): string {
    return this.#r.connection.endpoint;
  }
  /** ARM requests sent so far, retries and polls included (Resource Graph queries not counted). */
  get requestCount(): number {
    return this.#r.requestCount;
  }
  /** Resource Graph queries sent so far, pages and retries included. */
  get resourceGraphRequestCount(): number {
    return this.#r.resourceGraphRequestCount;
  }
  /** Why {@link useResourceGraph} failed, when it did (the run then read everything from ARM). */
  get resourceGraphFailure(): string | undefined {
    return this.#r.resourceGraphFailure;
  }
  /** Distinct resources and actions read so far. */
  get distinctReads(): number {
    return this.#r.distinctReads;
  }

  /** Where resources come from: ARM one by one, or Resource Graph queries loaded by {@link useResourceGraph}. */
  get mode(): 'arm' | 'resource-graph' {
    return this.#r.mode;
  }

  /**
   * Loads the workspaces, storage accounts, registries, VNets, NSGs, route tables, private endpoints
   * and private DNS zones of `subscriptions` with Resource Graph queries; from then on ARM GETs of
   * those resources are answered from the results (see `arm/resource-graph.ts`). All or nothing:
   * if any page fails, this throws and the inventory stays in direct ARM mode.
   */
  useResourceGraph(
    scope: readonly string[] | { readonly managementGroup: string },
    opts: ReadOptions & { pageSize?: number } = {},
  ): Promise<{ rows: number; subscriptions: readonly string[] }> {
    return this.#r.useResourceGraph(scope, opts);
  }

  /**
   * A workspace, read at {@link ML_API_VERSION}. The SDK's 2022-10-01 model drops what newer
   * versions define; `managedNetwork`, `hubResourceId` and `kind` are read from the answer as ARM
   * sent it, and the managed network is validated there (a shape the spec does not define becomes
   * `managedNetworkError`, which the checks that need it report as `error`).
   */
  workspace(id: string, opts?: ReadOptions): Promise<WorkspaceView> {
    return ml.workspace(this.#r, id, opts);
  }

  /**
   * The outbound rules of a workspace's managed network, all pages, each validated (a shape the
   * spec does not define fails the read naming its JSON path): V1 `GET …/outboundRules`, V2
   * `GET …/managedNetworks/default/outboundRules`.
   */
  outboundRules(workspaceId: string, kind: ManagedNetworkKind = 'V1', opts?: ReadOptions): Promise<readonly OutboundRule[]> {
    return ml.outboundRules(this.#r, workspaceId, kind, opts);
  }

  /**
   * Shares this inventory's GET answers from now on with every inventory constructed with the
   * answer as `sharedGets`: a planned state's inventory then reads the live state this one reads
   * (or is reading) without a second request.
   */
  shareGets(): SharedGets {
    return this.#r.shareGets();
  }

  /**
   * A resource's body as ARM sent it, read once at `apiVersion`; undefined on 404. Later GETs of it
   * through this inventory are answered with the same body (one read for a Terraform plan's live
   * state and the live audit).
   */
  rawResource(id: string, apiVersion: string, opts?: ReadOptions): Promise<Record<string, unknown> | undefined> {
    return this.#r.rawResource(id, apiVersion, opts);
  }

  /**
   * A V2 workspace's managed network (`GET …/managedNetworks/default`, api-version 2025-12-01),
   * validated; undefined when its isolation mode is `Disabled`.
   */
  managedNetworkV2(workspaceId: string, opts?: ReadOptions): Promise<ManagedNetwork | undefined> {
    return ml.managedNetworkV2(this.#r, workspaceId, opts);
  }

  /**
   * Provisions the workspace's managed network (`POST …/provisionManagedNetwork`, a long-running
   * operation) and waits for it; then forgets every cached read so the next ones show the state
   * after it. Answers the final provision status.
   */
  provisionManagedNetwork(workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<{ status?: string }> {
    return ml.provisionManagedNetwork(this.#r, workspaceId, opts);
  }

  /** The workspace with its computes, storage account and registry, read at once (each cached as usual). */
  async workspaceEstate(
    workspaceId: string,
    opts?: ReadOptions,
  ): Promise<{
    workspace: WorkspaceView;
    computes: readonly ComputeView[];
    storage: StorageAccount | undefined;
    registry: RegistryView | undefined;
  }> {
    const workspace = await this.workspace(workspaceId, opts);
    const [computes, storage, registry] = await Promise.all([
      this.computes(workspaceId, opts),
      workspace.storageAccount ? this.storageAccount(workspace.storageAccount, opts) : undefined,
      workspace.containerRegistry ? this.registry(workspace.containerRegistry, opts) : undefined,
    ]);
    return { workspace, computes, storage, registry };
  }

  /** The workspace and its container registry (undefined when it has none yet). */
  async workspaceRegistry(
    workspaceId: string,
    opts?: ReadOptions,
  ): Promise<{ workspace: WorkspaceView; registry: RegistryView; registryId: string; registryName: string } | undefined> {
    const workspace = await this.workspace(workspaceId, opts);
    if (!workspace.containerRegistry) return undefined;
    const registry = await this.registry(workspace.containerRegistry, opts);
    return {
      workspace,
      registry,
      registryId: registry.id ?? workspace.containerRegistry,
      registryName: registry.name ?? workspace.containerRegistry.split('/').pop()!,
    };
  }

  /** The workspace's computes (all pages). */
  computes(workspaceId: string, opts?: ReadOptions): Promise<readonly ComputeView[]> {
    return ml.computes(this.#r, workspaceId, opts);
  }

  /** The workspaces of a subscription, or of one resource group in it (all pages). */
  workspaces(subscriptionId: string, resourceGroup?: string, opts?: ReadOptions): Promise<readonly Workspace[]> {
    return ml.workspaces(this.#r, subscriptionId, resourceGroup, opts);
  }

  storageAccount(id: string, opts?: ReadOptions): Promise<StorageAccount> {
    return this.#unknown(id) ?? storage.storageAccount(this.#r, id, opts);
  }

  /**
   * A container registry. `virtualNetworkRules` (ACR's service-endpoint rules, a retired preview the
   * current SDK model no longer carries) are read from the answer as ARM sent it.
   */
  registry(id: string, opts?: ReadOptions): Promise<RegistryView> {
    return this.#unknown(id) ?? registry.registry(this.#r, id, opts);
  }

  /** The private DNS zone groups of a private endpoint (all pages). */
  privateDnsZoneGroups(privateEndpointId: string, opts?: ReadOptions): Promise<readonly PrivateDnsZoneGroup[]> {
    return this.#unknown(privateEndpointId) ?? network.privateDnsZoneGroups(this.#r, privateEndpointId, opts);
  }

  /** The virtual network links of a private DNS zone (all pages). */
  privateDnsZoneLinks(zoneId: string, opts?: ReadOptions): Promise<readonly VirtualNetworkLink[]> {
    return this.#unknown(zoneId) ?? network.privateDnsZoneLinks(this.#r, zoneId, opts);
  }

  /** The private DNS zones of a subscription (all pages). */
  privateDnsZones(subscriptionId: string, opts?: ReadOptions): Promise<readonly PrivateZone[]> {
    return network.privateDnsZones(this.#r, subscriptionId, opts);
  }

  /** The A record sets of a private DNS zone (all pages). */
  privateDnsARecords(zoneId: string, opts?: ReadOptions): Promise<readonly RecordSet[]> {
    return this.#unknown(zoneId) ?? network.privateDnsARecords(this.#r, zoneId, opts);
  }

  /** A key vault: its network rules and private endpoint connections. */
  keyVault(id: string, opts?: ReadOptions): Promise<KeyVaultView> {
    return this.#unknown(id) ?? keyvault.keyVault(this.#r, id, opts);
  }

  virtualNetwork(id: string, opts?: ReadOptions): Promise<VirtualNetwork> {
    return this.#unknown(id) ?? network.virtualNetwork(this.#r, id, opts);
  }

  /**
   * A subnet. ARM embeds subnets in their virtual network, so this reads the VNet (which checks
   * need anyway) and falls back to the subnet's own id only when the VNet does not embed it.
   */
  subnet(id: string, opts?: ReadOptions): Promise<Subnet> {
    return this.#unknown(id) ?? network.subnet(this.#r, id, opts);
  }

  networkSecurityGroup(id: string, opts?: ReadOptions): Promise<NetworkSecurityGroup> {
    return this.#unknown(id) ?? network.networkSecurityGroup(this.#r, id, opts);
  }

  routeTable(id: string, opts?: ReadOptions): Promise<RouteTable> {
    return this.#unknown(id) ?? network.routeTable(this.#r, id, opts);
  }

  /** An Azure Firewall (issue 21: the appliance a route's next hop names). */
  azureFirewall(id: string, opts?: ReadOptions): ReturnType<typeof firewall.azureFirewall> {
    return this.#unknown(id) ?? firewall.azureFirewall(this.#r, id, opts);
  }

  firewallPolicy(id: string, opts?: ReadOptions): ReturnType<typeof firewall.firewallPolicy> {
    return this.#unknown(id) ?? firewall.firewallPolicy(this.#r, id, opts);
  }

  /** Every rule collection group of a firewall policy (all pages). */
  ruleCollectionGroups(policyId: string, opts?: ReadOptions): ReturnType<typeof firewall.ruleCollectionGroups> {
    return this.#unknown(policyId) ?? firewall.ruleCollectionGroups(this.#r, policyId, opts);
  }

  ipGroup(id: string, opts?: ReadOptions): ReturnType<typeof firewall.ipGroup> {
    return this.#unknown(id) ?? firewall.ipGroup(this.#r, id, opts);
  }

  networkInterface(id: string, opts?: ReadOptions): ReturnType<typeof firewall.networkInterface> {
    return this.#unknown(id) ?? firewall.networkInterface(this.#r, id, opts);
  }

  /** The virtual hubs named `name` in these subscriptions (issue 21: the Virtual WAN hub a spoke is connected to). */
  virtualHubsNamed(subscriptions: readonly string[], name: string, opts?: ReadOptions): ReturnType<typeof vwan.virtualHubsNamed> {
    return vwan.virtualHubsNamed(this.#r, subscriptions, name, opts);
  }

  hubVirtualNetworkConnections(hubId: string, opts?: ReadOptions): ReturnType<typeof vwan.hubVirtualNetworkConnections> {
    return this.#unknown(hubId) ?? vwan.hubVirtualNetworkConnections(this.#r, hubId, opts);
  }

  routingIntents(hubId: string, opts?: ReadOptions): ReturnType<typeof vwan.routingIntents> {
    return this.#unknown(hubId) ?? vwan.routingIntents(this.#r, hubId, opts);
  }

  hubRouteTables(hubId: string, opts?: ReadOptions): ReturnType<typeof vwan.hubRouteTables> {
    return this.#unknown(hubId) ?? vwan.hubRouteTables(this.#r, hubId, opts);
  }

  /** The firewalls and NICs of these subscriptions that may own a private IP (one query in Resource Graph mode). */
  privateIpOwners(subscriptions: readonly string[], ip: string, opts?: ReadOptions): ReturnType<typeof vwan.privateIpOwners> {
    return vwan.privateIpOwners(this.#r, subscriptions, ip, opts);
  }

  privateEndpoint(id: string, opts?: ReadOptions): Promise<PrivateEndpoint> {
    return this.#unknown(id) ?? network.privateEndpoint(this.#r, id, opts);
  }

  /** The live service tags of a region (`serviceTags.list(location)`). */
  serviceTags(subscriptionId: string, location: string, opts?: ReadOptions): Promise<ServiceTagsListResult> {
    return network.serviceTags(this.#r, subscriptionId, location, opts);
  }

  /** The resource types that support private endpoints in a region, lower-cased (`microsoft.containerregistry/registries`). */
  availablePrivateEndpointTypes(subscriptionId: string, location: string, opts?: ReadOptions): Promise<ReadonlySet<string>> {
    return network.availablePrivateEndpointTypes(this.#r, subscriptionId, location, opts);
  }

  /** The workspace's `listKeys`, digested; the answer itself is dropped. */
  workspaceKeys(workspaceId: string, opts?: ReadOptions): Promise<WorkspaceKeyDigests> {
    return ml.workspaceKeys(this.#r, workspaceId, opts);
  }

  storageKeys(storageAccountId: string, opts?: ReadOptions): Promise<StorageKeyDigests> {
    return storage.storageKeys(this.#r, storageAccountId, opts);
  }

  registryCredentials(registryId: string, opts?: ReadOptions): Promise<RegistryCredentialDigests> {
    return registry.registryCredentials(this.#r, registryId, opts);
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
  resyncKeys(workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<void> {
    return ml.resyncKeys(this.#r, workspaceId, opts);
  }

  /**
   * Azure ML's server-side diagnosis of the workspace (`POST …/diagnose`, a long-running operation
   * that can take minutes), read once per run.
   */
  diagnose(workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<DiagnoseResponseResultValue> {
    return ml.diagnose(this.#r, workspaceId, opts);
  }

  /**
   * Whether `repository:tag` (or `@digest`) exists in a registry, through the ACR data plane
   * (@azure/container-registry, authenticated with the same credential). Read once per run.
   */
  registryArtifact(
    loginServer: string,
    repository: string,
    reference: { tag?: string; digest?: string },
    opts?: ReadOptions,
  ): Promise<ArtifactLookup> {
    return registry.registryArtifact(this.#r, loginServer, repository, reference, opts);
  }

  /**
   * The container registry a login server names (an `--image` from another ACR): searched in
   * `subscriptionId` first, then in every enabled subscription the identity can read, each list
   * read once per run; subscriptions that answered an error are listed, not thrown.
   */
  registryByLoginServer(loginServer: string, subscriptionId: string, opts?: ReadOptions): Promise<registry.RegistryLookupView> {
    const others = async () => (await this.subscriptions(opts)).filter((s) => /^enabled$/i.test(s.state)).map((s) => s.subscriptionId);
    return registry.registryByLoginServer(this.#r, loginServer, subscriptionId, others, opts);
  }

  /**
   * What the RBAC evaluator needs to decide for one principal at scopes in these subscriptions: its
   * role assignments (and its groups', through `assignedTo`), the role definitions they name and the
   * deny assignments, each read once per run (see `authorization.ts`).
   */
  rbacFacts(principalId: string, subscriptionIds: readonly string[], opts?: ReadOptions): Promise<RbacFacts> {
    return authorization.rbacFacts(this.#r, principalId, subscriptionIds, opts);
  }

  /** The workspace's managed identities and `systemDatastoresAuthMode`. */
  workspaceIdentity(workspaceId: string, opts?: ReadOptions): Promise<authorization.WorkspaceIdentityView> {
    return authorization.workspaceIdentity(this.#r, workspaceId, opts);
  }

  /** The managed identities of the workspace's computes. */
  computeIdentities(workspaceId: string, opts?: ReadOptions): Promise<readonly authorization.ComputeIdentityView[]> {
    return authorization.computeIdentities(this.#r, workspaceId, opts);
  }

  /** The subscriptions the identity can read, with their states (all pages). */
  subscriptions(opts?: ReadOptions): Promise<readonly SubscriptionView[]> {
    return tenant.subscriptions(this.#r, opts);
  }

  /** Every management group and subscription under a management group, recursively (all pages). */
  managementGroupDescendants(group: string, opts?: ReadOptions): Promise<readonly DescendantView[]> {
    return tenant.managementGroupDescendants(this.#r, group, opts);
  }

  /**
   * ARM's what-if for a deployment (a long-running operation): every resource it would create,
   * modify or delete, with its body before and after. A template or parameters ARM rejects is a
   * UsageError carrying ARM's message.
   */
  whatIf(req: WhatIfRequest, opts?: ReadOptions & { pollIntervalInMs?: number }): Promise<WhatIfChangeView[]> {
    return deployments.whatIf(this.#r, req, opts);
  }

  /** The audit is done with this workspace: drop the reads only it needed (see `reader.ts`). */
  release(workspaceId: string): void {
    this.#r.release(workspaceId);
  }

  /** Called with each workspace {@link release}d. */
  onRelease(listener: (workspaceId: string) => void): void {
    this.#r.onRelease(listener);
  }

  /** Drops every cached read, so the next reads show Azure as it is now (after a fix changed it). */
  forgetReads(): void {
    this.#r.forgetReads();
  }

  /** Drops the cached key digests (workspace, storage account, registry) so the next read is fresh; nothing else. */
  forgetKeys(): void {
    this.#r.forgetKeys();
  }
}
