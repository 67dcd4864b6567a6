/**
 * ACR's data plane of each registry, under `/acr-data/{login server}/…`, as
 * @azure/container-registry uses it: a 401 challenge, the AAD → refresh → access token exchange
 * (tokens are the mock's own JWTs), then repositories, tags and manifests from the world's
 * `registryContent`. Its own host in Azure: none of ARM's rules stand in front of it.
 * https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md
 */
import { header, json, type MockApp, type MockResponse, type MockService, type RouteRequest } from '../../core/index.js';

export const containerRegistry: MockService = {
  name: 'container-registry',
  register(app) {
    app.route({ method: '*', path: /^\/acr-data\/([^/]+)(\/.*)?$/i, frontDoor: 'open', handle: (req) => dataPlane(app, req) });
  },
};

function dataPlane(app: MockApp, req: RouteRequest): MockResponse {
  const { method, origin } = req;
  const server = req.match[1]!.toLowerCase();
  const rest = req.match[2] ?? '/';
  const content = Object.entries(app.world.registryContent ?? {}).find(([k]) => k.toLowerCase() === server)?.[1];
  const jwt = (kind: string): string => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600, grant_type: kind, iss: 'aml-preflight-mock' })}.mock`;
  };
  if (method === 'POST' && rest === '/oauth2/exchange') return json(200, { refresh_token: jwt('refresh_token') });
  if (method === 'POST' && rest === '/oauth2/token') return json(200, { access_token: jwt('access_token') });
  const m = /^\/acr\/v1\/(.+?)(?:\/(_tags|_manifests)\/([^/]+))?$/.exec(rest);
  if (!m) return json(404, { errors: [{ code: 'NOT_FOUND', message: `no route ${method} ${rest}` }] });
  const repository = decodeURIComponent(m[1]!);
  const auth = header(req.raw, 'authorization');
  if (!auth || !/^Bearer [\w-]+\.[\w-]+\.mock$/.test(auth)) {
    return {
      status: 401,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'www-authenticate': `Bearer realm="${origin}/acr-data/${server}/oauth2/token",service="${server}",scope="repository:${repository}:metadata_read"`,
      },
      body: JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
    };
  }
  const tags = content ? Object.entries(content).find(([k]) => k === repository)?.[1] : undefined;
  if (!tags)
    return json(404, {
      errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry', detail: { name: repository } }],
    });
  const attrs = { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };
  const when = '2026-11-02T08:14:11.0000000Z';
  if (!m[2])
    return json(200, {
      registry: server,
      imageName: repository,
      createdTime: when,
      lastUpdateTime: when,
      manifestCount: Object.keys(tags).length,
      tagCount: Object.keys(tags).length,
      changeableAttributes: attrs,
    });
  const ref = decodeURIComponent(m[3]!);
  if (m[2] === '_tags') {
    const digest = tags[ref];
    if (!digest) return json(404, { errors: [{ code: 'TAG_UNKNOWN', message: 'the specified tag does not exist', detail: { tag: ref } }] });
    return json(200, {
      registry: server,
      imageName: repository,
      tag: { name: ref, digest, createdTime: when, lastUpdateTime: when, signed: false, changeableAttributes: attrs },
    });
  }
  const digestTags = Object.entries(tags)
    .filter(([, d]) => d === ref || ref === repository)
    .map(([t]) => t);
  if (digestTags.length === 0)
    return json(404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { digest: ref } }] });
  return json(200, {
    registry: server,
    imageName: repository,
    manifest: {
      digest: ref,
      imageSize: 734003200,
      createdTime: when,
      lastUpdateTime: when,
      architecture: 'amd64',
      os: 'linux',
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      tags: digestTags,
      changeableAttributes: attrs,
    },
  });
}
