/**
 * The answers the planned state (plan.ts) gives of its own: a resource the deployment deletes (or
 * that is not in the planned state), and a change whose body the plan cannot say, named with why.
 */
import { UNSUPPORTED, unevaluated, type PlannedChange } from './changes.js';

/** An HTTP answer: status and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

/** Why the plan cannot say this change's body, if it cannot. */
export function unknownOf(c: PlannedChange): { kind: 'unevaluated' | 'other'; paths: string[]; answer: Answer } | undefined {
  const fail = (code: string, message: string): Answer => ({ status: 400, body: { error: { code, message } } });
  if (UNSUPPORTED.test(c.changeType)) {
    return {
      kind: 'other',
      paths: [],
      answer: fail(
        'WhatIfUnsupported',
        `what-if cannot predict the change of ${c.resourceId} (changeType Unsupported: ${c.unsupportedReason ?? 'ARM gave no reason'}); its planned state is unknown`,
      ),
    };
  }
  if (!c.after) {
    return {
      kind: 'other',
      paths: [],
      answer: fail(
        'WhatIfNoBody',
        `what-if gave no planned body for ${c.resourceId} (changeType ${c.changeType}; run what-if with the full resource payloads); its planned state is unknown`,
      ),
    };
  }
  const set = c.unknown?.[0];
  if (set) {
    return {
      kind: 'other',
      paths: [set.path],
      answer: fail('WhatIfUndecided', `what-if cannot tell ${set.path} of ${c.resourceId} yet: ${set.why}`),
    };
  }
  const values = unevaluated(c.after, '');
  if (values.length === 0) return undefined;
  return {
    kind: 'unevaluated',
    paths: values.map((v) => v.path),
    answer: fail(
      'WhatIfUnevaluated',
      `what-if could not evaluate ${values[0]!.path || 'the body'} of ${c.resourceId} (a template expression left unevaluated); the planned state of this resource is unknown`,
    ),
  };
}

export function notFound(id: string, deletedAncestor?: string): Answer {
  return {
    status: 404,
    body: {
      error: {
        code: 'ResourceNotFound',
        message: deletedAncestor
          ? `The deployment deletes ${deletedAncestor} (what-if), and ${id} with it: it will not exist.`
          : `The deployment deletes ${id} (what-if), or it is not in the planned state: it will not exist.`,
      },
    },
  };
}

export function parentNotFound(parent: string): Answer {
  return {
    status: 404,
    body: { error: { code: 'ParentResourceNotFound', message: `The deployment deletes ${parent} (what-if): it will not exist.` } },
  };
}
