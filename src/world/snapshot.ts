/**
 * `snapshot`: the ARM state an audit reads, written as a world file (CONTRACT.md). Every final
 * answer the audit receives is recorded as ARM sent it: resources (and list items) as resources,
 * action answers and per-location answers under `responses`. Secrets (fields named like keys,
 * passwords, tokens, in action answers and resources alike) are replaced by their digests the moment they are recorded, so key-drift verdicts still hold on the
 * snapshot (equal secrets give equal digests) and no secret is ever written. A 403 is recorded as a
 * fault of the same request.
 */
import { redactSecrets } from '../base/secrets.js';
import { VERSION } from '../base/version.js';
import type { WorldInput } from './schema.js';

type Json = Record<string, unknown>;

export interface Recorder {
  /** Pass as `ArmConnection.onResponse`. */
  readonly onResponse: (method: string, url: string, status: number, bodyText: string | undefined) => void;
  /** The world recorded so far. */
  world(description: string): WorldInput;
}

export function createRecorder(): Recorder {
  const resources = new Map<string, Json>();
  const responses: Record<string, { status?: number; body: unknown }> = {};
  // A read the identity may not make stays forbidden on replay, so the replay decides as the audit
  // did (a hub firewall's IP group behind a 403 is undecidable, not missing).
  const forbidden = new Set<string>();
  // `assignedTo('{id}')` answers the principal's groups' assignments too: each other principal in it
  // is a group holding that one, which the replay needs to answer the same (world `groups`).
  const groups = new Map<string, Set<string>>();

  function addResource(r: unknown): void {
    if (!r || typeof r !== 'object') return;
    const obj = r as Json;
    if (typeof obj.id !== 'string' || !obj.id.toLowerCase().startsWith('/subscriptions/')) return;
    if (typeof obj.name !== 'string' || obj.name === '') obj.name = obj.id.split('/').pop()!;
    resources.set(obj.id.toLowerCase(), obj);
  }

  return {
    onResponse: (method, url, status, bodyText) => {
      if (status === 403) forbidden.add(`${method.toUpperCase()} ${new URL(url).pathname.replace(/\/+$/, '')}`);
      if (status < 200 || status >= 300 || !bodyText) return;
      let body: unknown;
      try {
        body = JSON.parse(bodyText);
      } catch {
        return;
      }
      const path = new URL(url).pathname.replace(/\/+$/, '');
      // Long-running operation status answers are not state.
      if (/\/(workspaceOperationsStatus|operationResults|operations)\//i.test(path)) return;
      if (method.toUpperCase() === 'POST') {
        responses[`POST ${path}`] = { body: redactSecrets(body) };
        return;
      }
      if (method.toUpperCase() !== 'GET') return;
      // Per-location answers (serviceTags, availablePrivateEndpointTypes) are not resources.
      if (/\/providers\/[^/]+\/locations\//i.test(path)) {
        const key = `GET ${path}`;
        const prev = responses[key]?.body as { value?: unknown[] } | undefined;
        const page = body as { value?: unknown[]; nextLink?: string };
        // Paged answers are stored as one page holding every item.
        responses[key] = {
          body: prev?.value && Array.isArray(page.value) ? { value: [...prev.value, ...page.value] } : stripNextLink(body),
        };
        return;
      }
      // Resources are redacted too: some compute types answer an administratorAccount password.
      body = redactSecrets(body);
      const page = body as { value?: unknown; nextLink?: unknown };
      const authorization = /\/providers\/Microsoft\.Authorization\/(roleAssignments|denyAssignments|roleDefinitions)$/i.test(path);
      if (Array.isArray(page.value)) {
        for (const item of page.value) addResource(item);
        const member = /assignedTo\('([^']+)'\)/i.exec(new URL(url).searchParams.get('$filter') ?? '')?.[1]?.toLowerCase();
        if (member) {
          for (const item of page.value as { properties?: { principalId?: unknown } }[]) {
            const principal = item.properties?.principalId;
            if (typeof principal !== 'string' || principal.toLowerCase() === member) continue;
            const set = groups.get(principal.toLowerCase()) ?? new Set<string>();
            groups.set(principal.toLowerCase(), set.add(member));
          }
        }
        // An empty list says something (a zone with no links) the resources cannot. Not so for the
        // authorization lists, which the mock filters by scope and principal from the resources.
        if (page.value.length === 0 && !page.nextLink && !authorization) responses[`GET ${path}`] ??= { body: { value: [] } };
      } else addResource(body);
    },
    world(description) {
      return {
        schemaVersion: 1,
        description,
        resources: [...resources.values()] as WorldInput['resources'],
        responses,
        faults: [...forbidden].map((request) => ({ match: `^${request.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, status: 403 })),
        ...(groups.size > 0 ? { groups: [...groups].map(([id, members]) => ({ id, members: [...members].sort() })) } : {}),
      };
    },
  };
}

function stripNextLink(body: unknown): unknown {
  if (body && typeof body === 'object' && 'nextLink' in body) {
    const { nextLink: _drop, ...rest } = body as Json;
    return rest;
  }
  return body;
}

export function snapshotDescription(workspaceIds: readonly string[], now = new Date()): string {
  return `snapshot of ${workspaceIds.join(', ')} taken ${now.toISOString()} by aml-preflight ${VERSION}; secrets replaced by SHA-256 digests`;
}
