/** The JSON report of CONTRACT.md: the audit result as it is, secrets scrubbed as a last defence. */
import { scrub } from '../base/secrets.js';
import type { AuditReport } from './types.js';

export function renderJson(report: AuditReport): string {
  return scrub(`${JSON.stringify(report, null, 2)}\n`);
}
