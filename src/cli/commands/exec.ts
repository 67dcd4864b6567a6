/** `exec`: run a command; on a registry or storage 401, resync the keys once and rerun it. */
import type { Command } from 'commander';
import { scrub } from '../../base/secrets.js';
import type { CliIO, CommandContext, Exit } from '../io.js';
import { azureOptions, pick, seconds, workspaceArg, type AzureCliOptions } from '../options.js';

interface ExecCliOptions extends AzureCliOptions {
  workspace: string;
  timeout: string;
}

export function register(program: Command, { io, setExit }: CommandContext): void {
  azureOptions(
    program
      .command('exec')
      .description('run a command; if it fails with a registry/storage 401, resync the keys once and rerun it')
      .requiredOption('--workspace <id>', 'ARM id of the Azure ML workspace')
      .option('--timeout <seconds>', 'overall timeout of a resync', '900')
      .argument('<command...>', 'the command and its arguments, after --'),
  ).action(async (command: string[], opts: ExecCliOptions) => {
    setExit(await execCommand(command, opts, io));
  });
}

async function execCommand(command: string[], opts: ExecCliOptions, io: CliIO): Promise<Exit> {
  const workspaceId = workspaceArg(opts.workspace);
  const timeoutInMs = seconds(opts.timeout, '--timeout') * 1000;
  const { openSession } = await import('../session.js');
  const { Inventory } = await import('../../inventory/index.js');
  const { execWithResync } = await import('../../keys/exec.js');
  const session = await openSession({ ...pick(opts), connection: io.connectionOverrides ?? {} });
  const inventory = new Inventory(session.connection, io.abortSignal ? { abortSignal: io.abortSignal } : {});
  try {
    const result = await execWithResync(command, inventory, workspaceId, {
      stdout: (s) => {
        io.stdout(s);
      },
      stderr: (s) => {
        io.stderr(scrub(s));
      },
      timeoutInMs,
      ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
    });
    return result.exitCode;
  } finally {
    inventory.dispose();
    await session.close();
  }
}
