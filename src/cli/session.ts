/**
 * Opens what an Azure-facing command needs: an ARM connection to the real cloud (with
 * DefaultAzureCredential), to a user's endpoint, or to the embedded mock serving a world.
 */
import type { ArmConnection } from '../arm/connection.js';
import { mockCredential, resolveEndpoint } from '../arm/connection.js';
import { UsageError } from '../base/errors.js';
import type { World } from '../world/schema.js';

export interface SessionOptions {
  mock?: string;
  /** An already loaded world (the demo), instead of `mock`. */
  world?: World;
  endpoint?: string;
  cloud?: string;
  /** Extra connection settings (tests lower the retry delays). */
  connection?: Partial<ArmConnection>;
}

export interface Session {
  readonly connection: ArmConnection;
  readonly world: World | undefined;
  /** The mock's URL when serving a world. */
  readonly mockUrl: string | undefined;
  close(): Promise<void>;
}

export async function openSession(options: SessionOptions): Promise<Session> {
  if (options.mock && (options.endpoint || options.cloud)) throw new UsageError('--mock serves its own endpoint; drop --endpoint/--cloud');
  // The world schema loads only for --mock.
  const world = options.world ?? (options.mock ? await (await import('../world/schema.js')).loadWorld(options.mock) : undefined);
  if (world) {
    const { startMockServer } = await import('../../mocks/server.js');
    const server = await startMockServer(world);
    return {
      connection: {
        endpoint: server.url,
        credential: mockCredential,
        ca: server.ca,
        retryDelayInMs: 200,
        registryEndpoint: (ls) => `${server.url}/acr-data/${ls}`,
        ...options.connection,
      },
      world,
      mockUrl: server.url,
      close: async () => {
        await server.close();
      },
    };
  }
  const endpoint = resolveEndpoint(options.endpoint, options.cloud);
  // A loopback endpoint can only be a mock (`aml-preflight mock`): it takes any bearer token, and
  // asking Azure for a real one would send a credential to it.
  const loopback = /^https:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i.test(endpoint);
  const credential = loopback ? mockCredential : new (await import('@azure/identity')).DefaultAzureCredential();
  return {
    connection: {
      endpoint,
      credential,
      ...(loopback ? { registryEndpoint: (ls: string) => `${endpoint}/acr-data/${ls}` } : {}),
      ...options.connection,
    },
    world: undefined,
    mockUrl: undefined,
    close: () => Promise.resolve(),
  };
}

/** The workspace ids of a world, in file order. */
export function worldWorkspaceIds(world: World): string[] {
  return world.resources.filter((r) => (r.type ?? '').toLowerCase() === 'microsoft.machinelearningservices/workspaces').map((r) => r.id);
}
