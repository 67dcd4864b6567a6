/** The output formats, each a pure function from the audit report to text. */
import type { CheckMeta } from '../engine/check.js';
import { FORMATS, parseFormat, type Format } from './formats.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';
import type { AuditReport } from './types.js';

export { FORMATS, parseFormat, type Format };

export interface RenderOptions {
  color?: boolean;
  /** Wrap the table to this width (the terminal's). */
  width?: number;
  /** The table shows each finding's evidence. */
  verbose?: boolean;
  /** The checks' metadata (SARIF rules). */
  checks?: readonly CheckMeta[];
}

export function render(report: AuditReport, format: Format, options: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'table':
      return renderTable(report, options);
    case 'sarif':
      return renderSarif(report, options.checks ?? []);
    case 'junit':
      return renderJunit(report);
    case 'markdown':
      return renderMarkdown(report);
  }
}
