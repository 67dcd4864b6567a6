/**
 * Planned state: what a deployment would leave behind, audited beside live state. ARM's what-if and
 * a Terraform plan are two sources of it behind one interface, so the audit pipeline never asks which
 * one it has. Each loads its machinery only when it runs.
 */
import type { ArmConnection } from '../arm/connection.js';
import type { AuditReport } from '../base/results.js';
import type { RunOptions } from '../engine/run.js';
import type { Inventory, WhatIfRequest } from '../inventory/index.js';
import { rememberSecret } from '../base/secrets.js';
import type { TerraformPlan } from '../terraform/plan-file.js';

/** What a planned audit is given: the live inventory it compares with, and how to run the checks. */
export interface PlannedAuditInput extends Omit<RunOptions, 'inventory' | 'workspaceIds'> {
  readonly connection: ArmConnection;
  readonly live: Inventory;
  /** Workspaces to audit besides those the plan touches. */
  readonly workspaceIds: readonly string[];
}

export interface PlannedStateSource {
  /** `what-if` or `terraform-plan`: what the report's comparison says it came from. */
  readonly kind: 'what-if' | 'terraform-plan';
  /**
   * The planned report: the checks on the planned state of every workspace the plan touches (and the
   * given ones), each finding `introduced` or `unchanged` against live state, live findings the plan
   * removes listed as `fixed`.
   */
  audit(input: PlannedAuditInput): Promise<AuditReport>;
}

export interface WhatIfSourceOptions {
  readonly request: WhatIfRequest;
  /** The template's file name, for the report and SARIF locations. */
  readonly templateFile: string;
  /** The template's text, to find each resource's line. */
  readonly templateText?: string;
}

/** ARM's what-if of a deployment as the planned state. Its secure parameters' values are treated as secrets. */
export function whatIfSource(options: WhatIfSourceOptions): PlannedStateSource {
  rememberSecureParameters(options.request.template, options.request.parameters ?? {});
  return {
    kind: 'what-if',
    audit: async (input) => {
      const { whatIfAudit } = await import('../what-if/audit.js');
      return whatIfAudit({
        ...input,
        request: options.request,
        templateFile: options.templateFile,
        ...(options.templateText !== undefined ? { templateText: options.templateText } : {}),
      });
    },
  };
}

export interface TerraformSourceOptions {
  /** The subscription the plan's creates go to, when its own ids do not say. */
  readonly subscriptionId?: string;
  /** The root module's directory, where SARIF finds the `.tf` lines (default: the plan file's). */
  readonly terraformDir?: string;
}

/** A Terraform plan (`terraform show -json`, read with `loadTerraformPlan`) as the planned state. */
export function terraformSource(plan: TerraformPlan, options: TerraformSourceOptions = {}): PlannedStateSource {
  return {
    kind: 'terraform-plan',
    audit: async (input) => {
      const { terraformAudit } = await import('../terraform/audit.js');
      return terraformAudit({ ...input, plan, ...options });
    },
  };
}

/**
 * The values of the template's `securestring` and `secureObject` parameters are secrets: an ARM
 * error that quotes one (a validation message) must not print it.
 */
function rememberSecureParameters(template: Record<string, unknown>, parameters: Record<string, unknown>): void {
  const remember = (v: unknown): void => {
    if (typeof v === 'string') rememberSecret(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) remember(x);
  };
  const declared = (template.parameters ?? {}) as Record<string, { type?: unknown } | null>;
  for (const [name, d] of Object.entries(declared)) {
    if (typeof d?.type !== 'string' || !/^secure(string|object)$/i.test(d.type)) continue;
    const given = Object.entries(parameters).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    remember((given as { value?: unknown } | undefined)?.value);
  }
}
