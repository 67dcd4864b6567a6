/** The commands that describe the checks, offline: `checks`, `permissions`, `explain`. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Check } from '../../engine/check.js';
import { selectChecks } from '../../engine/run.js';
import type { CommandContext } from '../io.js';
import { collect } from '../options.js';

export function registerChecks(program: Command, { io }: CommandContext): void {
  program
    .command('checks')
    .description('list the checks: id, title, severity, and the RBAC actions each needs')
    .option('--format <format>', 'table|json', 'table')
    .action(async (opts: { format: string }) => {
      const { allChecks } = await import('../../../checks/index.js');
      io.stdout(
        opts.format === 'json'
          ? `${JSON.stringify(
              allChecks.map((c) => c.meta),
              null,
              2,
            )}\n`
          : checksTable(allChecks),
      );
    });
}

export function registerPermissions(program: Command, { io }: CommandContext): void {
  program
    .command('permissions')
    .description('print the least-privilege custom role (JSON) the selected checks need, for az role definition create')
    .option('--check <id>', 'only these checks (repeatable)', collect)
    .option('--without-keys', 'leave out the checks that need key actions (listKeys, listCredentials): a role that reads no secret')
    .option('--scope <scope>', 'assignable scope', '/subscriptions/<subscription-id>')
    .action(async (opts: { check?: string[]; scope: string; withoutKeys?: boolean }) => {
      const { allChecks } = await import('../../../checks/index.js');
      const { customRole, isKeyAction } = await import('../../engine/permissions.js');
      let chosen = selectChecks(allChecks, opts.check ?? []);
      if (opts.withoutKeys) chosen = chosen.filter((c) => !c.meta.actions.some(isKeyAction));
      io.stdout(`${JSON.stringify(customRole(chosen, opts.scope), null, 2)}\n`);
    });
}

export function registerExplain(program: Command, { io }: CommandContext): void {
  program
    .command('explain')
    .description("print a check's README: what it checks, why, how to fix, the Microsoft docs")
    .argument('<check-id>', 'the check')
    .action(async (id: string) => {
      const { allChecks } = await import('../../../checks/index.js');
      selectChecks(allChecks, [id]);
      const { packageRoot } = await import('../../base/paths.js');
      io.stdout(await readFile(join(packageRoot, 'checks', id, 'README.md'), 'utf8'));
    });
}

function checksTable(checks: readonly Check[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(
      `${c.meta.id}  [${c.meta.severity}]${c.meta.optIn ? ' (opt-in)' : ''}`,
      `  ${c.meta.title}`,
      `  docs: ${c.meta.docs[0]}`,
      `  needs: ${c.meta.actions.join(', ')}`,
      '',
    );
  }
  return lines.join('\n');
}
