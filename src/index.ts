/** The aml-preflight library: audit Azure ML workspaces from code. */
export { Inventory, type ComputeView, type InventoryOptions, type WorkspaceKeyDigests } from './inventory/index.js';
export { CLOUDS, mockCredential, resolveEndpoint, type ArmConnection } from './arm/connection.js';
export { ArmRequestError } from './arm/errors.js';
export { UsageError } from './base/errors.js';
export { parseResourceId, parseWorkspaceId, sameId, type ResourceId } from './base/resource-id.js';
export { defineCheck, type Check, type CheckContext, type CheckMeta, type Severity, type Status } from './engine/check.js';
export { runAudit, selectChecks, type RunOptions } from './engine/run.js';
export { audit, type AuditOptions, type AuditOutput, type AuditResult } from './pipeline/audit.js';
export type { AuditTargets } from './pipeline/targets.js';
export {
  whatIfSource,
  terraformSource,
  type PlannedStateSource,
  type PlannedAuditInput,
  type WhatIfSourceOptions,
  type TerraformSourceOptions,
} from './pipeline/planned.js';
export { loadTerraformPlan, type TerraformPlan } from './terraform/plan-file.js';
export { logAnalyticsTarget, type LogAnalyticsTarget } from './report/log-analytics-options.js';
export type { DeploymentScope, WhatIfRequest } from './inventory/index.js';
export { exitCodeFor, type AuditReport, type CheckResult, type Finding } from './report/types.js';
export { render, type Format } from './report/index.js';
export { evaluateNsg, type Nsg, type NsgRule, type Evaluation } from './network/nsg.js';
export { evaluateRoutes, type Route } from './network/routes.js';
export { indexServiceTags } from './network/service-tags.js';
export { resyncIfDrifted, type ResyncOptions, type ResyncOutcome } from './keys/resync.js';
export { withKeyResync, isUnauthorized, type WithKeyResyncOptions } from './keys/with-key-resync.js';
export { execWithResync } from './keys/exec.js';
export { UNAUTHORIZED_SIGNATURES, findUnauthorizedSignature, type UnauthorizedSignature } from './keys/signatures.js';
export { allChecks } from '../checks/index.js';
