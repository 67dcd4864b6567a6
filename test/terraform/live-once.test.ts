/**
 * Live state is read once per resource, shared by the live and the planned side: a Terraform plan's
 * update bodies, the live audit and the planned audit's reads of what the plan leaves alone all
 * come from one GET of each resource (the mock's request log says so), and the verdicts stay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allChecks } from '../../checks/index.js';
import { terraformAudit } from '../../src/terraform/audit.js';
import { loadTerraformPlan } from '../../src/terraform/plan-file.js';
import { startHarness, type MockHarness } from '../helpers.js';
import { fixture } from './plans.js';

const SUB = '3f2e4d5c-6b7a-4988-9a1b-2c3d4e5f6a7b';
let harness: MockHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** GETs the mock answered more than once, by path and api-version. */
function repeated(h: MockHarness): string[] {
  const seen = new Map<string, number>();
  for (const e of h.server.handler.log) {
    if (e.method !== 'GET') continue;
    const key = `${e.path.toLowerCase()}?${e.apiVersion ?? ''}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

describe('a Terraform plan reads live state once', () => {
  for (const [world, plan] of [
    ['healthy-private', 'nsg-deny-above-mcr/plan.json'],
    ['nsg-deny-before-allow', 'nsg-remove-deny.tfplan.json'],
    ['healthy-private', 'cluster-replaced-no-route.tfplan.json'],
  ] as const) {
    it(`${plan} over ${world}: no resource read twice, and every request counted once`, async () => {
      harness = await startHarness(world);
      const report = await terraformAudit({
        connection: harness.connection,
        live: harness.inventory,
        plan: await loadTerraformPlan(fixture(plan)),
        subscriptionId: SUB,
        workspaceIds: [],
        checks: allChecks,
      });
      expect(report.targets.length).toBeGreaterThan(0);
      expect(repeated(harness)).toEqual([]);
      expect(report.stats.armRequests).toBe(harness.server.handler.log.length);
    });
  }
});
