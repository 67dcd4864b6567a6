/** Helpers for the Terraform tests: fixture paths, and plans built from the real shapes. */
import { join } from 'node:path';
import { packageRoot } from '../../src/base/paths.js';

export function fixture(name: string): string {
  return join(packageRoot, 'test', 'fixtures', 'terraform', name);
}
