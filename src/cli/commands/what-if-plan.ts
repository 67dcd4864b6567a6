/** `audit --what-if`: the template, parameters and deployment scope from the command line. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../base/errors.js';
import { rememberSecret } from '../../secrets.js';
import type { DeploymentScope, WhatIfRequest } from '../../inventory/index.js';

/** The options of `audit` that --what-if reads. */
export interface WhatIfCliOptions {
  whatIf?: string;
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
export async function whatIfPlan(opts: WhatIfCliOptions): Promise<{ file: string; text: string; request: WhatIfRequest }> {
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
    rememberSecureParameters(template, parameters);
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

/**
 * The values of the template's `securestring` and `secureObject` parameters are secrets: an ARM
 * error that quotes one (a validation message) must not print it.
 */
function rememberSecureParameters(
  template: { parameters?: Record<string, { type?: unknown } | null> },
  parameters: Record<string, unknown>,
): void {
  const remember = (v: unknown): void => {
    if (typeof v === 'string') rememberSecret(v);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) remember(x);
  };
  for (const [name, declared] of Object.entries(template.parameters ?? {})) {
    if (typeof declared?.type !== 'string' || !/^secure(string|object)$/i.test(declared.type)) continue;
    const given = Object.entries(parameters).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    remember((given as { value?: unknown } | undefined)?.value);
  }
}
