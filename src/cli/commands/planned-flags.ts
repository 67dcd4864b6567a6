/** `audit --what-if` and `--terraform-plan`: the planned state from the command line, checked before anything runs. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../base/errors.js';
import type { DeploymentScope, WhatIfRequest } from '../../inventory/index.js';
import type { PlannedStateSource } from '../../pipeline/planned.js';
import type { TerraformPlan } from '../../terraform/plan-file.js';

/** The options of `audit` that --what-if and --terraform-plan read. */
export interface PlannedCliOptions {
  whatIf?: string;
  terraformPlan?: string;
  terraformDir?: string;
  parameters?: string;
  location?: string;
  deploymentName?: string;
  subscription?: string[];
  managementGroup?: string[];
  resourceGroup?: string;
  baseline?: string;
  allSubscriptions?: boolean;
  fix?: boolean;
}

/** `--what-if`: the template, its parameters and the deployment's scope, checked before anything runs. */
async function whatIfPlan(opts: PlannedCliOptions): Promise<{ file: string; text: string; request: WhatIfRequest }> {
  const file = opts.whatIf!;
  for (const [flag, set] of [
    ['--baseline', opts.baseline !== undefined],
    ['--all-subscriptions', opts.allSubscriptions === true],
    ['--fix', opts.fix === true],
  ] as const) {
    if (set) throw new UsageError(`--what-if compares the deployment with live state; it does not combine with ${flag}`);
  }
  const readJson = async (path: string, what: string): Promise<unknown> => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new UsageError(`${what} ${path} is not JSON (${(err as Error).message}); for Bicep, pass the JSON from az bicep build`);
    }
  };
  const text = await readFile(file, 'utf8').catch(() => '');
  const template = await readJson(file, 'template');
  const resources = (template as { resources?: unknown } | null)?.resources;
  if (!template || typeof template !== 'object' || !resources || typeof resources !== 'object') {
    throw new UsageError(`template ${file} is not an ARM template (no resources); for Bicep, pass the JSON from az bicep build`);
  }
  let parameters: Record<string, unknown> | undefined;
  if (opts.parameters) {
    const p = await readJson(opts.parameters, 'parameters file');
    if (!p || typeof p !== 'object') throw new UsageError(`parameters file ${opts.parameters} is not a JSON object`);
    const inner = (p as { parameters?: unknown }).parameters;
    parameters = (inner && typeof inner === 'object' ? inner : p) as Record<string, unknown>;
  }
  const subs = opts.subscription ?? [];
  const groups = opts.managementGroup ?? [];
  let scope: DeploymentScope;
  if (groups.length === 1 && subs.length === 0) {
    if (!opts.location) throw new UsageError('--what-if at management group scope needs --location <region>');
    scope = { kind: 'managementGroup', managementGroup: groups[0]!, location: opts.location };
  } else if (subs.length === 1 && groups.length === 0 && opts.resourceGroup) {
    scope = { kind: 'resourceGroup', subscriptionId: subs[0]!, resourceGroup: opts.resourceGroup };
  } else if (subs.length === 1 && groups.length === 0) {
    if (!opts.location) {
      throw new UsageError(
        '--what-if at subscription scope needs --location <region> (or --resource-group <rg> for a resource group deployment)',
      );
    }
    scope = { kind: 'subscription', subscriptionId: subs[0]!, location: opts.location };
  } else {
    throw new UsageError(
      "--what-if needs the deployment's one scope: --subscription <id> --resource-group <rg>, --subscription <id> --location <region>, or --management-group <id> --location <region>",
    );
  }
  const deploymentName = opts.deploymentName ?? 'aml-preflight-what-if';
  if (!/^[-\w.()]{1,64}$/.test(deploymentName)) {
    throw new UsageError(`--deployment-name "${deploymentName}" is not a deployment name (letters, digits, -_.(), up to 64)`);
  }
  return {
    file,
    text,
    request: { scope, deploymentName, template: template as Record<string, unknown>, ...(parameters ? { parameters } : {}) },
  };
}

/** `--what-if` or `--terraform-plan`: the planned state, read and validated before anything runs (exit 2 with the reason otherwise). */
export async function plannedSource(opts: PlannedCliOptions): Promise<PlannedStateSource | undefined> {
  const { whatIfSource, terraformSource } = await import('../../pipeline/planned.js');
  const whatIf = opts.whatIf ? await whatIfPlan(opts) : undefined;
  const terraform = opts.terraformPlan ? await terraformPlanOf(opts) : undefined;
  if (!opts.whatIf && (opts.parameters !== undefined || opts.location !== undefined))
    throw new UsageError('--parameters and --location go with --what-if <template.json>');
  if (whatIf) return whatIfSource({ request: whatIf.request, templateFile: whatIf.file, templateText: whatIf.text });
  if (!terraform) return undefined;
  return terraformSource(terraform, {
    ...(opts.terraformDir ? { terraformDir: opts.terraformDir } : {}),
    ...(opts.subscription?.length === 1 ? { subscriptionId: opts.subscription[0]! } : {}),
  });
}

/** `--terraform-plan`: the plan, read and validated before anything runs (exit 2 with the reason otherwise). */
async function terraformPlanOf(opts: PlannedCliOptions): Promise<TerraformPlan> {
  if (opts.whatIf) throw new UsageError('--terraform-plan and --what-if are two planned states; give one');
  if (opts.terraformDir && !existsSync(opts.terraformDir))
    throw new UsageError(`--terraform-dir ${opts.terraformDir} does not exist: give the directory that holds the plan's .tf files`);
  for (const [flag, set] of [
    ['--baseline', opts.baseline !== undefined],
    ['--all-subscriptions', opts.allSubscriptions === true],
    ['--fix', opts.fix === true],
    ['--parameters', opts.parameters !== undefined],
  ] as const) {
    if (set) throw new UsageError(`--terraform-plan compares the plan with live state; it does not combine with ${flag}`);
  }
  if ((opts.subscription?.length ?? 0) > 1)
    throw new UsageError('--terraform-plan takes one --subscription (where the plan creates its resources)');
  const { loadTerraformPlan } = await import('../../terraform/plan-file.js');
  return loadTerraformPlan(opts.terraformPlan!);
}
