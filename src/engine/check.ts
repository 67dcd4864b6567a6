/**
 * What a check is: data first (id, title, severity, docs, what it reads, the RBAC actions it needs,
 * its message templates), then one `run` function. Modelled on ESLint rules: a check reports
 * message ids with data, never prose built in code.
 */
import type { Inventory } from '../inventory/index.js';
import type { CheckResult, Severity } from '../base/results.js';

export type { Severity, Status } from '../base/results.js';

/** The static description of a check. */
export interface CheckMeta<M extends string = string> {
  /** Stable, kebab-case, named after the condition required (CONTRACT.md). */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** The Microsoft documentation the check enforces; the first is its primary reference. */
  readonly docs: readonly string[];
  /** The ARM resources and actions it reads, in words (for `checks`). */
  readonly reads: readonly string[];
  /** The RBAC actions it needs. Actions ending in `/action` (listKeys …) are key actions. */
  readonly actions: readonly string[];
  /** Message templates with `{{name}}` placeholders, by message id. */
  readonly messages: Readonly<Record<M, string>>;
  /** Runs only when asked for by id or by an opt-in flag. */
  readonly optIn?: boolean;
}

/** One thing a check found, before its message template is filled. */
export interface FindingReport<M extends string = string> {
  readonly messageId: M;
  readonly data?: Readonly<Record<string, string | number>>;
  readonly resourceId: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly remediation: string;
  /** `warning` findings make the check `warn` instead of `fail`. Default `error`. */
  readonly level?: 'error' | 'warning';
}

export interface CheckContext<M extends string = string> {
  readonly workspaceId: string;
  readonly inventory: Inventory;
  /** Aborted when the check times out or the run is interrupted. Pass it to every read. */
  readonly abortSignal: AbortSignal;
  /** Records a finding. */
  report(finding: FindingReport<M>): void;
  /** Marks the check not applicable, with the reason. Findings reported before are kept. */
  skip(reason: string): SkipResult;
  /** Adds a note shown with the result (e.g. "keys are identity-based"). */
  note(text: string): void;
  /** Options from the command line (e.g. `--image`). */
  readonly options: Readonly<CheckOptions>;
}

export interface CheckOptions {
  images?: readonly string[];
  /** The audit reads a deployment's planned state (`--what-if`): what is not planned (secrets, Azure's own diagnosis) cannot be decided. */
  whatIf?: boolean;
}

declare const skipBrand: unique symbol;
export interface SkipResult {
  readonly [skipBrand]: true;
  readonly reason: string;
}

export interface Check<M extends string = string> {
  readonly meta: CheckMeta<M>;
  run(ctx: CheckContext<M>): Promise<SkipResult | undefined>;
  /**
   * Optional: called once per target after every check ran, with all of that target's results;
   * answers this check's result amended (e.g. cross-referenced with the other checks' verdicts).
   */
  readonly afterRun?: (own: CheckResult, all: readonly CheckResult[]) => CheckResult;
}

/** Declares a check; the identity function that gives it its types. */
export function defineCheck<M extends string>(check: Check<M>): Check<M> {
  return check;
}

/** Fills `{{name}}` placeholders. An unknown placeholder stays visible rather than vanishing. */
export function formatMessage(template: string, data: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}
