/** Option parsing the commands share: one wording for each kind of bad argument. */
import { Option, type Command } from 'commander';
import { UsageError } from '../base/errors.js';
import { FORMATS } from '../report/formats.js';
import { parseWorkspaceId } from '../base/resource-id.js';
import type { FailOn } from '../base/results.js';

/** Commander's reducer for a repeatable option. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The options of every command that talks to ARM. */
export function azureOptions(cmd: Command): Command {
  return cmd
    .option('--mock <world.json>', 'serve this world on the embedded mock ARM server; nothing leaves the machine')
    .option('--endpoint <url>', "the ARM endpoint (default: the cloud's)")
    .addOption(new Option('--cloud <name>', 'the Azure cloud').choices(['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment']));
}

/** How a report is shown and where it goes: `audit` and `demo` take the same. */
export function displayOptions(cmd: Command, defaultFormat = 'table on a terminal, else json'): Command {
  return cmd
    .option('--format <format>', `${FORMATS.join('|')} (default: ${defaultFormat})`)
    .option('-o, --output <file>', 'write the report to this file (atomically) instead of stdout')
    .option('--also <format=file>', 'also write the report in this format to this file (repeatable): --also sarif=report.sarif', collect)
    .option('--quiet', 'no progress lines on stderr')
    .option('--progress', 'a progress line on stderr as each check is decided, also when stderr is not a terminal (CI logs)')
    .option('-v, --verbose', "the table shows each finding's evidence (the other formats always carry it)");
}

export interface DisplayCliOptions {
  format?: string;
  output?: string;
  also?: string[];
  quiet?: boolean;
  progress?: boolean;
  verbose?: boolean;
}

export interface AzureCliOptions {
  mock?: string;
  endpoint?: string;
  cloud?: string;
}

/** The session options among a command's options. */
export function pick(opts: AzureCliOptions): AzureCliOptions {
  return {
    ...(opts.mock ? { mock: opts.mock } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.cloud ? { cloud: opts.cloud } : {}),
  };
}

export function workspaceArg(id: string): string {
  try {
    return parseWorkspaceId(id).id;
  } catch (err) {
    throw new UsageError(`--workspace: ${(err as Error).message}`);
  }
}

export function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} "${value}" is not a positive number of seconds`);
  return n;
}

export function parseFailOn(v: string): FailOn {
  if (v === 'error' || v === 'warning' || v === 'never') return v;
  throw new UsageError(`--fail-on "${v}" is not one of error, warning, never`);
}
