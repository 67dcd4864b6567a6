/** The core's API for services: what `mocks/services/*` import, and all they import of the mock. */
export { createApp, type App } from './app.js';
export { forbidden } from './access.js';
export { apiVersionAtLeast, armTypeOfPath, envelope, header, json, normaliseKey } from './http.js';
export type { OperationSpec, Operations } from './operations.js';
export { notFound, type CannedResponse, type ChildResources, type ResourceStore } from './resources.js';
export type { ApiVersionGate, FrontDoor, MockApp, MockService, ResponseShape, Route, RouteRequest } from './routes.js';
export type { ArmHandlerOptions, ArmObject, MockRequest, MockRequestLogEntry, MockResponse } from './types.js';
export { text } from './text.js';
export {
  childGroups,
  groupsUnder,
  MOCK_TENANT_ID,
  subscriptionsOf,
  subscriptionsUnder,
  type ManagementGroup,
  type TenantSubscription,
} from './tenant.js';
