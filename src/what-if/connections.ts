/**
 * The connections of the private endpoints a deployment creates, as they appear on their targets in
 * the planned state (plan.ts).
 */
import { idKey, tryParseResourceId } from '../base/resource-id.js';
import type { Answer } from './answers.js';
import type { Json } from './changes.js';

/** A planned connection on a target: its body, or why its state is open. */
export interface NewConnection {
  readonly body: Json;
  readonly undecided?: string;
}

/**
 * The connections a new private endpoint (`after`, its planned body) makes on its targets, by
 * target (idKey).
 * A manual request (`manualPrivateLinkServiceConnections`)
 * is `Pending` until the target's owner approves it; an automatic one is `Approved` only when the
 * identity that deploys may approve connections on the target, which the plan cannot know: open,
 * unless ARM's answer says the state.
 * https://learn.microsoft.com/azure/private-link/private-endpoint-overview#access-to-a-private-link-resource-using-approval-workflow
 */
export function plannedConnections(endpointId: string, after: Json): { target: string; connection: NewConnection }[] {
  const out: { target: string; connection: NewConnection }[] = [];
  const props = (after.properties ?? {}) as Json;
  for (const [field, manual] of [
    ['privateLinkServiceConnections', false],
    ['manualPrivateLinkServiceConnections', true],
  ] as const) {
    const list = props[field];
    for (const plsc of Array.isArray(list) ? (list as unknown[]) : []) {
      const p = ((plsc as Json | null)?.properties ?? {}) as {
        privateLinkServiceId?: unknown;
        privateLinkServiceConnectionState?: { status?: unknown };
      };
      const target = tryParseResourceId(p.privateLinkServiceId);
      if (!target) continue;
      const said = typeof p.privateLinkServiceConnectionState?.status === 'string' ? p.privateLinkServiceConnectionState.status : undefined;
      const status = said ?? (manual ? 'Pending' : undefined);
      const name = endpointId.split('/').pop()!;
      const body: Json = {
        id: `${target.id}/privateEndpointConnections/${name}`,
        name,
        type: `${[target.provider, ...target.types].join('/')}/privateEndpointConnections`,
        properties: {
          provisioningState: 'Succeeded',
          privateEndpoint: { id: endpointId },
          privateLinkServiceConnectionState: { status: status ?? 'Unknown', description: '', actionsRequired: 'None' },
        },
      };
      const undecided = status
        ? undefined
        : `the connection of ${name} is Approved only if the identity that deploys it may approve connections on ${target.names.at(-1)!}`;
      out.push({ target: idKey(target.id), connection: { body, ...(undecided ? { undecided } : {}) } });
    }
  }
  return out;
}

/**
 * `current`, the connections a target lists, with the ones `joining` it added; or the error of one
 * whose state is open.
 */
export function joinConnections(key: string, current: readonly Json[], joining: readonly NewConnection[]): Json[] | Answer {
  const list = [...current];
  for (const c of joining) {
    const pe = ((c.body.properties as Json).privateEndpoint as { id: string }).id;
    if (
      list.some(
        (x) => idKey(String(((x.properties as Json | undefined)?.privateEndpoint as { id?: unknown } | undefined)?.id)) === idKey(pe),
      )
    )
      continue;
    if (c.undecided) {
      const path = `properties.privateEndpointConnections[${list.length}].properties.privateLinkServiceConnectionState.status`;
      return {
        status: 400,
        body: {
          error: { code: 'WhatIfUndecided', message: `what-if cannot tell ${path} of ${key.split('/').pop()!} yet: ${c.undecided}` },
        },
      };
    }
    list.push(c.body);
  }
  return list;
}
