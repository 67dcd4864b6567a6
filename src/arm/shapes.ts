/**
 * The shapes of ARM's answers, for the fields the checks read, validated at the inventory's
 * boundary (a pipeline policy, so direct ARM, Resource Graph's local answers and snapshots replayed
 * by the mock are all checked the same way). A field of the wrong type (an array answered as
 * `false`, an id as a number) becomes one clear error naming the resource and the JSON path, e.g.
 * "ARM answered an unexpected shape at properties.subnets[0]: expected object", instead of a check
 * crashing deep inside. Unknown fields pass; missing ones are the checks' business; `null` inside an
 * array is tolerated (the inventory drops it).
 *
 * Shapes follow Microsoft's REST API specs (Microsoft.Network 2024-05-01, Microsoft.Storage
 * 2024-01-01, Microsoft.ContainerRegistry 2025-04-01, Microsoft.MachineLearningServices 2025-12-01).
 */
import * as z from '../base/zod.js';
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';

const str = z.nullish(z.string());
const bool = z.nullish(z.boolean());
const num = z.nullish(z.number());
const strs = z.nullish(z.array(z.nullable(z.string())));
const ref = z.nullish(z.looseObject({ id: str }));
function obj<T extends z.core.$ZodShape>(shape: T) {
  return z.nullish(z.looseObject(shape));
}
function arr<T extends z.core.SomeType>(item: T) {
  return z.nullish(z.array(z.nullable(item)));
}
function resource<T extends z.core.$ZodShape>(properties: T, top: z.core.$ZodShape = {}) {
  return z.looseObject({ id: str, name: str, location: str, properties: obj(properties), ...top });
}

const connectionState = obj({ status: str, description: str });
const endpointConnection = z.looseObject({
  id: str,
  properties: obj({ privateEndpoint: ref, privateLinkServiceConnectionState: connectionState }),
});

const subnetProps = {
  addressPrefix: str,
  addressPrefixes: strs,
  networkSecurityGroup: ref,
  routeTable: ref,
  serviceEndpoints: arr(z.looseObject({ service: str, provisioningState: str })),
};
const subnet = resource(subnetProps);
const securityRule = z.looseObject({
  name: str,
  properties: obj({
    priority: num,
    direction: str,
    access: str,
    protocol: str,
    sourceAddressPrefix: str,
    sourceAddressPrefixes: strs,
    destinationAddressPrefix: str,
    destinationAddressPrefixes: strs,
    destinationPortRange: str,
    destinationPortRanges: strs,
    sourceApplicationSecurityGroups: arr(z.looseObject({ id: str })),
    destinationApplicationSecurityGroups: arr(z.looseObject({ id: str })),
  }),
});

const vnet = resource({
  addressSpace: obj({ addressPrefixes: strs }),
  subnets: arr(subnet),
  virtualNetworkPeerings: arr(
    z.looseObject({
      name: str,
      properties: obj({ peeringState: str, remoteVirtualNetwork: ref, remoteAddressSpace: obj({ addressPrefixes: strs }) }),
    }),
  ),
  dhcpOptions: obj({ dnsServers: strs }),
});
const nsg = resource({ securityRules: arr(securityRule), defaultSecurityRules: arr(securityRule) });
const routeTable = resource({
  routes: arr(z.looseObject({ name: str, properties: obj({ addressPrefix: str, nextHopType: str, nextHopIpAddress: str }) })),
});
const linkConnection = z.looseObject({
  properties: obj({ groupIds: strs, privateLinkServiceId: str, privateLinkServiceConnectionState: connectionState }),
});
const privateEndpoint = resource({
  subnet: ref,
  privateLinkServiceConnections: arr(linkConnection),
  manualPrivateLinkServiceConnections: arr(linkConnection),
});
const zoneGroup = resource({
  privateDnsZoneConfigs: arr(
    z.looseObject({
      name: str,
      properties: obj({ privateDnsZoneId: str, recordSets: arr(z.looseObject({ recordSetName: str, ipAddresses: strs })) }),
    }),
  ),
});
const zoneLink = resource({ virtualNetwork: ref, virtualNetworkLinkState: str });
const registry = resource(
  {
    loginServer: str,
    publicNetworkAccess: str,
    networkRuleBypassOptions: str,
    adminUserEnabled: bool,
    dataEndpointHostNames: strs,
    networkRuleSet: obj({
      defaultAction: str,
      virtualNetworkRules: arr(z.looseObject({ id: str, action: str })),
      ipRules: arr(z.looseObject({})),
    }),
    privateEndpointConnections: arr(endpointConnection),
  },
  { sku: obj({ name: str }) },
);
const storage = resource({
  publicNetworkAccess: str,
  allowSharedKeyAccess: bool,
  networkAcls: obj({ bypass: str, defaultAction: str, virtualNetworkRules: arr(z.looseObject({ id: str, action: str, state: str })) }),
  privateEndpointConnections: arr(endpointConnection),
});
const workspace = resource(
  {
    storageAccount: str,
    containerRegistry: str,
    keyVault: str,
    imageBuildCompute: str,
    hubResourceId: str,
    privateEndpointConnections: arr(endpointConnection),
  },
  { kind: str, identity: obj({ type: str }) },
);
const compute = resource({
  computeType: str,
  provisioningState: str,
  properties: obj({ vmSize: str, subnet: ref, aksNetworkingConfiguration: obj({ subnetId: str }) }),
});
const serviceTags = z.looseObject({
  changeNumber: str,
  values: arr(z.looseObject({ name: str, properties: obj({ region: str, addressPrefixes: strs }) })),
});
const endpointTypes = z.looseObject({ resourceName: str });

type Shape = { readonly kind: 'one'; readonly schema: z.ZodMiniType } | { readonly kind: 'list'; readonly item: z.ZodMiniType };

/** Resource types (lower case, as `armType` spells them) whose GET answers are checked. */
const RESOURCES: Readonly<Record<string, z.ZodMiniType>> = {
  'microsoft.network/virtualnetworks': vnet,
  'microsoft.network/virtualnetworks/subnets': subnet,
  'microsoft.network/networksecuritygroups': nsg,
  'microsoft.network/routetables': routeTable,
  'microsoft.network/privateendpoints': privateEndpoint,
  'microsoft.network/privateendpoints/privatednszonegroups': zoneGroup,
  'microsoft.network/privatednszones/virtualnetworklinks': zoneLink,
  'microsoft.containerregistry/registries': registry,
  'microsoft.storage/storageaccounts': storage,
  'microsoft.machinelearningservices/workspaces': workspace,
  'microsoft.machinelearningservices/workspaces/computes': compute,
};

/** The shape a GET of `path` answers, when it is one the checks read. */
export function shapeOf(path: string): Shape | undefined {
  const parts = path.toLowerCase().split('/').filter(Boolean);
  const p = parts.lastIndexOf('providers');
  if (p < 0) return undefined;
  const rest = parts.slice(p + 1);
  if (rest[1] === 'locations') {
    if (rest[3] === 'servicetags') return { kind: 'one', schema: serviceTags };
    if (rest[3] === 'availableprivateendpointtypes') return { kind: 'list', item: endpointTypes };
    return undefined;
  }
  const type = [rest[0], ...rest.slice(1).filter((_, i) => i % 2 === 0)].join('/');
  const schema = RESOURCES[type];
  if (!schema) return undefined;
  // An odd count of segments after the namespace is a collection (…/workspaces/ws/computes).
  return (rest.length - 1) % 2 === 1 ? { kind: 'list', item: schema } : { kind: 'one', schema };
}

/** `properties.subnets[0].id` from zod's issue path, below `base` when given. */
export function jsonPath(path: readonly PropertyKey[], base = ''): string {
  return (
    path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), base) ||
    'the top level'
  );
}

/**
 * Without zod's eval-compiled fast path: it compiles each object schema with `new Function` on its
 * first parse, which pays off over thousands of parses in one process, and an audit is a short
 * process that parses each shape a few times (it cost a one-workspace audit ~50 ms at start).
 * zod/mini's objects have no such path; the option keeps it off should a classic schema come by.
 */
export const PARSE = { jitless: true } as const;

/** Why an answer does not have the shape the checks read, or undefined when it does. */
export function shapeProblem(shape: Shape, body: unknown): string | undefined {
  if (shape.kind === 'one') {
    const r = shape.schema.safeParse(body, PARSE);
    return r.success ? undefined : `${jsonPath(r.error.issues[0]!.path)}: ${r.error.issues[0]!.message}`;
  }
  const value = (body as { value?: unknown } | null)?.value;
  if (!Array.isArray(value)) return `value: expected an array, received ${value === null ? 'null' : typeof value}`;
  for (const [i, item] of value.entries()) {
    if (item === null) continue;
    const r = shape.item.safeParse(item, PARSE);
    if (!r.success) return `${jsonPath(['value', i, ...r.error.issues[0]!.path])}: ${r.error.issues[0]!.message}`;
  }
  return undefined;
}

/**
 * The pipeline policy: a successful GET whose answer the checks read is validated; a wrong shape
 * fails the request with code `UnexpectedShape` (not retried: asking again gets the same answer).
 */
export const shapePolicy: PipelinePolicy = {
  name: 'amlPreflightShapes',
  async sendRequest(request, next) {
    const response = await next(request);
    if (request.method !== 'GET' || response.status !== 200 || !response.bodyAsText) return response;
    const shape = shapeOf(new URL(request.url).pathname);
    if (!shape) return response;
    let body: unknown;
    try {
      body = JSON.parse(response.bodyAsText);
    } catch {
      return response; // the SDK's own parser says PARSE_ERROR
    }
    const problem = shapeProblem(shape, body);
    if (problem) throw new RestError(`ARM answered an unexpected shape at ${problem}`, { code: 'UnexpectedShape', request, response });
    validated.set(request, { text: response.bodyAsText, body });
    return response;
  },
};

/** The bodies the policy parsed, by request: a raw read (`arm/raw.ts`) takes them instead of parsing again. */
const validated = new WeakMap<object, { readonly text: string; readonly body: unknown }>();

/**
 * The body this policy parsed for `response`'s request, when the text is still the one it parsed
 * (a later policy may have changed it); else undefined. A region's service tags are 3 MB of JSON.
 */
export function validatedBody(response: { readonly request: object; readonly bodyAsText?: string | null }): { body: unknown } | undefined {
  const hit = validated.get(response.request);
  return hit && hit.text === response.bodyAsText ? { body: hit.body } : undefined;
}
