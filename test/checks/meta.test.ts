/** Every check is complete: registered, documented with a Microsoft link, and tested (as ESLint's rule meta-test). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allChecks } from '../../checks/index.js';
import { packageRoot } from '../../src/base/paths.js';

const checkDirs = readdirSync(join(packageRoot, 'checks'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('every check', () => {
  it('has a folder, and every folder is registered', () => {
    expect(checkDirs.sort()).toEqual(allChecks.map((c) => c.meta.id).sort());
  });

  it.each(allChecks.map((c) => [c.meta.id, c] as const))('%s is complete', (id, check) => {
    expect(id).toMatch(/^[a-z]+(-[a-z0-9]+)*$/);
    expect(check.meta.docs[0]).toMatch(/^https:\/\/learn\.microsoft\.com\//);
    expect(check.meta.actions.length).toBeGreaterThan(0);
    const source = readFileSync(join(packageRoot, 'checks', id, 'index.ts'), 'utf8');
    expect(source.trimStart().startsWith('/**\n * https://learn.microsoft.com/'), 'index.ts opens with the Microsoft doc it enforces').toBe(
      true,
    );
    const readme = readFileSync(join(packageRoot, 'checks', id, 'README.md'), 'utf8');
    expect(readme.startsWith(`# ${id}\n`)).toBe(true);
    expect(readme).toMatch(/\*\*How to fix\.\*\*/);
    expect(readme).toContain(check.meta.docs[0]!);
    expect(existsSync(join(packageRoot, 'test', 'checks', `${id}.test.ts`)), `test/checks/${id}.test.ts`).toBe(true);
    for (const [messageId, template] of Object.entries(check.meta.messages)) {
      expect(template, messageId).not.toMatch(/\{\{\s*\}\}/);
    }
  });
});
