/**
 * JUnit XML for CI systems that show test results (Azure Pipelines PublishTestResults, GitLab,
 * Jenkins): a test suite per workspace, a test case per check. `fail` is a failure, `error` an
 * error, `skip` skipped; `warn` passes with its findings in system-out. Built with fast-xml-builder,
 * which escapes what XML needs escaped.
 */
import XMLBuilder from 'fast-xml-builder';
import { scrub } from '../base/secrets.js';
import type { AuditReport, CheckResult } from './types.js';

function findingsText(r: CheckResult): string {
  return r.findings
    .map(
      (f) =>
        `${f.suppressed ? '[suppressed] ' : ''}${f.baselineState ? `[${f.baselineState}] ` : ''}${f.deploymentState ? `[${f.deploymentState}] ` : ''}${f.message}\n  resource: ${f.resourceId}\n  fix: ${f.remediation}`,
    )
    .join('\n\n');
}

export function renderJunit(report: AuditReport): string {
  const seconds = (ms: number): string => (ms / 1000).toFixed(3);
  const suites = report.targets.map((t) => {
    const count = (s: string) => t.results.filter((r) => r.status === s).length;
    return {
      '@_name': t.workspaceId.split('/').pop(),
      '@_id': t.workspaceId,
      '@_tests': t.results.length,
      '@_failures': count('fail'),
      '@_errors': count('error'),
      '@_skipped': count('skip'),
      '@_time': seconds(t.results.reduce((a, r) => a + r.durationMs, 0)),
      properties: {
        property: [
          { '@_name': 'workspaceId', '@_value': t.workspaceId },
          ...(report.baseline
            ? report.baseline.absent
                .filter((a) => a.workspaceId.toLowerCase() === t.workspaceId.toLowerCase())
                .map((a) => ({ '@_name': `absent:${a.checkId}`, '@_value': a.message }))
            : []),
        ],
      },
      testcase: t.results.map((r) => ({
        '@_classname': `aml-preflight.${t.workspaceId.split('/').pop()}`,
        '@_name': r.checkId,
        '@_time': seconds(r.durationMs),
        ...(r.status === 'fail'
          ? {
              failure: {
                '@_message': r.findings.find((f) => !f.suppressed)?.message ?? r.title,
                '@_type': r.severity,
                '#text': findingsText(r),
              },
            }
          : {}),
        ...(r.status === 'error' ? { error: { '@_message': r.reason ?? 'could not decide', '@_type': 'incomplete' } } : {}),
        ...(r.status === 'skip' ? { skipped: { '@_message': r.reason ?? 'not applicable' } } : {}),
        ...(r.status === 'warn' || (r.status === 'pass' && r.findings.length > 0) ? { 'system-out': findingsText(r) } : {}),
      })),
    };
  });
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': 'aml-preflight',
      '@_tests': report.targets.reduce((a, t) => a + t.results.length, 0),
      '@_failures': report.summary.fail,
      '@_errors': report.summary.error,
      '@_skipped': report.summary.skip,
      '@_time': seconds(report.stats.durationMs),
      testsuite: suites,
    },
  };
  const xml = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true, attributeNamePrefix: '@_' }).build(doc);
  return scrub(xml.endsWith('\n') ? xml : `${xml}\n`);
}
