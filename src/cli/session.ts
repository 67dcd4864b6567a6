/**
 * Opens what an Azure-facing command needs: an ARM connection to the real cloud (with
 * DefaultAzureCredential), to a user's endpoint, or to the embedded mock serving a world.
 */
import { Agent } from 'node:https';
import type { ArmConnection } from '../arm/connection.js';
import { mockCredential, resolveEndpoint } from '../arm/connection.js';
import { UsageError } from '../arm/errors.js';
import { loadWorld, type World } from '../world/schema.js';

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
  const world = options.world ?? (options.mock ? await loadWorld(options.mock) : undefined);
  if (world) {
    const { startMockServer } = await import('../../mocks/server.js');
    const server = await startMockServer(world);
    const agent = new Agent({ ca: server.ca, keepAlive: true });
    return {
      connection: { endpoint: server.url, credential: mockCredential, agent, retryDelayInMs: 200, ...options.connection },
      world,
      mockUrl: server.url,
      close: async () => {
        agent.destroy();
        await server.close();
      },
    };
  }
  const endpoint = resolveEndpoint(options.endpoint, options.cloud);
  const { DefaultAzureCredential } = await import('@azure/identity');
  return {
    connection: { endpoint, credential: new DefaultAzureCredential(), ...options.connection },
    world: undefined,
    mockUrl: undefined,
    close: async () => undefined,
  };
}

/** The workspace ids of a world, in file order. */
export function worldWorkspaceIds(world: World): string[] {
  return world.resources.filter((r) => r.type.toLowerCase() === 'microsoft.machinelearningservices/workspaces').map((r) => r.id);
}
