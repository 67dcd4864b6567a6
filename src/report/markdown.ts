/**
 * Markdown for humans and $GITHUB_STEP_SUMMARY: a summary table, a Mermaid diagram of each
 * workspace's network topology with failing links marked, then the findings with evidence and fix.
 */
import { scrub } from '../base/secrets.js';
import { idKey } from '../base/resource-id.js';
import type { Topology } from '../network/gather/topology.js';
import type { AuditReport, CheckResult, TargetResult } from './types.js';

/** The compute types whose reach the checks decide (same-vnet-placement, nsg-outbound-service-tags). */
const DECIDED_COMPUTE_TYPES = new Set(['amlcompute', 'computeinstance']);

const ICON = { pass: '✅', fail: '❌', warn: '⚠️', skip: '⏭️', error: '❓' } as const;

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderMarkdown(report: AuditReport): string {
  const out: string[] = [];
  out.push(`# aml-preflight report`, '');
  out.push(
    `${report.targets.length} workspace(s), ${report.stats.armRequests} ARM requests${report.stats.resourceGraphRequests !== undefined ? ` and ${report.stats.resourceGraphRequests} Resource Graph ${report.stats.resourceGraphRequests === 1 ? 'query' : 'queries'} (${report.stats.inventory === 'resource-graph' ? 'Resource Graph inventory' : `Resource Graph not used: ${report.stats.inventoryFallback ?? 'unknown reason'}`})` : ''}, ${(report.stats.durationMs / 1000).toFixed(1)} s, aml-preflight ${report.tool.version}.${report.incomplete ? ' **Incomplete: the run was interrupted.**' : ''}`,
    '',
  );
  out.push('| workspace | ✅ pass | ❌ fail | ⚠️ warn | ⏭️ skip | ❓ error |', '|---|---|---|---|---|---|');
  for (const t of report.targets) {
    const n = (s: string) => t.results.filter((r) => r.status === s).length;
    out.push(
      `| ${cell(t.workspaceId.split('/').pop() ?? t.workspaceId)} | ${n('pass')} | ${n('fail')} | ${n('warn')} | ${n('skip')} | ${n('error')} |`,
    );
  }
  const w = report.whatIf;
  if (w) {
    const changes = Object.entries(w.changes)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ');
    out.push(
      '',
      '## This deployment would…',
      '',
      `introduce ${w.introduced} finding${w.introduced === 1 ? '' : 's'}, fix ${w.fixed.length}, leave ${w.unchanged} unchanged (\`${cell(w.template)}\`, deployment \`${cell(w.deployment)}\`: ${changes || 'no changes'}).`,
    );
    for (const t of report.targets) {
      for (const r of t.results) {
        for (const f of r.findings.filter((x) => x.deploymentState === 'introduced')) {
          out.push(`- ❌ introduces **${r.checkId}** on ${cell(t.workspaceId.split('/').pop() ?? t.workspaceId)}: ${f.message}`);
        }
        if (r.status === 'error' && r.liveStatus !== undefined)
          out.push(`- ❓ cannot decide **${r.checkId}** on the planned state: ${r.reason ?? ''}`);
      }
    }
    for (const f of w.fixed)
      out.push(`- ✅ fixes **${f.checkId}** on ${cell(f.workspaceId.split('/').pop() ?? f.workspaceId)}: ${f.message}`);
  }
  const b = report.baseline;
  if (b) {
    out.push('', `**Since the baseline** (\`${cell(b.file)}\`): ${b.new} new, ${b.unchanged} unchanged, ${b.absent.length} gone.`);
    for (const a of b.absent)
      out.push(`- ✅ gone: **${a.checkId}** on ${cell(a.workspaceId.split('/').pop() ?? a.workspaceId)}: ${a.message}`);
  }
  for (const e of report.expiredSuppressions ?? [])
    out.push(
      '',
      `> ⚠️ Suppression of \`${e.check}\` for \`${e.resource}\` expired on ${e.expires} ("${e.reason}"): its ${e.findings} finding(s) count again.`,
    );
  for (const t of report.targets) out.push('', ...target(t));
  return scrub(`${out.join('\n')}\n`);
}

function target(t: TargetResult): string[] {
  const out = [`## ${t.workspaceId.split('/').pop()}`, '', `\`${t.workspaceId}\``, ''];
  if (t.topology) out.push('```mermaid', ...mermaid(t.topology, t.results), '```', '');
  out.push('| check | status | |', '|---|---|---|');
  for (const r of t.results)
    out.push(
      `| \`${r.checkId}\` | ${ICON[r.status]} ${r.status} | ${cell(r.status === 'skip' || r.status === 'error' ? (r.reason ?? '') : r.findings.length > 0 ? `${r.findings.length} finding(s)` : r.title)} |`,
    );
  const withFindings = t.results.filter((r) => r.findings.length > 0);
  if (withFindings.length > 0) out.push('', '### Findings');
  for (const r of withFindings) {
    for (const f of r.findings) {
      out.push(
        '',
        `${f.suppressed ? '🔕' : f.level === 'warning' ? '⚠️' : '❌'} ${f.baselineState === 'new' || f.deploymentState === 'introduced' ? '🆕 ' : ''}**${r.checkId}**: ${f.message}${f.suppressed ? ` _(suppressed until ${f.suppressed.expires}: ${f.suppressed.reason})_` : ''}`,
        '',
      );
      out.push(`- resource: \`${f.resourceId}\``, `- fix: ${f.remediation}`);
      out.push('', '<details><summary>evidence</summary>', '', '```json', JSON.stringify(f.evidence, null, 2), '```', '', '</details>');
    }
  }
  return out;
}

/** A Mermaid flowchart: subgraphs per VNet and subnet; failing links dashed and crossed, failing nodes red. */
export function mermaid(topo: Topology, results: readonly CheckResult[]): string[] {
  const ids = new Map<string, string>();
  const node = (id: string): string => {
    const k = idKey(id);
    if (!ids.has(k)) ids.set(k, `n${ids.size}`);
    return ids.get(k)!;
  };
  const label = (s: string): string => s.replace(/"/g, "'");
  const failing = new Set<string>();
  const findings = results.flatMap((r) => r.findings.filter((f) => !f.suppressed && f.level === 'error').map((f) => ({ r, f })));
  for (const { f } of findings) failing.add(idKey(f.resourceId));
  // A finding on an NSG's rule marks the NSG.
  for (const n of topo.nsgs) if ([...failing].some((k) => k.startsWith(`${idKey(n.id)}/`))) failing.add(idKey(n.id));
  const lines = ['flowchart LR'];
  let links = 0;
  const broken: number[] = [];
  const link = (text: string, isBroken = false): void => {
    if (isBroken) broken.push(links);
    links++;
    lines.push(`  ${text}`);
  };
  lines.push(`  ${node(topo.workspace.id)}["🧪 ${label(topo.workspace.name)}"]`);
  if (topo.storage) lines.push(`  ${node(topo.storage.id)}[("🗄️ ${label(topo.storage.name)}")]`);
  if (topo.registry) lines.push(`  ${node(topo.registry.id)}[("📦 ${label(topo.registry.name)}")]`);
  lines.push('  mcr(("🌐 MCR + Front Door"))');
  for (const v of topo.vnets) {
    lines.push(`  subgraph ${node(v.id)}["VNet ${label(v.name)}"]`);
    for (const s of v.subnets) {
      lines.push(`    subgraph ${node(s.id)}["subnet ${label(s.name)}"]`);
      for (const c of topo.computes.filter((c) => c.subnetId && idKey(c.subnetId) === idKey(s.id)))
        lines.push(`      ${node(c.id)}["🖥️ ${label(c.name)}"]`);
      for (const e of topo.privateEndpoints.filter((e) => idKey(e.subnetId) === idKey(s.id)))
        lines.push(`      ${node(e.id)}{{"🔌 ${label(e.name)}"}}`);
      lines.push('    end');
    }
    lines.push('  end');
  }
  const managed = topo.managed;
  if (managed) {
    lines.push(`  subgraph ${node(managed.id)}["${label(managed.name)} (${managed.isolationMode}, ${managed.status})"]`);
    for (const c of topo.computes.filter((c) => !c.subnetId && c.network !== 'unknown'))
      lines.push(`    ${node(c.id)}["🖥️ ${label(c.name)}"]`);
    for (const e of managed.endpoints) lines.push(`    ${node(e.id)}{{"🔌 ${label(e.name)} (${label(e.subresource)})"}}`);
    lines.push('  end');
    // A rule that is not Active is drawn red.
    for (const e of managed.endpoints) if (!/^active$/i.test(e.ruleStatus)) failing.add(idKey(e.id));
    if (!/^active$/i.test(managed.status)) failing.add(idKey(managed.id));
  } else {
    for (const c of topo.computes.filter((c) => !c.subnetId && c.network !== 'unknown'))
      lines.push(`  ${node(c.id)}["🖥️ ${label(c.name)} (no VNet)"]`);
  }
  // An attached compute whose network ARM does not say: drawn apart, with no edge no check decided.
  for (const c of topo.computes.filter((c) => c.network === 'unknown'))
    lines.push(`  ${node(c.id)}["🖥️ ${label(c.name)} (${label(c.type)}: network not stated in ARM)"]`);
  for (const n of topo.nsgs) lines.push(`  ${node(n.id)}[/"🛡️ ${label(n.name)}"/]`);
  // Issue 21: the hub firewall a route leads to, from the egress check's findings (a firewall that
  // allows everything leaves no finding, and the compute's edge goes straight to MCR).
  const hops = new Map<string, { firewallId: string; hubVnetId: string; computes: Set<string>; rules: Set<string>; denied: boolean }>();
  for (const r of results.filter((x) => x.checkId === 'nsg-outbound-service-tags'))
    for (const f of r.findings.filter((x) => !x.suppressed)) {
      const e = f.evidence as { firewallId?: unknown; hubVnetId?: unknown; computes?: unknown; decisions?: unknown };
      if (typeof e.firewallId !== 'string' || typeof e.hubVnetId !== 'string') continue;
      const hop = hops.get(idKey(e.firewallId)) ?? {
        firewallId: e.firewallId,
        hubVnetId: e.hubVnetId,
        computes: new Set(),
        rules: new Set(),
        denied: false,
      };
      for (const c of Array.isArray(e.computes) ? e.computes : []) if (typeof c === 'string') hop.computes.add(idKey(c));
      const decisions = Array.isArray(e.decisions) ? (e.decisions as { verdict?: unknown; rule?: { rule?: unknown } | null }[]) : [];
      for (const d of decisions) if (d.verdict !== 'allow') hop.rules.add(typeof d.rule?.rule === 'string' ? d.rule.rule : 'default deny');
      hop.denied ||= f.level === 'error';
      hops.set(idKey(e.firewallId), hop);
    }
  const drawn = new Set<unknown>();
  for (const hop of hops.values()) {
    const name = (id: string) => id.split('/').pop() ?? id;
    lines.push(`  subgraph ${node(hop.hubVnetId)}["hub VNet ${label(name(hop.hubVnetId))}"]`);
    lines.push(`    ${node(hop.firewallId)}[["🔥 ${label(name(hop.firewallId))}"]]`);
    lines.push('  end');
    if (hop.denied) failing.add(idKey(hop.firewallId));
  }
  for (const v of topo.vnets) for (const s of v.subnets) if (s.nsgId) link(`${node(s.nsgId)} -.- ${node(s.id)}`);
  for (const e of topo.privateEndpoints) link(`${node(e.id)} --> ${node(e.targetId)}`);
  for (const e of managed?.endpoints ?? []) {
    const up = /^active$/i.test(e.ruleStatus);
    if ([topo.storage, topo.registry].some((t) => t && idKey(t.id) === idKey(e.targetId)))
      link(up ? `${node(e.id)} --> ${node(e.targetId)}` : `${node(e.id)} -.->|"⛔ ${label(e.ruleStatus)}"| ${node(e.targetId)}`, !up);
  }
  // Compute → storage / registry / MCR, crossed where a check found the path broken.
  for (const c of topo.computes.filter((c) => c.network !== 'unknown')) {
    link(`${node(topo.workspace.id)} --- ${node(c.id)}`);
    // Reachability edges only for the computes the checks decide (clusters and instances); an AKS
    // cluster is placed in its subnet, but no check has said what it reaches.
    if (!DECIDED_COMPUTE_TYPES.has(c.type.toLowerCase())) continue;
    for (const target of [topo.storage, topo.registry].filter((x): x is NonNullable<typeof x> => !!x)) {
      const isBroken = findings.some(
        ({ r, f }) =>
          r.checkId === 'same-vnet-placement' &&
          (f.evidence as { computeId?: string; resourceId?: string }).computeId === c.id &&
          idKey((f.evidence as { resourceId?: string }).resourceId ?? '') === idKey(target.id),
      );
      link(isBroken ? `${node(c.id)} -.->|"⛔ unreachable"| ${node(target.id)}` : `${node(c.id)} --> ${node(target.id)}`, isBroken);
    }
    if (!c.subnetId && managed?.isolationMode === 'AllowOnlyApprovedOutbound') {
      const blocked = findings.some(
        ({ r, f }) => r.checkId === 'managed-network-outbound' && typeof (f.evidence as { tag?: unknown }).tag === 'string',
      );
      link(blocked ? `${node(c.id)} -.->|"⛔ no service-tag rule"| mcr` : `${node(c.id)} -->|443| mcr`, blocked);
    }
    if (c.subnetId) {
      const blocked = findings.some(
        ({ r, f }) =>
          r.checkId === 'nsg-outbound-service-tags' &&
          ((f.evidence as { computes?: string[] }).computes ?? []).some((x) => idKey(x) === idKey(c.id)),
      );
      const hop = [...hops.values()].find((h) => h.computes.has(idKey(c.id)));
      if (hop) {
        link(`${node(c.id)} -->|443| ${node(hop.firewallId)}`);
        if (drawn.has(hop)) continue;
        drawn.add(hop);
        const why = [...hop.rules].join(', ');
        if (hop.denied) link(`${node(hop.firewallId)} -.->|"⛔ ${label(why)}"| mcr`, true);
        else link(`${node(hop.firewallId)} -.->|"? ${label(why)}"| mcr`);
        continue;
      }
      link(blocked ? `${node(c.id)} -.->|"⛔ 443 denied"| mcr` : `${node(c.id)} -->|443| mcr`, blocked);
    }
  }
  const red = [...ids.entries()].filter(([k]) => failing.has(k)).map(([, v]) => v);
  lines.push('  classDef fail fill:#fdd,stroke:#c00,stroke-width:2px');
  if (red.length > 0) lines.push(`  class ${red.join(',')} fail`);
  if (broken.length > 0) lines.push(`  linkStyle ${broken.join(',')} stroke:#c00,stroke-width:2px`);
  return lines;
}
