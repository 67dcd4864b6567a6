/**
 * The planned state of a deployment: ARM's what-if changes laid over live ARM. GETs of resources the
 * deployment creates or modifies answer the `after` body, deleted ones 404, and everything else is
 * read live. Every resource is decided by its parent chain, at any depth:
 *
 * - under a deleted resource nothing exists (a deleted endpoint's DNS zone groups);
 * - under a created resource exists only what the deployment creates, so its lists are answers of
 *   the plan alone (a new workspace has exactly the computes the template creates; an empty list is
 *   an answer);
 * - a child ARM embeds in its parent's body (subnets, security rules, routes, peerings, private
 *   endpoint connections, the managed network's `outboundRules` map) is what the planned parent
 *   body says, when that body carries the field;
 * - what Azure does on its own when the change applies is laid over by `effects.ts` before this
 *   (a rule's status, a peering's state), and one effect is kept here because it applies to every
 *   answer: a connection to a deleted private endpoint is gone from its target.
 *   https://learn.microsoft.com/azure/private-link/manage-private-endpoint
 *
 * What the plan cannot say is never guessed. `Unsupported` (ARM cannot predict the change), a write
 * without a body, and a value Azure sets that the docs leave open fail the read that carries them,
 * naming the resource and why. An `after` value ARM could not evaluate (an expression left as a
 * string, `[reference(...)]`) fails the resource read by its own id; in a list it fails only the
 * member's value: an unevaluated id stays in place and fails where it is used (see
 * {@link PlannedState.describe}), any other unevaluated value fails the list.
 * https://learn.microsoft.com/azure/azure-resource-manager/templates/deploy-what-if
 */
import { idKey } from '../base/resource-id.js';
import { notFound, parentNotFound, unknownOf, type Answer } from './answers.js';
import {
  CREATES,
  DELETES,
  decides,
  ID_PATH,
  isChange,
  isTemplateExpression,
  SET,
  UNSUPPORTED,
  unevaluated,
  WRITES,
  type Json,
  type PlannedChange,
} from './changes.js';
import { joinConnections, plannedConnections, type NewConnection } from './connections.js';
import { ancestors, childType, EMBEDDED_ARRAYS, embedded, embeds, isCollection, isDirectChild, keyOf, merge } from './embedding.js';
import { isRoleAssignment, joinsAssignmentList, withAssignmentScope } from './role-assignments.js';

export class PlannedState {
  /** idKey → the change that decides it. */
  readonly #changes = new Map<string, PlannedChange>();
  /** The private endpoints the plan deletes (idKey). */
  readonly #deletedEndpoints = new Set<string>();
  /** Target idKey → the connections of the private endpoints the plan creates on it (with their planned state, or why it is open). */
  readonly #newConnections = new Map<string, NewConnection[]>();
  /** Unevaluated values → where they are (resource, path). */
  readonly #expressions = new Map<string, { resourceId: string; path: string }>();
  /** ARM's answer, as it came (reports count and list these). */
  readonly changes: readonly PlannedChange[];

  /**
   * @param changes ARM's what-if changes.
   * @param effects what Azure does on its own when they apply (`effects.ts`): each replaces the
   *   change of its resource, or adds one for a resource the template does not name.
   */
  constructor(changes: readonly PlannedChange[], effects: readonly PlannedChange[] = []) {
    this.changes = changes;
    for (const change of [...changes, ...effects]) {
      if (!decides(change.changeType)) continue;
      const c = withAssignmentScope(change);
      const key = idKey(c.resourceId);
      this.#changes.set(key, c);
      const endpoint = /\/providers\/microsoft\.network\/privateendpoints\/[^/]+$/.test(key);
      if (DELETES.test(c.changeType) && endpoint) this.#deletedEndpoints.add(key);
      if (/^create$/i.test(c.changeType) && endpoint && c.after)
        for (const { target, connection } of plannedConnections(c.resourceId, c.after))
          this.#newConnections.set(target, [...(this.#newConnections.get(target) ?? []), connection]);
      for (const u of unevaluated(c.after ?? {}, '')) this.#expressions.set(u.value.trim(), { resourceId: c.resourceId, path: u.path });
    }
  }

  /** The ids the deployment creates, modifies, deletes, or changes unpredictably (lower case). */
  get changedIds(): ReadonlySet<string> {
    return new Set(this.#changes.keys());
  }

  /** The change that decides `id`, if any. */
  changeOf(id: string): PlannedChange | undefined {
    return this.#changes.get(idKey(id));
  }

  /** Whether the deployment creates `id` (ARM's `Create`: it does not exist live). */
  creates(id: string): boolean {
    return /^create$/i.test(this.#changes.get(idKey(id))?.changeType ?? '');
  }

  /**
   * A value of the planned state ARM left unevaluated, said as the reason a read of it fails: the
   * resource and JSON path it came from. Undefined for any other value.
   */
  describe(value: string): { resourceId: string; message: string } | undefined {
    if (!isTemplateExpression(value)) return undefined;
    const at = this.#expressions.get(value.trim());
    const where = at ? `${at.path} of ${at.resourceId}` : `the value ${value}`;
    return {
      resourceId: at?.resourceId ?? value,
      message: `what-if could not evaluate ${where} (a template expression left unevaluated); the planned state of this value is unknown`,
    };
  }

  /** The answer to `GET url` from the plan, or undefined to ask ARM. */
  answer(method: string, url: string): Answer | undefined {
    if (method !== 'GET') return undefined;
    const key = keyOf(url);
    if (!key) return undefined;
    return isCollection(key) ? this.#list(key) : this.#resource(key);
  }

  /** A resource by its own id: its change, else its parent chain, else live (undefined). */
  #resource(key: string): Answer | undefined {
    const own = this.#changes.get(key);
    if (own && !SET.test(own.changeType)) return this.#body(own);
    const type = childType(key);
    for (const [i, ancestor] of ancestors(key).entries()) {
      const c = this.#changes.get(ancestor);
      if (!c) continue;
      if (DELETES.test(c.changeType)) return notFound(key, ancestor);
      // The nearest parent embeds this child: the parent's planned body decides it.
      if (i === 0 && type && embeds(type)) {
        const parent = this.#body(c);
        if (parent.status !== 200) return parent;
        const children = embedded(parent.body as Json, type);
        if (children) {
          const child = children.find((x) => idKey(String(x.id)) === key);
          if (!child) return notFound(key);
          return own ? { status: 200, body: merge(child, own.after) } : this.#live(key, child).answer;
        }
      }
      if (UNSUPPORTED.test(c.changeType)) continue;
      if (/^create$/i.test(c.changeType)) return notFound(key);
    }
    return undefined;
  }

  /** A collection (`…/parent/childType`): decided by the plan alone when its parent is created or deleted. */
  #list(key: string): Answer | undefined {
    const parentKey = key.slice(0, key.lastIndexOf('/'));
    const type = key.slice(key.lastIndexOf('/') + 1);
    for (const [i, ancestor] of [parentKey, ...ancestors(parentKey)].entries()) {
      const c = this.#changes.get(ancestor);
      if (!c) continue;
      if (DELETES.test(c.changeType)) return parentNotFound(ancestor);
      // A managed network's rules map is authoritative only for a new network: in an existing one,
      // the rules the service adds (category Required, Recommended) stay whatever the template's
      // map says, so its entries are laid over the live list instead (see adjust).
      if (i === 0 && embeds(type) && WRITES.test(c.changeType) && (type !== 'outboundrules' || /^create$/i.test(c.changeType))) {
        const parent = this.#body(c);
        if (parent.status !== 200) return parent;
        const children = embedded(parent.body as Json, type);
        if (children) return this.#members(children.map((x) => this.#changes.get(idKey(String(x.id))) ?? x));
      }
      if (/^create$/i.test(c.changeType)) {
        // A resource the deployment creates has only the children it creates.
        const created = [...this.#changes.entries()].filter(([id, ch]) => isDirectChild(id, key) && CREATES.test(ch.changeType));
        return this.#members(created.map(([, ch]) => ch));
      }
    }
    return undefined;
  }

  /** A list answer of these members (plan changes or live bodies), or the error of a member the plan cannot say. */
  #members(items: readonly (PlannedChange | Json)[]): Answer {
    const out: unknown[] = [];
    for (const item of items) {
      const m = isChange(item) ? this.#member(item) : { status: 200, body: item };
      if (m === undefined) continue;
      if (m.status !== 200) return m;
      if (!this.#gone(m.body)) out.push(m.body);
    }
    return { status: 200, body: { value: out } };
  }

  /**
   * A live answer with the plan applied: a list gets its planned members added, replaced or
   * removed; a parent gets its planned embedded children; a connection to a deleted endpoint goes.
   */
  adjust(method: string, url: string, status: number, bodyText: string | undefined): { status: number; bodyText: string } | undefined {
    if (method !== 'GET' || status !== 200 || !bodyText) return undefined;
    const key = keyOf(url);
    if (!key) return undefined;
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      return undefined;
    }
    if (!body || typeof body !== 'object') return undefined;
    const value = (body as { value?: unknown }).value;
    if (Array.isArray(value)) {
      // A list of `key`'s children: members the plan deletes go, members it writes are its bodies, new ones join.
      const seen = new Set<string>();
      const items: (PlannedChange | Json)[] = [];
      let changed = false;
      const mapped = this.#mappedRules(key);
      if (mapped && mapped.status !== 200) return { status: mapped.status, bodyText: JSON.stringify(mapped.body) };
      const fromMap = new Map(((mapped?.body ?? []) as Json[]).map((r) => [idKey(String(r.id)), r]));
      for (const item of value as Json[]) {
        const id = typeof item.id === 'string' ? idKey(item.id) : undefined;
        const c = id ? this.#changes.get(id) : undefined;
        const m = id && !c ? fromMap.get(id) : undefined;
        if (id) seen.add(id);
        changed ||= c !== undefined || m !== undefined || this.#gone(item);
        items.push(c && SET.test(c.changeType) ? merge(item, c.after) : (c ?? (m ? { ...item, ...m } : item)));
      }
      // New members join the last page only, and only what the plan creates: a Modify is of a
      // member that exists live, on whichever page holds it.
      const next = (body as { nextLink?: unknown }).nextLink;
      if (typeof next !== 'string' || next === '') {
        for (const [id, c] of this.#changes) {
          if (seen.has(id) || !CREATES.test(c.changeType)) continue;
          // A role assignment is listed by scope and principal, not under a parent (role-assignments.ts).
          const joins = isRoleAssignment(id) ? joinsAssignmentList(url, c, value as Json[]) : isDirectChild(id, key);
          if (typeof joins === 'object')
            return { status: 400, bodyText: JSON.stringify({ error: { code: 'WhatIfUnevaluated', message: joins.error } }) };
          if (!joins) continue;
          items.push(c);
          seen.add(id);
          changed = true;
        }
        for (const [id, r] of fromMap) {
          if (seen.has(id)) continue;
          items.push(r);
          changed = true;
        }
      }
      if (!changed) return undefined;
      const answer = this.#members(items);
      if (answer.status !== 200) return { status: answer.status, bodyText: JSON.stringify(answer.body) };
      return { status, bodyText: JSON.stringify({ ...body, value: (answer.body as { value: unknown[] }).value }) };
    }
    if (this.#gone(body)) {
      const answer = notFound(key);
      return { status: answer.status, bodyText: JSON.stringify(answer.body) };
    }
    const set = this.#changes.get(key);
    const own = set && SET.test(set.changeType) ? merge(body as Json, set.after) : (body as Json);
    const { answer, changed } = this.#live(key, own);
    if (answer.status !== 200) return { status: answer.status, bodyText: JSON.stringify(answer.body) };
    return changed || own !== body ? { status, bodyText: JSON.stringify(answer.body) } : undefined;
  }

  /**
   * A body with its embedded children as planned: the ones the plan writes or deletes on their own,
   * the ones it creates under it, and connections to deleted endpoints gone; `changed` says whether
   * any of that applied.
   */
  #live(key: string, body: Json): { answer: Answer; changed: boolean } {
    const props = body.properties as Json | undefined;
    if (!props || typeof props !== 'object') return { answer: { status: 200, body }, changed: false };
    let out: Json | undefined;
    const edit = (): Json => (out ??= { ...body, properties: { ...props } });
    for (const [type, field] of Object.entries(EMBEDDED_ARRAYS)) {
      const list = props[field];
      if (!Array.isArray(list)) continue;
      const next: unknown[] = [];
      let changed = false;
      for (const item of list as Json[]) {
        const c = typeof item.id === 'string' ? this.#changes.get(idKey(item.id)) : undefined;
        if (this.#gone(item) || (c && !WRITES.test(c.changeType) && !UNSUPPORTED.test(c.changeType))) {
          changed = true;
          continue;
        }
        if (!c) {
          next.push(item);
          continue;
        }
        if (SET.test(c.changeType)) {
          next.push(merge(item, c.after));
          changed = true;
          continue;
        }
        const b = this.#body(c);
        if (b.status !== 200) return { answer: b, changed: true };
        next.push(b.body);
        changed = true;
      }
      for (const [id, c] of this.#changes) {
        if (!WRITES.test(c.changeType) || !isDirectChild(id, `${key}/${type}`)) continue;
        if (next.some((x) => typeof (x as Json).id === 'string' && idKey((x as Json).id as string) === id)) continue;
        const b = this.#body(c);
        if (b.status !== 200) return { answer: b, changed: true };
        next.push(b.body);
        changed = true;
      }
      if (changed) (edit().properties as Json)[field] = next;
    }
    // The connections of the endpoints the plan creates on this resource join its list.
    const joining = this.#newConnections.get(key);
    if (joining && Array.isArray(props.privateEndpointConnections)) {
      const joined = joinConnections(key, ((out?.properties as Json | undefined) ?? props).privateEndpointConnections as Json[], joining);
      if (!Array.isArray(joined)) return { answer: joined, changed: true };
      (edit().properties as Json).privateEndpointConnections = joined;
    }
    return { answer: { status: 200, body: out ?? body }, changed: out !== undefined };
  }

  /**
   * The rules an existing managed network's planned body (V1 workspace, V2 `managedNetworks/default`)
   * names in its `outboundRules` map, for the list `key`; undefined when the plan does not write it
   * or its body carries no map.
   */
  #mappedRules(key: string): Answer | undefined {
    if (!key.endsWith('/outboundrules')) return undefined;
    const c = this.#changes.get(key.slice(0, key.lastIndexOf('/')));
    if (!c || !WRITES.test(c.changeType) || /^create$/i.test(c.changeType)) return undefined;
    const parent = this.#body(c);
    if (parent.status !== 200) return parent;
    const rules = embedded(parent.body as Json, 'outboundrules');
    return rules ? { status: 200, body: rules } : undefined;
  }

  /** A connection to a private endpoint the plan deletes: Azure removes it with the endpoint. */
  #gone(body: unknown): boolean {
    if (this.#deletedEndpoints.size === 0 || !body || typeof body !== 'object') return false;
    const pe = ((body as Json).properties as { privateEndpoint?: { id?: unknown } } | undefined)?.privateEndpoint?.id;
    return typeof pe === 'string' && this.#deletedEndpoints.has(idKey(pe));
  }

  /** A list member: its body, undefined when deleted, or the error of a body the plan cannot say. */
  #member(c: PlannedChange): Answer | undefined {
    if (DELETES.test(c.changeType)) return undefined;
    const unknown = unknownOf(c);
    // An unevaluated id stays in place: it fails where it is used as an id, not the whole list.
    if (unknown && !(unknown.kind === 'unevaluated' && unknown.paths.every((p) => ID_PATH.test(p)))) return unknown.answer;
    return this.#withChildren(c);
  }

  #body(c: PlannedChange): Answer {
    if (DELETES.test(c.changeType)) return notFound(c.resourceId);
    const unknown = unknownOf(c);
    if (unknown) return unknown.answer;
    return this.#withChildren(c);
  }

  /** The planned body, its embedded children as the plan says (a child the plan writes on its own wins). */
  #withChildren(c: PlannedChange): Answer {
    const body = { id: c.resourceId, ...c.after };
    const { answer } = this.#live(idKey(c.resourceId), body);
    return answer.status === 200 && this.#gone(answer.body) ? notFound(c.resourceId) : answer;
  }
}
