import { describe, expect, it } from 'vitest';
import check from '../../checks/acr-private-endpoint-region/index.js';
import { checkAuditor, expectVerdict } from '../helpers.js';

const t = checkAuditor(check);
const audit = t.audit;

describe('acr-private-endpoint-region', () => {
  it.each([
    ['healthy-private', 'pass', []],
    ['acr-pe-location-display-name', 'pass', []],
    ['public-registry', 'skip', []],
    ['acr-pe-pending', 'fail', [/is Pending: "Awaiting approval by the registry owner"/]],
    ['acr-pe-rejected', 'fail', [/is Rejected: "Rejected: endpoint not in an approved network"/]],
    [
      'acr-pe-unsupported-region',
      'fail',
      [
        /^Private endpoint pe-crmlopsprodweu-registry of registry crmlopsprodweu sits in westeurope, where private endpoints for Microsoft.ContainerRegistry\/registries are not available\.$/,
      ],
    ],
    [
      'acr-standard-sku',
      'fail',
      [/^Registry crmlopsprodweu has private endpoint connections but is on the Standard SKU: private endpoints need Premium\.$/],
    ],
  ] as const)('%s → %s', async (world, status, messages) => {
    expectVerdict(await audit(world), status, messages);
  });

  it('a Pending connection gets the approve command; a Rejected one is recreated', async () => {
    expect((await audit('acr-pe-pending')).findings[0]!.remediation).toMatch(
      /^Approve it: az network private-endpoint-connection approve --id \/subscriptions\/.*\/privateEndpointConnections\//,
    );
    expect((await audit('acr-pe-rejected')).findings[0]!.remediation).toMatch(
      /delete the private endpoint pe-crmlopsprodweu-registry and create it again/,
    );
  });

  it("the unsupported-region fix is the troubleshooting guide's", async () => {
    expect((await audit('acr-pe-unsupported-region')).findings[0]!.remediation).toMatch(
      /service endpoint or public access .* or recreate the private endpoint in a region/,
    );
  });
});
