/**
 * The config file (`aml-preflight.config.json`, or `--config`): checks on/off, severity overrides,
 * and suppressions. A suppression needs a reason and an expiry date; a suppressed finding stays in
 * the report, marked, and does not count for --fail-on; an expired one stops suppressing and is
 * itself reported. Validated at the boundary; published as schema/config.schema.json.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import picomatch from 'picomatch';
import * as z from '../base/zod.js';
import { UsageError } from '../base/errors.js';
import { idKey } from '../base/resource-id.js';
import type { Check, Severity } from '../engine/check.js';
import {
  summarize,
  type AuditReport,
  type CheckResult,
  type ExpiredSuppression,
  type Finding,
  type TargetResult,
} from '../report/types.js';
import { jsonPath } from '../base/json-path.js';

export const CONFIG_FILE = 'aml-preflight.config.json';

const severity = z.enum(['error', 'warning', 'info']);
const date = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-12-31'), z.refine(isCalendarDate, 'a real calendar date'));

/** V8 accepts 2026-02-30 (rolling over to March); a calendar date must survive the round trip. */
function isCalendarDate(d: string): boolean {
  const t = Date.parse(`${d}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d;
}

export const configSchema = z.strictObject({
  $schema: z.optional(z.string()),
  /** Per check: "off", "on", or { enabled, severity }. */
  checks: z.optional(
    z.record(
      z.string(),
      z.union([z.enum(['on', 'off']), z.strictObject({ enabled: z.optional(z.boolean()), severity: z.optional(severity) })]),
    ),
  ),
  suppressions: z.optional(
    z.array(
      z.strictObject({
        /** The check id. */
        check: z.string().check(z.minLength(1)),
        /** An ARM resource id, or a glob over ids (`/subscriptions/*\/resourceGroups/rg-dev-*\/**`), case-insensitive. */
        resource: z.string().check(z.minLength(1)),
        /** Why this is accepted; shown in every report. */
        reason: z.string().check(z.trim(), z.minLength(1, 'a reason is required')),
        /** The last day the suppression applies (UTC). */
        expires: date,
      }),
    ),
  ),
  failOn: z.optional(z.enum(['error', 'warning', 'never'])),
});

export type Config = z.infer<typeof configSchema>;

/** Validates a parsed config against the known checks. Throws {@link UsageError} naming the path. */
export function parseConfig(data: unknown, source: string, checks: readonly Check[]): Config {
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`invalid config ${source}: at ${jsonPath(issue.path)}: ${issue.message}`);
  }
  const known = new Set(checks.map((c) => c.meta.id));
  for (const id of Object.keys(result.data.checks ?? {})) {
    if (!known.has(id)) throw new UsageError(`invalid config ${source}: at ${jsonPath(['checks', id])}: unknown check "${id}"`);
  }
  (result.data.suppressions ?? []).forEach((s, i) => {
    if (!known.has(s.check))
      throw new UsageError(`invalid config ${source}: at ${jsonPath(['suppressions', i, 'check'])}: unknown check "${s.check}"`);
  });
  return result.data;
}

/** Reads `--config`, or `aml-preflight.config.json` in the working directory if present. */
export async function loadConfig(file: string | undefined, checks: readonly Check[], cwd = process.cwd()): Promise<Config | undefined> {
  const path = file ?? (existsSync(`${cwd}/${CONFIG_FILE}`) ? `${cwd}/${CONFIG_FILE}` : undefined);
  if (!path) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`invalid config ${path}: not JSON (${(err as Error).message})`);
  }
  return parseConfig(data, path, checks);
}

/** Check ids the config turns off. */
export function disabledChecks(config: Config | undefined): string[] {
  return Object.entries(config?.checks ?? {})
    .filter(([, v]) => v === 'off' || (typeof v === 'object' && v.enabled === false))
    .map(([id]) => id);
}

export function severityOverrides(config: Config | undefined): Record<string, Severity> {
  const out: Record<string, Severity> = {};
  for (const [id, v] of Object.entries(config?.checks ?? {})) if (typeof v === 'object' && v.severity) out[id] = v.severity;
  return out;
}

function matches(pattern: string, resourceId: string): boolean {
  if (!/[*?[\]{}]/.test(pattern)) return idKey(pattern) === idKey(resourceId);
  return picomatch.isMatch(resourceId, pattern, { nocase: true, dot: true });
}

/**
 * Applies suppressions to a report (pure; `today` injected): matching findings are marked and stop
 * counting; a check whose findings are all suppressed passes. Expired suppressions that match are
 * listed in `expiredSuppressions` and suppress nothing.
 */
export function applySuppressions(report: AuditReport, config: Config | undefined, today: string): AuditReport {
  const rules = config?.suppressions ?? [];
  if (rules.length === 0) return report;
  const expired = new Map<(typeof rules)[number], number>();
  const targets: TargetResult[] = report.targets.map((t) => ({
    ...t,
    results: t.results.map((r): CheckResult => {
      if (r.findings.length === 0) return r;
      const findings = r.findings.map((f): Finding => {
        const rule = rules.find((s) => s.check === r.checkId && matches(s.resource, f.resourceId));
        if (!rule) return f;
        if (rule.expires < today) {
          expired.set(rule, (expired.get(rule) ?? 0) + 1);
          return f;
        }
        return { ...f, suppressed: { reason: rule.reason, expires: rule.expires } };
      });
      const counted = findings.filter((f) => !f.suppressed);
      const status =
        r.status === 'fail' || r.status === 'warn'
          ? counted.some((f) => f.level === 'error')
            ? 'fail'
            : counted.length > 0
              ? 'warn'
              : 'pass'
          : r.status;
      const suppressedCount = findings.length - counted.length;
      return {
        ...r,
        status,
        findings,
        ...(suppressedCount > 0 ? { notes: [...(r.notes ?? []), `${suppressedCount} finding(s) suppressed by the config`] } : {}),
      };
    }),
  }));
  const expiredSuppressions: ExpiredSuppression[] = [...expired].map(([s, n]) => ({
    check: s.check,
    resource: s.resource,
    reason: s.reason,
    expires: s.expires,
    findings: n,
  }));
  return { ...report, targets, summary: summarize(targets), ...(expiredSuppressions.length > 0 ? { expiredSuppressions } : {}) };
}
