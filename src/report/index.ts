/** The output formats, each a pure function from the audit report to text. */
import { UsageError } from '../arm/errors.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';
import type { AuditReport } from './types.js';

export const FORMATS = ['table', 'json'] as const;
export type Format = (typeof FORMATS)[number];

export interface RenderOptions {
  color?: boolean;
  width?: number;
}

export function parseFormat(value: string): Format {
  if (!(FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format "${value}" is not one of ${FORMATS.join(', ')}`);
  return value as Format;
}

export function render(report: AuditReport, format: Format, options: RenderOptions = {}): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'table':
      return renderTable(report, options);
  }
}
