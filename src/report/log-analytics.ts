/**
 * Results into Azure Monitor Logs for scheduled audits: one row per check result per workspace,
 * sent through the Logs Ingestion API (`@azure/monitor-ingestion`, which gzips and splits uploads
 * under the API's 1 MB limit) with the audit's own credential. Rows carry no secret: they are built
 * from the report, which is scrubbed, and scrubbed again.
 * https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview
 * The table and data collection rule: examples/log-analytics/.
 */
import type { TokenCredential } from '@azure/core-auth';
import { tryParseResourceId } from '../base/resource-id.js';
import type { AuditReport } from '../base/results.js';
import { scrub } from '../base/secrets.js';

export { DEFAULT_STREAM, type LogAnalyticsTarget } from './log-analytics-options.js';
import type { LogAnalyticsTarget } from './log-analytics-options.js';

/** A row of the `AmlPreflight_CL` table (examples/log-analytics/dcr.bicep declares the same columns). */
export interface LogRow {
  readonly TimeGenerated: string;
  readonly RunId: string;
  readonly ToolVersion: string;
  readonly WorkspaceId: string;
  readonly Workspace: string;
  readonly SubscriptionId: string;
  readonly ResourceGroup: string;
  readonly CheckId: string;
  readonly Status: string;
  readonly Severity: string;
  /** Findings that count (not suppressed). */
  readonly FindingCount: number;
  /** With `--baseline`: how many of them are new; with `--what-if`, how many the deployment introduces. */
  readonly NewFindingCount: number | null;
  readonly Fingerprints: readonly string[];
  /** The first counted finding's message, else why the check skipped or errored. */
  readonly FirstMessage: string;
}

/** The rows of a report, in report order. */
export function logRows(report: AuditReport, runId: string, time: Date): LogRow[] {
  const rows: LogRow[] = [];
  for (const t of report.targets) {
    const rid = tryParseResourceId(t.workspaceId);
    for (const r of t.results) {
      const counted = r.findings.filter((f) => !f.suppressed);
      rows.push({
        TimeGenerated: time.toISOString(),
        RunId: runId,
        ToolVersion: report.tool.version,
        WorkspaceId: t.workspaceId,
        Workspace: rid?.names[0] ?? t.workspaceId,
        SubscriptionId: rid?.subscriptionId ?? '',
        ResourceGroup: rid?.resourceGroup ?? '',
        CheckId: r.checkId,
        Status: r.status,
        Severity: r.severity,
        FindingCount: counted.length,
        NewFindingCount: report.baseline
          ? counted.filter((f) => f.baselineState === 'new').length
          : report.whatIf
            ? counted.filter((f) => f.deploymentState === 'introduced').length
            : null,
        Fingerprints: counted.map((f) => f.fingerprint),
        FirstMessage: scrub(counted[0]?.message ?? r.reason ?? ''),
      });
    }
  }
  return rows;
}

export interface SendOptions {
  readonly credential: TokenCredential;
  /** Extra CA (the mock's certificate). */
  readonly ca?: string;
  readonly maxRetries?: number;
  readonly retryDelayInMs?: number;
  readonly abortSignal?: AbortSignal;
}

/** Sends the rows; throws one Error naming what failed (the SDK's per-chunk errors folded into one line). */
export async function sendRows(rows: readonly LogRow[], target: LogAnalyticsTarget, opts: SendOptions): Promise<void> {
  if (rows.length === 0) return;
  const { LogsIngestionClient, isAggregateLogsUploadError } = await import('@azure/monitor-ingestion');
  const client = new LogsIngestionClient(target.endpoint, opts.credential, {
    ...(opts.ca ? { tlsOptions: { ca: opts.ca } } : {}),
    retryOptions: { maxRetries: opts.maxRetries ?? 4, retryDelayInMs: opts.retryDelayInMs ?? 1000 },
  });
  try {
    await client.upload(target.dcr, target.stream, rows as unknown as Record<string, unknown>[], {
      maxConcurrency: 2,
      ...(opts.abortSignal ? { abortSignal: opts.abortSignal } : {}),
    });
  } catch (err) {
    if (isAggregateLogsUploadError(err)) {
      const failed = err.errors.reduce((n, e) => n + e.failedLogs.length, 0);
      const first = err.errors[0]?.cause;
      throw new Error(`${failed} of ${rows.length} rows were not accepted: ${scrub(first?.message ?? 'unknown error')}`, { cause: err });
    }
    throw new Error(scrub((err as Error).message), { cause: err });
  }
}
