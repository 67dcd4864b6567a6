import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseImageReference } from '../../src/images/reference.js';

describe('parseImageReference', () => {
  it.each([
    [
      'crmlopsprodweu.azurecr.io/azureml/training/pytorch:2.3-cuda12.1',
      [],
      undefined,
      'crmlopsprodweu.azurecr.io',
      'azureml/training/pytorch',
      '2.3-cuda12.1',
    ],
    [
      'crmlopsprodweu.azurecr.io//azureml/training/pytorch:2.3',
      ['double-slash'],
      'crmlopsprodweu.azurecr.io/azureml/training/pytorch:2.3',
      'crmlopsprodweu.azurecr.io',
      'azureml/training/pytorch',
      '2.3',
    ],
    [
      'crmlopsprodweu.azurecr.io\\azureml\\pytorch:2.3',
      ['backslash'],
      'crmlopsprodweu.azurecr.io/azureml/pytorch:2.3',
      'crmlopsprodweu.azurecr.io',
      'azureml/pytorch',
      '2.3',
    ],
    [
      'crmlopsprodweu.azurecr.io/AzureML/PyTorch:2.3',
      ['uppercase-repository'],
      'crmlopsprodweu.azurecr.io/azureml/pytorch:2.3',
      'crmlopsprodweu.azurecr.io',
      'azureml/pytorch',
      '2.3',
    ],
    [
      'crmlopsprodweu.azurecr.io/azureml/pytorch',
      ['missing-tag-or-digest'],
      'crmlopsprodweu.azurecr.io/azureml/pytorch:latest',
      'crmlopsprodweu.azurecr.io',
      'azureml/pytorch',
      'latest',
    ],
    ['ubuntu', ['missing-tag-or-digest'], 'ubuntu:latest', 'docker.io', 'library/ubuntu', 'latest'],
    ['pytorch/pytorch:2.3.1-cuda12.1', [], undefined, 'docker.io', 'pytorch/pytorch', '2.3.1-cuda12.1'],
    ['localhost:5000/team/img:1', [], undefined, 'localhost:5000', 'team/img', '1'],
    [
      'mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20241111.v1',
      [],
      undefined,
      'mcr.microsoft.com',
      'azureml/openmpi4.1.0-ubuntu22.04',
      '20241111.v1',
    ],
  ] as const)('%s', (input, problems, corrected, registry, repository, tag) => {
    const r = parseImageReference(input);
    expect(r.problems).toEqual(problems);
    expect(r.corrected).toBe(corrected);
    expect(r.reference).toMatchObject({ registry, repository, tag });
  });

  it('keeps digests, with or without a tag', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseImageReference(`cr.azurecr.io/x/y@${d}`).reference).toMatchObject({ repository: 'x/y', digest: d });
    expect(parseImageReference(`cr.azurecr.io/x/y:1@${d}`).reference).toMatchObject({ tag: '1', digest: d });
    expect(parseImageReference(`cr.azurecr.io/x/y@${d}`).problems).toEqual([]);
  });

  it.each([
    ['', /no repository/],
    ['cr.azurecr.io/x/y:bad tag!', /not a valid tag/],
    ['cr.azurecr.io/x/y@md5:zz', /not a valid digest/],
    ['cr.azurecr.io/x--/y:1', /not a valid repository path component/],
    ['cr.azurecr.io/-x/y:1', /not a valid repository path component/],
  ])('rejects %j: %s', (input, why) => {
    const r = parseImageReference(input);
    expect(r.reference).toBeUndefined();
    expect(r.problems).toContain('invalid');
    expect(r.why).toMatch(why);
  });

  it('never throws; a corrected form parses cleanly (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const r = parseImageReference(s);
        if (r.corrected) expect(parseImageReference(r.corrected).problems).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});
