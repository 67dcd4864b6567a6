/**
 * The world file: the ARM state an audit reads (CONTRACT.md, "World file"). The mock serves it and
 * `snapshot` writes it. Validated at the boundary; an invalid world is rejected with the JSON path
 * at fault.
 */
import { readFile } from 'node:fs/promises';
import * as z from '../base/zod.js';
import { jsonPath } from '../base/json-path.js';
import { UsageError } from '../base/errors.js';

const armResource = z.looseObject({
  id: z.string().check(z.regex(/^\/subscriptions\//i, 'an ARM id starting with /subscriptions/')),
  name: z.string().check(z.minLength(1)),
  // Optional: some real ARM answers (Microsoft's private DNS zone group example among them) omit it.
  type: z.optional(z.string().check(z.regex(/^[A-Za-z0-9.]+\/[A-Za-z0-9/]+$/, 'an ARM type like Microsoft.Network/virtualNetworks'))),
  location: z.optional(z.string()),
  properties: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});

const cannedResponse = z.strictObject({
  status: z.optional(z.number().check(z.int(), z.gte(100), z.lte(599))),
  headers: z.optional(z.record(z.string(), z.string())),
  body: z.optional(z.unknown()),
});

const fault = z
  .strictObject({
    /** A regular expression matched case-insensitively against "METHOD /path" (no query string). */
    match: z.string().check(z.refine(isRegExp, 'a valid regular expression')),
    status: z.optional(z.number().check(z.int(), z.gte(100), z.lte(599))),
    headers: z.optional(z.record(z.string(), z.string())),
    body: z.optional(z.unknown()),
    latencyMs: z.optional(z.number().check(z.int(), z.gte(0), z.lte(600_000))),
    /** How many matching requests the fault applies to; absent means every one. */
    times: z.optional(z.number().check(z.int(), z.gte(1))),
    /** Destroy the connection instead of answering. */
    reset: z.optional(z.boolean()),
    /** Answer the real body cut in half (truncated JSON). */
    truncate: z.optional(z.boolean()),
    /** Answer this text as the body, verbatim (malformed JSON, an HTML error page). */
    rawBody: z.optional(z.string()),
  })
  .check(
    z.refine(
      (f) => f.status !== undefined || f.latencyMs !== undefined || f.reset === true || f.truncate === true || f.rawBody !== undefined,
      {
        error: 'a fault needs at least one of status, latencyMs, reset, truncate, rawBody',
      },
    ),
  );

/**
 * One of ARM's token buckets per subscription. `initialTokens` (default: full) models a bucket another
 * client in the same subscription has already spent, as a CI pipeline does during a nightly audit.
 */
const bucket = z
  .strictObject({
    capacity: z.number().check(z.int(), z.gte(1)),
    refillPerSecond: z.number().check(z.positive()),
    initialTokens: z.optional(z.number().check(z.int(), z.gte(0))),
  })
  .check(
    z.refine((b) => b.initialTokens === undefined || b.initialTokens <= b.capacity, {
      error: 'initialTokens cannot exceed capacity',
      path: ['initialTokens'],
    }),
  );

export const worldSchema = z
  .strictObject({
    $schema: z.optional(z.string()),
    schemaVersion: z.literal(1),
    description: z.string(),
    resources: z.array(armResource),
    responses: z._default(
      z.record(z.string().check(z.regex(/^(GET|POST|PUT|PATCH|DELETE|HEAD) \//, '"METHOD /path"')), cannedResponse),
      {},
    ),
    faults: z._default(z.array(fault), []),
    /** How many items a list page holds before `nextLink` (the mock's; ARM's vary). */
    pageSize: z.optional(z.number().check(z.int(), z.gte(1), z.lte(1000))),
    /**
     * ARM's throttling model, enforced per subscription: token buckets for reads (GET) and writes
     * (everything else). https://learn.microsoft.com/azure/azure-resource-manager/management/request-limits-and-throttling
     */
    /**
     * What the container registries hold, for the ACR data plane the mock serves:
     * login server → repository → tag → manifest digest.
     */
    registryContent: z.optional(
      z.record(
        z.string(),
        z.record(z.string(), z.record(z.string(), z.string().check(z.regex(/^sha256:[0-9a-f]{64}$/, 'a sha256 digest')))),
      ),
    ),
    /**
     * Azure Resource Graph as the mock answers it: rows per page (at most Resource Graph's 1,000),
     * the per-user quota (Resource Graph's default is 15 queries per 5 s window), and ids it has not
     * indexed yet (Resource Graph lags ARM by seconds to minutes after a change).
     * https://learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests
     */
    resourceGraph: z.optional(
      z.strictObject({
        pageSize: z.optional(z.number().check(z.int(), z.gte(1), z.lte(1000))),
        quota: z.optional(z.strictObject({ requests: z.number().check(z.int(), z.gte(1)), windowSeconds: z.number().check(z.positive()) })),
        notIndexed: z.optional(z.array(z.string())),
      }),
    ),
    throttling: z.optional(
      z.strictObject({
        reads: z.optional(bucket),
        writes: z.optional(bucket),
      }),
    ),
    /**
     * The subscriptions the caller can read (`GET /subscriptions`), with their states. Absent: every
     * subscription the world holds resources in, `Enabled`.
     */
    subscriptions: z.optional(
      z.array(
        z.strictObject({
          subscriptionId: z.string().check(z.regex(/^[0-9a-fA-F-]{36}$/, 'a subscription id (a GUID)')),
          displayName: z.optional(z.string()),
          state: z.optional(z.enum(['Enabled', 'Warned', 'PastDue', 'Disabled', 'Deleted'])),
        }),
      ),
    ),
    /**
     * What-if answers (`POST …/providers/Microsoft.Resources/deployments/{name}/whatIf`), keyed by
     * deployment name or by `sha256:<hex>` of the template as sent: `changes[]` as ARM returns them
     * (a long-running operation), or `error` for a template ARM rejects (400).
     */
    whatIf: z.optional(
      z.record(
        z.string(),
        z
          .strictObject({
            changes: z.optional(z.array(z.looseObject({ resourceId: z.string(), changeType: z.string() }))),
            error: z.optional(z.looseObject({ code: z.string(), message: z.string() })),
          })
          .check(z.refine((w) => (w.changes === undefined) !== (w.error === undefined), { error: 'either changes or error' })),
      ),
    ),
    /**
     * Microsoft Entra groups and their members (object ids), for role assignments listed with
     * `$filter=assignedTo('{objectId}')`, which includes the assignments of the principal's groups, transitively.
     */
    groups: z.optional(
      z.array(
        z.strictObject({
          id: z.string().check(z.minLength(1)),
          displayName: z.optional(z.string()),
          members: z.array(z.string().check(z.minLength(1))),
        }),
      ),
    ),
    /** Management groups (`…/managementGroups/{name}/descendants`): each names its parent and its own subscriptions. */
    managementGroups: z.optional(
      z.array(
        z.strictObject({
          name: z.string().check(z.regex(/^[\w().-]{1,90}$/, 'a management group id (letters, digits, -_.() , up to 90)')),
          displayName: z.optional(z.string()),
          parent: z.optional(z.string()),
          subscriptions: z.optional(z.array(z.string().check(z.regex(/^[0-9a-fA-F-]{36}$/, 'a subscription id (a GUID)')))),
        }),
      ),
    ),
  })
  .check(
    z.superRefine((w, ctx) => {
      const groups = new Set((w.managementGroups ?? []).map((g) => g.name.toLowerCase()));
      for (const [i, g] of (w.managementGroups ?? []).entries()) {
        if (g.parent !== undefined && !groups.has(g.parent.toLowerCase())) {
          ctx.addIssue({
            code: 'custom',
            message: `parent "${g.parent}" is not a management group of the world`,
            path: ['managementGroups', i, 'parent'],
          });
        }
      }
    }),
  );

/** ARM's documented buckets per subscription (reads 250 + 25/s, writes 200 + 10/s). */
export const ARM_THROTTLING = { reads: { capacity: 250, refillPerSecond: 25 }, writes: { capacity: 200, refillPerSecond: 10 } } as const;

export type World = z.infer<typeof worldSchema>;
export type WorldInput = z.input<typeof worldSchema>;
export type WorldResource = World['resources'][number];
export type WorldFault = World['faults'][number];

function isRegExp(s: string): boolean {
  try {
    new RegExp(s, 'i');
    return true;
  } catch {
    return false;
  }
}

/** Validates a parsed world. Throws {@link UsageError} naming the JSON path at fault. */
export function parseWorld(data: unknown, source = 'world'): World {
  const result = worldSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UsageError(`invalid world file ${source}: at ${jsonPath(issue.path)}: ${issue.message}`);
  }
  return result.data;
}

/** Reads and validates a world file. Throws {@link UsageError} for unreadable or invalid files. */
export async function loadWorld(file: string): Promise<World> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read world file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`invalid world file ${file}: not JSON (${(err as Error).message})`);
  }
  return parseWorld(data, file);
}
