/**
 * The terminal report, scanned the way ESLint's default output is: a status line per check; under
 * it, each finding's message, the resource by name (resource group / type / name) and the fix.
 * ARM ids in messages are shortened the same way. Evidence appears with `verbose` (`-v`); JSON,
 * SARIF, JUnit and Markdown always carry it in full. `width` (the terminal's, when stdout is one)
 * wraps long lines with a hanging indent; `color: false` for files and pipes.
 */
import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import { scrub } from '../base/secrets.js';
import type { Status } from '../engine/check.js';
import type { AuditReport, CheckResult, Finding } from './types.js';

export interface TableOptions {
  color?: boolean;
  /** Wrap lines to this many columns (the terminal's width). Default: no wrapping. */
  width?: number;
  /** Show each finding's evidence. Default false. */
  verbose?: boolean;
}

const MARK: Record<Status, string> = { pass: '✔ PASS ', fail: '✖ FAIL ', warn: '▲ WARN ', skip: '○ SKIP ', error: '? ERROR' };

export function renderTable(report: AuditReport, options: TableOptions = {}): string {
  const c = pc.createColors(options.color ?? false);
  const paint: Record<Status, (s: string) => string> = { pass: c.green, fail: c.red, warn: c.yellow, skip: c.dim, error: c.magenta };
  const width = options.width;
  const lines: string[] = [];
  const checkCount = report.targets[0]?.results.length ?? 0;
  lines.push(
    c.bold(`aml-preflight ${report.tool.version}`) +
      c.dim(
        ` · ${plural(report.targets.length, 'workspace')} · ${plural(checkCount, 'check')} · ${plural(report.stats.armRequests, 'ARM request')}${graphStats(report)} · ${seconds(report.stats.durationMs)}`,
      ),
  );
  if (report.stats.inventoryFallback) lines.push(c.yellow(`Resource Graph was not used: ${report.stats.inventoryFallback}`));
  for (const target of report.targets) {
    lines.push('', `${c.bold(nameOf(target.workspaceId))} ${c.dim(shortId(target.workspaceId))}`);
    const idWidth = Math.max(...target.results.map((r) => r.checkId.length), 10);
    for (const r of target.results) {
      lines.push(
        ...wrap(`  ${paint[r.status](MARK[r.status])}  ${r.checkId.padEnd(idWidth)}  ${shortenIds(headline(r))}`, width, 13 + idWidth),
      );
      for (const note of r.notes ?? []) lines.push(...wrap(c.dim(`           note: ${shortenIds(note)}`), width, 17));
      for (const f of r.findings) lines.push(...finding(f, c, width, options.verbose ?? false));
    }
  }
  for (const e of report.expiredSuppressions ?? []) {
    lines.push(
      '',
      c.yellow(
        `▲ Suppression of ${e.check} for ${e.resource} expired on ${e.expires} ("${e.reason}"): its ${e.findings} finding(s) count again.`,
      ),
    );
  }
  const b = report.baseline;
  if (b && b.absent.length > 0) {
    lines.push('', c.bold(`Gone since the baseline (${plural(b.absent.length, 'finding')}):`));
    for (const a of b.absent)
      lines.push(...wrap(c.green(`  ✔ ${a.checkId} on ${nameOf(a.workspaceId)}: ${shortenIds(a.message)}`), width, 4));
  }
  const s = report.summary;
  lines.push(
    '',
    `${c.bold('Summary:')} ${c.green(`${s.pass} pass`)}, ${c.red(`${s.fail} fail`)}, ${c.yellow(`${s.warn} warn`)}, ${s.skip} skip, ${c.magenta(`${s.error} error`)}${report.incomplete ? c.magenta(' (incomplete: interrupted)') : ''}`,
  );
  const w = report.whatIf;
  if (w) {
    for (const f of w.fixed)
      lines.push(...wrap(c.green(`  ✔ fixed: ${f.checkId} on ${nameOf(f.workspaceId)}: ${shortenIds(f.message)}`), width, 4));
    lines.push(
      `${c.bold('This deployment would:')} ${c.red(`introduce ${w.introduced}`)}, ${c.green(`fix ${w.fixed.length}`)}, leave ${w.unchanged} unchanged (${w.template})`,
    );
  }
  if (b)
    lines.push(
      `${c.bold('Since the baseline:')} ${c.red(`${b.new} new`)}, ${b.unchanged} unchanged, ${c.green(`${b.absent.length} gone`)} (${b.file})`,
    );
  return scrub(`${lines.join('\n')}\n`);
}

function headline(r: CheckResult): string {
  if (r.status === 'skip' || r.status === 'error') return `${r.title} — ${r.reason ?? ''}`;
  if (r.findings.length > 0) return `${r.title} (${plural(r.findings.length, 'finding')})`;
  return r.title;
}

function finding(f: Finding, c: ReturnType<typeof pc.createColors>, width: number | undefined, verbose: boolean): string[] {
  const mark = f.suppressed ? c.dim('○') : f.level === 'warning' ? c.yellow('▲') : c.red('✖');
  const out = [
    ...wrap(
      `      ${mark} ${f.baselineState === 'new' ? c.bold(c.red('NEW ')) : f.deploymentState === 'introduced' ? c.bold(c.red('INTRODUCED ')) : ''}${shortenIds(f.message)}${f.suppressed ? c.dim(` (suppressed until ${f.suppressed.expires}: ${f.suppressed.reason})`) : ''}`,
      width,
      8,
    ),
    ...wrap(c.dim(`        ${shortId(f.resourceId)}`), width, 10),
  ];
  if (verbose) {
    out.push(c.dim(`        resource: ${f.resourceId}`));
    for (const [k, v] of Object.entries(f.evidence))
      out.push(...wrap(c.dim(`        ${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`), width, 10));
  }
  out.push(...wrap(`        ${c.cyan('fix:')} ${f.remediation}`, width, 13));
  return out;
}

/**
 * An ARM id as a person reads it: `resource group / type / name` (`rg-mlops-prod-weu / computes /
 * mlw-mlops-prod-weu/cpu-build-cluster`); anything that is not an ARM id is left as it is.
 */
export function shortId(id: string): string {
  const parts = id.split('/').filter(Boolean);
  if (parts[0]?.toLowerCase() !== 'subscriptions') return id;
  const rg = parts[2]?.toLowerCase() === 'resourcegroups' ? parts[3] : undefined;
  const p = parts.map((x) => x.toLowerCase()).lastIndexOf('providers');
  if (p < 0 || parts.length < p + 4) return rg ?? id;
  const after = parts.slice(p + 2);
  const names = after.filter((_, i) => i % 2 === 1);
  const types = after.filter((_, i) => i % 2 === 0);
  return [rg, types.at(-1), names.join('/')].filter(Boolean).join(' / ');
}

/** Every ARM id inside a text, shortened. */
export function shortenIds(text: string): string {
  return text.replace(/\/subscriptions\/[^\s,;:()'"`]+/gi, (id) => shortId(id.replace(/[.]+$/, '')) + (/[.]+$/.exec(id)?.[0] ?? ''));
}

/** Breaks a line at spaces to `width` columns (colour codes not counted), continuing with `indent` spaces. */
function wrap(line: string, width: number | undefined, indent: number): string[] {
  if (!width || visible(line) <= width) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(/(?<= )/)) {
    if (current && visible(current) + visible(word) > width) {
      out.push(current.trimEnd());
      current = ' '.repeat(indent) + word.trimStart();
    } else current += word;
  }
  if (current.trim()) out.push(current.trimEnd());
  return out;
}

function visible(s: string): number {
  // ANSI colour codes do not take columns.
  return stripVTControlCharacters(s).length;
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
