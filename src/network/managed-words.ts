/**
 * How managed-network verdicts are said and fixed, shared by the checks that reach resources
 * through the managed network (one wording, one `az` command per cause).
 * https://learn.microsoft.com/cli/azure/ml/workspace/outbound-rule
 */
import { parseResourceId } from '../base/resource-id.js';
import { nameOf } from './exposure.js';
import type { NetworkModel, TargetNode } from './model-types.js';
import type { Unreachable } from './reach.js';

/** Why a managed compute cannot reach a resource, in words. */
export function managedWhy(why: Unreachable, t: TargetNode, group: string): string {
  switch (why.kind) {
    case 'rule-missing':
      return `the managed network has no private-endpoint outbound rule for ${t.name} (${group})${t.exposure.publicNetworkAccess === 'Enabled' ? '' : ', and its public access is closed'}`;
    case 'rule-not-active':
      return `outbound rule ${why.rule.name} is ${why.rule.status}, not Active${why.rule.errorInformation ? ` (${why.rule.errorInformation.replace(/\.$/, '')})` : ''}`;
    case 'connection-not-approved':
      return why.connections.length === 0
        ? `outbound rule ${why.rule.name} is Active, but ${t.name} shows no private endpoint connection from the managed network`
        : `the private endpoint connection from the managed network on ${t.name} is ${why.connections.map((c) => c.status).join(', ')}, not Approved`;
    default:
      return why.kind;
  }
}

/** The fix for it. */
export function managedFix(model: NetworkModel, why: Unreachable, t: TargetNode, group: string): string {
  const owner = parseResourceId(model.managed!.ownerId);
  const ws = `--resource-group ${owner.resourceGroup} --workspace-name ${nameOf(owner.id)}`;
  const provision = `az ml workspace provision-network --resource-group ${owner.resourceGroup} --name ${nameOf(owner.id)}`;
  switch (why.kind) {
    case 'rule-missing':
      return `az ml workspace outbound-rule set ${ws} --rule pe-${t.name}-${group} --type private_endpoint --service-resource-id ${t.id} --subresource-target ${group}${model.managed!.status === 'Active' ? '' : `, then ${provision}`}`;
    case 'rule-not-active':
      return /^failed$/i.test(why.rule.status)
        ? `Fix the cause (${why.rule.errorInformation?.replace(/\.$/, '') ?? 'az ml workspace outbound-rule show shows it'}), then set the rule again (az ml workspace outbound-rule set ${ws} --rule ${why.rule.name} --type private_endpoint --service-resource-id ${t.id} --subresource-target ${group}) and ${provision}`
        : `Provision the managed network so the rule's private endpoint is created: ${provision}`;
    case 'connection-not-approved':
      return `Approve the managed network's connection on ${t.name} (az network private-endpoint-connection approve --id ${why.connections[0]?.connectionId ?? '<connection-id>'} --description "Approved for Azure ML"), or set the rule again so Azure ML requests a new one.`;
    default:
      return provision;
  }
}
