/**
 * The managed network's shapes at api-version 2025-12-01 (`ManagedNetworkSettings`, `OutboundRule`
 * and its destinations in workspaceRP.json), validated at the inventory's boundary: a shape the spec
 * does not define becomes an {@link UnexpectedShapeError} naming its JSON path.
 */
import { z } from 'zod';
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
    firewallPublicIpAddress: z.string().nullish(),
  })
  .loose();

/**
 * `ManagedNetworkSettingsPropertiesBasicResource`, the V2 resource `…/managedNetworks/default`:
 * `properties.managedNetwork` is `ManagedNetworkSettings`, beside it `provisioningState`.
 */
export const managedNetworkV2Schema = z
  .object({
    id: z.string().nullish(),
    name: z.string().nullish(),
    properties: z
      .object({
        managedNetwork: managedNetworkSchema.nullish(),
        provisioningState: z.string().nullish(),
      })
      .loose(),
  })
  .loose();

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
