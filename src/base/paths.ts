/** Where the package's own files are, whether run from `src/` (tests) or `dist/src/` (installed). */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'checks'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`aml-preflight: cannot find the package root above ${start}`);
    dir = up;
  }
}

/** The package root (the folder holding package.json, checks/ and mocks/). */
export const packageRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));
