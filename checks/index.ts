/** The registry of checks: one folder each, listed here in the order reports show them. */
import type { Check } from '../src/engine/check.js';
import imageBuildCompute from './image-build-compute/index.js';
import nsgOutboundServiceTags from './nsg-outbound-service-tags/index.js';
import workspaceKeysInSync from './workspace-keys-in-sync/index.js';

export const allChecks: readonly Check[] = [imageBuildCompute, nsgOutboundServiceTags, workspaceKeysInSync] as Check[];
