import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluateCondition } from '../../src/identity/conditions.js';
import { blocksCover, operationMatches } from '../../src/identity/definitions.js';
import { decide, EVERYONE, scopeContains } from '../../src/identity/rbac.js';
import type { DenyAssignment, Permission, RbacFacts, RoleAssignment, RoleDefinition } from '../../src/identity/rbac-types.js';
import { AuthorizationShapeError, denyAssignmentFromArm, roleAssignmentFromArm, roleDefinitionFromArm } from '../../src/identity/arm.js';

const fixture = (name: string): { responses: { '200': { body: unknown } } } =>
  JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8')) as { responses: { '200': { body: unknown } } };

const SUB = '/subscriptions/6b2e9a2c-4c1f-4f1e-9d8a-3b7a1e5c9d10';
const RG = `${SUB}/resourceGroups/rg-mlops-prod-weu`;
const ACR = `${RG}/providers/Microsoft.ContainerRegistry/registries/crmlopsprodweu`;
const MG = '/providers/Microsoft.Management/managementGroups/mg-platform';
const WS = '1f0c6d2a-9b1e-4c55-8a3e-7d2f4b6a9c01';
const GROUP = '5d9a1c3e-2b4f-4a6d-8e0c-1f3b5d7a9c2e';
const PULL: Permission = { kind: 'action', name: 'Microsoft.ContainerRegistry/registries/pull/read' };
const PUSH: Permission = { kind: 'action', name: 'Microsoft.ContainerRegistry/registries/push/write' };
const BLOB_READ: Permission = { kind: 'dataAction', name: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read' };

const role = (guid: string, roleName: string, permissions: RoleDefinition['permissions'], assignableScopes = ['/']): RoleDefinition => ({
  id: `/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
  roleName,
  assignableScopes,
  permissions,
});
const ACR_PULL = role('7f951dda-4ed3-4680-a7ca-43fe172d538d', 'AcrPull', [
  { actions: ['Microsoft.ContainerRegistry/registries/pull/read'] },
]);
const ACR_PUSH = role('8311e382-0749-4cb8-b61a-304f252e45ec', 'AcrPush', [
  { actions: ['Microsoft.ContainerRegistry/registries/pull/read', 'Microsoft.ContainerRegistry/registries/push/write'] },
]);
const OWNER = role('8e3af657-a8ff-443c-a75c-2fe8c4bcb635', 'Owner', [{ actions: ['*'] }]);
const CONTRIBUTOR = role('b24988ac-6180-42a0-ab88-20f7382dd24c', 'Contributor', [
  {
    actions: ['*'],
    notActions: ['Microsoft.Authorization/*/Delete', 'Microsoft.Authorization/*/Write', 'Microsoft.Authorization/elevateAccess/Action'],
  },
]);
const BLOB_CONTRIBUTOR = role('ba92f5b4-2d11-453d-a403-e96b0029c9fe', 'Storage Blob Data Contributor', [
  {
    actions: ['Microsoft.Storage/storageAccounts/blobServices/containers/*'],
    dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*'],
  },
]);
const CUSTOM_NO_PUSH = role(
  'c3f1a2b4-5d6e-4f70-8a9b-0c1d2e3f4a5b',
  'ML image reader',
  [{ actions: ['Microsoft.ContainerRegistry/*'], notActions: ['Microsoft.ContainerRegistry/registries/push/*'] }],
  [SUB],
);
const DEFS = [ACR_PULL, ACR_PUSH, OWNER, CONTRIBUTOR, BLOB_CONTRIBUTOR, CUSTOM_NO_PUSH];

let n = 0;
const assign = (def: RoleDefinition, scope: string, principalId = WS, extra: Partial<RoleAssignment> = {}): RoleAssignment => ({
  id: `${scope}/providers/Microsoft.Authorization/roleAssignments/00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  scope,
  roleDefinitionId: `${SUB}${def.id}`,
  principalId,
  principalType: principalId === GROUP ? 'Group' : 'ServicePrincipal',
  ...extra,
});
const deny = (extra: Partial<DenyAssignment> = {}): DenyAssignment => ({
  id: `${RG}/providers/Microsoft.Authorization/denyAssignments/9a8b7c6d-0000-4000-8000-000000000001`,
  name: 'Deployment stack deny: stack-mlops',
  scope: RG,
  permissions: [{ actions: ['*'], notActions: ['*/read'] }],
  principals: [{ id: EVERYONE, type: 'SystemDefined' }],
  excludePrincipals: [],
  ...extra,
});
const facts = (assignments: RoleAssignment[], more: Partial<RbacFacts> = {}): RbacFacts => ({
  principalId: WS,
  assignments,
  definitions: DEFS,
  ...more,
});

describe('operation patterns', () => {
  it.each([
    ['*', 'Microsoft.ContainerRegistry/registries/pull/read', true],
    ['Microsoft.ContainerRegistry/*', 'microsoft.containerregistry/REGISTRIES/push/write', true],
    ['*/read', 'Microsoft.ContainerRegistry/registries/pull/read', true],
    ['*/read', 'Microsoft.ContainerRegistry/registries/push/write', false],
    ['Microsoft.ContainerRegistry/registries/pull/read', 'Microsoft.ContainerRegistry/registries/pull/readx', false],
    ['Microsoft.Storage/*', 'Microsoft.StorageSync/storageSyncServices/read', false],
    ['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/roleAssignments/write', true],
    ['Microsoft.ContainerRegistry/registries/*/read', 'Microsoft.ContainerRegistry/registries/pull/read', true],
    ['Microsoft.Con.ainerRegistry/*', 'MicrosoftxContainerRegistry/a', false],
  ])('%s matches %s: %s', (pattern, op, expected) => {
    expect(operationMatches(pattern, op)).toBe(expected);
  });

  it('notActions take away only within their own block', () => {
    expect(blocksCover(CUSTOM_NO_PUSH.permissions, PUSH)).toEqual({
      covered: false,
      removedBy: 'Microsoft.ContainerRegistry/registries/push/*',
    });
    expect(blocksCover([...CUSTOM_NO_PUSH.permissions, { actions: ['Microsoft.ContainerRegistry/registries/push/write'] }], PUSH)).toEqual({
      covered: true,
      pattern: 'Microsoft.ContainerRegistry/registries/push/write',
    });
  });

  it('actions never grant data actions, nor dataActions actions', () => {
    expect(blocksCover(OWNER.permissions, BLOB_READ).covered).toBe(false);
    expect(blocksCover([{ dataActions: ['*'] }], PULL).covered).toBe(false);
  });
});

describe('scopes', () => {
  it.each([
    ['/', ACR, true],
    [SUB, ACR, true],
    [SUB.toUpperCase(), ACR, true],
    [`${RG}/`, ACR, true],
    [ACR, ACR, true],
    [`${RG}-other`, `${RG}-other2`, false],
    [ACR, RG, false],
    [`${SUB}/resourceGroups/rg-mlops`, ACR, false],
    [MG, ACR, false],
  ])('%s contains %s: %s', (outer, inner, expected) => {
    expect(scopeContains(outer, inner)).toBe(expected);
  });
  it('a management group holds a subscription only by the hierarchy given', () => {
    expect(scopeContains(MG, ACR, new Set([MG.toLowerCase()]))).toBe(true);
  });
});

describe('decide', () => {
  it('a role at the registry grants', () => {
    const a = assign(ACR_PUSH, ACR);
    const d = decide(facts([a]), { scope: ACR, permission: PUSH });
    expect(d.outcome).toBe('allowed');
    expect(d.grantedBy).toMatchObject({ assignmentId: a.id, roleName: 'AcrPush', scope: ACR, pattern: PUSH.name });
  });

  it('a role at the subscription is inherited; one on another resource is not', () => {
    expect(decide(facts([assign(ACR_PUSH, SUB)]), { scope: ACR, permission: PUSH }).outcome).toBe('allowed');
    const other = assign(ACR_PUSH, `${RG}/providers/Microsoft.ContainerRegistry/registries/crother`);
    const d = decide(facts([other]), { scope: ACR, permission: PUSH });
    expect(d.outcome).toBe('denied');
    expect(d.assignments[0]!.effect).toBe('out-of-scope');
  });

  it('a role at a management group applies when the subscription is known to be under it', () => {
    const a = assign(ACR_PULL, MG);
    expect(decide(facts([a]), { scope: ACR, permission: PULL }).outcome).toBe('denied');
    expect(decide(facts([a], { managementGroups: [MG] }), { scope: ACR, permission: PULL }).outcome).toBe('allowed');
  });

  it('AcrPull does not push; a custom role whose notActions remove the push does not either', () => {
    expect(decide(facts([assign(ACR_PULL, ACR)]), { scope: ACR, permission: PUSH })).toMatchObject({
      outcome: 'denied',
      assignments: [{ effect: 'not-in-role' }],
    });
    const d = decide(facts([assign(CUSTOM_NO_PUSH, RG)]), { scope: ACR, permission: PUSH });
    expect(d).toMatchObject({
      outcome: 'denied',
      assignments: [{ effect: 'removed-by-not', pattern: 'Microsoft.ContainerRegistry/registries/push/*' }],
    });
    expect(decide(facts([assign(CUSTOM_NO_PUSH, RG)]), { scope: ACR, permission: PULL }).outcome).toBe('allowed');
  });

  it('Owner grants every action and no data action', () => {
    expect(decide(facts([assign(OWNER, SUB)]), { scope: ACR, permission: PUSH }).outcome).toBe('allowed');
    expect(decide(facts([assign(OWNER, SUB)]), { scope: ACR, permission: BLOB_READ }).outcome).toBe('denied');
    expect(decide(facts([assign(BLOB_CONTRIBUTOR, RG)]), { scope: ACR, permission: BLOB_READ }).outcome).toBe('allowed');
  });

  it('assignments of other principals are ignored; a group the principal is in counts', () => {
    const d = decide(facts([assign(ACR_PUSH, ACR, GROUP)]), { scope: ACR, permission: PUSH });
    expect(d).toMatchObject({ outcome: 'denied', assignments: [{ effect: 'other-principal' }] });
    expect(decide(facts([assign(ACR_PUSH, ACR, GROUP)], { memberOf: [GROUP] }), { scope: ACR, permission: PUSH }).outcome).toBe('allowed');
  });

  it('a custom role assigned outside its assignable scopes is undecidable', () => {
    const elsewhere =
      '/subscriptions/0f0e0d0c-0b0a-4909-8807-060504030201/resourceGroups/rg-x/providers/Microsoft.ContainerRegistry/registries/crx';
    const d = decide(facts([assign(CUSTOM_NO_PUSH, elsewhere)]), { scope: elsewhere, permission: PULL });
    expect(d.outcome).toBe('undecidable');
    expect(d.reasons[0]).toMatch(/assignableScopes/);
  });

  it('a role definition that could not be read is undecidable, not denied', () => {
    const a = {
      ...assign(ACR_PUSH, ACR),
      roleDefinitionId: `${SUB}/providers/Microsoft.Authorization/roleDefinitions/11111111-2222-4333-8444-555555555555`,
    };
    expect(decide(facts([a]), { scope: ACR, permission: PUSH })).toMatchObject({
      outcome: 'undecidable',
      assignments: [{ effect: 'definition-missing' }],
    });
  });

  describe('deny assignments', () => {
    it('override a grant, for everyone', () => {
      const d = decide(facts([assign(OWNER, SUB)], { denyAssignments: [deny()] }), { scope: ACR, permission: PUSH });
      expect(d).toMatchObject({ outcome: 'denied', deniedBy: { name: 'Deployment stack deny: stack-mlops', pattern: '*' } });
      expect(decide(facts([assign(OWNER, SUB)], { denyAssignments: [deny()] }), { scope: ACR, permission: PULL }).outcome).toBe('allowed');
    });
    it('spare the principals they exclude', () => {
      const excluded = deny({ excludePrincipals: [{ id: WS, type: 'ServicePrincipal' }] });
      expect(decide(facts([assign(OWNER, SUB)], { denyAssignments: [excluded] }), { scope: ACR, permission: PUSH }).outcome).toBe(
        'allowed',
      );
    });
    it('with doNotApplyToChildScopes, apply at their own scope only', () => {
      const here = deny({ doNotApplyToChildScopes: true });
      expect(decide(facts([assign(OWNER, SUB)], { denyAssignments: [here] }), { scope: ACR, permission: PUSH }).outcome).toBe('allowed');
      expect(decide(facts([assign(OWNER, SUB)], { denyAssignments: [here] }), { scope: RG, permission: PUSH }).outcome).toBe('denied');
    });
    it('naming another service principal do not apply; naming a group of unknown membership is undecidable', () => {
      const other = deny({ principals: [{ id: '2b3c4d5e-0000-4000-8000-00000000000a', type: 'ServicePrincipal' }] });
      expect(decide(facts([assign(OWNER, SUB)], { denyAssignments: [other] }), { scope: ACR, permission: PUSH }).outcome).toBe('allowed');
      const group = deny({ principals: [{ id: GROUP, type: 'Group' }] });
      const d = decide(facts([assign(OWNER, SUB)], { denyAssignments: [group] }), { scope: ACR, permission: PUSH });
      expect(d.outcome).toBe('undecidable');
      expect(d.reasons[0]).toMatch(/group/);
      expect(
        decide(facts([assign(OWNER, SUB)], { denyAssignments: [group], memberOf: [GROUP] }), { scope: ACR, permission: PUSH }).outcome,
      ).toBe('denied');
    });
    it('that only audit do not deny', () => {
      expect(
        decide(facts([assign(OWNER, SUB)], { denyAssignments: [deny({ effect: 'audit' })] }), { scope: ACR, permission: PUSH }).outcome,
      ).toBe('allowed');
    });
    it('deny even without any grant, and say which', () => {
      expect(decide(facts([], { denyAssignments: [deny()] }), { scope: ACR, permission: PUSH }).deniedBy?.name).toBe(
        'Deployment stack deny: stack-mlops',
      );
    });
  });

  describe('conditions', () => {
    const repoCondition =
      "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}) AND !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'})) OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase 'azureml/base'))";
    const read: Permission = { kind: 'dataAction', name: 'Microsoft.ContainerRegistry/registries/repositories/content/read' };
    const write: Permission = { kind: 'dataAction', name: 'Microsoft.ContainerRegistry/registries/repositories/content/write' };

    it('a condition on the request makes the grant undecidable', () => {
      const readerRole = role('b93aa761-3e63-49ed-ac28-beffa264f7ac', 'Container Registry Repository Reader', [
        {
          dataActions: [
            'Microsoft.ContainerRegistry/registries/repositories/content/read',
            'Microsoft.ContainerRegistry/registries/repositories/metadata/read',
          ],
        },
      ]);
      const a = assign(readerRole, ACR, WS, { condition: repoCondition, conditionVersion: '2.0' });
      const d = decide({ ...facts([a]), definitions: [readerRole] }, { scope: ACR, permission: read });
      expect(d.outcome).toBe('undecidable');
      expect(d.reasons[0]).toMatch(/repositories:name/);
      // Known exactly for one repository: the condition decides.
      const attr = { '@Request[Microsoft.ContainerRegistry/registries/repositories:name]': 'AzureML/Base' };
      expect(decide({ ...facts([a]), definitions: [readerRole] }, { scope: ACR, permission: read, attributes: attr }).outcome).toBe(
        'allowed',
      );
      const other = { '@Request[Microsoft.ContainerRegistry/registries/repositories:name]': 'other' };
      expect(decide({ ...facts([a]), definitions: [readerRole] }, { scope: ACR, permission: read, attributes: other })).toMatchObject({
        outcome: 'denied',
        assignments: [{ effect: 'condition-false' }],
      });
    });

    it('a condition that does not constrain the action asked is decided exactly', () => {
      expect(evaluateCondition(repoCondition, write)).toEqual({ value: true });
      expect(evaluateCondition(repoCondition, read).value).toBeUndefined();
    });

    it.each([
      ["@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'azureml'", 'azureml', true],
      ["@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'azureml'", 'AzureML', false],
      ["@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals 'azureml'", 'other', true],
      [
        "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringStartsWithIgnoreCase 'azureml-'",
        'AzureML-blobstore',
        true,
      ],
      ["@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringLike 'azureml-*'", 'azureml-blobstore-1', true],
      ["NOT (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringLike 'a?c')", 'abc', false],
      [
        "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] ForAnyOfAnyValues:StringEquals {'a', 'b'}",
        'a',
        undefined,
      ],
    ])('%s with %s is %s', (condition, name, expected) => {
      const attrs = { '@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name]': name };
      expect(evaluateCondition(condition, BLOB_READ, attrs).value).toBe(expected);
    });

    it('an unparsable condition or another version is undecidable', () => {
      expect(evaluateCondition("((ActionMatches{'x'}", PULL).value).toBeUndefined();
      const a = assign(ACR_PULL, ACR, WS, { condition: "ActionMatches{'x'}", conditionVersion: '1.0' });
      expect(decide(facts([a]), { scope: ACR, permission: PULL }).outcome).toBe('undecidable');
    });

    it('an unconditional grant beside an undecidable one decides', () => {
      const conditional = assign(ACR_PULL, ACR, WS, {
        condition: "@Principal[Microsoft.Directory/CustomSecurityAttributes/Id:team] StringEquals 'ml'",
        conditionVersion: '2.0',
      });
      expect(decide(facts([conditional]), { scope: ACR, permission: PULL }).outcome).toBe('undecidable');
      expect(decide(facts([conditional, assign(ACR_PUSH, RG)]), { scope: ACR, permission: PULL }).outcome).toBe('allowed');
    });
  });
});

describe("Microsoft's payloads", () => {
  it('parse into the evaluator and decide', () => {
    const list = fixture('RoleAssignments_ListForScope.json').responses['200'].body as { value: unknown[] };
    const assignment = roleAssignmentFromArm(list.value[0]);
    expect(assignment).toMatchObject({
      principalId: 'ce2ce14e-85d7-4629-bdbc-454d0519d987',
      scope: '/subscriptions/a925f2f7-5c63-4b7b-8799-25a5f97bc3b2',
    });
    const get = roleAssignmentFromArm(fixture('RoleAssignments_Get.json').responses['200'].body);
    expect(get.roleDefinitionId).toMatch(/roleDefinitions\//);
    roleAssignmentFromArm(fixture('RoleAssignments_Get-2022-04-01.json').responses['200'].body);
    // The examples' role definitions say `type: roletype` and name their actions `action`.
    const def = roleDefinitionFromArm(fixture('GetRoleDefinitionById.json').responses['200'].body);
    expect(def).toMatchObject({ roleName: 'Role name', roleType: 'roletype', assignableScopes: ['/subscriptions/subId'] });
    const listed = (fixture('GetRoleDefinitionAtScope.json').responses['200'].body as { value: unknown[] }).value.map(
      roleDefinitionFromArm,
    );
    expect(listed).toHaveLength(1);
    roleDefinitionFromArm(fixture('GetRoleDefinitionByName.json').responses['200'].body);
    const d = decide(
      {
        principalId: 'p',
        assignments: [{ id: 'a', scope: '/subscriptions/subId', roleDefinitionId: def.id, principalId: 'p' }],
        definitions: [def],
      },
      { scope: '/subscriptions/subId/resourceGroups/rg', permission: { kind: 'action', name: 'ACTION' } },
    );
    expect(d.outcome).toBe('allowed');
  });

  it('deny assignments parse, with their placeholder principal types treated as possibly groups', () => {
    const byId = denyAssignmentFromArm(fixture('GetDenyAssignmentById.json').responses['200'].body);
    expect(byId).toMatchObject({ scope: '/subscriptions/subId/resourcegroups/rgname', doNotApplyToChildScopes: false });
    for (const name of [
      'GetDenyAssignmentByScope.json',
      'GetAllDenyAssignments.json',
      'GetDenyAssignmentsForResource.json',
      'GetDenyAssignmentsForResourceGroup.json',
    ]) {
      const body = fixture(name).responses['200'].body as { value: unknown[] };
      for (const v of body.value) denyAssignmentFromArm(v);
    }
    const newer = denyAssignmentFromArm(
      (fixture('GetDenyAssignmentsForResourceGroup.json').responses['200'].body as { value: unknown[] }).value[0],
    );
    expect(newer.effect).toBe('enforced');
    denyAssignmentFromArm(fixture('GetDenyAssignmentByNameId.json').responses['200'].body);
    // `principalType1` is no type we know: principalId1 might be a group holding "p".
    const d = decide(
      { principalId: 'p', assignments: [], definitions: [], denyAssignments: [byId] },
      { scope: '/subscriptions/subId/resourcegroups/rgname/x', permission: { kind: 'action', name: 'action' } },
    );
    expect(d.denies[0]).toMatchObject({ effect: 'undecidable' });
  });

  it('a body without what the evaluation needs is an error naming the field', () => {
    expect(() => roleAssignmentFromArm({ id: 'x', properties: { scope: '/', principalId: 'p' } })).toThrow(AuthorizationShapeError);
    expect(() => roleAssignmentFromArm({ id: 'x', properties: { scope: '/', principalId: 'p' } })).toThrow(/properties\.roleDefinitionId/);
    expect(() => denyAssignmentFromArm({ id: 'x', properties: { scope: '/', principals: [] } })).toThrow(/principals/);
  });
});

describe('properties', () => {
  const segment = fc.stringMatching(/^[A-Za-z][A-Za-z0-9.]{0,8}$/);
  const operation = fc.array(segment, { minLength: 2, maxLength: 5 }).map((s) => s.join('/'));
  /** A pattern derived from an operation: some segments replaced by `*`, some case flipped. */
  const patternOf = (op: string, stars: boolean[], flip: boolean): string =>
    op
      .split('/')
      .map((s, i) => (stars[i] ? '*' : flip ? s.toUpperCase() : s))
      .join('/');

  it('a pattern made from an operation by wildcards and case changes matches it', () => {
    fc.assert(
      fc.property(operation, fc.array(fc.boolean(), { maxLength: 5 }), fc.boolean(), (op, stars, flip) => {
        expect(operationMatches(patternOf(op, stars, flip), op)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  const scopes = [ACR, RG, SUB, `${SUB}/resourceGroups/rg-data`, `${RG}/providers/Microsoft.Storage/storageAccounts/stmlopsprodweu`, '/'];
  const defs = fc.constantFrom(...DEFS);
  const assignmentArb = fc.record({
    def: defs,
    scope: fc.constantFrom(...scopes),
    principal: fc.constantFrom(WS, GROUP, 'a0b1c2d3-0000-4000-8000-0000000000ff'),
  });
  const permissionArb = fc.constantFrom(PULL, PUSH, BLOB_READ, {
    kind: 'action' as const,
    name: 'Microsoft.Authorization/roleAssignments/write',
  });
  const world = fc.record({
    assignments: fc.array(assignmentArb, { maxLength: 6 }),
    memberOf: fc.boolean(),
    deny: fc.option(fc.record({ scope: fc.constantFrom(...scopes), exclude: fc.boolean(), child: fc.boolean() }), { nil: undefined }),
  });

  const toFacts = (w: {
    assignments: { def: RoleDefinition; scope: string; principal: string }[];
    memberOf: boolean;
    deny: { scope: string; exclude: boolean; child: boolean } | undefined;
  }): RbacFacts =>
    facts(
      w.assignments.map((a) => assign(a.def, a.scope, a.principal)),
      {
        ...(w.memberOf ? { memberOf: [GROUP] } : {}),
        ...(w.deny
          ? {
              denyAssignments: [
                deny({
                  scope: w.deny.scope,
                  doNotApplyToChildScopes: w.deny.child,
                  excludePrincipals: w.deny.exclude ? [{ id: WS, type: 'ServicePrincipal' }] : [],
                }),
              ],
            }
          : {}),
      },
    );

  it('allowed exactly when an applicable assignment grants and no deny applies; undecidable only for a role assigned outside its assignable scopes', () => {
    fc.assert(
      fc.property(world, permissionArb, fc.constantFrom(...scopes), (w, permission, scope) => {
        const d = decide(toFacts(w), { scope, permission });
        const applicable = w.assignments.filter(
          (a) =>
            (a.principal === WS || (w.memberOf && a.principal === GROUP)) &&
            scopeContains(a.scope, scope) &&
            blocksCover(a.def.permissions, permission).covered,
        );
        const assignable = (a: (typeof applicable)[number]): boolean =>
          (a.def.assignableScopes ?? ['/']).some((s) => scopeContains(s, a.scope));
        const grants = applicable.some(assignable);
        const unsure = applicable.some((a) => !assignable(a));
        const denied =
          w.deny !== undefined &&
          !w.deny.exclude &&
          (w.deny.child ? w.deny.scope.toLowerCase() === scope.toLowerCase() : scopeContains(w.deny.scope, scope)) &&
          blocksCover(deny().permissions, permission).covered;
        expect(d.outcome).toBe(denied ? 'denied' : grants ? 'allowed' : unsure ? 'undecidable' : 'denied');
      }),
      { numRuns: 500 },
    );
  });

  it('adding an assignment never turns allowed into denied; adding a deny never turns denied into allowed', () => {
    fc.assert(
      fc.property(world, assignmentArb, permissionArb, fc.constantFrom(...scopes), (w, extra, permission, scope) => {
        const before = decide(toFacts(w), { scope, permission }).outcome;
        const after = decide(toFacts({ ...w, assignments: [...w.assignments, extra] }), { scope, permission }).outcome;
        if (before === 'allowed') expect(after).toBe('allowed');
        const denied = decide(toFacts({ ...w, deny: { scope: '/', exclude: false, child: false } }), { scope, permission }).outcome;
        if (before === 'denied') expect(denied).toBe('denied');
      }),
      { numRuns: 400 },
    );
  });

  it('the decision does not depend on the order of assignments or the case of ids', () => {
    fc.assert(
      fc.property(world, permissionArb, fc.constantFrom(...scopes), (w, permission, scope) => {
        const f = toFacts(w);
        const shuffled = {
          ...f,
          assignments: [...f.assignments]
            .reverse()
            .map((a) => ({ ...a, scope: a.scope.toUpperCase(), principalId: a.principalId.toUpperCase() })),
        };
        expect(decide(shuffled, { scope: scope.toLowerCase(), permission }).outcome).toBe(decide(f, { scope, permission }).outcome);
      }),
      { numRuns: 300 },
    );
  });
});
