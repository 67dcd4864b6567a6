/**
 * `withKeyResync`: for TypeScript users who run jobs from code. Runs `fn`; if it throws a 401
 * (`RestError` with `statusCode` 401), resyncs the workspace keys when they drifted (under the
 * same lock as `exec`) and runs `fn` once more.
 */
import type { ArmConnection } from '../arm/connection.js';
import { parseWorkspaceId } from '../base/resource-id.js';
import { Inventory } from '../inventory/index.js';
import { resyncIfDrifted, type ResyncOptions, type ResyncOutcome } from './resync.js';

export interface WithKeyResyncOptions extends ResyncOptions {
  /** The inventory to use; otherwise one is made from `connection`. */
  inventory?: Inventory;
  /** Defaults to the public cloud with DefaultAzureCredential. */
  connection?: ArmConnection;
  /** Called after a resync attempt. */
  onResync?: (outcome: ResyncOutcome) => void;
}

/** Whether an error is an HTTP 401 (an Azure SDK `RestError` or anything with `statusCode: 401`). */
export function isUnauthorized(err: unknown): boolean {
  const e = err as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } } | null;
  return !!e && (e.statusCode === 401 || e.status === 401 || e.response?.status === 401);
}

export async function withKeyResync<T>(workspaceId: string, fn: () => Promise<T>, options: WithKeyResyncOptions = {}): Promise<T> {
  parseWorkspaceId(workspaceId);
  const started = Date.now();
  try {
    return await fn();
  } catch (err) {
    if (!isUnauthorized(err)) throw err;
    const inventory = options.inventory ?? new Inventory(options.connection ?? (await defaultConnection()));
    let outcome: ResyncOutcome;
    try {
      outcome = await resyncIfDrifted(inventory, workspaceId, { since: started, ...options });
    } finally {
      if (!options.inventory) inventory.dispose();
    }
    options.onResync?.(outcome);
    if (outcome.action === 'none-needed' || !outcome.inSync) throw err;
    return fn();
  }
}

async function defaultConnection(): Promise<ArmConnection> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return { endpoint: 'https://management.azure.com', credential: new DefaultAzureCredential() };
}
