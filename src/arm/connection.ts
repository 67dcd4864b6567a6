/**
 * How aml-preflight reaches ARM: the endpoint, the credential, the api-versions it speaks. The SDK
 * clients on a connection are in `clients.ts`.
 */
import type { TokenCredential } from '@azure/core-auth';
import { UsageError } from '../base/errors.js';

/** The ARM endpoints of the Azure clouds `--cloud` accepts. */
export const CLOUDS = {
  AzureCloud: 'https://management.azure.com',
  AzureChinaCloud: 'https://management.chinacloudapi.cn',
  AzureUSGovernment: 'https://management.usgovcloudapi.net',
} as const;
export type CloudName = keyof typeof CLOUDS;

export interface ArmConnection {
  /** The ARM endpoint, e.g. `https://management.azure.com`. */
  endpoint: string;
  credential: TokenCredential;
  /**
   * Extra CA certificates (PEM) to trust, e.g. the mock's. Passed as TLS settings rather than a
   * custom agent: the SDK's verbose logger dumps a custom agent whole, sockets and the raw
   * `Authorization` header included.
   */
  ca?: string;
  /** Retries of a failed request (429, 5xx, connection errors) before it counts as failed. Default 4. */
  maxRetries?: number;
  /** The first retry delay; later ones back off exponentially. Default 500 ms. */
  retryDelayInMs?: number;
  /** Upper bound of one retry delay, `Retry-After` included. Default 30 s. */
  maxRetryDelayInMs?: number;
  /** Timeout of one HTTP request. Default 30 s. */
  requestTimeoutInMs?: number;
  /**
   * The ACR data-plane endpoint of a registry login server. Default `https://<login server>`;
   * the mock serves every registry under its own URL.
   */
  registryEndpoint?: (loginServer: string) => string;
  /** Seen once per HTTP attempt, retries and polls included. */
  onRequest?: (method: string, url: string) => void;
  /** Seen once per final answer (after retries): used by `snapshot` to record the ARM state. */
  onResponse?: (method: string, url: string, status: number, bodyText: string | undefined) => void;
}

/** Resolves `--endpoint` / `--cloud` into an ARM endpoint. Throws {@link UsageError} on nonsense. */
export function resolveEndpoint(endpoint: string | undefined, cloud: string | undefined): string {
  if (endpoint) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UsageError(`--endpoint "${endpoint}" is not a URL; expected e.g. https://management.azure.com`);
    }
    if (url.protocol !== 'https:') throw new UsageError(`--endpoint must use https (got ${url.protocol}); ARM is HTTPS only`);
    return url.origin;
  }
  const name = cloud ?? 'AzureCloud';
  if (!(name in CLOUDS)) throw new UsageError(`--cloud "${name}" is not one of ${Object.keys(CLOUDS).join(', ')}`);
  return CLOUDS[name as CloudName];
}

/** The Resource Graph api-version the tool speaks: the GA version, not the SDK beta's preview default. */
export const RESOURCE_GRAPH_API_VERSION = '2022-10-01';

/**
 * The Microsoft.MachineLearningServices api-version the tool speaks: the newest GA version whose
 * spec (stable/2025-12-01/workspaceRP.json) defines `managedNetwork`, `serverlessComputeSettings`,
 * `hubResourceId`, the `outboundRules` list and `provisionManagedNetwork`. The SDK
 * (@azure/arm-machinelearning 2.1.1, the newest release) models 2022-10-01, which defines none of
 * them, and sends that as a constant; {@link ML_SDK_API_VERSION} requests are moved to this one. Its
 * answers are a superset of 2022-10-01's for every field the SDK deserializes.
 */
export const ML_API_VERSION = '2025-12-01';
/** The api-version @azure/arm-machinelearning 2.1.1 hard-codes. */
export const ML_SDK_API_VERSION = '2022-10-01';

/** A credential for the mock: any bearer token will do, and none is secret. */
export const mockCredential: TokenCredential = {
  getToken: () => Promise.resolve({ token: 'mock-arm-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};
