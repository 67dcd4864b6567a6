import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import check from '../../checks/image-reference/index.js';
import { checkAuditor, runCli, worldPath } from '../helpers.js';
import { hub, hubAndSpoke } from '../../mocks/worlds/firewall-hub.js';
import { mutate } from '../../mocks/worlds/healthy.js';
import { res } from '../../mocks/worlds/generate.js';

const t = checkAuditor(check);
const audit = t.audit;
const CR = 'crmlopsprodweu.azurecr.io';

describe('image-reference', () => {
  it('passes for images that exist in the workspace registry, by tag and by digest (through the ACR data plane)', async () => {
    const digest = `sha256:${createHash('sha256').update('pytorch-2.3').digest('hex')}`;
    const r = await audit('healthy-private', [
      `${CR}/azureml/training/pytorch:2.3-cuda12.1`,
      `${CR}/azureml/training/pytorch@${digest}`,
      'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20241111.v1',
    ]);
    expect(r.status).toBe('pass');
    const acr = t.harness.server.handler.log.filter((e) => e.path.startsWith('/acr-data/'));
    // The real SDK's challenge flow: 401, AAD → refresh token, refresh → access token, then the reads.
    expect(acr.slice(0, 4).map((e) => `${e.method} ${e.path.split('/').slice(3).join('/')} ${e.status}`)).toEqual([
      'GET acr/v1/azureml%2Ftraining%2Fpytorch/_tags/2.3-cuda12.1 401',
      'POST oauth2/exchange 200',
      'POST oauth2/token 200',
      'GET acr/v1/azureml%2Ftraining%2Fpytorch/_tags/2.3-cuda12.1 200',
    ]);
  });

  it('each kind of bad reference is a finding with the corrected form', async () => {
    const r = await audit('healthy-private', [
      `${CR}//azureml/training/pytorch:2.3-cuda12.1`,
      `${CR}\\azureml\\training\\pytorch:2.3-cuda12.1`,
      `${CR}/AzureML/Training/PyTorch:2.3-cuda12.1`,
      `${CR}/azureml/training/pytorch`,
    ]);
    expect(r.findings.map((f) => f.message)).toEqual([
      `Image reference "${CR}//azureml/training/pytorch:2.3-cuda12.1" has a double slash; the corrected form is ${CR}/azureml/training/pytorch:2.3-cuda12.1.`,
      `Image reference "${CR}\\azureml\\training\\pytorch:2.3-cuda12.1" has a backslash; the corrected form is ${CR}/azureml/training/pytorch:2.3-cuda12.1.`,
      `Image reference "${CR}/AzureML/Training/PyTorch:2.3-cuda12.1" has upper-case letters in the repository; the corrected form is ${CR}/azureml/training/pytorch:2.3-cuda12.1.`,
      `Image reference "${CR}/azureml/training/pytorch" names no tag or digest, so it means ${CR}/azureml/training/pytorch:latest, which changes under you.`,
    ]);
    expect(r.findings[3]!.level).toBe('warning');
  });

  it('a missing tag and a missing repository are findings', async () => {
    const r = await audit('healthy-private', [`${CR}/azureml/training/pytorch:2.4-cuda12.4`, `${CR}/azureml/nope:1`]);
    expect(r.findings.map((f) => f.message)).toEqual([
      `Image ${CR}/azureml/training/pytorch:2.4-cuda12.4 does not exist in the workspace registry ${CR}: no such tag.`,
      `Image ${CR}/azureml/nope:1 does not exist in the workspace registry ${CR}: no such repository.`,
    ]);
  });

  it('registries: another ACR warns, an unknown host fails, a public one is fine only where the NSG lets it out', async () => {
    const blocked = await audit('healthy-private', ['other.azurecr.io/x:1', 'registry.example.com/x:1', 'docker.io/pytorch/pytorch:2.3.1']);
    expect(blocked.findings.map((f) => [f.level, f.message.split(':')[0]])).toEqual([
      ['warning', 'Image other.azurecr.io/x'],
      ['error', 'Image registry.example.com/x'],
      ['error', 'Image docker.io/pytorch/pytorch'],
    ]);
    expect(blocked.findings[2]!.message).toContain('denied by rule DenyInternetOutbound (priority 4000)');
    expect((await audit('nsg-no-nsg', ['docker.io/pytorch/pytorch:2.3.1'])).status).toBe('pass');
  });

  it('behind a hub firewall, the firewall decides a public registry: its application rules name the hosts or deny them', async () => {
    const denied = await audit('fw-hub-healthy', ['docker.io/pytorch/pytorch:2.3.1']);
    expect(denied.status).toBe('fail');
    expect(denied.findings.map((f) => f.message)).toEqual([
      'Image docker.io/pytorch/pytorch:2.3.1 comes from the public registry docker.io, but egress from subnet snet-training to registry-1.docker.io goes through Azure Firewall afw-hub-weu (VirtualAppliance 10.100.0.4), which denies it: no rule matches: the firewall denies by default.',
    ]);
    expect(denied.findings[0]!.resourceId).toBe(hub.firewall);
    const allowed = mutate('fw-hub-healthy with Docker Hub allowed', (w) => {
      hubAndSpoke(w);
      const hosts = (res(w, hub.group).properties.ruleCollections as { name: string; rules: unknown[] }[]).find(
        (c) => c.name === 'allow-aml-hosts',
      )!;
      hosts.rules.push({
        ruleType: 'ApplicationRule',
        name: 'allow-docker-hub',
        protocols: [{ protocolType: 'Https', port: 443 }],
        sourceAddresses: ['10.20.0.0/16'],
        targetFqdns: ['registry-1.docker.io', 'auth.docker.io', '*.docker.com'],
      });
    });
    expect((await audit(allowed, ['docker.io/pytorch/pytorch:2.3.1'])).status).toBe('pass');
  });

  it('is opt-in: --image adds it; without images a selected check skips', async () => {
    const r = await runCli(['audit', '--mock', worldPath('healthy-private'), '--image', `${CR}/azureml/nope:1`]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).targets[0].results.at(-1)).toMatchObject({ checkId: 'image-reference', status: 'fail' });
    expect((await audit('healthy-private', [])).reason).toBe('no image given (audit --image <reference>)');
  });
});
