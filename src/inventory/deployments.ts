/**
 * Microsoft.Resources deployments: what-if, the long-running operation that answers what a template
 * would create, modify or delete, with each resource's full body before and after.
 * https://learn.microsoft.com/rest/api/resources/deployments/what-if
 */
import { RestError } from '@azure/core-rest-pipeline';
import { toArmRequestError } from '../arm/errors.js';
import { UsageError } from '../base/errors.js';
import { parseResourceId } from '../base/resource-id.js';
import type { ArmReader } from './reader.js';
import type { ReadOptions } from './views.js';

/** Where the deployment goes: a resource group, a subscription, or a management group. */
export type DeploymentScope =
  | { readonly kind: 'resourceGroup'; readonly subscriptionId: string; readonly resourceGroup: string }
  | { readonly kind: 'subscription'; readonly subscriptionId: string; readonly location: string }
  | { readonly kind: 'managementGroup'; readonly managementGroup: string; readonly location: string };

export interface WhatIfRequest {
  readonly scope: DeploymentScope;
  readonly deploymentName: string;
  readonly template: Record<string, unknown>;
  readonly parameters?: Record<string, unknown>;
}

export interface WhatIfChangeView {
  readonly resourceId: string;
  readonly changeType: string;
  readonly before?: Record<string, unknown>;
  readonly after?: Record<string, unknown>;
  /** Why ARM cannot predict the change (`changeType: Unsupported`). */
  readonly unsupportedReason?: string;
}

/** ARM errors that mean "this template or its parameters are wrong": the user's to fix (exit 2). */
const INVALID =
  /^(InvalidTemplate|InvalidTemplateDeployment|InvalidDeployment|InvalidRequestContent|DeploymentNameInvalid|MissingParameter|InvalidParameter|InvalidDeploymentParameterKey|InvalidTemplateParameter|TemplateValidationFailed|LocationRequired|InvalidDeploymentLocation)/i;

export async function whatIf(
  r: ArmReader,
  req: WhatIfRequest,
  opts: ReadOptions & { pollIntervalInMs?: number } = {},
): Promise<WhatIfChangeView[]> {
  const sub = req.scope.kind === 'managementGroup' ? undefined : req.scope.subscriptionId;
  const client = await r.clients.resources(sub ?? '00000000-0000-0000-0000-000000000000');
  // Parameters as a parameters file holds them: { name: { value } } (DeploymentParameter).
  const properties = {
    mode: 'Incremental' as const,
    template: req.template,
    ...(req.parameters ? { parameters: req.parameters as Record<string, { value?: unknown }> } : {}),
  };
  const scopeId =
    req.scope.kind === 'resourceGroup'
      ? `/subscriptions/${req.scope.subscriptionId}/resourceGroups/${req.scope.resourceGroup}`
      : req.scope.kind === 'subscription'
        ? `/subscriptions/${req.scope.subscriptionId}`
        : `/providers/Microsoft.Management/managementGroups/${req.scope.managementGroup}`;
  try {
    const result = await r.lro<{ changes?: unknown; properties?: { changes?: unknown }; error?: { code?: string; message?: string } }>(
      opts,
      (options) => {
        const scope = req.scope;
        switch (scope.kind) {
          case 'resourceGroup':
            return client.deployments.beginWhatIf(scope.resourceGroup, req.deploymentName, { properties }, options);
          case 'subscription':
            return client.deployments.beginWhatIfAtSubscriptionScope(req.deploymentName, { location: scope.location, properties }, options);
          case 'managementGroup':
            return client.deployments.beginWhatIfAtManagementGroupScope(
              scope.managementGroup,
              req.deploymentName,
              { location: scope.location, properties },
              options,
            );
        }
      },
    );
    if (result?.error)
      throw new UsageError(`what-if: ARM rejected the deployment: ${result.error.code ?? 'error'}: ${result.error.message ?? ''}`);
    // The SDK's model flattens properties.changes into changes.
    const changes = result?.changes ?? result?.properties?.changes;
    if (!Array.isArray(changes)) throw new UsageError('what-if: ARM answered no changes[]');
    return changes.map((c: unknown, i): WhatIfChangeView => {
      const x = c as { resourceId?: unknown; changeType?: unknown; before?: unknown; after?: unknown; unsupportedReason?: unknown };
      if (typeof x.resourceId !== 'string' || typeof x.changeType !== 'string') {
        throw new RestError(`ARM answered an unexpected shape at properties.changes[${i}]: expected resourceId and changeType`, {
          code: 'UnexpectedShape',
        });
      }
      parseResourceId(x.resourceId);
      return {
        resourceId: x.resourceId,
        changeType: x.changeType,
        ...(x.before && typeof x.before === 'object' ? { before: x.before as Record<string, unknown> } : {}),
        ...(x.after && typeof x.after === 'object' ? { after: x.after as Record<string, unknown> } : {}),
        ...(typeof x.unsupportedReason === 'string' && x.unsupportedReason !== '' ? { unsupportedReason: x.unsupportedReason } : {}),
      };
    });
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const e = err as {
      code?: string;
      statusCode?: number;
      message?: string;
      details?: { error?: { code?: string; message?: string; details?: { message?: string }[] } };
    };
    const code = e.details?.error?.code ?? e.code;
    if ((e.statusCode === 400 || e.statusCode === 422) && (code === undefined || INVALID.test(code))) {
      const detail = e.details?.error?.details
        ?.map((d) => d.message)
        .filter(Boolean)
        .join('; ');
      throw new UsageError(
        `what-if: ARM rejected the deployment: ${code ?? 'BadRequest'}: ${e.message ?? ''}${detail ? ` (${detail})` : ''}`,
        { cause: err },
      );
    }
    throw toArmRequestError(
      err,
      'POST whatIf',
      `${scopeId}/providers/Microsoft.Resources/deployments/${req.deploymentName}`,
      'Microsoft.Resources/deployments/whatIf/action',
    );
  }
}
