/**
 * The data the RBAC evaluator (rbac.ts) decides from and answers: role definitions, role and deny
 * assignments as ARM lists them (normalised by arm.ts), the question asked and the decision with
 * what decided it.
 */

/** One block of a role definition's (or deny assignment's) `permissions`. */
export interface PermissionBlock {
  readonly actions?: readonly string[] | null;
  readonly notActions?: readonly string[] | null;
  readonly dataActions?: readonly string[] | null;
  readonly notDataActions?: readonly string[] | null;
}

export interface RoleDefinition {
  /** `…/providers/Microsoft.Authorization/roleDefinitions/{guid}`; matched by its GUID. */
  readonly id: string;
  readonly roleName: string;
  /** `BuiltInRole` or `CustomRole`. */
  readonly roleType?: string;
  readonly assignableScopes?: readonly string[];
  readonly permissions: readonly PermissionBlock[];
}

export interface RoleAssignment {
  readonly id: string;
  readonly scope: string;
  readonly roleDefinitionId: string;
  readonly principalId: string;
  /** User, Group, ServicePrincipal, ForeignGroup, Device. */
  readonly principalType?: string;
  readonly condition?: string | null;
  readonly conditionVersion?: string | null;
}

export interface DenyPrincipal {
  readonly id: string;
  readonly type?: string;
}

export interface DenyAssignment {
  readonly id: string;
  readonly name?: string;
  readonly scope: string;
  readonly permissions: readonly PermissionBlock[];
  readonly principals: readonly DenyPrincipal[];
  readonly excludePrincipals?: readonly DenyPrincipal[];
  readonly doNotApplyToChildScopes?: boolean;
  /**
   * `denyAssignmentEffect` (api-version 2024-07-01-preview and later): `enforced` denies;
   * `audit` only records. Absent in older versions, where every deny assignment is enforced.
   */
  readonly effect?: string;
  readonly condition?: string | null;
  readonly conditionVersion?: string | null;
}

/** A control-plane action (`Microsoft.ContainerRegistry/registries/pull/read`) or a data action. */
export interface Permission {
  readonly kind: 'action' | 'dataAction';
  readonly name: string;
}

export interface RbacFacts {
  readonly principalId: string;
  /**
   * Groups the principal is known to belong to (transitively). `assignedTo('{id}')` returns the
   * assignments of those groups too, so every Group principal among its answers is one.
   */
  readonly memberOf?: Iterable<string>;
  /**
   * Management groups known to hold the target's subscription, as scopes
   * (`/providers/Microsoft.Management/managementGroups/{id}`). `atScope()` at the target returns
   * only assignments at or above it, so each management-group scope it returns is one.
   */
  readonly managementGroups?: Iterable<string>;
  readonly assignments: readonly RoleAssignment[];
  readonly definitions: readonly RoleDefinition[];
  readonly denyAssignments?: readonly DenyAssignment[];
}

export interface Question {
  /** The scope asked about: a resource id, resource group, subscription or management group. */
  readonly scope: string;
  readonly permission: Permission;
  /**
   * Attributes a condition may test, known exactly for this question, keyed
   * `@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name]` (case-insensitive).
   */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** What one assignment did for the question. */
export interface AssignmentVerdict {
  readonly assignmentId: string;
  readonly roleDefinitionId: string;
  readonly roleName: string | undefined;
  readonly scope: string;
  readonly principalId: string;
  readonly effect:
    | 'grants'
    | 'not-in-role'
    | 'removed-by-not'
    | 'out-of-scope'
    | 'other-principal'
    | 'condition-false'
    | 'condition-undecidable'
    | 'definition-missing'
    | 'outside-assignable-scopes';
  /** The pattern that granted, or the `not…` pattern that removed it. */
  readonly pattern?: string;
  readonly reason?: string;
}

export interface DenyVerdict {
  readonly denyAssignmentId: string;
  readonly name: string | undefined;
  readonly scope: string;
  readonly effect: 'denies' | 'undecidable';
  readonly pattern: string;
  readonly reason?: string;
}

export interface Decision {
  readonly outcome: 'allowed' | 'denied' | 'undecidable';
  readonly principalId: string;
  readonly scope: string;
  readonly permission: Permission;
  /** The assignment that grants (allowed), when one does. */
  readonly grantedBy?: AssignmentVerdict;
  /** The deny assignment that denies (denied by a deny assignment). */
  readonly deniedBy?: DenyVerdict;
  /** Why the answer is undecidable (empty otherwise). */
  readonly reasons: readonly string[];
  /** Every assignment that names the principal (or a group of it), and what it did. */
  readonly assignments: readonly AssignmentVerdict[];
  /** Every deny assignment that covers the permission at the scope. */
  readonly denies: readonly DenyVerdict[];
}
