/** identity-access condition 5: `--image` from another Azure registry, which the identities that pull must be able to pull from. */
import { describe, expect, it } from 'vitest';
import check from '../../checks/identity-access/index.js';
import imageReference from '../../checks/image-reference/index.js';
import { checkAuditor, loadWorldByName } from '../helpers.js';
import { ids } from '../../mocks/worlds/generate.js';
import { COMPUTE_PRINCIPALS, WS_PRINCIPAL } from '../../mocks/worlds/identity.js';
import { SHARED_IMAGE, SHARED_LOGIN_SERVER, SHARED_REGISTRY, SHARED_SUB } from '../../mocks/worlds/identity-images.js';

const t = checkAuditor(check);
const audit = t.audit;
const PULL = 'Microsoft.ContainerRegistry/registries/pull/read';

describe('identity-access: images from another registry', () => {
  it('every compute identity holds AcrPull on the shared registry in another subscription: pass, found by its login server', async () => {
    const r = await audit('identity-image-registry', [SHARED_IMAGE]);
    expect(r.status, JSON.stringify(r.findings.map((f) => f.message))).toBe('pass');
    expect(r.findings).toEqual([]);
    const log = t.harness.server.handler.log.map((e) => `${e.method} ${e.path}`);
    // The workspace's subscription first, then the others the identity can read; each list once.
    expect(log.filter((l) => /Microsoft\.ContainerRegistry\/registries$/i.test(l))).toHaveLength(2);
    expect(
      log.filter((l) => l.startsWith(`GET /subscriptions/${SHARED_SUB}/providers/Microsoft.Authorization/roleAssignments`)),
    ).toHaveLength(3);
  });

  it('without --image, or with images from the workspace registry or MCR only, condition 5 adds nothing', async () => {
    for (const images of [
      undefined,
      ['crmlopsprodweu.azurecr.io/azureml/training/pytorch:2.3-cuda12.1', 'mcr.microsoft.com/azureml/x:1'],
    ]) {
      const r = await audit('identity-image-registry-no-pull', images);
      expect(r.status).toBe('pass');
      expect(t.harness.server.handler.log.some((e) => /Microsoft\.ContainerRegistry\/registries$/i.test(e.path))).toBe(false);
    }
  });

  it('a compute identity without AcrPull there fails, with the evaluator evidence and the command', async () => {
    const r = await audit('identity-image-registry-no-pull', [SHARED_IMAGE]);
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual([
      `compute gpu-train-cluster cannot ${PULL} on crsharedimagesweu (image ${SHARED_IMAGE} comes from registry ${SHARED_LOGIN_SERVER}, not the workspace's; the compute pulls it at job time): no role assignment applies at that scope or above.`,
    ]);
    const f = r.findings[0]!;
    expect(f.level).toBe('error');
    expect(f.resourceId).toBe(SHARED_REGISTRY);
    expect(f.evidence).toMatchObject({ principalId: COMPUTE_PRINCIPALS['gpu-train-cluster'], scope: SHARED_REGISTRY, outcome: 'denied' });
    expect(f.remediation).toBe(
      `az role assignment create --assignee-object-id ${COMPUTE_PRINCIPALS['gpu-train-cluster']} --assignee-principal-type ServicePrincipal --role "AcrPull" --scope ${SHARED_REGISTRY}`,
    );
  });

  it('a 403 on the shared subscription is a warning naming it, never a pass', async () => {
    const r = await audit('identity-image-registry-forbidden', [SHARED_IMAGE]);
    expect(r.status).toBe('warn');
    expect(r.findings.map((f) => [f.level, f.message])).toEqual([
      [
        'warning',
        `Whether the identities that pull image ${SHARED_IMAGE} can pull from registry ${SHARED_LOGIN_SERVER} cannot be decided: it is in none of the subscriptions read, and /subscriptions/${SHARED_SUB} answered 403.`,
      ],
    ]);
  });

  it('a registry in no readable subscription is a warning; a compute without identity fails for it', async () => {
    const unknown = await audit('identity-image-registry', ['crelsewhere.azurecr.io/base/python:3.11']);
    expect(unknown.status).toBe('warn');
    expect(unknown.findings[0]!.message).toContain('it is in none of the 2 subscription(s) the auditing identity can read');
    const w = loadWorldByName('identity-image-registry');
    delete (w.resources.find((r) => r.id === `${ids.computes}/ci-analyst-ds`) as { identity?: unknown }).identity;
    const r = await audit(w, [SHARED_IMAGE]);
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.messageId)).toEqual(['computeNoIdentity', 'imageComputeNoIdentity']);
    expect(r.findings[1]!.message).toBe(
      `Compute ci-analyst-ds has no managed identity, so it cannot pull image ${SHARED_IMAGE} from registry ${SHARED_LOGIN_SERVER} (Azure ML holds credentials for the workspace registry only).`,
    );
  });

  it('with no imageBuildCompute, builds run in ACR Tasks: the workspace identity without AcrPull there is a warning', async () => {
    const w = loadWorldByName('identity-image-registry');
    delete w.resources.find((r) => r.id === ids.workspace)!.properties!.imageBuildCompute;
    const r = await audit(w, [SHARED_IMAGE]);
    expect(r.status).toBe('warn');
    expect(r.findings.map((f) => [f.level, f.evidence.principalId])).toEqual([['warning', WS_PRINCIPAL]]);
    expect(r.findings[0]!.message).toContain(
      'with no imageBuildCompute, an image built on it is built in ACR Tasks of the workspace registry',
    );
  });

  it('anonymous pull needs no role; an ABAC registry is judged by the repository read data actions', async () => {
    const w = loadWorldByName('identity-image-registry-no-pull');
    w.resources.find((r) => r.id === SHARED_REGISTRY)!.properties!.anonymousPullEnabled = true;
    const anonymous = await audit(w, [SHARED_IMAGE]);
    expect(anonymous.status).toBe('pass');
    expect(anonymous.notes).toContain(`registry crsharedimagesweu allows anonymous pull: image ${SHARED_IMAGE} needs no role`);
    const abac = loadWorldByName('identity-image-registry');
    abac.resources.find((r) => r.id === SHARED_REGISTRY)!.properties!.roleAssignmentMode = 'AbacRepositoryPermissions';
    const r = await audit(abac, [SHARED_IMAGE]);
    expect(r.status).toBe('fail');
    // Three computes, two repository data actions each: AcrPull is not honored there.
    expect(r.findings).toHaveLength(6);
    expect(new Set(r.findings.map((f) => (f.evidence.permission as string).split(' ')[1]))).toEqual(
      new Set([
        'Microsoft.ContainerRegistry/registries/repositories/content/read',
        'Microsoft.ContainerRegistry/registries/repositories/metadata/read',
      ]),
    );
  });
});

describe('image-reference and identity-access agree on another registry', () => {
  const img = checkAuditor(imageReference);
  it('image-reference warns and points to identity-access for the role, never claiming who lacks it', async () => {
    const r = await img.audit('identity-image-registry', [SHARED_IMAGE]);
    expect(r.findings.map((f) => f.messageId)).toEqual(['otherRegistry']);
    expect(r.findings[0]!.message).toBe(
      `Image ${SHARED_IMAGE} comes from registry ${SHARED_LOGIN_SERVER}, not the workspace registry crmlopsprodweu.azurecr.io: the identities that pull it need AcrPull there (identity-access decides whether they hold it), and the computes must reach it.`,
    );
  });
});
