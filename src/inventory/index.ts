/**
 * The inventory: the one place that talks to Azure. It reads each resource at most once per run
 * (concurrent reads of the same id share one call, failures included), counts requests, parses
 * ids case-insensitively, and hands checks typed, read-only views. Secrets are digested the moment
 * they arrive and the answers that carried them are dropped.
 *
 * This class is the face, in three layers: its machinery (`base.ts`), its network reads
 * (`network-face.ts`), and here the workspace, its computes, storage, registry, keys, identities,
 * the tenant and what-if. The reads live by provider (`ml.ts`, `network.ts`, `storage.ts`,
 * `registry.ts`, …) over the shared machinery of `reader.ts`.
 */
import type { Workspace, DiagnoseResponseResultValue } from '@azure/arm-machinelearning';
import type { StorageAccount } from '@azure/arm-storage';
import type { RbacFacts } from '../identity/rbac-types.js';
import type { ManagedNetwork, ManagedNetworkKind, OutboundRule } from '../network/managed.js';
import * as authorization from './authorization.js';
import * as deployments from './deployments.js';
import type { WhatIfChangeView, WhatIfRequest } from './deployments.js';
import * as ml from './ml.js';
import { NetworkInventory } from './network-face.js';
import * as registry from './registry.js';
import * as storage from './storage.js';
import * as tenant from './tenant.js';
import type { DescendantView, SubscriptionView } from './tenant.js';
import type {
  ArtifactLookup,
  ComputeView,
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
export { compactArrays, parseRetryAfter } from './read-utils.js';
export { normaliseLocation } from '../arm/location.js';

/** Read-only, typed access to the ARM state of one run. */
export class Inventory extends NetworkInventory {
  /**
   * A workspace, read at {@link ML_API_VERSION}. The SDK's 2022-10-01 model drops what newer
   * versions define; `managedNetwork`, `hubResourceId` and `kind` are read from the answer as ARM
   * sent it, and the managed network is validated there (a shape the spec does not define becomes
   * `managedNetworkError`, which the checks that need it report as `error`).
   */
  workspace(id: string, opts?: ReadOptions): Promise<WorkspaceView> {
    return ml.workspace(this.r, id, opts);
  }

  /**
   * The outbound rules of a workspace's managed network, all pages, each validated (a shape the
   * spec does not define fails the read naming its JSON path): V1 `GET …/outboundRules`, V2
   * `GET …/managedNetworks/default/outboundRules`.
   */
  outboundRules(workspaceId: string, kind: ManagedNetworkKind = 'V1', opts?: ReadOptions): Promise<readonly OutboundRule[]> {
    return ml.outboundRules(this.r, workspaceId, kind, opts);
  }

  /**
   * A V2 workspace's managed network (`GET …/managedNetworks/default`, api-version 2025-12-01),
   * validated; undefined when its isolation mode is `Disabled`.
   */
  managedNetworkV2(workspaceId: string, opts?: ReadOptions): Promise<ManagedNetwork | undefined> {
    return ml.managedNetworkV2(this.r, workspaceId, opts);
  }

  /**
   * Provisions the workspace's managed network (`POST …/provisionManagedNetwork`, a long-running
   * operation) and waits for it; then forgets every cached read so the next ones show the state
   * after it. Answers the final provision status.
   */
  provisionManagedNetwork(workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<{ status?: string }> {
    return ml.provisionManagedNetwork(this.r, workspaceId, opts);
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
    // Listed under the workspace's id: read with it, not after it (see the network model's gather).
    const computesRead = this.computes(workspaceId, opts);
    computesRead.catch(() => undefined);
    const workspace = await this.workspace(workspaceId, opts);
    const [computes, storage, registry] = await Promise.all([
      computesRead,
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
    return ml.computes(this.r, workspaceId, opts);
  }

  /** The workspaces of a subscription, or of one resource group in it (all pages). */
  workspaces(subscriptionId: string, resourceGroup?: string, opts?: ReadOptions): Promise<readonly Workspace[]> {
    return ml.workspaces(this.r, subscriptionId, resourceGroup, opts);
  }

  storageAccount(id: string, opts?: ReadOptions): Promise<StorageAccount> {
    return this.unknownRead(id) ?? storage.storageAccount(this.r, id, opts);
  }

  /**
   * A container registry. `virtualNetworkRules` (ACR's service-endpoint rules, a retired preview the
   * current SDK model no longer carries) are read from the answer as ARM sent it.
   */
  registry(id: string, opts?: ReadOptions): Promise<RegistryView> {
    return this.unknownRead(id) ?? registry.registry(this.r, id, opts);
  }

  /** The workspace's `listKeys`, digested; the answer itself is dropped. */
  workspaceKeys(workspaceId: string, opts?: ReadOptions): Promise<WorkspaceKeyDigests> {
    return ml.workspaceKeys(this.r, workspaceId, opts);
  }

  storageKeys(storageAccountId: string, opts?: ReadOptions): Promise<StorageKeyDigests> {
    return storage.storageKeys(this.r, storageAccountId, opts);
  }

  registryCredentials(registryId: string, opts?: ReadOptions): Promise<RegistryCredentialDigests> {
    return registry.registryCredentials(this.r, registryId, opts);
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
    return ml.resyncKeys(this.r, workspaceId, opts);
  }

  /**
   * Azure ML's server-side diagnosis of the workspace (`POST …/diagnose`, a long-running operation
   * that can take minutes), read once per run.
   */
  diagnose(workspaceId: string, opts: ReadOptions & { pollIntervalInMs?: number } = {}): Promise<DiagnoseResponseResultValue> {
    return ml.diagnose(this.r, workspaceId, opts);
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
    return registry.registryArtifact(this.r, loginServer, repository, reference, opts);
  }

  /**
   * The container registry a login server names (an `--image` from another ACR): searched in
   * `subscriptionId` first, then in every enabled subscription the identity can read, each list
   * read once per run; subscriptions that answered an error are listed, not thrown.
   */
  registryByLoginServer(loginServer: string, subscriptionId: string, opts?: ReadOptions): Promise<registry.RegistryLookupView> {
    const others = async () => (await this.subscriptions(opts)).filter((s) => /^enabled$/i.test(s.state)).map((s) => s.subscriptionId);
    return registry.registryByLoginServer(this.r, loginServer, subscriptionId, others, opts);
  }

  /**
   * What the RBAC evaluator needs to decide for one principal at scopes in these subscriptions: its
   * role assignments (and its groups', through `assignedTo`), the role definitions they name and the
   * deny assignments, each read once per run (see `authorization.ts`).
   */
  rbacFacts(principalId: string, subscriptionIds: readonly string[], opts?: ReadOptions): Promise<RbacFacts> {
    return authorization.rbacFacts(this.r, principalId, subscriptionIds, opts);
  }

  /** The workspace's managed identities and `systemDatastoresAuthMode`. */
  workspaceIdentity(workspaceId: string, opts?: ReadOptions): Promise<authorization.WorkspaceIdentityView> {
    return authorization.workspaceIdentity(this.r, workspaceId, opts);
  }

  /** The managed identities of the workspace's computes. */
  computeIdentities(workspaceId: string, opts?: ReadOptions): Promise<readonly authorization.ComputeIdentityView[]> {
    return authorization.computeIdentities(this.r, workspaceId, opts);
  }

  /** The subscriptions the identity can read, with their states (all pages). */
  subscriptions(opts?: ReadOptions): Promise<readonly SubscriptionView[]> {
    return tenant.subscriptions(this.r, opts);
  }

  /** Every management group and subscription under a management group, recursively (all pages). */
  managementGroupDescendants(group: string, opts?: ReadOptions): Promise<readonly DescendantView[]> {
    return tenant.managementGroupDescendants(this.r, group, opts);
  }

  /**
   * ARM's what-if for a deployment (a long-running operation): every resource it would create,
   * modify or delete, with its body before and after. A template or parameters ARM rejects is a
   * UsageError carrying ARM's message.
   */
  whatIf(req: WhatIfRequest, opts?: ReadOptions & { pollIntervalInMs?: number }): Promise<WhatIfChangeView[]> {
    return deployments.whatIf(this.r, req, opts);
  }
}
