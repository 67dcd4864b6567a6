/**
 * SARIF 2.1.0 for GitHub code scanning and Azure DevOps: one rule per check (help text, doc link),
 * one result per finding with the ARM resource id as its logical location, levels from severity.
 * Checks that could not decide are tool execution notifications, not results.
 * https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
 */
import type { CheckMeta } from '../engine/check.js';
import { scrub } from '../base/secrets.js';
import type { AuditReport, CheckResult, Finding } from './types.js';

export const INFORMATION_URI = 'https://www.npmjs.com/package/aml-preflight';

function level(r: CheckResult, f: Finding): 'error' | 'warning' | 'note' {
  if (f.level === 'warning') return 'warning';
  return r.severity === 'error' ? 'error' : r.severity === 'warning' ? 'warning' : 'note';
}

function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

export function renderSarif(report: AuditReport, checks: readonly CheckMeta[]): string {
  const rules = checks.map((c) => ({
    id: c.id,
    name: ruleName(c.id),
    shortDescription: { text: c.title },
    fullDescription: { text: `${c.title}. Reads: ${c.reads.join(', ')}. Needs: ${c.actions.join(', ')}.` },
    helpUri: c.docs[0],
    help: {
      text: `${c.title}\nMicrosoft documentation: ${c.docs.join(' ')}\nRun \`aml-preflight explain ${c.id}\` for the full explanation and fixes.`,
      markdown: `**${c.title}**\n\n${c.docs.map((d) => `- ${d}`).join('\n')}\n\nRun \`aml-preflight explain ${c.id}\` for the full explanation and fixes.`,
    },
    defaultConfiguration: { level: c.severity === 'info' ? 'note' : c.severity },
    properties: { tags: ['azure', 'azure-machine-learning', 'network'], requiredActions: c.actions },
  }));
  const index = new Map(checks.map((c, i) => [c.id, i]));
  const results = [];
  const notifications = [];
  for (const t of report.targets) {
    for (const r of t.results) {
      if (r.status === 'error') {
        notifications.push({
          level: 'error',
          message: { text: `${r.checkId} could not decide for ${t.workspaceId}: ${r.reason ?? ''}` },
          descriptor: { id: r.checkId, index: index.get(r.checkId) ?? -1 },
          associatedRule: { id: r.checkId, index: index.get(r.checkId) ?? -1 },
        });
        continue;
      }
      for (const f of r.findings) {
        results.push({
          ruleId: r.checkId,
          ruleIndex: index.get(r.checkId) ?? -1,
          level: level(r, f),
          message: { text: `${f.message} Fix: ${f.remediation}` },
          locations: [location(report, f.resourceId)],
          partialFingerprints: { 'amlPreflightFinding/v1': f.fingerprint },
          ...(f.baselineState ? { baselineState: f.baselineState } : {}),
          // What-if: a finding the deployment introduces is new to code scanning; one it leaves, unchanged.
          ...(f.deploymentState ? { baselineState: f.deploymentState === 'introduced' ? 'new' : 'unchanged' } : {}),
          ...(f.suppressed
            ? {
                suppressions: [
                  { kind: 'external', status: 'accepted', justification: `${f.suppressed.reason} (until ${f.suppressed.expires})` },
                ],
              }
            : {}),
          properties: { workspaceId: t.workspaceId, remediation: f.remediation, evidence: f.evidence },
        });
      }
    }
  }
  // With a baseline, the findings it had and this run does not are results too, `absent` (SARIF §3.27.24).
  for (const a of report.baseline?.absent ?? []) {
    results.push({
      ruleId: a.checkId,
      ruleIndex: index.get(a.checkId) ?? -1,
      level: 'none' as const,
      message: { text: `Gone since the baseline: ${a.message}` },
      locations: [{ logicalLocations: [{ fullyQualifiedName: a.resourceId, kind: 'resource' }] }],
      partialFingerprints: { 'amlPreflightFinding/v1': a.fingerprint },
      baselineState: 'absent' as const,
      properties: { workspaceId: a.workspaceId },
    });
  }
  for (const a of report.whatIf?.fixed ?? []) {
    results.push({
      ruleId: a.checkId,
      ruleIndex: index.get(a.checkId) ?? -1,
      level: 'none' as const,
      message: { text: `Fixed by the deployment: ${a.message}` },
      locations: [location(report, a.resourceId)],
      partialFingerprints: { 'amlPreflightFinding/v1': a.fingerprint },
      baselineState: 'absent' as const,
      properties: { workspaceId: a.workspaceId },
    });
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'aml-preflight',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules,
          },
        },
        invocations: [{ executionSuccessful: !report.incomplete, toolExecutionNotifications: notifications }],
        results,
        properties: {
          summary: report.summary,
          armRequests: report.stats.armRequests,
          workspaces: report.targets.map((t) => t.workspaceId),
        },
      },
    ],
  };
  return scrub(`${JSON.stringify(sarif, null, 2)}\n`);
}

/**
 * Where a finding points: with `--what-if` (or `--terraform-plan`), the template (or `.tf`) line that declares the changed resource the
 * finding is about (itself, a changed child, or a changed parent), else the ARM resource id alone.
 */
function location(report: AuditReport, resourceId: string): Record<string, unknown> {
  const logical = { logicalLocations: [{ fullyQualifiedName: resourceId, kind: 'resource' }] };
  const w = report.whatIf;
  if (!w) return logical;
  const key = resourceId.toLowerCase();
  const changed =
    w.changedResources.find((c) => c.resourceId.toLowerCase() === key) ??
    w.changedResources.find((c) => c.resourceId.toLowerCase().startsWith(`${key}/`)) ??
    w.changedResources.find((c) => key.startsWith(`${c.resourceId.toLowerCase()}/`));
  // A Terraform plan's change is also located on its resource address.
  if (changed?.address) logical.logicalLocations.push({ fullyQualifiedName: changed.address, kind: 'declaration' });
  if (!changed?.templateLine) return logical;
  return {
    physicalLocation: { artifactLocation: { uri: changed.file ?? w.template }, region: { startLine: changed.templateLine } },
    ...logical,
  };
}
