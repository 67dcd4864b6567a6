/**
 * Microsoft.MachineLearningServices in the mock: workspaces keep their versioned contract, and
 * the workspace actions behave as Azure ML runs them.
 * - `managedNetwork` and `serverlessComputeSettings` are served only to api-versions that define
 *   them (2023-10-01 and later), and so are `…/outboundRules` (paged, from the workspace's
 *   `managedNetwork.outboundRules`) and `provisionManagedNetwork`; V2's `…/managedNetworks/default`
 *   and its rules from 2025-12-01;
 * - `provisionManagedNetwork` is a long-running operation that makes the network `Active`, its
 *   rules `Active`, and each private-endpoint rule's connection on its target `Approved`;
 * - `resyncKeys` is a long-running operation after which the workspace's `listKeys` answers the
 *   current storage key and registry password;
 * - `diagnose` is a long-running operation whose result is the world's canned answer.
 * https://learn.microsoft.com/rest/api/azureml/workspaces
 */
import type { MockService } from '../../core/index.js';
import {
  MANAGED_NETWORK_PATH,
  MANAGED_NETWORK_SINCE,
  MANAGED_NETWORK_V2_PATH,
  MANAGED_NETWORK_V2_SINCE,
  outboundRules,
  startProvision,
  versionedWorkspaces,
} from './managed-network.js';
import { startDiagnose, startResync } from './operations.js';

export {
  MANAGED_NETWORK_SINCE,
  MANAGED_NETWORK_SUBSCRIPTION,
  MANAGED_NETWORK_V2_SINCE,
  managedPrivateEndpointId,
} from './managed-network.js';

export interface MachineLearningState {
  /** How many times `resyncKeys` was started. */
  readonly resyncCalls: number;
}

const WORKSPACES = 'Microsoft.MachineLearningServices/workspaces';

export const machineLearning: MockService<MachineLearningState> = {
  name: 'machine-learning',
  childResources: {
    'microsoft.machinelearningservices/workspaces': outboundRules(WORKSPACES),
    // V2 (2025-12-01): the network is the child `…/managedNetworks/default`, its rules below it.
    'microsoft.machinelearningservices/workspaces/managednetworks': outboundRules(`${WORKSPACES}/managedNetworks`),
  },
  register(app) {
    let resyncCalls = 0;
    app.operations.statusSegment('workspaceOperationsStatus');
    app.route({ method: '*', path: MANAGED_NETWORK_PATH, since: { apiVersion: MANAGED_NETWORK_SINCE, feature: 'The managed network' } });
    app.route({
      method: '*',
      path: MANAGED_NETWORK_V2_PATH,
      since: { apiVersion: MANAGED_NETWORK_V2_SINCE, feature: 'The managed network V2', typeName: 'managedNetworks' },
    });
    app.route({ method: 'POST', path: /\/provisionmanagednetwork$/i, handle: (req) => startProvision(app, req) });
    app.route({
      method: 'POST',
      path: /\/resynckeys$/i,
      handle: (req) =>
        startResync(app, req, () => {
          resyncCalls++;
        }),
    });
    app.route({ method: 'POST', path: /\/diagnose$/i, handle: (req) => startDiagnose(app, req) });
    app.shape({
      method: 'GET',
      path: /\/providers\/microsoft\.machinelearningservices\/workspaces(\/[^/]+)?$/i,
      apply: versionedWorkspaces,
    });
    return {
      get resyncCalls() {
        return resyncCalls;
      },
    };
  },
};
