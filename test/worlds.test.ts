import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, serialiseWorld, worldJsonSchema } from '../mocks/worlds/generate.js';
import { allWorlds } from '../mocks/worlds/index.js';
import { packageRoot } from '../src/base/paths.js';
import { parseWorld } from '../src/world/schema.js';

const dir = join(packageRoot, 'mocks', 'worlds');

describe('committed worlds', () => {
  const built = allWorlds();
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('are exactly what the generator makes (run `npm run worlds` after changing it)', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(Object.keys(built).sort());
    for (const [name, world] of Object.entries(built)) {
      expect(readFileSync(join(dir, `${name}.json`), 'utf8'), name).toBe(serialiseWorld(world));
    }
    expect(readFileSync(join(packageRoot, 'schema', 'world.schema.json'), 'utf8')).toBe(worldJsonSchema());
    expect(readFileSync(join(packageRoot, 'schema', 'config.schema.json'), 'utf8')).toBe(configJsonSchema());
  });

  it.each(files)('%s is a valid world with a description', (file) => {
    const world = parseWorld(JSON.parse(readFileSync(join(dir, file), 'utf8')), file);
    expect(world.description).toMatch(new RegExp(`^${file.replace(/\.json$/, '')}: `));
  });
});
