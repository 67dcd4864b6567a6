/**
 * Microsoft.Resources deployments in the mock: a deployment's what-if is a long-running operation
 * whose result is the world's answer (`whatIf`) for the deployment's name, or else for its
 * template's digest (`sha256:` of the template's JSON).
 * https://learn.microsoft.com/rest/api/resources/deployments/what-if-at-subscription-scope
 */
import { createHash } from 'node:crypto';
import { envelope, json, type MockApp, type MockResponse, type MockService, type RouteRequest } from '../../core/index.js';

export const resources: MockService = {
  name: 'resources',
  register(app) {
    app.operations.statusSegment('operationResults');
    app.route({
      method: 'POST',
      path: /\/providers\/microsoft\.resources\/deployments\/([^/]+)\/whatif$/i,
      handle: (req) => startWhatIf(app, req),
    });
  },
};

function startWhatIf(app: MockApp, req: RouteRequest): MockResponse {
  const name = decodeURIComponent(req.match[1]!.toLowerCase());
  let template: unknown;
  try {
    template = (JSON.parse(req.raw.body ?? '') as { properties?: { template?: unknown } }).properties?.template;
  } catch {
    return json(400, envelope('InvalidRequestContent', 'The request content was invalid and could not be deserialized.'));
  }
  const digest = `sha256:${createHash('sha256')
    .update(JSON.stringify(template ?? null))
    .digest('hex')}`;
  const answer = app.world.whatIf?.[name] ?? app.world.whatIf?.[digest];
  if (!answer) {
    return json(400, envelope('InvalidTemplate', `The world has no what-if answer for deployment '${name}' or template ${digest}.`));
  }
  if (answer.error) return json(400, { error: answer.error });
  const sub = /^\/subscriptions\/([^/]+)/i.exec(req.path)?.[1];
  const result = { status: 'Succeeded', properties: { changes: answer.changes } };
  return app.operations.start({
    location: (opId) =>
      `${req.origin}${sub ? `/subscriptions/${sub}` : ''}/providers/Microsoft.Resources/locations/westeurope/operationResults/${opId}?api-version=2025-03-01`,
    retryAfter: '0',
    complete: () => result,
  });
}
