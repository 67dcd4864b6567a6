/** Azure ML's own diagnosis (workspace-diagnose) reporting what aml-preflight's checks do not. */
import type { WorldInput } from '../../src/world/schema.js';
import { diagnoseAnswer, type DiagnoseItem, ids } from './base.js';
import { mutate } from './healthy.js';

export const DIAGNOSE_FINDINGS = {
  containerRegistryResults: [
    {
      code: 'ImageBuildComputeNotValid',
      level: 'Error',
      message: 'The image build compute is not valid: it must be a CPU compute cluster in the virtual network of the container registry.',
    },
  ],
  dnsResolutionResults: [
    {
      code: 'CustomDNSInUse',
      level: 'Warning',
      message: 'We have detected an on-premise dns server is configured. Please make sure conditional forwarding is configured correctly.',
    },
  ],
  otherResults: [
    {
      code: 'WorkspaceQuotaNearLimit',
      level: 'Information',
      message: 'Dedicated core quota for the standardDSv2Family is 80% used in westeurope.',
    },
  ],
} satisfies Record<string, DiagnoseItem[]>;

/** Every world of the family, by file name (without `.json`). */
export function diagnoseWorlds(): Record<string, WorldInput> {
  return {
    'diagnose-findings': mutate(
      "diagnose-findings: Azure ML's diagnosis reports an Error (ImageBuildComputeNotValid), a Warning (CustomDNSInUse) and an Information, where aml-preflight's own checks find nothing.",
      (w) => {
        w.responses![`POST ${ids.workspace}/diagnose`] = { headers: { 'Retry-After': '0' }, body: diagnoseAnswer(DIAGNOSE_FINDINGS) };
      },
    ),
  };
}
