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
 */
import { z } from 'zod';

/** A string enum that ARM may extend: known values are checked case-insensitively, others kept. */
const loose = z.string();

const privateEndpointDestination = z
  .object({
    serviceResourceId: z.string().nullish(),
    subresourceTarget: z.string().nullish(),
    sparkEnabled: z.boolean().nullish(),
    sparkStatus: z.string().nullish(),
  })
  .loose();

const serviceTagDestination = z
  .object({
    serviceTag: z.string().nullish(),
    protocol: z.string().nullish(),
    portRanges: z.string().nullish(),
    action: z.string().nullish(),
    addressPrefixes: z.array(z.string()).nullish(),
  })
  .loose();

/** One outbound rule's properties (`OutboundRule`, discriminated by `type`). */
export const outboundRuleSchema = z
  .object({
    type: loose,
    category: z.string().nullish(),
    status: z.string().nullish(),
    errorInformation: z.string().nullish(),
    parentRuleNames: z.array(z.string()).nullish(),
    destination: z.union([z.string(), privateEndpointDestination, serviceTagDestination]).nullish(),
  })
  .loose();

/** `OutboundRuleBasicResource`, one item of the `outboundRules` list. */
export const outboundRuleResourceSchema = z
  .object({
    id: z.string().nullish(),
    name: z.string().min(1),
    properties: outboundRuleSchema,
  })
  .loose();

/** `ManagedNetworkSettings` (the parts read). */
export const managedNetworkSchema = z
  .object({
    isolationMode: z.string().nullish(),
    networkId: z.string().nullish(),
    status: z.object({ status: z.string().nullish(), sparkReady: z.boolean().nullish() }).loose().nullish(),
    outboundRules: z.record(z.string(), z.unknown()).nullish(),
    firewallSku: z.string().nullish(),
    managedNetworkKind: z.string().nullish(),
  })
  .loose();

export type IsolationMode = 'Disabled' | 'AllowInternetOutbound' | 'AllowOnlyApprovedOutbound';

export type OutboundRule =
  | (RuleBase & { readonly type: 'PrivateEndpoint'; readonly serviceResourceId: string; readonly subresourceTarget: string })
  | (RuleBase & { readonly type: 'ServiceTag'; readonly serviceTag: string; readonly protocol: string; readonly portRanges: string; readonly action: string })
  | (RuleBase & { readonly type: 'FQDN'; readonly fqdn: string })
  | (RuleBase & { readonly type: 'Other'; readonly rawType: string });

interface RuleBase {
  readonly name: string;
  readonly category: string;
  /** `Inactive`, `Active`, `Provisioning`, `Deleting`, `Failed`. */
  readonly status: string;
  readonly errorInformation: string | undefined;
}

export interface ManagedNetwork {
  readonly isolationMode: Exclude<IsolationMode, 'Disabled'>;
  /** `Active` once provisioned; `Inactive` until the first compute or a forced provision. */
  readonly status: string;
  readonly firewallSku: string | undefined;
}

/** A shape ARM answered that the tool does not understand; says where. */
export class UnexpectedShapeError extends Error {
  override readonly name = 'UnexpectedShapeError';
}

/** `$.properties.managedNetwork.isolationMode` from zod's issue path. */
export function shapePath(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), base);
}

/**
 * The managed network of a workspace answer's `properties.managedNetwork`: undefined when absent
 * or `Disabled`. Throws {@link UnexpectedShapeError} naming the JSON path when it is not the shape
 * the spec defines.
 */
export function parseManagedNetwork(raw: unknown, resourceId: string): ManagedNetwork | undefined {
  if (raw === undefined || raw === null) return undefined;
  const parsed = managedNetworkSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnexpectedShapeError(`ARM answered an unexpected shape at ${shapePath('properties.managedNetwork', issue.path)} of ${resourceId}: ${issue.message}`);
  }
  const mode = isolationMode(parsed.data.isolationMode);
  if (mode === 'Disabled') return undefined;
  return { isolationMode: mode, status: parsed.data.status?.status ?? 'Inactive', firewallSku: parsed.data.firewallSku ?? undefined };
}

function isolationMode(value: string | null | undefined): IsolationMode {
  if (/^allowonlyapprovedoutbound$/i.test(value ?? '')) return 'AllowOnlyApprovedOutbound';
  if (/^allowinternetoutbound$/i.test(value ?? '')) return 'AllowInternetOutbound';
  return 'Disabled';
}

/** One item of the `outboundRules` list, validated; throws {@link UnexpectedShapeError} with the path. */
export function parseOutboundRule(raw: unknown, index: number, workspaceId: string): OutboundRule {
  const parsed = outboundRuleResourceSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnexpectedShapeError(`ARM answered an unexpected shape at ${shapePath(`value[${index}]`, issue.path)} of ${workspaceId}/outboundRules: ${issue.message}`);
  }
  return toRule(parsed.data.name, parsed.data.properties);
}

function toRule(name: string, p: z.infer<typeof outboundRuleSchema>): OutboundRule {
  const base: RuleBase = { name, category: p.category ?? 'UserDefined', status: p.status ?? 'Inactive', errorInformation: p.errorInformation ?? undefined };
  const d = p.destination;
  const obj = d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (/^privateendpoint$/i.test(p.type)) return { ...base, type: 'PrivateEndpoint', serviceResourceId: str(obj.serviceResourceId), subresourceTarget: str(obj.subresourceTarget) };
  if (/^servicetag$/i.test(p.type)) return { ...base, type: 'ServiceTag', serviceTag: str(obj.serviceTag), protocol: str(obj.protocol) || '*', portRanges: str(obj.portRanges) || '*', action: str(obj.action) || 'Allow' };
  if (/^fqdn$/i.test(p.type)) return { ...base, type: 'FQDN', fqdn: typeof d === 'string' ? d : '' };
  return { ...base, type: 'Other', rawType: p.type };
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
  return tags.some((x) => x.toLowerCase() === t) && /^allow$/i.test(rule.action) && /^(\*|any|tcp)$/i.test(rule.protocol) && portRangesInclude(rule.portRanges, port);
}
