/**
 * The tenant: the subscriptions the identity can read (`GET /subscriptions`, 2022-12-01) and the
 * descendants of a management group (`…/managementGroups/{id}/descendants`, 2023-04-01), both
 * paged. Whole-tenant audits start here.
 * https://learn.microsoft.com/rest/api/resources/subscriptions/list
 * https://learn.microsoft.com/rest/api/managementgroups/management-groups/get-descendants
 */
import { RestError } from '@azure/core-rest-pipeline';
import { listAll } from '../arm/raw.js';
import type { ArmReader } from './reader.js';
import type { ReadOptions } from './views.js';

export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
export const MANAGEMENT_GROUPS_API_VERSION = '2023-04-01';

/** A subscription as the identity sees it. `state`: Enabled, Warned, PastDue, Disabled or Deleted. */
export interface SubscriptionView {
  readonly subscriptionId: string;
  readonly displayName: string;
  readonly state: string;
}

/** A child of a management group: another group, or a subscription. */
export interface DescendantView {
  readonly kind: 'managementGroup' | 'subscription';
  /** The group's id, or the subscription id. */
  readonly name: string;
  readonly displayName: string;
  readonly parentId: string | undefined;
}

function shapeError(what: string, i: number, field: string): RestError {
  return new RestError(`ARM answered an unexpected shape at value[${i}].${field}: ${what}`, { code: 'UnexpectedShape' });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export async function subscriptions(r: ArmReader, opts?: ReadOptions): Promise<readonly SubscriptionView[]> {
  return r.onceKey(
    'LIST subscriptions',
    'LIST subscriptions',
    '/subscriptions',
    'Microsoft.Resources/subscriptions/read',
    opts,
    async (signal) => {
      const client = await r.clients.tenant();
      const items = await listAll(client, `${r.connection.endpoint}/subscriptions?api-version=${SUBSCRIPTIONS_API_VERSION}`, signal);
      return items.map((item, i): SubscriptionView => {
        const s = item as { subscriptionId?: unknown; displayName?: unknown; state?: unknown };
        const subscriptionId = str(s.subscriptionId);
        if (!subscriptionId) throw shapeError('expected a subscription id', i, 'subscriptionId');
        return { subscriptionId, displayName: str(s.displayName) ?? subscriptionId, state: str(s.state) ?? 'Enabled' };
      });
    },
  );
}

export async function managementGroupDescendants(r: ArmReader, group: string, opts?: ReadOptions): Promise<readonly DescendantView[]> {
  const scope = `/providers/Microsoft.Management/managementGroups/${group}`;
  return r.onceKey(
    `LIST descendants ${scope.toLowerCase()}`,
    'LIST descendants',
    scope,
    'Microsoft.Management/managementGroups/descendants/read',
    opts,
    async (signal) => {
      const client = await r.clients.tenant();
      const url = `${r.connection.endpoint}${scope.replace(group, encodeURIComponent(group))}/descendants?api-version=${MANAGEMENT_GROUPS_API_VERSION}`;
      const items = await listAll(client, url, signal);
      return items.map((item, i): DescendantView => {
        const d = item as {
          type?: unknown;
          name?: unknown;
          properties?: { displayName?: unknown; parent?: { id?: unknown } | null } | null;
        };
        const name = str(d.name);
        if (!name) throw shapeError('expected a name', i, 'name');
        const type = str(d.type)?.toLowerCase();
        if (type !== 'microsoft.management/managementgroups' && type !== 'microsoft.management/managementgroups/subscriptions') {
          throw shapeError(
            `expected Microsoft.Management/managementGroups or …/subscriptions, received ${JSON.stringify(d.type)}`,
            i,
            'type',
          );
        }
        return {
          kind: type === 'microsoft.management/managementgroups' ? 'managementGroup' : 'subscription',
          name,
          displayName: str(d.properties?.displayName) ?? name,
          parentId: str(d.properties?.parent?.id),
        };
      });
    },
  );
}
