import { afterEach, describe, expect, it } from 'vitest';
import { allChecks } from '../../checks/index.js';
import check, { RELATED_CHECKS } from '../../checks/workspace-diagnose/index.js';
import { buildWorlds, ids } from '../../mocks/worlds/generate.js';
import { runAudit } from '../../src/engine/run.js';
import { runCli, startHarness, worldPath, type MockHarness } from '../helpers.js';

let harness: MockHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('workspace-diagnose', () => {
  it('an empty diagnosis passes, and says so', async () => {
    harness = await startHarness('healthy-private');
    const r = (await runAudit({ inventory: harness.inventory, checks: [check], workspaceIds: [ids.workspace] })).targets[0]!.results[0]!;
    expect(r.status).toBe('pass');
    expect(r.notes).toEqual(["Microsoft's diagnosis found nothing to report"]);
    // The diagnosis is a long-running operation: POST 202, then the poll.
    expect(
      harness.server.handler.log.filter((e) => /diagnose$|workspaceOperationsStatus/.test(e.path)).map((e) => `${e.method} ${e.status}`),
    ).toEqual(['POST 202', 'GET 202', 'GET 200']);
  });

  it("Error → fail, Warning → warning, Information → note; Microsoft's code and message kept", async () => {
    harness = await startHarness('diagnose-findings');
    const r = (await runAudit({ inventory: harness.inventory, checks: [check], workspaceIds: [ids.workspace] })).targets[0]!.results[0]!;
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => [f.level, f.evidence.code, f.message])).toEqual([
      [
        'warning',
        'CustomDNSInUse',
        "Microsoft's diagnosis (DNS resolution) reports CustomDNSInUse: We have detected an on-premise dns server is configured. Please make sure conditional forwarding is configured correctly.",
      ],
      [
        'error',
        'ImageBuildComputeNotValid',
        "Microsoft's diagnosis (container registry) reports ImageBuildComputeNotValid: The image build compute is not valid: it must be a CPU compute cluster in the virtual network of the container registry.",
      ],
    ]);
    expect(r.notes?.[0]).toBe(
      "Microsoft's diagnosis (other): WorkspaceQuotaNearLimit: Dedicated core quota for the standardDSv2Family is 80% used in westeurope.",
    );
  });

  it('ties known codes (case-insensitively) to our checks and shows agreement', async () => {
    expect(RELATED_CHECKS.customdnsinuse).toBe('private-dns-zones');
    harness = await startHarness('diagnose-findings');
    const differ = (
      await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace] })
    ).targets[0]!.results.find((r) => r.checkId === 'workspace-diagnose')!;
    expect(differ.findings.map((f) => [f.evidence.relatedCheck, f.evidence.ourVerdict, f.evidence.agreement])).toEqual([
      ['private-dns-zones', 'pass', 'differ'],
      ['image-build-compute', 'pass', 'differ'],
    ]);
    await harness.close();
    harness = await startHarness('demo');
    const agree = (
      await runAudit({ inventory: harness.inventory, checks: allChecks, workspaceIds: [ids.workspace] })
    ).targets[0]!.results.find((r) => r.checkId === 'workspace-diagnose')!;
    expect(agree.findings.map((f) => f.evidence.agreement)).toEqual(['agree', 'agree']);
    expect(agree.notes).toContain(
      "ImageBuildComputeNotValid: Microsoft reports a problem; aml-preflight's image-build-compute says fail (agree)",
    );
  });

  it('honours the Retry-After of the operation', async () => {
    const w = buildWorlds()['diagnose-findings']!;
    w.responses![`POST ${ids.workspace}/diagnose`]!.headers = { 'Retry-After': '1' };
    harness = await startHarness(w);
    const t0 = performance.now();
    await harness.inventory.diagnose(ids.workspace, { pollIntervalInMs: 10 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('is opt-in: --with-diagnose or --check runs it; a plain audit does not', async () => {
    const plain = JSON.parse((await runCli(['audit', '--mock', worldPath('diagnose-findings')])).stdout);
    expect(plain.targets[0].results.map((r: { checkId: string }) => r.checkId)).not.toContain('workspace-diagnose');
    const withIt = await runCli(['audit', '--mock', worldPath('diagnose-findings'), '--with-diagnose']);
    expect(withIt.code).toBe(1);
    expect(JSON.parse(withIt.stdout).targets[0].results.map((r: { checkId: string }) => r.checkId)).toContain('workspace-diagnose');
    expect((await runCli(['checks'])).stdout).toContain('workspace-diagnose  [error] (opt-in)');
  });

  it('a 403 on diagnose names the RBAC action', async () => {
    harness = await startHarness({ ...buildWorlds()['healthy-private']!, faults: [{ match: 'POST .*/diagnose$', status: 403 }] });
    const r = (await runAudit({ inventory: harness.inventory, checks: [check], workspaceIds: [ids.workspace] })).targets[0]!.results[0]!;
    expect(r.reason).toMatch(/grant Microsoft\.MachineLearningServices\/workspaces\/diagnose\/action/);
  });
});
