/**
 * Every committed world: the customer-VNet family (`generate.ts`) and the managed virtual network
 * family (`managed.ts`, and its V2 form in `managed-v2.ts`). `npm run worlds` writes them, with the world and config JSON Schemas.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/base/paths.js';
import type { WorldInput } from '../../src/world/schema.js';
import { buildWorlds } from './generate.js';
import { configJsonSchema, serialiseWorld, worldJsonSchema } from './serialise.js';
import { demoManaged, managedWorlds } from './managed.js';
import { managedV2Worlds } from './managed-v2.js';

/** Every world, by file name (without `.json`). */
export function allWorlds(): Record<string, WorldInput> {
  return { ...buildWorlds(), ...managedWorlds(), ...managedV2Worlds(), 'demo-managed': demoManaged() };
}

/** Writes every world as `mocks/worlds/<name>.json`, and the world and config JSON Schemas. */
export function writeWorlds(): string[] {
  const dir = join(packageRoot, 'mocks', 'worlds');
  const written: string[] = [];
  for (const [name, world] of Object.entries(allWorlds())) {
    writeFileSync(join(dir, `${name}.json`), serialiseWorld(world));
    written.push(name);
  }
  mkdirSync(join(packageRoot, 'schema'), { recursive: true });
  writeFileSync(join(packageRoot, 'schema', 'world.schema.json'), worldJsonSchema());
  writeFileSync(join(packageRoot, 'schema', 'config.schema.json'), configJsonSchema());
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`wrote ${writeWorlds().length} worlds to mocks/worlds/`);
}
