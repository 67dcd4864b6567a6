/**
 * Builds the committed worlds in `mocks/worlds/`: one healthy private workspace, and one world per
 * defect made from it by a single mutation (STYLE.md: one scenario per world, one defect each).
 * Shapes follow Microsoft's payloads in `../shared/azure-examples/`; the service tags are
 * Microsoft's public data (mocks/fixtures/SOURCES.md).
 *
 * One file per family (`registry.ts`, `image-build.ts`, `nsg.ts`, `keys.ts`, `placement.ts`,
 * `dns.ts`, `quirks.ts`, `diagnose.ts`), built from `healthy.ts` with the helpers of `base.ts`; this
 * file lists them, and re-exports what tests and the bench build worlds with. The managed virtual
 * network family is in `managed.ts`; `index.ts` writes them all. Run `npm run worlds` after
 * changing any; a test fails when the committed files drift.
 */
import { diagnoseWorlds } from './diagnose.js';
import { dnsWorlds } from './dns.js';
import { identityWorlds } from './identity.js';
import { identityImageWorlds } from './identity-images.js';
import { imageBuildWorlds } from './image-build.js';
import { keyWorlds } from './keys.js';
import { nsgWorlds } from './nsg.js';
import { outboundWorlds } from './outbound.js';
import { firewallWorlds } from './firewall.js';
import { virtualWanWorlds } from './virtual-wan.js';
import { placementWorlds } from './placement.js';
import { quirkWorlds } from './quirks.js';
import { quickstartWorlds } from './quickstart.js';
import { registryWorlds } from './registry.js';
import type { WorldInput } from '../../src/world/schema.js';
import { demoWorld } from './demo.js';
import { healthyPrivate } from './healthy.js';

/** Every customer-VNet world, by file name (without `.json`). */
export function buildWorlds(): Record<string, WorldInput> {
  return {
    'healthy-private': healthyPrivate(),
    demo: demoWorld(),
    ...registryWorlds(),
    ...imageBuildWorlds(),
    ...nsgWorlds(),
    ...firewallWorlds(),
    ...virtualWanWorlds(),
    ...outboundWorlds(),
    ...keyWorlds(),
    ...placementWorlds(),
    ...dnsWorlds(),
    ...quirkWorlds(),
    ...diagnoseWorlds(),
    ...quickstartWorlds(),
    ...identityWorlds(),
    ...identityImageWorlds(),
  };
}

export {
  compute,
  computeOf,
  diagnoseAnswer,
  fakeSecret,
  ids,
  LOCATION,
  res,
  RG,
  secrets,
  SUB,
  subnet,
  zoneGroup,
  zoneLink,
} from './base.js';
export { healthyPrivate } from './healthy.js';
export { configJsonSchema, serialiseWorld, worldJsonSchema } from './serialise.js';
