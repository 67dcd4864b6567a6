/** What the inventory hands out: typed, read-only views, secrets as digests. */
import type { Workspace } from '@azure/arm-machinelearning';
import type { Registry } from '@azure/arm-containerregistry';
import type { ClientHooks, SharedGets } from '../arm/clients.js';
import type { ManagedNetwork, ManagedNetworkKind } from '../network/managed.js';
import { digestSecret, type SecretDigest } from '../base/secrets.js';

/** Whether an image exists in a registry. */
export type ArtifactLookup =
  | { readonly exists: true; readonly digest: string }
  | { readonly exists: false; readonly missing: 'repository' | 'tag' | 'digest'; readonly code: string };

/** A workspace, with what api-versions newer than the SDK's model define. */
export type WorkspaceView = Workspace & {
  /** The managed virtual network; undefined when the isolation mode is `Disabled` or absent. */
  readonly managedNetwork: ManagedNetwork | undefined;
  /** Why `managedNetwork` could not be read (an unexpected shape, with its JSON path). */
  readonly managedNetworkError: string | undefined;
  /**
   * `managedNetwork.managedNetworkKind` (2025-12-01): `V2` keeps the network in the child resource
   * `…/managedNetworks/default`, and `managedNetwork` above is then undefined (never read from the
   * workspace body); `V1` otherwise.
   */
  readonly managedNetworkKind: ManagedNetworkKind;
  /** A project workspace's hub (`kind: Project`), whose managed network it uses. */
  readonly hubResourceId: string | undefined;
  /** `Default`, `Hub`, `Project`, `FeatureStore` (newer api-versions). */
  readonly kind?: string | undefined;
};

/** A registry, with the service-endpoint rules the SDK model drops. */
export type RegistryView = Registry & { readonly virtualNetworkRules: readonly { readonly id: string; readonly action: string }[] };

/** A key vault, as the checks need it (read at `KEY_VAULT_API_VERSION` through the generic resources client). */
export interface KeyVaultView {
  readonly id: string;
  readonly name: string;
  /** `https://<name>.vault.azure.net/` (a sovereign cloud's suffix there). */
  readonly vaultUri: string | undefined;
  readonly publicNetworkAccess: string;
  /** `networkAcls.defaultAction`. */
  readonly defaultAction: string;
  readonly privateEndpointConnections: readonly { readonly privateEndpointId: string; readonly status: string }[];
  /** `enableRbacAuthorization`: Azure RBAC decides data access, and access policies are ignored. */
  readonly enableRbacAuthorization: boolean;
  /** The access policies (ignored when {@link enableRbacAuthorization}). */
  readonly accessPolicies: readonly {
    readonly objectId: string;
    readonly permissions: {
      readonly keys: readonly string[];
      readonly secrets: readonly string[];
      readonly certificates: readonly string[];
    };
  }[];
}

/** A compute of the workspace, as the checks need it. */
export interface ComputeView {
  readonly id: string;
  readonly name: string;
  /** `AmlCompute`, `ComputeInstance`, `Kubernetes`, … */
  readonly computeType: string;
  readonly provisioningState: string | undefined;
  readonly vmSize: string | undefined;
  /**
   * The subnet the compute's nodes sit in, as ARM names it for the compute's type
   * (`properties.subnet.id`; AKS `properties.aksNetworkingConfiguration.subnetId`).
   */
  readonly subnetId: string | undefined;
  /**
   * What ARM says of the compute's network: `subnet` (in {@link subnetId}), `none` (a compute Azure
   * ML creates, with no subnet: in no customer VNet, or in the managed network), `unknown` (an
   * attached compute, Kubernetes, a VM, …, whose network the compute resource does not name).
   */
  readonly network: 'subnet' | 'none' | 'unknown';
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
  /** Read a deployment's planned state instead of live ARM where the plan decides (`--what-if`). */
  plan?: ClientHooks['plan'];
  /** Share GET answers with another inventory of the run ({@link Inventory.shareGets} of the live one). */
  sharedGets?: SharedGets;
}

export interface ReadOptions {
  abortSignal?: AbortSignal;
}

/** Names with their secrets digested; an empty or missing secret digests to null. */
export function digestNamed<K extends string>(
  items: readonly Partial<Record<K | 'value', string | null | undefined>>[] | null | undefined,
  nameField: K,
): NamedDigest[] {
  return (items ?? []).map((item) => {
    const value = item.value;
    return { name: String(item[nameField] ?? ''), digest: typeof value === 'string' && value !== '' ? digestSecret(value) : null };
  });
}
