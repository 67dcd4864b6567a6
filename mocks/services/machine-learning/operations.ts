/**
 * Azure ML's long-running workspace operations (resync, provisioning, diagnosis), polled at the
 * workspace location's `workspaceOperationsStatus`.
 */
import { json, notFound, text, type ArmObject, type MockApp, type MockResponse, type RouteRequest } from '../../core/index.js';

/** Where a workspace operation's status is polled. */
export function workspaceOperationUrl(workspace: ArmObject, opId: string, origin: string): string {
  const sub = String(workspace.id).split('/')[2];
  const location = text(workspace.location, 'westeurope').toLowerCase().replace(/\s+/g, '');
  return `${origin}/subscriptions/${sub}/providers/Microsoft.MachineLearningServices/locations/${location}/workspaceOperationsStatus/${opId}?api-version=2024-10-01`;
}

/** `POST …/resyncKeys`: refused as the world says, else a long-running operation that resyncs on completion. */
export function startResync(app: MockApp, req: RouteRequest, counted: () => void): MockResponse {
  const workspaceKey = req.key.replace(/\/resynckeys$/, '');
  const workspace = app.resources.get(workspaceKey);
  if (!workspace) return notFound(req.path.replace(/\/resyncKeys$/i, ''));
  const canned = app.resources.canned('POST', req.key);
  if (canned && (canned.status ?? 200) >= 400) return json(canned.status!, canned.body, canned.headers);
  counted();
  return app.operations.start({
    location: (opId) => workspaceOperationUrl(workspace, opId, req.origin),
    retryAfter: String(app.options.resyncRetryAfterSeconds ?? 0),
    complete: () => {
      applyResync(app, workspaceKey);
      return {};
    },
  });
}

/** What resync does in Azure: the workspace re-reads the storage key and registry password. */
function applyResync(app: MockApp, workspaceKey: string): void {
  const { resources } = app;
  const workspace = resources.get(workspaceKey);
  const props = (workspace?.properties ?? {}) as ArmObject;
  const wsKeys = resources.canned('POST', `${workspaceKey}/listkeys`);
  if (!wsKeys) return;
  const body = (wsKeys.body ?? {}) as ArmObject;
  const storageId = typeof props.storageAccount === 'string' ? props.storageAccount.toLowerCase() : undefined;
  const registryId = typeof props.containerRegistry === 'string' ? props.containerRegistry.toLowerCase() : undefined;
  const storageKeys = storageId
    ? (resources.canned('POST', `${storageId}/listkeys`)?.body as { keys?: { value?: string }[] } | undefined)
    : undefined;
  const storage = storageId ? resources.get(storageId) : undefined;
  const sharedKey = (storage?.properties as { allowSharedKeyAccess?: boolean } | undefined)?.allowSharedKeyAccess !== false;
  if (storageId && sharedKey && storageKeys?.keys?.[0]?.value) {
    body.userStorageKey = storageKeys.keys[0].value;
    if ('userStorageArmId' in body) body.userStorageArmId = storage?.id ?? props.storageAccount;
    else body.userStorageResourceId = storage?.id ?? props.storageAccount;
  }
  const creds = registryId
    ? (resources.canned('POST', `${registryId}/listcredentials`)?.body as { username?: string; passwords?: unknown[] } | undefined)
    : undefined;
  if (creds?.passwords) {
    body.containerRegistryCredentials = { location: null, username: creds.username ?? null, passwords: structuredClone(creds.passwords) };
  }
  wsKeys.body = body;
}

/**
 * `POST …/diagnose`: a long-running operation whose result is the world's canned answer; a world
 * without one (or with an error) is answered by the core as canned.
 */
export function startDiagnose(app: MockApp, req: RouteRequest): MockResponse | undefined {
  const canned = app.resources.canned('POST', req.key);
  if (!canned || (canned.status ?? 200) >= 300) return undefined;
  const workspace = app.resources.get(req.key.replace(/\/diagnose$/, ''));
  if (!workspace) return notFound(req.path.replace(/\/diagnose$/i, ''));
  const retryAfter = Object.entries(canned.headers ?? {}).find(([k]) => k.toLowerCase() === 'retry-after')?.[1] ?? '0';
  const result = canned.body ?? {};
  return app.operations.start({
    location: (opId) => workspaceOperationUrl(workspace, opId, req.origin),
    retryAfter,
    complete: () => result,
  });
}
