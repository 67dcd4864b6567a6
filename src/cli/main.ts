/**
 * The command line of CONTRACT.md. `main` takes the arguments and an IO bag and answers the exit
 * code, so tests call it in-process; `bin.ts` wires it to the process. Each command lives in
 * `commands/`, registered here in the order `--help` lists them.
 */
import { Command, CommanderError } from 'commander';
import { UsageError } from '../base/errors.js';
import { scrub } from '../base/secrets.js';
import { VERSION } from '../base/version.js';
import { register as registerAudit } from './commands/audit.js';
import { registerChecks, registerExplain, registerPermissions } from './commands/info.js';
import { register as registerExec } from './commands/exec.js';
import { register as registerMerge } from './commands/merge.js';
import { registerDemo, registerMock } from './commands/mock.js';
import { register as registerResync } from './commands/resync.js';
import { register as registerSnapshot } from './commands/snapshot.js';
import type { CliIO, CommandContext, Exit } from './io.js';

export type { CliIO } from './io.js';

const COMMANDS: readonly ((program: Command, ctx: CommandContext) => void)[] = [
  registerAudit,
  registerResync,
  registerExec,
  registerSnapshot,
  registerMerge,
  registerChecks,
  registerPermissions,
  registerExplain,
  registerMock,
  registerDemo,
];

/** Runs the CLI; answers the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<Exit> {
  let exit: Exit = 0;
  // `-V` prints the version and stops wherever Commander meets it, even in an option's place
  // (`--workspace -V`): only alone is it the version; anywhere else it is a mistake to name.
  if (argv.length > 1 && argv.some((a) => a === '-V' || a === '--version')) {
    return failure(new UsageError('-V/--version takes no other arguments (an option value cannot start with -V)'), io);
  }
  const program = buildProgram(io, (code) => {
    exit = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (err) {
    return failure(err, io);
  }
}

/** The commands and the long options each takes, for tests and docs that must not drift from the CLI. */
export function describeCommands(): { name: string; options: string[] }[] {
  const program = buildProgram({ stdout: () => undefined, stderr: () => undefined, isTTY: false }, () => undefined);
  return program.commands.map((c) => ({ name: c.name(), options: c.options.map((o) => o.long ?? '').filter(Boolean) }));
}

function buildProgram(io: CliIO, setExit: (code: Exit) => void): Command {
  let exit: Exit = 0;
  const program = new Command('aml-preflight')
    .description('Audit an Azure Machine Learning workspace before image builds and jobs fail.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => {
        io.stdout(s);
      },
      writeErr: (s) => {
        io.stderr(s);
      },
      // Commander's own usage errors come through here; keep them to one line.
      outputError: () => undefined,
    });
  const ctx: CommandContext = {
    io,
    setExit: (code) => {
      exit = code;
    },
  };
  for (const register of COMMANDS) register(program, ctx);
  // Each action sets `exit`; hand it out when the program has run.
  program.hook('postAction', () => {
    setExit(exit);
  });
  return program;
}

function failure(err: unknown, io: CliIO): Exit {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
    io.stderr(`aml-preflight: ${err.message.replace(/^error:\s*/i, '').split('\n')[0]} (see aml-preflight --help)\n`);
    return 2;
  }
  if (err instanceof UsageError) {
    io.stderr(`aml-preflight: ${scrub(err.message.split('\n')[0]!)}\n`);
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr(`aml-preflight: could not complete: ${scrub(message.split('\n')[0]!)}\n`);
  return 3;
}
