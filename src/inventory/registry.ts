/** Microsoft.ContainerRegistry: registries, their credentials (digested), and the ACR data plane for images. */
import type { ContainerRegistryClient } from '@azure/container-registry';
import type { Registry } from '@azure/arm-containerregistry';
import { parseResourceId } from '../base/resource-id.js';
import type { ArmReader } from './reader.js';
import { digestNamed, type ArtifactLookup, type ReadOptions, type RegistryCredentialDigests, type RegistryView } from './views.js';

export async function registry(r: ArmReader, id: string, opts?: ReadOptions): Promise<RegistryView> {
  const rid = parseResourceId(id);
  return r.once('GET', rid, opts, async (signal) => {
    const cr = await r.clients.registry(rid.subscriptionId);
    let rules: { id?: string; action?: string }[] = [];
    const registry = await cr.registries.get(rid.resourceGroup!, rid.names[0]!, {
      abortSignal: signal,
      onResponse: (r: { parsedBody?: unknown }) => {
        const body = r.parsedBody as { properties?: { networkRuleSet?: { virtualNetworkRules?: unknown } } } | undefined;
        const raw = body?.properties?.networkRuleSet?.virtualNetworkRules;
        rules = Array.isArray(raw) ? (raw as { id?: string; action?: string }[]) : [];
      },
    });
    return Object.assign(registry, {
      virtualNetworkRules: rules.filter((x) => typeof x.id === 'string').map((x) => ({ id: x.id!, action: x.action ?? 'Allow' })),
    });
  });
}

export async function registryCredentials(r: ArmReader, registryId: string, opts?: ReadOptions): Promise<RegistryCredentialDigests> {
  const rid = parseResourceId(registryId);
  return r.once(
    'POST listCredentials',
    rid,
    opts,
    async (signal) => {
      const cr = await r.clients.registry(rid.subscriptionId);
      const res = await cr.registries.listCredentials(rid.resourceGroup!, rid.names[0]!, { abortSignal: signal });
      return { username: res.username ?? null, passwords: digestNamed(res.passwords, 'name') };
    },
    'listCredentials',
  );
}

export async function registryArtifact(
  r: ArmReader,
  loginServer: string,
  repository: string,
  reference: { tag?: string; digest?: string },
  opts?: ReadOptions,
): Promise<ArtifactLookup> {
  const key = `ACR ${loginServer.toLowerCase()}/${repository}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`;
  return r.onceKey(
    key,
    'GET artifact',
    `${loginServer}/${repository}`,
    'Microsoft.ContainerRegistry/registries/pull/read (AcrPull)',
    opts,
    async (signal) => {
      const client = await registryDataClient(r, loginServer);
      try {
        const repo = client.getRepository(repository);
        if (reference.digest) {
          const m = await repo.getArtifact(reference.digest).getManifestProperties({ abortSignal: signal });
          return { exists: true, digest: m.digest };
        }
        const t = await repo.getArtifact(reference.tag!).getTagProperties(reference.tag!, { abortSignal: signal });
        return { exists: true, digest: t.digest };
      } catch (err) {
        const code =
          (err as { code?: string; statusCode?: number; details?: { errors?: { code?: string }[] } }).details?.errors?.[0]?.code ??
          (err as { code?: string }).code;
        if ((err as { statusCode?: number }).statusCode === 404) {
          return {
            exists: false,
            missing: code === 'NAME_UNKNOWN' ? 'repository' : code === 'MANIFEST_UNKNOWN' ? 'digest' : 'tag',
            code: code ?? 'NOT_FOUND',
          };
        }
        throw err;
      }
    },
  );
}

/** One data-plane client per login server and run. */
const dataClients = new WeakMap<ArmReader, Map<string, Promise<ContainerRegistryClient>>>();
function dataClientsOf(r: ArmReader): Map<string, Promise<ContainerRegistryClient>> {
  let m = dataClients.get(r);
  if (!m) dataClients.set(r, (m = new Map<string, Promise<ContainerRegistryClient>>()));
  return m;
}

function registryDataClient(r: ArmReader, loginServer: string): Promise<ContainerRegistryClient> {
  const key = loginServer.toLowerCase();
  let p = dataClientsOf(r).get(key);
  if (!p) {
    p = import('@azure/container-registry').then(({ ContainerRegistryClient, KnownContainerRegistryAudience }) => {
      const endpoint = r.connection.registryEndpoint?.(loginServer) ?? `https://${loginServer}`;
      const audience = r.connection.endpoint.includes('chinacloudapi')
        ? KnownContainerRegistryAudience.AzureResourceManagerChina
        : r.connection.endpoint.includes('usgovcloudapi')
          ? KnownContainerRegistryAudience.AzureResourceManagerGovernment
          : KnownContainerRegistryAudience.AzureResourceManagerPublicCloud;
      return new ContainerRegistryClient(endpoint, r.connection.credential, {
        audience,
        ...(r.connection.ca ? { tlsOptions: { ca: r.connection.ca } } : {}),
        retryOptions: { maxRetries: r.connection.maxRetries ?? 4, retryDelayInMs: r.connection.retryDelayInMs ?? 500 },
      });
    });
    dataClientsOf(r).set(key, p);
  }
  return p;
}

/** Where a registry named by its login server was found, and which subscriptions could not be searched. */
export interface RegistryLookupView {
  /** The registry whose `loginServer` is the host, as the subscription's list answers it; undefined when not found. */
  readonly registry: Registry | undefined;
  /** The subscriptions searched, in order. */
  readonly searched: readonly string[];
  /** Subscriptions (or the subscription list) that answered an error, with its status: the registry may sit there. */
  readonly unreadable: readonly { readonly scope: string; readonly statusCode: number | undefined; readonly message: string }[];
}

/** The registries of a subscription (all pages), once per run. */
export async function registriesOf(r: ArmReader, subscriptionId: string, opts?: ReadOptions): Promise<readonly Registry[]> {
  const scope = `/subscriptions/${subscriptionId}`;
  return r.onceKey(
    `LIST registries ${scope.toLowerCase()}`,
    'LIST registries',
    `${scope}/providers/Microsoft.ContainerRegistry/registries`,
    'Microsoft.ContainerRegistry/registries/read',
    opts,
    async (signal) => {
      const cr = await r.clients.registry(subscriptionId);
      const out: Registry[] = [];
      for await (const item of cr.registries.list({ abortSignal: signal })) out.push(item);
      return out;
    },
  );
}

/**
 * The registry a login server (`crsharedimages.azurecr.io`) names: searched in `first` (the
 * workspace's subscription), then in every other subscription `others` yields, until found. A
 * subscription that answers an error is recorded, not thrown: the registry may be there, so the
 * caller cannot decide, but the others can still be searched.
 */
export async function registryByLoginServer(
  r: ArmReader,
  loginServer: string,
  first: string,
  others: () => Promise<readonly string[]>,
  opts?: ReadOptions,
): Promise<RegistryLookupView> {
  const host = loginServer.toLowerCase();
  const searched: string[] = [];
  const unreadable: { scope: string; statusCode: number | undefined; message: string }[] = [];
  const failed = (scope: string, err: unknown): void => {
    const e = err as { statusCode?: number; message?: string };
    // Only an answer ARM gave is a subscription we could not read; anything else (abort, timeout) fails the read.
    if (typeof e.statusCode !== 'number') throw err;
    unreadable.push({ scope, statusCode: e.statusCode, message: e.message ?? String(err) });
  };
  const search = async (sub: string): Promise<Registry | undefined> => {
    searched.push(sub);
    try {
      return (await registriesOf(r, sub, opts)).find((x) => x.loginServer?.toLowerCase() === host);
    } catch (err) {
      failed(`/subscriptions/${sub}`, err);
      return undefined;
    }
  };
  let found = await search(first);
  if (!found) {
    let subs: readonly string[] = [];
    try {
      subs = await others();
    } catch (err) {
      failed('/subscriptions', err);
    }
    for (const sub of subs.filter((s) => s.toLowerCase() !== first.toLowerCase())) {
      found = await search(sub);
      if (found) break;
    }
  }
  return { registry: found, searched, unreadable };
}
