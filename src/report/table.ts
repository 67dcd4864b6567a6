/**
 * The terminal report: one line per check with a coloured status, then the findings with their
 * evidence and fix. Readable at a glance; `color: false` for files and pipes.
 */
import pc from 'picocolors';
import { scrub } from '../secrets.js';
import type { Status } from '../engine/check.js';
import type { AuditReport, CheckResult, Finding } from './types.js';

export interface TableOptions {
  color?: boolean;
  /** Terminal width for wrapping long evidence lines. Default 120. */
  width?: number;
}

const MARK: Record<Status, string> = { pass: '✔ PASS ', fail: '✖ FAIL ', warn: '▲ WARN ', skip: '○ SKIP ', error: '? ERROR' };

export function renderTable(report: AuditReport, options: TableOptions = {}): string {
  const c = pc.createColors(options.color ?? false);
  const paint: Record<Status, (s: string) => string> = { pass: c.green, fail: c.red, warn: c.yellow, skip: c.dim, error: c.magenta };
  const width = options.width ?? 120;
  const lines: string[] = [];
  const checkCount = report.targets[0]?.results.length ?? 0;
  lines.push(
    c.bold(`aml-preflight ${report.tool.version}`) +
      c.dim(` · ${plural(report.targets.length, 'workspace')} · ${plural(checkCount, 'check')} · ${plural(report.stats.armRequests, 'ARM request')}${graphStats(report)} · ${seconds(report.stats.durationMs)}`),
  );
  if (report.stats.inventoryFallback) lines.push(c.yellow(`Resource Graph was not used: ${report.stats.inventoryFallback}`));
  for (const target of report.targets) {
    lines.push('', `${c.bold(nameOf(target.workspaceId))} ${c.dim(target.workspaceId)}`);
    const idWidth = Math.max(...target.results.map((r) => r.checkId.length), 10);
    for (const r of target.results) {
      lines.push(`  ${paint[r.status](MARK[r.status])}  ${r.checkId.padEnd(idWidth)}  ${headline(r)}`);
      for (const note of r.notes ?? []) lines.push(c.dim(`           note: ${note}`));
      for (const f of r.findings) lines.push(...finding(f, c, width));
    }
  }
  for (const e of report.expiredSuppressions ?? []) {
    lines.push('', c.yellow(`▲ Suppression of ${e.check} for ${e.resource} expired on ${e.expires} ("${e.reason}"): its ${e.findings} finding(s) count again.`));
  }
  const s = report.summary;
  lines.push(
    '',
    `${c.bold('Summary:')} ${c.green(`${s.pass} pass`)}, ${c.red(`${s.fail} fail`)}, ${c.yellow(`${s.warn} warn`)}, ${s.skip} skip, ${c.magenta(`${s.error} error`)}${report.incomplete ? c.magenta(' (incomplete: interrupted)') : ''}`,
  );
  return scrub(`${lines.join('\n')}\n`);
}

function headline(r: CheckResult): string {
  if (r.status === 'skip' || r.status === 'error') return `${r.title} — ${r.reason ?? ''}`;
  if (r.findings.length > 0) return `${r.title} (${plural(r.findings.length, 'finding')})`;
  return r.title;
}

function finding(f: Finding, c: ReturnType<typeof pc.createColors>, width: number): string[] {
  const mark = f.suppressed ? c.dim('○') : f.level === 'warning' ? c.yellow('▲') : c.red('✖');
  const out = [`      ${mark} ${f.message}${f.suppressed ? c.dim(` (suppressed until ${f.suppressed.expires}: ${f.suppressed.reason})`) : ''}`, c.dim(`        resource: ${f.resourceId}`)];
  for (const [k, v] of Object.entries(f.evidence)) {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    // Ids are what an operator acts on: never cut them; cut only long structured values.
    const limit = Math.max(width, 400);
    const line = `        ${k}: ${text}`;
    out.push(c.dim(line.length > limit ? `${line.slice(0, limit - 1)}…` : line));
  }
  out.push(`        ${c.cyan('fix:')} ${f.remediation}`);
  return out;
}

function nameOf(id: string): string {
  return id.split('/').pop() ?? id;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** ` + 3 Resource Graph queries` when Resource Graph mode was asked for. */
function graphStats(report: AuditReport): string {
  const n = report.stats.resourceGraphRequests;
  if (n === undefined) return '';
  return ` + ${n} Resource Graph ${n === 1 ? 'query' : 'queries'}`;
}
