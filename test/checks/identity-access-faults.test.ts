/**
 * The fault table for the reads identity-access adds (role assignments, role definitions, deny
 * assignments, the workspace's and computes' identities), on identity-healthy-admin-disabled where
 * every check passes, through the real SDK pipeline over HTTPS:
 * - transient faults change no verdict;
 * - persistent faults leave identity-access at `error` naming the read, and every other check at its verdict;
 * - a 403 on the authorization reads is a warning (undecidable), never a pass or a fail.
 */
import { describe, expect, it } from 'vitest';
import { allChecks as every } from '../../checks/index.js';
import { healthyIdentity } from '../../mocks/worlds/identity.js';
import { ids } from '../../mocks/worlds/generate.js';
import { runAudit } from '../../src/engine/run.js';
import type { WorldFault } from '../../src/world/schema.js';
import { startHarness } from '../helpers.js';

const checks = every.filter((c) => c.meta.id !== 'image-reference');
const healthy = (id: string): string => (id === 'managed-network-outbound' ? 'skip' : 'pass');

const KINDS: Record<string, { match: string; names: RegExp; on403: 'warn' | 'error' }> = {
  'LIST role assignments': {
    match: 'GET .*/providers/Microsoft.Authorization/roleAssignments$',
    names: /LIST roleAssignments/,
    on403: 'warn',
  },
  'GET role definition': {
    match: 'GET .*/providers/Microsoft.Authorization/roleDefinitions/[^/]+$',
    names: /roleDefinitions\//,
    on403: 'warn',
  },
  'LIST deny assignments': {
    match: 'GET .*/providers/Microsoft.Authorization/denyAssignments$',
    names: /LIST denyAssignments/,
    on403: 'warn',
  },
};

const FAULTS: Record<string, { fault: Omit<WorldFault, 'match'>; transient: boolean; status?: RegExp }> = {
  '429 with Retry-After, then answers': { fault: { status: 429, headers: { 'Retry-After': '1' }, times: 1 }, transient: true },
  '500 twice, then answers': { fault: { status: 500, times: 2 }, transient: true },
  'connection reset, then answers': { fault: { reset: true, times: 1 }, transient: true },
  '503 always': { fault: { status: 503 }, transient: false, status: /failed: 503 ServiceUnavailable/ },
  'truncated JSON': { fault: { truncate: true }, transient: false, status: /PARSE_ERROR/ },
  'malformed JSON (an HTML page)': {
    fault: { rawBody: '<html><body><h1>502 Bad Gateway</h1></body></html>' },
    transient: false,
    status: /PARSE_ERROR/,
  },
  '403 always': { fault: { status: 403 }, transient: false },
};

const cases = Object.entries(KINDS).flatMap(([kind, k]) => Object.entries(FAULTS).map(([name, f]) => [kind, name, k, f] as const));

describe('identity-access fault table', () => {
  it.concurrent.each(cases)('%s × %s', async (_kind, faultName, k, f) => {
    const world = healthyIdentity();
    world.faults = [{ match: k.match, ...f.fault }];
    const h = await startHarness(world, { connection: { maxRetries: 3 } });
    try {
      const report = await runAudit({ inventory: h.inventory, checks, workspaceIds: [ids.workspace], checkTimeoutInMs: 30_000 });
      expect(h.server.handler.log.some((e) => new RegExp(k.match, 'i').test(`${e.method} ${e.path}`))).toBe(true);
      const results = report.targets[0]!.results;
      for (const r of results.filter((x) => x.checkId !== 'identity-access'))
        expect(`${r.checkId}:${r.status}`).toBe(`${r.checkId}:${healthy(r.checkId)}`);
      const identity = results.find((r) => r.checkId === 'identity-access')!;
      if (f.transient) {
        expect(identity.status).toBe('pass');
      } else if (faultName.startsWith('403')) {
        expect(identity.status).toBe(k.on403);
        expect(identity.findings.length).toBeGreaterThan(0);
        expect(
          identity.findings.every((x) => x.message.includes('cannot be decided') || x.message.startsWith('The role assignments of')),
        ).toBe(true);
      } else {
        expect(identity.status).toBe('error');
        expect(identity.reason).toMatch(k.names);
        expect(identity.reason).toMatch(f.status!);
      }
    } finally {
      h.inventory.dispose();
      await h.close();
    }
  });
});
