/** Subscription audits: shared reads once per run, ARM's throttling model, merge of sharded runs. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allChecks as every } from '../checks/index.js';
import { selectChecks } from '../src/engine/run.js';

/** The checks a plain audit runs (opt-in ones excluded), as the CLI runs them. */
const allChecks = selectChecks(every);
import { ids, SUB } from '../mocks/worlds/generate.js';
import { hubId } from '../mocks/worlds/managed.js';
import { subscriptionWorld } from '../mocks/worlds/subscription.js';
import { runAudit } from '../src/engine/run.js';
import type { WorldInput } from '../src/world/schema.js';
import { runCli, startHarness, worldPath } from './helpers.js';

interface Result {
  checkId: string;
  status: string;
}
let dir: string;
let file: string;
let throttledFile: string;
let variantOf: Map<string, string>;
const variantStatuses = new Map<string, string[]>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aml-preflight-scale-'));
  const generated = subscriptionWorld(24, { groupSize: 3 });
  variantOf = generated.variantOf;
  file = join(dir, 'sub.json');
  await writeFile(file, JSON.stringify(generated.world));
  throttledFile = join(dir, 'sub-throttled.json');
  // ARM's model, shrunk so that this audit must wait for refills: a bucket of 40 reads, 60 per second.
  await writeFile(
    throttledFile,
    JSON.stringify({
      ...generated.world,
      throttling: { reads: { capacity: 40, refillPerSecond: 60 }, writes: { capacity: 20, refillPerSecond: 40 } },
    }),
  );
  for (const variant of new Set(variantOf.values())) {
    const r = await runCli(['audit', '--mock', worldPath(variant), '--format', 'json']);
    variantStatuses.set(
      variant,
      JSON.parse(r.stdout).targets[0].results.map((x: Result) => `${x.checkId}:${x.status}`),
    );
  }
});

describe('audit --subscription', () => {
  it('audits every workspace; each gets the verdicts of the world it was made from', async () => {
    const r = await runCli(['audit', '--subscription', SUB, '--mock', file, '--format', 'json']);
    const report = JSON.parse(r.stdout);
    expect(report.targets).toHaveLength(24);
    for (const t of report.targets)
      expect(
        t.results.map((x: Result) => `${x.checkId}:${x.status}`),
        t.workspaceId,
      ).toEqual(variantStatuses.get(variantOf.get(t.workspaceId)!));
  });

  it('reads shared resources once per run, not once per workspace', async () => {
    const h = await startHarness(JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')));
    await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [...variantOf.keys()] });
    const gets = (re: RegExp) => h.server.handler.log.filter((e) => e.method === 'GET' && re.test(e.path)).length;
    expect(gets(/\/serviceTags$/)).toBe(1);
    expect(gets(/\/availablePrivateEndpointTypes$/)).toBe(1);
    expect(gets(/\/networkSecurityGroups\/nsg-group\d+-weu$/)).toBe(8);
    expect(gets(/\/virtualNetworks\/vnet-group\d+-weu$/)).toBe(8);
    expect(gets(/\/privateDnsZones\/privatelink\.azurecr\.io\/virtualNetworkLinks$/)).toBe(1);
    h.inventory.dispose();
    await h.close();
  });

  it('keeps only what later workspaces reuse: a workspace done is dropped, its VNet and NSG stay, and nothing is read twice', async () => {
    const world = JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')) as WorldInput;
    for (const releaseReads of [true, false]) {
      const h = await startHarness(world);
      await runAudit({
        inventory: h.inventory,
        checks: allChecks,
        workspaceIds: [...variantOf.keys()],
        workspaceConcurrency: 4,
        releaseReads,
      });
      // Dropping happened after each workspace was done: the audit itself read nothing twice.
      expect(h.inventory.requestCount).toBe(h.inventory.distinctReads);
      const first = [...variantOf.keys()][0]!;
      const vnet = `/subscriptions/${SUB}/resourceGroups/rg-mlops-prod-weu/providers/Microsoft.Network/virtualNetworks/vnet-group0-weu`;
      const before = h.inventory.requestCount;
      await h.inventory.virtualNetwork(vnet);
      expect(h.inventory.requestCount, 'the VNet stays cached').toBe(before);
      await h.inventory.workspace(first);
      expect(h.inventory.requestCount, releaseReads ? 'the workspace was dropped' : 'the workspace was kept').toBe(
        before + (releaseReads ? 1 : 0),
      );
      h.inventory.dispose();
      await h.close();
    }
  });

  it('a project done does not drop its hub: the hub and its outbound rules stay for the next workspace', async () => {
    const h = await startHarness('managed-hub-project');
    // One at a time, the project first: every read the hub's own audit needs was made for the project.
    await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [ids.workspace, hubId], workspaceConcurrency: 1 });
    const hubReads = h.server.handler.log.filter((e) => e.method === 'GET' && e.path.toLowerCase().startsWith(hubId.toLowerCase()));
    expect(hubReads.map((e) => e.path.slice(hubId.length)).sort()).toEqual(['', '/computes', '/outboundRules']);
    // What is read twice: the storage account and registry the hub shares with its projects (and
    // their key actions), dropped with the project they were read for. A known cost, 4 requests.
    const count = new Map<string, number>();
    for (const e of h.server.handler.log) count.set(`${e.method} ${e.path}`, (count.get(`${e.method} ${e.path}`) ?? 0) + 1);
    expect(
      [...count]
        .filter(([, n]) => n > 1)
        .map(([k]) => k)
        .sort(),
    ).toEqual([`GET ${ids.storage}`, `GET ${ids.registry}`, `POST ${ids.storage}/listKeys`, `POST ${ids.registry}/listCredentials`].sort());
    h.inventory.dispose();
    await h.close();
  });

  it("under ARM's throttling model the verdicts equal the unthrottled run, and nothing errors", async () => {
    const plain = JSON.parse((await runCli(['audit', '--subscription', SUB, '--mock', file, '--format', 'json'])).stdout);
    const throttled = JSON.parse((await runCli(['audit', '--subscription', SUB, '--mock', throttledFile, '--format', 'json'])).stdout);
    expect(throttled.summary.error).toBe(0);
    expect(throttled.targets.map((t: { results: Result[] }) => t.results.map((x) => x.status))).toEqual(
      plain.targets.map((t: { results: Result[] }) => t.results.map((x) => x.status)),
    );
  }, 60_000);

  it('retries the 429s of a bucket another client already drained, and still decides everything', async () => {
    const w = JSON.parse(await (await import('node:fs/promises')).readFile(throttledFile, 'utf8'));
    // The pacer knows nothing before the first answer, so the first requests meet an empty bucket
    // whatever the machine's speed: the 429s below are certain, not a race with the refill.
    w.throttling = {
      reads: { capacity: 20, refillPerSecond: 80, initialTokens: 0 },
      writes: { capacity: 10, refillPerSecond: 40, initialTokens: 0 },
    };
    const h = await startHarness(w, { connection: { retryDelayInMs: 20, maxRetries: 8 } });
    const report = await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [...variantOf.keys()].slice(0, 6) });
    expect(report.summary.error).toBe(0);
    expect(h.server.handler.throttled, 'the bucket really ran dry').toBeGreaterThan(0);
    for (const t of report.targets)
      expect(t.results.map((x) => `${x.checkId}:${x.status}`)).toEqual(variantStatuses.get(variantOf.get(t.workspaceId)!));
    h.inventory.dispose();
    await h.close();
  }, 60_000);

  it('--resource-group scopes the listing; bad subscription ids are exit 2', async () => {
    const r = await runCli(['audit', '--subscription', SUB, '--resource-group', 'rg-other', '--mock', file, '--format', 'json']);
    expect(JSON.parse(r.stdout).targets).toEqual([]);
    expect((await runCli(['audit', '--subscription', 'not-a-guid'])).code).toBe(2);
  });
});

describe('merge', () => {
  it('two shards merge into the report of the whole, in any format', async () => {
    const ids = [...variantOf.keys()];
    const shard = async (part: string[], name: string) => {
      const out = join(dir, name);
      await runCli(['audit', ...part.flatMap((id) => ['--workspace', id]), '--mock', file, '-o', out]);
      return out;
    };
    const a = await shard(ids.slice(0, 10), 'a.json');
    const b = await shard(ids.slice(10), 'b.json');
    const merged = await runCli(['merge', a, b]);
    const whole = JSON.parse((await runCli(['audit', '--subscription', SUB, '--mock', file, '--format', 'json'])).stdout);
    const m = JSON.parse(merged.stdout);
    expect(m.summary).toEqual(whole.summary);
    expect(m.targets.map((t: { workspaceId: string }) => t.workspaceId).sort()).toEqual(
      whole.targets.map((t: { workspaceId: string }) => t.workspaceId).sort(),
    );
    expect(merged.code).toBe(1);
    const md = await runCli(['merge', a, b, '--format', 'markdown']);
    expect(md.stdout).toMatch(/^# aml-preflight report/);
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"schemaVersion": 2}');
    const r = await runCli(['merge', a, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/invalid report .*bad\.json: at \$\.schemaVersion/);
  });
});
