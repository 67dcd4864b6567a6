/**
 * `audit --what-if` as the what-if tests run it: each case's world and template written once to a
 * temporary folder (before all tests of the file), then the CLI on one case, the mock in process.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll } from 'vitest';
import { RG, SUB } from '../mocks/worlds/generate.js';
import type { AuditReport } from '../src/report/types.js';
import { runCli, type CliRun } from './helpers.js';

export interface WhatIfCaseFiles {
  readonly name: string;
  readonly world: unknown;
  readonly template: unknown;
}

/**
 * Registers the files of `cases` (`prefix` names the folder) and answers a runner, `audit`, and
 * `path` (a file in the folder, `<case>.world.json` and `<case>.template.json` among them). `audit`
 * adds `args` after `--format json` (a `--format` of their own wins, and then no JSON report is
 * parsed); the scope is the world's resource group unless `scope` says otherwise.
 */
export function whatIfRunner(
  prefix: string,
  cases: () => readonly WhatIfCaseFiles[] | Promise<readonly WhatIfCaseFiles[]>,
): {
  audit: (name: string, args?: readonly string[], scope?: readonly string[]) => Promise<CliRun & { report: AuditReport }>;
  path: (file: string) => string;
} {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `aml-preflight-${prefix}-`));
    for (const c of await cases()) {
      await writeFile(join(dir, `${c.name}.world.json`), JSON.stringify(c.world));
      await writeFile(join(dir, `${c.name}.template.json`), JSON.stringify(c.template, null, 2));
    }
  });
  const audit = async (name: string, args: readonly string[] = [], scope: readonly string[] = ['--resource-group', RG]) => {
    const r = await runCli([
      'audit',
      '--mock',
      join(dir, `${name}.world.json`),
      '--what-if',
      join(dir, `${name}.template.json`),
      '--subscription',
      SUB,
      ...scope,
      '--format',
      'json',
      ...args,
    ]);
    const json = !args.includes('--format') && r.stdout !== '';
    return { ...r, report: (json ? JSON.parse(r.stdout) : undefined) as AuditReport };
  };
  return { audit, path: (file) => join(dir, file) };
}
