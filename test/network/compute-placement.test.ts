/**
 * Computes of every kind placed where ARM says they are (issue 25): an AKS compute in the subnet of
 * its `aksNetworkingConfiguration`, an attached Kubernetes compute that names no subnet somewhere
 * ARM does not say; the network model, the checks and the Markdown topology give the same answer.
 * Through the quickstart worlds, the mock over HTTPS and the real SDK.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { allChecks } from '../../checks/index.js';
import { ids } from '../../mocks/worlds/generate.js';
import { scoringSubnet } from '../../mocks/worlds/quickstart.js';
import { runAudit } from '../../src/engine/run.js';
import { networkModel } from '../../src/network/gather/model.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { describeTopology } from '../../src/network/gather/topology.js';
import { startHarness, type MockHarness } from '../helpers.js';

let h: MockHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('compute placement', () => {
  it('places the AKS compute in its scoring subnet and the Arc Kubernetes compute nowhere ARM says', async () => {
    h = await startHarness('quickstart-attached-kubernetes');
    const inventory = h.inventory;
    const computes = await inventory.computes(ids.workspace);
    const byName = Object.fromEntries(computes.map((c) => [c.name, { type: c.computeType, subnetId: c.subnetId, network: c.network }]));
    expect(byName).toEqual({
      cluster001: { type: 'AmlCompute', subnetId: ids.trainingSubnet, network: 'subnet' },
      'mlops-ci001': { type: 'ComputeInstance', subnetId: ids.trainingSubnet, network: 'subnet' },
      'aks-mlops-prod-weu': { type: 'AKS', subnetId: scoringSubnet, network: 'subnet' },
      'arc-onprem-gpu': { type: 'Kubernetes', subnetId: undefined, network: 'unknown' },
    });
    const model = await networkModel(inventory, ids.workspace);
    const placed = Object.fromEntries(
      model.computes.map((c) => [c.name, c.placement.kind === 'subnet' ? c.placement.subnetId : c.placement.kind]),
    );
    expect(placed).toEqual({
      cluster001: ids.trainingSubnet,
      'mlops-ci001': ids.trainingSubnet,
      'aks-mlops-prod-weu': scoringSubnet,
      'arc-onprem-gpu': 'unknown',
    });
  });

  it('the Markdown topology draws the AKS cluster in its subnet, and the Arc compute apart, labelled, with no edge', async () => {
    h = await startHarness('quickstart-attached-kubernetes');
    const report = await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [ids.workspace], now: () => 0 });
    const topology = (await describeTopology(h.inventory, ids.workspace))!;
    expect(topology.computes.map((c) => [c.name, c.network]).sort()).toEqual([
      ['aks-mlops-prod-weu', 'subnet'],
      ['arc-onprem-gpu', 'unknown'],
      ['cluster001', 'subnet'],
      ['mlops-ci001', 'subnet'],
    ]);
    const md = renderMarkdown({ ...report, targets: report.targets.map((t) => ({ ...t, topology })) });
    const lines = md.split('\n');
    // The node ids are the diagram's own: find each by its label.
    const nodeOf = (label: string): string => {
      const line = lines.find((l) => l.includes(label));
      expect(line, label).toBeDefined();
      return /^\s*(n\d+)/.exec(line!)![1]!;
    };
    const scoring = lines.findIndex((l) => l.includes('["subnet snet-scoring"]'));
    expect(scoring).toBeGreaterThan(0);
    expect(lines[scoring + 1]).toContain('🖥️ aks-mlops-prod-weu');
    expect(lines[scoring + 2]?.trim()).toBe('end');
    const arc = nodeOf('arc-onprem-gpu (Kubernetes: network not stated in ARM)');
    // Drawn outside every subgraph, and no line links it.
    expect(lines.find((l) => l.includes('arc-onprem-gpu'))).toMatch(/^ {2}n\d+\[/);
    expect(lines.filter((l) => new RegExp(`\\b${arc}\\b`).test(l) && /--|-\.-/.test(l))).toEqual([]);
    // The AKS cluster: linked to its workspace, but no reachability edge no check decided.
    const aks = nodeOf('🖥️ aks-mlops-prod-weu');
    expect(lines.filter((l) => new RegExp(`\\b${aks}\\b`).test(l) && /--|-\.-/.test(l)).map((l) => l.trim())).toEqual([
      `${nodeOf('🧪 mlw-mlops-prod-weu')} --- ${aks}`,
    ]);
  });

  it('a compute cluster in the healthy world is still drawn with its edges', async () => {
    h = await startHarness('healthy-private');
    const report = await runAudit({ inventory: h.inventory, checks: allChecks, workspaceIds: [ids.workspace], now: () => 0 });
    const topology = (await describeTopology(h.inventory, ids.workspace))!;
    const md = renderMarkdown({ ...report, targets: report.targets.map((t) => ({ ...t, topology })) });
    const cluster = /^\s*(n\d+)\["🖥️ cpu-build-cluster"\]/m.exec(md)![1]!;
    expect(md).toMatch(new RegExp(`${cluster} -->\\|443\\| mcr`));
  });
});
