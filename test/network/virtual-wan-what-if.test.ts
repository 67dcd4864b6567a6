/**
 * `audit --what-if` over a Virtual WAN secured hub (issue 21): a deployment that changes the hub's
 * routing intent, the spoke's hub connection or the hub firewall's policy selects the workspace
 * whose egress crosses it, though it names none of the workspace's resources, and the planned
 * routes and rules decide. Through the CLI, against the mock over HTTPS.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/report/types.js';
import type { WorldInput } from '../../src/world/schema.js';
import { ids, RG, SUB } from '../../mocks/worlds/generate.js';
import { DEPLOYMENT } from '../../mocks/worlds/what-if.js';
import { virtualWanWorlds, vwan } from '../../mocks/worlds/virtual-wan.js';
import { runCli } from '../helpers.js';

type Json = Record<string, unknown>;
const template = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  parameters: {},
  resources: [],
};

/** The world with ARM's what-if answer for the deployment: `change` gets the live body and returns the planned one. */
function planned(base: string, id: string, change: (body: Json) => Json | undefined): WorldInput {
  const world = structuredClone(virtualWanWorlds()[base]!);
  const before = world.resources.find((r) => r.id === id) as Json;
  const after = change(structuredClone(before));
  world.whatIf = {
    [DEPLOYMENT]: {
      changes: [
        after ? { resourceId: id, changeType: 'Modify', before, after } : { resourceId: id, changeType: 'Delete', before },
      ] as never,
    },
  };
  return world;
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aml-preflight-vwan-what-if-'));
  await writeFile(join(dir, 'template.json'), JSON.stringify(template));
});

async function whatIf(name: string, world: WorldInput) {
  const file = join(dir, `${name}.world.json`);
  await writeFile(file, JSON.stringify(world));
  const r = await runCli([
    'audit',
    '--mock',
    file,
    '--what-if',
    join(dir, 'template.json'),
    '--subscription',
    SUB,
    '--resource-group',
    RG,
    '--check',
    'nsg-outbound-service-tags',
    '--format',
    'json',
  ]);
  const report = JSON.parse(r.stdout) as AuditReport;
  const target = report.targets.find((t) => t.workspaceId.toLowerCase() === ids.workspace.toLowerCase());
  return { code: r.code, report, target };
}

describe('what-if through a secured hub', () => {
  it('a deny for the MCR data endpoints added to the hub policy: the workspace is selected, and the failure introduced', async () => {
    const r = await whatIf(
      'deny-mcr-data',
      planned('vwan-hub-healthy', vwan.group, (body) => {
        const props = body.properties as { ruleCollections: Json[] };
        props.ruleCollections.splice(
          1,
          0,
          structuredClone(
            virtualWanWorlds()['vwan-mcr-data-denied']!.resources.find((x) => x.id === vwan.group)!.properties!.ruleCollections as Json[],
          )[1]!,
        );
        return body;
      }),
    );
    expect(r.target, 'the workspace behind the hub is audited').toBeDefined();
    const result = r.target!.results[0]!;
    expect(`${result.liveStatus}→${result.status}`).toBe('pass→fail');
    expect(result.findings.map((f) => f.deploymentState)).toEqual(['introduced']);
    expect(result.findings[0]!.message).toContain('deny-mcr-data');
    expect(r.code).toBe(1);
  });

  it("the routing intent's Internet policy removed: the hub no longer sends the spoke's Internet traffic to the firewall, still a pass", async () => {
    const r = await whatIf(
      'intent-private-only',
      planned('vwan-mcr-data-denied', vwan.routingIntent, (body) => {
        const props = body.properties as { routingPolicies: { destinations: string[] }[] };
        props.routingPolicies = props.routingPolicies.filter((p) => !p.destinations.includes('Internet'));
        return body;
      }),
    );
    expect(r.target).toBeDefined();
    const result = r.target!.results[0]!;
    // Live, the firewall denies the MCR data endpoints; planned, MCR goes straight out.
    expect(`${result.liveStatus}→${result.status}`).toBe('fail→pass');
    expect(r.report.whatIf).toMatchObject({ introduced: 0 });
  });

  it("the spoke's connection stops propagating the default route (enableInternetSecurity false): selected, and decided without the firewall", async () => {
    const r = await whatIf(
      'connection-no-default-route',
      planned('vwan-mcr-data-denied', vwan.connection, (body) => {
        (body.properties as Json).enableInternetSecurity = false;
        return body;
      }),
    );
    expect(r.target).toBeDefined();
    expect(`${r.target!.results[0]!.liveStatus}→${r.target!.results[0]!.status}`).toBe('fail→pass');
  });

  it('a deployment elsewhere in the hub subscription selects nothing', async () => {
    const world = structuredClone(virtualWanWorlds()['vwan-hub-healthy']!);
    const other = `/subscriptions/${vwan.hub.split('/')[2]}/resourceGroups/rg-connectivity-weu/providers/Microsoft.Network/publicIPAddresses/pip-bastion-weu`;
    world.whatIf = {
      [DEPLOYMENT]: {
        changes: [
          {
            resourceId: other,
            changeType: 'Create',
            after: { id: other, name: 'pip-bastion-weu', type: 'Microsoft.Network/publicIPAddresses' },
          },
        ] as never,
      },
    };
    const r = await whatIf('unrelated', world);
    expect(r.report.targets).toEqual([]);
  });
});
