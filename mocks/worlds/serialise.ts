/** The committed forms: world files and the world and config JSON Schemas. */
import * as z from '../../src/base/zod.js';
import { worldSchema, type WorldInput } from '../../src/world/schema.js';
import { configSchema } from '../../src/pipeline/config.js';

/** The config file as JSON Schema, for editor completion (`"$schema": "node_modules/aml-preflight/schema/config.schema.json"`). */
export function configJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n`;
}

/** The world format as JSON Schema, for editors (`$schema` in every world). */
export function worldJsonSchema(): string {
  return `${JSON.stringify(z.toJSONSchema(worldSchema, { io: 'input', unrepresentable: 'any' }), null, 2)}\n`;
}

export function serialiseWorld(world: WorldInput): string {
  return `${JSON.stringify({ $schema: '../../schema/world.schema.json', ...world }, null, 2)}\n`;
}
