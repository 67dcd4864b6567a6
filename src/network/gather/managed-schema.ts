/**
 * The managed network's shapes at api-version 2025-12-01 (`ManagedNetworkSettings`, `OutboundRule`
 * and its destinations in workspaceRP.json), validated at the inventory's boundary: a shape the spec
 * does not define becomes an {@link UnexpectedShapeError} naming its JSON path.
 */
import * as z from '../../base/zod.js';
import { PARSE, jsonPath } from '../../arm/shapes.js';
import {
  UnexpectedShapeError,
  type IsolationMode,
  type ManagedNetwork,
  type ManagedNetworkKind,
  type OutboundRule,
  type RuleBase,
} from '../managed.js';

/** A string enum that ARM may extend: known values are checked case-insensitively, others kept. */
const loose = z.string();

const privateEndpointDestination = z.looseObject({
  serviceResourceId: z.nullish(z.string()),
  subresourceTarget: z.nullish(z.string()),
  sparkEnabled: z.nullish(z.boolean()),
  sparkStatus: z.nullish(z.string()),
});

const serviceTagDestination = z.looseObject({
  serviceTag: z.nullish(z.string()),
  protocol: z.nullish(z.string()),
  portRanges: z.nullish(z.string()),
  action: z.nullish(z.string()),
  addressPrefixes: z.nullish(z.array(z.string())),
});

/** One outbound rule's properties (`OutboundRule`, discriminated by `type`). */
export const outboundRuleSchema = z.looseObject({
  type: loose,
  category: z.nullish(z.string()),
  status: z.nullish(z.string()),
  errorInformation: z.nullish(z.string()),
  parentRuleNames: z.nullish(z.array(z.string())),
  destination: z.nullish(z.union([z.string(), privateEndpointDestination, serviceTagDestination])),
});

/** `OutboundRuleBasicResource`, one item of the `outboundRules` list. */
export const outboundRuleResourceSchema = z.looseObject({
  id: z.nullish(z.string()),
  name: z.string().check(z.minLength(1)),
  properties: outboundRuleSchema,
});

/** `ManagedNetworkSettings` (the parts read). */
export const managedNetworkSchema = z.looseObject({
  isolationMode: z.nullish(z.string()),
  networkId: z.nullish(z.string()),
  status: z.nullish(z.looseObject({ status: z.nullish(z.string()), sparkReady: z.nullish(z.boolean()) })),
  outboundRules: z.nullish(z.record(z.string(), z.unknown())),
  firewallSku: z.nullish(z.string()),
  managedNetworkKind: z.nullish(z.string()),
  firewallPublicIpAddress: z.nullish(z.string()),
});

/**
 * `ManagedNetworkSettingsPropertiesBasicResource`, the V2 resource `…/managedNetworks/default`:
 * `properties.managedNetwork` is `ManagedNetworkSettings`, beside it `provisioningState`.
 */
export const managedNetworkV2Schema = z.looseObject({
  id: z.nullish(z.string()),
  name: z.nullish(z.string()),
  properties: z.looseObject({
    managedNetwork: z.nullish(managedNetworkSchema),
    provisioningState: z.nullish(z.string()),
  }),
});

/**
 * The managed network of a workspace answer's `properties.managedNetwork`: undefined when absent
 * or `Disabled`. Throws {@link UnexpectedShapeError} naming the JSON path when it is not the shape
 * the spec defines.
 */
export function parseManagedNetwork(raw: unknown, resourceId: string): ManagedNetwork | undefined {
  if (raw === undefined || raw === null) return undefined;
  const parsed = managedNetworkSchema.safeParse(raw, PARSE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnexpectedShapeError(
      `ARM answered an unexpected shape at ${jsonPath(issue.path, 'properties.managedNetwork')} of ${resourceId}: ${issue.message}`,
    );
  }
  const mode = isolationMode(parsed.data.isolationMode);
  if (mode === 'Disabled') return undefined;
  const status = parsed.data.status?.status;
  return {
    isolationMode: mode,
    status: status ?? 'Inactive',
    firewallSku: parsed.data.firewallSku ?? undefined,
    kind: 'V1',
    statusSource: status ? 'managedNetwork.status.status' : 'absent',
  };
}

/**
 * The generation a workspace answer's `properties.managedNetwork.managedNetworkKind` names: V2 only
 * when ARM says so (the property is new in 2025-12-01; a workspace without it is V1).
 */
export function managedNetworkKindOf(raw: unknown): ManagedNetworkKind {
  const kind = raw && typeof raw === 'object' ? (raw as { managedNetworkKind?: unknown }).managedNetworkKind : undefined;
  return typeof kind === 'string' && /^v2$/i.test(kind) ? 'V2' : 'V1';
}

/**
 * The V2 managed network (`GET …/managedNetworks/default`): undefined when its isolation mode is
 * `Disabled` or absent. Its status is `properties.managedNetwork.status.status` where ARM sends it;
 * otherwise the resource's `provisioningState` says it: `Succeeded` is a provisioned network
 * (`Active`), `Failed` and `Canceled` stay as they are, anything else is still `Provisioning`.
 * Throws {@link UnexpectedShapeError} naming the JSON path when it is not the shape the spec defines.
 */
export function parseManagedNetworkV2(raw: unknown, resourceId: string): ManagedNetwork | undefined {
  const parsed = managedNetworkV2Schema.safeParse(raw, PARSE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnexpectedShapeError(`ARM answered an unexpected shape at ${jsonPath(issue.path, '')} of ${resourceId}: ${issue.message}`);
  }
  const settings = parsed.data.properties.managedNetwork;
  const mode = isolationMode(settings?.isolationMode);
  if (!settings || mode === 'Disabled') return undefined;
  const explicit = settings.status?.status;
  const state = parsed.data.properties.provisioningState;
  const status = explicit ?? (state ? fromProvisioningState(state) : 'Inactive');
  return {
    isolationMode: mode,
    status,
    firewallSku: settings.firewallSku ?? undefined,
    kind: 'V2',
    statusSource: explicit ? 'managedNetwork.status.status' : state ? 'provisioningState' : 'absent',
  };
}

function fromProvisioningState(state: string): string {
  if (/^succeeded$/i.test(state)) return 'Active';
  if (/^(failed|canceled)$/i.test(state)) return state;
  return 'Provisioning';
}

function isolationMode(value: string | null | undefined): IsolationMode {
  if (/^allowonlyapprovedoutbound$/i.test(value ?? '')) return 'AllowOnlyApprovedOutbound';
  if (/^allowinternetoutbound$/i.test(value ?? '')) return 'AllowInternetOutbound';
  return 'Disabled';
}

/**
 * One item of an `outboundRules` list (V1 `…/workspaces/{ws}/outboundRules` or V2
 * `…/managedNetworks/default/outboundRules`, the same `OutboundRuleBasicResource`), validated;
 * throws {@link UnexpectedShapeError} with the path.
 */
export function parseOutboundRule(raw: unknown, index: number, collectionId: string): OutboundRule {
  const parsed = outboundRuleResourceSchema.safeParse(raw, PARSE);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnexpectedShapeError(
      `ARM answered an unexpected shape at ${jsonPath(issue.path, `value[${index}]`)} of ${collectionId}: ${issue.message}`,
    );
  }
  return toRule(parsed.data.name, parsed.data.properties);
}

function toRule(name: string, p: z.infer<typeof outboundRuleSchema>): OutboundRule {
  const base: RuleBase = {
    name,
    category: p.category ?? 'UserDefined',
    status: p.status ?? 'Inactive',
    errorInformation: p.errorInformation ?? undefined,
  };
  const d = p.destination;
  const obj = d && typeof d === 'object' ? (d as Record<string, unknown>) : {};
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  if (/^privateendpoint$/i.test(p.type))
    return {
      ...base,
      type: 'PrivateEndpoint',
      serviceResourceId: str(obj.serviceResourceId),
      subresourceTarget: str(obj.subresourceTarget),
    };
  if (/^servicetag$/i.test(p.type))
    return {
      ...base,
      type: 'ServiceTag',
      serviceTag: str(obj.serviceTag),
      protocol: str(obj.protocol) || '*',
      portRanges: str(obj.portRanges) || '*',
      action: str(obj.action) || 'Allow',
    };
  if (/^fqdn$/i.test(p.type)) return { ...base, type: 'FQDN', fqdn: typeof d === 'string' ? d : '' };
  return { ...base, type: 'Other', rawType: p.type };
}
