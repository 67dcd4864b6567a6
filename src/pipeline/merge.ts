/**
 * `merge`: combine reports from sharded runs (one CI job per subscription) into one report, which
 * any format can then render. Inputs are validated: a file that is not an aml-preflight JSON report
 * is bad input.
 */
import { readFile } from 'node:fs/promises';
import * as z from '../base/zod.js';
import { UsageError } from '../base/errors.js';
import { summarize, type AuditReport, type TargetResult } from '../report/types.js';
import { jsonPath } from '../base/json-path.js';
import { VERSION } from '../base/version.js';

const reportSchema = z.looseObject({
  schemaVersion: z.literal(1),
  tool: z.looseObject({ name: z.literal('aml-preflight'), version: z.string() }),
  targets: z.array(
    z.looseObject({
      workspaceId: z.string(),
      results: z.array(
        z.looseObject({
          checkId: z.string(),
          status: z.enum(['pass', 'fail', 'warn', 'skip', 'error']),
          findings: z.array(z.looseObject({ message: z.string(), resourceId: z.string() })),
        }),
      ),
    }),
  ),
  stats: z.looseObject({ armRequests: z.number(), durationMs: z.number() }),
});

export async function readReport(file: string, usage = 'merge takes reports written with --format json'): Promise<AuditReport> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(code ? `cannot read report ${file}: ${code}` : `invalid report ${file}: not JSON (${usage})`);
  }
  const r = reportSchema.safeParse(data);
  if (!r.success)
    throw new UsageError(`invalid report ${file}: at ${jsonPath(r.error.issues[0]!.path)}: ${r.error.issues[0]!.message} (${usage})`);
  return data as AuditReport;
}

function mergeStats(reports: readonly AuditReport[]): AuditReport['stats'] {
  const stats: AuditReport['stats'] = {
    armRequests: reports.reduce((a, r) => a + r.stats.armRequests, 0),
    durationMs: Math.max(0, ...reports.map((r) => r.stats.durationMs)),
  };
  const graph = reports.filter((r) => r.stats.inventory !== undefined);
  if (graph.length === 0) return stats;
  const fallbacks = graph.map((r) => r.stats.inventoryFallback).filter((f): f is string => typeof f === 'string');
  return {
    ...stats,
    // One shard that fell back to ARM makes the merged run a mixed one; say the weaker mode.
    inventory: graph.every((r) => r.stats.inventory === 'resource-graph') ? 'resource-graph' : 'arm',
    resourceGraphRequests: graph.reduce((a, r) => a + (r.stats.resourceGraphRequests ?? 0), 0),
    ...(fallbacks.length > 0 ? { inventoryFallback: fallbacks.join('; ') } : {}),
  };
}

/** Merges reports; a workspace present in several keeps the last one given. */
export function mergeReports(reports: readonly AuditReport[]): AuditReport {
  const byWorkspace = new Map<string, TargetResult>();
  for (const r of reports) for (const t of r.targets) byWorkspace.set(t.workspaceId.toLowerCase(), t);
  const targets = [...byWorkspace.values()];
  const expired = reports.flatMap((r) => r.expiredSuppressions ?? []);
  const compared = reports.filter((r) => r.baseline !== undefined).map((r) => r.baseline!);
  return {
    schemaVersion: 1,
    tool: { name: 'aml-preflight', version: VERSION },
    targets,
    summary: summarize(targets),
    stats: mergeStats(reports),
    ...(reports.some((r) => r.incomplete) ? { incomplete: true } : {}),
    ...(expired.length > 0 ? { expiredSuppressions: expired } : {}),
    // Shards compared with their own baselines: the comparison is the sum of theirs.
    ...(compared.length > 0
      ? {
          baseline: {
            file: [...new Set(compared.map((b) => b.file))].join(', '),
            new: compared.reduce((a, b) => a + b.new, 0),
            unchanged: compared.reduce((a, b) => a + b.unchanged, 0),
            absent: compared.flatMap((b) => b.absent),
          },
        }
      : {}),
  };
}
