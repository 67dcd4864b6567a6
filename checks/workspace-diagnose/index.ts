/**
 * https://learn.microsoft.com/rest/api/azureml/workspaces/diagnose
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 *
 * Azure ML's own server-side diagnosis of the workspace (`POST …/workspaces/{name}/diagnose`, a
 * long-running operation that can take minutes, so opt-in): nine lists of {code, level, message}.
 * `Error` is a failing finding, `Warning` a warning, `Information` a note; Microsoft's code and
 * message are kept as they are. Known codes are tied to our own checks, so the report shows where
 * Microsoft and aml-preflight agree or differ.
 */
import type { DiagnoseResponseResultValue } from '@azure/arm-machinelearning';
import { defineCheck, type Check } from '../../src/engine/check.js';
import type { CheckResult, Finding } from '../../src/base/results.js';

/** The nine result lists, by the name the report uses. */
const CATEGORIES: Record<keyof DiagnoseResponseResultValue, string> = {
  userDefinedRouteResults: 'user-defined routes',
  networkSecurityRuleResults: 'network security rules',
  resourceLockResults: 'resource locks',
  dnsResolutionResults: 'DNS resolution',
  storageAccountResults: 'storage account',
  keyVaultResults: 'key vault',
  containerRegistryResults: 'container registry',
  applicationInsightsResults: 'application insights',
  otherResults: 'other',
};

/** Microsoft's codes (lower case) and the aml-preflight check that looks at the same condition. Data: extend freely. */
export const RELATED_CHECKS: Readonly<Record<string, string>> = {
  imagebuildcomputenotvalid: 'image-build-compute',
  customdnsinuse: 'private-dns-zones',
};

export default defineCheck({
  meta: {
    id: 'workspace-diagnose',
    title: "Microsoft's server-side diagnosis of the workspace finds no problem",
    severity: 'error',
    optIn: true,
    docs: [
      'https://learn.microsoft.com/rest/api/azureml/workspaces/diagnose',
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
    ],
    reads: ["the workspace's diagnose action (a long-running operation)"],
    actions: ['Microsoft.MachineLearningServices/workspaces/read', 'Microsoft.MachineLearningServices/workspaces/diagnose/action'],
    messages: {
      result: "Microsoft's diagnosis ({{category}}) reports {{code}}: {{message}}",
    },
  },
  async run(ctx) {
    if (ctx.options.whatIf) return ctx.skip("Azure ML's diagnosis reads the live workspace; it cannot diagnose a planned one");
    const result = await ctx.inventory.diagnose(ctx.workspaceId, { abortSignal: ctx.abortSignal });
    let count = 0;
    for (const [key, category] of Object.entries(CATEGORIES) as [keyof DiagnoseResponseResultValue, string][]) {
      for (const item of result[key] ?? []) {
        count++;
        const code = item.code ?? 'UnknownCode';
        const level = (item.level ?? 'Information').toLowerCase();
        const related = RELATED_CHECKS[code.toLowerCase()];
        if (level === 'information') {
          ctx.note(`Microsoft's diagnosis (${category}): ${code}: ${item.message ?? ''}`);
          continue;
        }
        ctx.report({
          messageId: 'result',
          data: { category, code, message: item.message ?? '(no message)' },
          resourceId: ctx.workspaceId,
          evidence: { category, code, level: item.level ?? null, ...(related ? { relatedCheck: related } : {}) },
          remediation: related
            ? `Follow Microsoft's message; aml-preflight's ${related} checks the same condition with evidence: aml-preflight explain ${related}`
            : "Follow Microsoft's message; the troubleshooting guide lists the fixes: https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments",
          level: level === 'error' ? 'error' : 'warning',
        });
      }
    }
    if (count === 0) ctx.note("Microsoft's diagnosis found nothing to report");
  },
  /** Where Microsoft and aml-preflight agree or differ, on the codes tied to our checks. */
  afterRun(own: CheckResult, all: readonly CheckResult[]): CheckResult {
    const notes: string[] = [];
    const findings = own.findings.map((f): Finding => {
      const related = f.evidence.relatedCheck as string | undefined;
      if (!related) return f;
      const ours = all.find((r) => r.checkId === related);
      const verdict = ours ? ours.status : 'not run';
      const agreement = !ours ? 'not compared' : ours.status === 'fail' || ours.status === 'warn' ? 'agree' : 'differ';
      notes.push(`${String(f.evidence.code)}: Microsoft reports a problem; aml-preflight's ${related} says ${verdict} (${agreement})`);
      return { ...f, evidence: { ...f.evidence, ourVerdict: verdict, agreement } };
    });
    return notes.length > 0 ? { ...own, findings, notes: [...(own.notes ?? []), ...notes] } : own;
  },
}) as Check;
