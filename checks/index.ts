/** The registry of checks: one folder each, listed here in the order reports show them. */
import type { Check } from '../src/engine/check.js';
import sameVnetPlacement from './same-vnet-placement/index.js';
import acrPrivateEndpointRegion from './acr-private-endpoint-region/index.js';
import imageBuildCompute from './image-build-compute/index.js';
import acrWorkspaceAccess from './acr-workspace-access/index.js';
import privateDnsZones from './private-dns-zones/index.js';
import nsgOutboundServiceTags from './nsg-outbound-service-tags/index.js';
import computeOutbound from './compute-outbound/index.js';
import managedNetworkOutbound from './managed-network-outbound/index.js';
import workspaceKeysInSync from './workspace-keys-in-sync/index.js';
import workspaceDiagnose from './workspace-diagnose/index.js';
import imageReference from './image-reference/index.js';
import identityAccess from './identity-access/index.js';

export const allChecks: readonly Check[] = [
  sameVnetPlacement,
  acrPrivateEndpointRegion,
  imageBuildCompute,
  acrWorkspaceAccess,
  privateDnsZones,
  nsgOutboundServiceTags,
  computeOutbound,
  managedNetworkOutbound,
  workspaceKeysInSync,
  workspaceDiagnose,
  imageReference,
  identityAccess,
] as Check[];
