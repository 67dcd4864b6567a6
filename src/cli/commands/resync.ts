/** `resync`: show key drift; with `--yes` run the workspace's resyncKeys and verify it worked. */
import type { Command } from 'commander';
import { UsageError } from '../../base/errors.js';
import type { CheckResult } from '../../base/results.js';
import { scrub } from '../../base/secrets.js';
import type { CliIO, CommandContext, Exit } from '../io.js';
import { azureOptions, pick, seconds, workspaceArg, type AzureCliOptions } from '../options.js';

interface ResyncCliOptions extends AzureCliOptions {
  workspace: string;
  yes?: boolean;
  format: string;
  timeout: string;
}

export function register(program: Command, { io, setExit }: CommandContext): void {
  azureOptions(
    program
      .command('resync')
      .description("detect key drift; with --yes run the workspace's resyncKeys and verify it worked")
      .requiredOption('--workspace <id>', 'ARM id of the Azure ML workspace')
      .option('--yes', 'run the resync (without it, only show the drift and the plan)')
      .option('--format <format>', 'table|json', 'table')
      .option('--timeout <seconds>', 'overall timeout of the resync, lock wait and polling included', '900'),
  ).action(async (opts: ResyncCliOptions) => {
    setExit(await resync(opts, io));
  });
}

async function resync(opts: ResyncCliOptions, io: CliIO): Promise<Exit> {
  const workspaceId = workspaceArg(opts.workspace);
  const timeoutInMs = seconds(opts.timeout, '--timeout') * 1000;
  if (opts.format !== 'table' && opts.format !== 'json') throw new UsageError(`--format "${opts.format}" is not one of table, json`);
  const { openSession } = await import('../session.js');
  const { Inventory } = await import('../../inventory/index.js');
  const { checkKeys, resyncIfDrifted } = await import('../../keys/resync.js');
  const session = await openSession({ ...pick(opts), connection: io.connectionOverrides ?? {} });
  const inventory = new Inventory(session.connection, io.abortSignal ? { abortSignal: io.abortSignal } : {});
  try {
    const say = (line: string): void => {
      if (opts.format === 'table') io.stdout(`${scrub(line)}\n`);
    };
    if (!opts.yes) {
      const before = await checkKeys(inventory, workspaceId, io.abortSignal);
      const plan = before.status === 'fail' ? `run resyncKeys on ${workspaceId}, then read the keys again to verify` : 'nothing to do';
      if (opts.format === 'json') io.stdout(scrub(`${JSON.stringify({ workspaceId, before, plan, action: 'not-run' }, null, 2)}\n`));
      else {
        describeKeys(before, say);
        say(before.status === 'fail' ? `Plan: ${plan}. Nothing was changed; rerun with --yes to do it.` : 'Plan: nothing to do.');
      }
      return before.status === 'fail' ? 1 : before.status === 'error' ? 3 : 0;
    }
    // Show the drift first; the resync's own first read then comes from the inventory's cache.
    if (opts.format === 'table') describeKeys(await checkKeys(inventory, workspaceId, io.abortSignal), say);
    const outcome = await resyncIfDrifted(inventory, workspaceId, {
      timeoutInMs,
      explicit: true,
      ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
      onProgress: (line) => {
        say(`… ${line}`);
      },
    });
    if (opts.format === 'json') io.stdout(scrub(`${JSON.stringify({ workspaceId, ...outcome }, null, 2)}\n`));
    else {
      say(
        outcome.action === 'none-needed'
          ? 'No resync needed.'
          : outcome.inSync
            ? `Done (${outcome.action}): the keys are verified in sync.`
            : `Not fixed (${outcome.action}): the key check still says ${outcome.after.status}.`,
      );
    }
    if (outcome.after.status === 'error') return 3;
    return outcome.inSync || outcome.action === 'none-needed' ? (outcome.after.status === 'fail' ? 1 : 0) : 1;
  } finally {
    inventory.dispose();
    await session.close();
  }
}

function describeKeys(result: CheckResult, say: (line: string) => void): void {
  if (result.status === 'error') say(`Could not decide: ${result.reason ?? ''}`);
  else if (result.findings.length === 0) say('No key drift: the workspace holds the current storage key and registry password.');
  else for (const f of result.findings) say(`Drift: ${f.message}`);
  for (const n of result.notes ?? []) say(`Note: ${n}`);
}
