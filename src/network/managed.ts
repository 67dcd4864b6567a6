/**
 * Azure ML's managed virtual network, as ARM describes it at api-version 2025-12-01
 * (`WorkspaceProperties.managedNetwork`, `GET …/workspaces/{name}/outboundRules`), validated at the
 * boundary, and the pure questions the checks ask of it.
 *
 * - https://learn.microsoft.com/azure/machine-learning/how-to-managed-network
 * - Spec: azure-rest-api-specs, specification/machinelearningservices/resource-manager/
 *   Microsoft.MachineLearningServices/stable/2025-12-01/workspaceRP.json (`ManagedNetworkSettings`,
 *   `OutboundRule`, `PrivateEndpointDestination`, `ServiceTagDestination`, `FqdnOutboundRule`).
 *
 * Isolation modes: `Disabled` (no managed network: the customer's VNet, if any, decides),
 * `AllowInternetOutbound` (any Internet egress; Azure resources through private-endpoint rules),
 * `AllowOnlyApprovedOutbound` (egress only through outbound rules: service tags, FQDNs through the
 * managed Azure Firewall, private endpoints).
 *
 * The schemas that validate ARM's answers are in `managed-schema.ts` (zod), loaded only where ARM is
 * read, so listing the checks does not pay for them.
 */
export type IsolationMode = 'Disabled' | 'AllowInternetOutbound' | 'AllowOnlyApprovedOutbound';

export type OutboundRule =
  | (RuleBase & { readonly type: 'PrivateEndpoint'; readonly serviceResourceId: string; readonly subresourceTarget: string })
  | (RuleBase & {
      readonly type: 'ServiceTag';
      readonly serviceTag: string;
      readonly protocol: string;
      readonly portRanges: string;
      readonly action: string;
    })
  | (RuleBase & { readonly type: 'FQDN'; readonly fqdn: string })
  | (RuleBase & { readonly type: 'Other'; readonly rawType: string });

export interface RuleBase {
  readonly name: string;
  readonly category: string;
  /** `Inactive`, `Active`, `Provisioning`, `Deleting`, `Failed`. */
  readonly status: string;
  readonly errorInformation: string | undefined;
}

/** The generation of a managed network (`managedNetworkKind`, api-version 2025-12-01): V1 unless ARM says V2. */
export type ManagedNetworkKind = 'V1' | 'V2';

export interface ManagedNetwork {
  readonly isolationMode: Exclude<IsolationMode, 'Disabled'>;
  /** `Active` once provisioned; `Inactive` until the first compute or a forced provision. */
  readonly status: string;
  readonly firewallSku: string | undefined;
  /**
   * V1: the settings inside the workspace, rules at `…/workspaces/{ws}/outboundRules`. V2: the child
   * resource `…/workspaces/{ws}/managedNetworks/default`, rules at `…/managedNetworks/default/outboundRules`.
   */
  readonly kind: ManagedNetworkKind;
  /**
   * Where `status` was read: V1 and V2 bodies that carry `managedNetwork.status.status` say so
   * there; a V2 body without it says it by its `provisioningState` (see the check's README).
   */
  readonly statusSource: 'managedNetwork.status.status' | 'provisioningState' | 'absent';
}

/** The id of a managed network's outbound-rule collection: where findings about its rules point. */
export function outboundRulesCollectionId(ownerId: string, kind: ManagedNetworkKind): string {
  return kind === 'V2' ? `${ownerId}/managedNetworks/default/outboundRules` : `${ownerId}/outboundRules`;
}

/** A shape ARM answered that the tool does not understand; says where. */
export class UnexpectedShapeError extends Error {
  override readonly name = 'UnexpectedShapeError';
}

export function isActive(rule: { readonly status: string }): boolean {
  return /^active$/i.test(rule.status);
}

/**
 * Whether an FQDN rule's destination covers a host. Azure Firewall application rules, which the
 * managed network's FQDN rules become: `*.anaconda.org` matches `conda.anaconda.org` (any depth
 * below the suffix) but not `anaconda.org` itself; names compare case-insensitively; a bare `*`
 * matches every host.
 * https://learn.microsoft.com/azure/firewall/firewall-faq#how-do-wildcards-work-in-target-urls-and-target-fqdns-in-application-rules
 */
export function fqdnCovers(pattern: string, host: string): boolean {
  const p = pattern.trim().toLowerCase().replace(/\.$/, '');
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  if (p === '' || h === '') return false;
  if (p === '*') return true;
  if (p.startsWith('*.')) return h.endsWith(p.slice(1)) && h.length > p.length - 1;
  return p === h;
}

/** Whether a port-range list (`443`, `80,443`, `400-500`, `*`) includes a port. */
export function portRangesInclude(ranges: string, port: number): boolean {
  return ranges.split(',').some((part) => {
    const r = part.trim();
    if (r === '*' || r === '') return r === '*';
    const m = /^(\d+)(?:-(\d+))?$/.exec(r);
    if (!m) return false;
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    return port >= lo && port <= hi;
  });
}

/**
 * Whether a service-tag rule allows TCP on `port` to one of `tags` (names compare
 * case-insensitively; pass the regional form too where it serves, e.g. `MicrosoftContainerRegistry.WestEurope`).
 */
export function serviceTagRuleAllows(rule: Extract<OutboundRule, { type: 'ServiceTag' }>, tags: readonly string[], port: number): boolean {
  const t = rule.serviceTag.toLowerCase();
  return (
    tags.some((x) => x.toLowerCase() === t) &&
    /^allow$/i.test(rule.action) &&
    /^(\*|any|tcp)$/i.test(rule.protocol) &&
    portRangesInclude(rule.portRanges, port)
  );
}
