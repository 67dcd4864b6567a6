/**
 * Reading `terraform show -json` output: real plans from public repositories (test/fixtures/terraform,
 * SOURCES.md) and the ways a file can be the wrong thing, each refused with its reason.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/base/errors.js';
import { scrub } from '../../src/base/secrets.js';
import { loadTerraformPlan, parseTerraformPlan } from '../../src/terraform/index.js';
import { fixture } from './plans.js';

describe('reading a plan', () => {
  it('reads a real azurerm plan (format 1.1) with its resource changes and configuration', async () => {
    const plan = await loadTerraformPlan(fixture('checkov-nsg-separate-rule.tfplan.json'));
    expect(plan.formatVersion).toBe('1.1');
    expect(plan.terraformVersion).toBe('1.3.6');
    expect(plan.resourceChanges.map((r) => `${r.address} ${r.change.actions.join('+')}`)).toEqual([
      'azurerm_network_security_group.fail create',
      'azurerm_network_security_group.pass create',
      'azurerm_network_security_rule.pass create',
      'azurerm_resource_group.test create',
    ]);
    expect(plan.configuration?.resources?.map((r) => r.address)).toContain('azurerm_network_security_rule.pass');
  });

  it('refuses a plan of format 0.x (Terraform before 1.0), naming the version', async () => {
    await expect(loadTerraformPlan(fixture('checkov-format-0.1-aws.tfplan.json'))).rejects.toThrow(
      /format_version 0\.1; only 1\.x is read/,
    );
  });

  it.each([
    ['a JSON array', [], /not a Terraform plan: not a JSON object/],
    ['no format_version', { resource_changes: [] }, /no format_version/],
    ['a future major version', { format_version: '2.0', resource_changes: [] }, /format_version 2\.0; only 1\.x is read/],
    ['a state', { format_version: '1.0', values: { root_module: {} } }, /a state, not a plan/],
    ['another JSON', { format_version: '1.0', hello: 'world' }, /not a plan: it has no resource_changes/],
    [
      'a change without actions',
      { format_version: '1.2', resource_changes: [{ address: 'a.b', mode: 'managed', type: 'a', name: 'b', change: {} }] },
      /at \$\.resource_changes\[0\]\.change\.actions/,
    ],
    [
      'an unknown action',
      {
        format_version: '1.2',
        resource_changes: [{ address: 'a.b', mode: 'managed', type: 'a', name: 'b', change: { actions: ['explode'] } }],
      },
      /at \$\.resource_changes\[0\]\.change\.actions\[0\]/,
    ],
    ['an errored plan', { format_version: '1.2', errored: true, resource_changes: [] }, /errored/],
  ])('refuses %s with a UsageError saying why', (_name, data, reason) => {
    expect(() => parseTerraformPlan(data, 'plan.json')).toThrow(UsageError);
    expect(() => parseTerraformPlan(data, 'plan.json')).toThrow(reason);
  });

  it('refuses a binary plan file (not JSON) and says to run terraform show -json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aml-preflight-tf-'));
    const file = join(dir, 'tfplan');
    await writeFile(file, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
    await expect(loadTerraformPlan(file)).rejects.toThrow(/is a binary plan file; give the JSON of terraform show -json/);
    await expect(loadTerraformPlan(join(dir, 'missing.json'))).rejects.toThrow(/cannot read Terraform plan .*ENOENT/);
  });

  it('accepts unknown fields (forward compatibility within 1.x)', () => {
    const plan = parseTerraformPlan({ format_version: '1.9', resource_changes: [], deferred_changes: [], checks: [], timestamp: 'x' });
    expect(plan.resourceChanges).toEqual([]);
  });
});

describe('sensitive values', () => {
  it('registers before_sensitive and after_sensitive values, sensitive variables and outputs with the scrubber', () => {
    const key = 'tfplan-storage-key-7c1d9e0b4a3f2e1d';
    const old = 'tfplan-storage-key-old-5a6b7c8d9e0f';
    const variable = 'tfplan-sensitive-variable-value-1234';
    const output = 'tfplan-sensitive-output-value-5678';
    parseTerraformPlan({
      format_version: '1.2',
      variables: { sql_password: { value: variable } },
      resource_changes: [
        {
          address: 'azurerm_storage_account.data',
          mode: 'managed',
          type: 'azurerm_storage_account',
          name: 'data',
          change: {
            actions: ['update'],
            before: { name: 'stmlopsprodweu', primary_access_key: old, network_rules: [{ ip_rules: ['203.0.113.7'] }] },
            after: { name: 'stmlopsprodweu', primary_access_key: key, network_rules: [{ ip_rules: ['203.0.113.7'] }] },
            before_sensitive: { primary_access_key: true, network_rules: [{}] },
            after_sensitive: { primary_access_key: true, network_rules: [{ ip_rules: [false] }] },
          },
        },
      ],
      output_changes: { key: { actions: ['update'], after: output, after_sensitive: true } },
      configuration: { root_module: { variables: { sql_password: { sensitive: true } } } },
    });
    const text = `keys ${key} ${old} ${variable} ${output}; name stmlopsprodweu, ip 203.0.113.7`;
    expect(scrub(text)).toBe('keys [REDACTED] [REDACTED] [REDACTED] [REDACTED]; name stmlopsprodweu, ip 203.0.113.7');
  });

  it('reads the sensitive leaf of a real plan without registering what is not sensitive', async () => {
    const plan = await loadTerraformPlan(fixture('checkov-google-booleans.tfplan.json'));
    expect(plan.formatVersion).toBe('1.0');
    const name = plan.resourceChanges[0]!.change.after?.name;
    expect(typeof name).toBe('string');
    expect(scrub(String(name))).toBe(name);
  });
});
