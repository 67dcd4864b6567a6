/**
 * The command line of CONTRACT.md. `main` takes the arguments and an IO bag and answers the exit
 * code, so tests call it in-process; `bin.ts` wires it to the process.
 */
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../arm/errors.js';
import { parseWorkspaceId, tryParseResourceId } from '../arm/resource-id.js';
import { selectChecks } from '../engine/run.js';
import type { Check } from '../engine/check.js';
import { scrub } from '../secrets.js';
import { VERSION } from '../version.js';
import { FORMATS, parseFormat, type Format } from '../report/formats.js';
import { exitCodeFor, type FailOn } from '../report/types.js';
import { writeFileAtomic } from './write.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (table and colour by default). */
  isTTY: boolean;
  /** Whether stderr is a terminal (progress lines). */
  stderrIsTTY?: boolean;
  /** The terminal's width when stdout is one (the table wraps to it). */
  columns?: number;
  /** Cancels the run (Ctrl-C). */
  abortSignal?: AbortSignal;
  /** Test hooks: connection settings merged into every session. */
  connectionOverrides?: Record<string, unknown>;
}

/** The contract's codes; `exec` passes its command's code through. */
type Exit = number;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Runs the CLI; answers the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIO): Promise<Exit> {
  let exit: Exit = 0;
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
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      // Commander's own usage errors come through here; keep them to one line.
      outputError: () => undefined,
    });

  const azureOptions = (cmd: Command): Command =>
    cmd
      .option('--mock <world.json>', 'serve this world on the embedded mock ARM server; nothing leaves the machine')
      .option('--endpoint <url>', 'the ARM endpoint (default: the cloud\'s)')
      .addOption(new Option('--cloud <name>', 'the Azure cloud').choices(['AzureCloud', 'AzureChinaCloud', 'AzureUSGovernment']));

  azureOptions(
    program
      .command('audit')
      .description('audit one workspace (--workspace) or every workspace in scope (--subscription)')
      .option('--workspace <id>', 'ARM id of an Azure ML workspace (repeatable)', collect)
      .option('--subscription <id>', 'audit every workspace of the subscription (repeatable)', collect)
      .option('--concurrency <n>', 'workspaces audited at once', '4')
      .option('--resource-group <rg>', 'with --subscription: only this resource group')
      .addOption(new Option('--inventory <source>', 'read resources from ARM one by one, or with a few Azure Resource Graph queries (large audits)').choices(['arm', 'resource-graph']).default('arm'))
      .option('--format <format>', `${FORMATS.join('|')} (default: table on a terminal, else json)`)
      .option('-o, --output <file>', 'write the report to this file (atomically) instead of stdout')
      .option('--check <id>', 'run only this check (repeatable)', collect)
      .option('--skip <id>', 'do not run this check (repeatable)', collect)
      .option('--fail-on <level>', 'error|warning|never (default: the config\'s, else error)')
      .option('--timeout <seconds>', 'per-check timeout', '120')
      .option('--config <file>', `config file (default: ./${'aml-preflight.config.json'} when present)`)
      .option('--quiet', 'no progress lines on stderr')
      .option('-v, --verbose', 'the table shows each finding\'s evidence (the other formats always carry it)')
      .option('--image <reference>', 'check a custom image the experiment will use (repeatable): form, registry, existence', collect)
      .option('--with-diagnose', "also run Microsoft's server-side workspace diagnosis (workspace-diagnose; can take minutes)")
      .option('--fix', 'apply the fixes checks offer (key resync, provisioning a managed network) and report the verified, post-fix verdict'),
  ).action(async (opts: AuditOptions) => {
    exit = await audit(opts, io);
  });

  azureOptions(
    program
      .command('resync')
      .description('detect key drift; with --yes run the workspace\'s resyncKeys and verify it worked')
      .requiredOption('--workspace <id>', 'ARM id of the Azure ML workspace')
      .option('--yes', 'run the resync (without it, only show the drift and the plan)')
      .option('--format <format>', 'table|json', 'table')
      .option('--timeout <seconds>', 'overall timeout of the resync, lock wait and polling included', '900'),
  ).action(async (opts: ResyncCliOptions) => {
    exit = await resync(opts, io);
  });

  azureOptions(
    program
      .command('exec')
      .description('run a command; if it fails with a registry/storage 401, resync the keys once and rerun it')
      .requiredOption('--workspace <id>', 'ARM id of the Azure ML workspace')
      .option('--timeout <seconds>', 'overall timeout of a resync', '900')
      .argument('<command...>', 'the command and its arguments, after --'),
  ).action(async (command: string[], opts: ExecCliOptions) => {
    exit = await execCommand(command, opts, io);
  });

  azureOptions(
    program
      .command('snapshot')
      .description('write the ARM state an audit reads as a world file, secrets replaced by digests')
      .option('--workspace <id>', 'ARM id of an Azure ML workspace (repeatable)', collect)
      .requiredOption('-o, --output <file>', 'the world file to write (atomically)'),
  ).action(async (opts: SnapshotCliOptions) => {
    exit = await snapshot(opts, io);
  });

  program
    .command('merge')
    .description('combine JSON reports from sharded runs into one report, in any format')
    .argument('<report.json...>', 'reports written by audit --format json')
    .option('--format <format>', `${FORMATS.join('|')}`, 'json')
    .option('-o, --output <file>', 'write to this file (atomically) instead of stdout')
    .option('--fail-on <level>', 'error|warning|never', 'error')
    .action(async (files: string[], opts: { format: string; output?: string; failOn: string }) => {
      const format = parseFormat(opts.format);
      const failOn = parseFailOn(opts.failOn);
      const { readReport, mergeReports } = await import('../merge.js');
      const { allChecks } = await import('../../checks/index.js');
      const merged = mergeReports(await Promise.all(files.map(readReport)));
      const { render } = await import('../report/index.js');
      const text = render(merged, format, { color: io.isTTY && !opts.output && format === 'table', checks: allChecks.map((c) => c.meta) });
      if (opts.output) await writeFileAtomic(opts.output, text);
      else io.stdout(text);
      exit = exitCodeFor(merged, failOn);
    });

  program
    .command('checks')
    .description('list the checks: id, title, severity, and the RBAC actions each needs')
    .option('--format <format>', 'table|json', 'table')
    .action(async (opts: { format: string }) => {
      const { allChecks } = await import('../../checks/index.js');
      io.stdout(opts.format === 'json' ? `${JSON.stringify(allChecks.map((c) => c.meta), null, 2)}\n` : checksTable(allChecks));
    });

  program
    .command('permissions')
    .description('print the least-privilege custom role (JSON) the selected checks need, for az role definition create')
    .option('--check <id>', 'only these checks (repeatable)', collect)
    .option('--without-keys', 'leave out the checks that need key actions (listKeys, listCredentials): a role that reads no secret')
    .option('--scope <scope>', 'assignable scope', '/subscriptions/<subscription-id>')
    .action(async (opts: { check?: string[]; scope: string; withoutKeys?: boolean }) => {
      const { allChecks } = await import('../../checks/index.js');
      const { customRole, isKeyAction } = await import('../permissions.js');
      let chosen = selectChecks(allChecks, opts.check ?? []);
      if (opts.withoutKeys) chosen = chosen.filter((c) => !c.meta.actions.some(isKeyAction));
      io.stdout(`${JSON.stringify(customRole(chosen, opts.scope), null, 2)}\n`);
    });

  program
    .command('explain')
    .description("print a check's README: what it checks, why, how to fix, the Microsoft docs")
    .argument('<check-id>', 'the check')
    .action(async (id: string) => {
      const { allChecks } = await import('../../checks/index.js');
      selectChecks(allChecks, [id]);
      const { readFile } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { packageRoot } = await import('../paths.js');
      io.stdout(await readFile(join(packageRoot, 'checks', id, 'README.md'), 'utf8'));
    });

  program
    .command('mock')
    .description('serve a world as a local ARM endpoint over HTTPS (for your own tests); Ctrl-C stops it')
    .requiredOption('--world <file>', 'the world file')
    .option('--port <n>', 'port (default: a free one)', '0')
    .action(async (opts: { world: string; port: string }) => {
      exit = await serveMock(opts, io);
    });

  program
    .command('demo')
    .description('audit the bundled demo world on the embedded mock (no Azure account needed)')
    .option('--format <format>', `${FORMATS.join('|')}`, 'table')
    .action(async (opts: { format: string }) => {
      const { join } = await import('node:path');
      const { packageRoot } = await import('../paths.js');
      // The demo's custom images: one malformed, one missing from the registry, one from a public registry the NSG blocks.
      const image = ['crmlopsprodweu.azurecr.io//azureml/Training/pytorch:2.3-cuda12.1', 'crmlopsprodweu.azurecr.io/azureml/training/pytorch:2.4-cuda12.4', 'docker.io/pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime'];
      const code = await audit({ mock: join(packageRoot, 'mocks', 'worlds', 'demo.json'), format: opts.format, failOn: 'never', timeout: '120', withDiagnose: true, image }, io);
      // The demo's findings are the point: it succeeds once the audit ran.
      exit = code === 2 ? 2 : 0;
    });

  // Each action sets `exit`; hand it out when the program has run.
  program.hook('postAction', () => setExit(exit));
  return program;
}

interface SnapshotCliOptions {
  workspace?: string[];
  output: string;
  mock?: string;
  endpoint?: string;
  cloud?: string;
}

async function snapshot(opts: SnapshotCliOptions, io: CliIO): Promise<Exit> {
  const workspaceIds = (opts.workspace ?? []).map(workspaceArg);
  if (workspaceIds.length === 0 && !opts.mock) throw new UsageError('say which workspace to snapshot: --workspace <ARM id>');
  const { openSession, worldWorkspaceIds } = await import('./session.js');
  const { Inventory } = await import('../inventory.js');
  const { runAudit } = await import('../engine/run.js');
  const { createRecorder, snapshotDescription } = await import('../snapshot.js');
  const { allChecks } = await import('../../checks/index.js');
  const recorder = createRecorder();
  const session = await openSession({ ...pick(opts), connection: { ...(io.connectionOverrides ?? {}), onResponse: recorder.onResponse } });
  const inventory = new Inventory(session.connection, io.abortSignal ? { abortSignal: io.abortSignal } : {});
  try {
    const targets = workspaceIds.length > 0 ? workspaceIds : worldWorkspaceIds(session.world!);
    // Every check reads what it needs; the recorder keeps each answer (secrets as digests).
    const report = await runAudit({ inventory, checks: allChecks, workspaceIds: targets, ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}) });
    const world = recorder.world(snapshotDescription(targets));
    await writeFileAtomic(opts.output, `${JSON.stringify(world, null, 2)}\n`);
    const errors = report.targets.flatMap((t) => t.results.filter((r) => r.status === 'error').map((r) => `${r.checkId}: ${r.reason ?? ''}`));
    io.stderr(`aml-preflight: wrote ${opts.output}: ${world.resources.length} resources, ${Object.keys(world.responses ?? {}).length} other answers, ${report.stats.armRequests} ARM requests\n`);
    for (const e of errors) io.stderr(`aml-preflight: incomplete: ${scrub(e)}\n`);
    return errors.length > 0 || report.incomplete ? 3 : 0;
  } finally {
    inventory.dispose();
    await session.close();
  }
}

interface ResyncCliOptions {
  workspace: string;
  yes?: boolean;
  format: string;
  timeout: string;
  mock?: string;
  endpoint?: string;
  cloud?: string;
}

interface ExecCliOptions {
  workspace: string;
  timeout: string;
  mock?: string;
  endpoint?: string;
  cloud?: string;
}

function workspaceArg(id: string): string {
  try {
    return parseWorkspaceId(id).id;
  } catch (err) {
    throw new UsageError(`--workspace: ${(err as Error).message}`);
  }
}

function seconds(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} "${value}" is not a positive number of seconds`);
  return n;
}

async function resync(opts: ResyncCliOptions, io: CliIO): Promise<Exit> {
  const workspaceId = workspaceArg(opts.workspace);
  const timeoutInMs = seconds(opts.timeout, '--timeout') * 1000;
  if (opts.format !== 'table' && opts.format !== 'json') throw new UsageError(`--format "${opts.format}" is not one of table, json`);
  const { openSession } = await import('./session.js');
  const { Inventory } = await import('../inventory.js');
  const { checkKeys, resyncIfDrifted } = await import('../keys/resync.js');
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
      onProgress: (line) => say(`… ${line}`),
    });
    if (opts.format === 'json') io.stdout(scrub(`${JSON.stringify({ workspaceId, ...outcome }, null, 2)}\n`));
    else {
      say(outcome.action === 'none-needed' ? 'No resync needed.' : outcome.inSync ? `Done (${outcome.action}): the keys are verified in sync.` : `Not fixed (${outcome.action}): the key check still says ${outcome.after.status}.`);
    }
    if (outcome.after.status === 'error') return 3;
    return outcome.inSync || outcome.action === 'none-needed' ? (outcome.after.status === 'fail' ? 1 : 0) : 1;
  } finally {
    inventory.dispose();
    await session.close();
  }
}

function describeKeys(result: import('../report/types.js').CheckResult, say: (line: string) => void): void {
  if (result.status === 'error') say(`Could not decide: ${result.reason ?? ''}`);
  else if (result.findings.length === 0) say('No key drift: the workspace holds the current storage key and registry password.');
  else for (const f of result.findings) say(`Drift: ${f.message}`);
  for (const n of result.notes ?? []) say(`Note: ${n}`);
}

async function execCommand(command: string[], opts: ExecCliOptions, io: CliIO): Promise<Exit | number> {
  const workspaceId = workspaceArg(opts.workspace);
  const timeoutInMs = seconds(opts.timeout, '--timeout') * 1000;
  const { openSession } = await import('./session.js');
  const { Inventory } = await import('../inventory.js');
  const { execWithResync } = await import('../keys/exec.js');
  const session = await openSession({ ...pick(opts), connection: io.connectionOverrides ?? {} });
  const inventory = new Inventory(session.connection, io.abortSignal ? { abortSignal: io.abortSignal } : {});
  try {
    const result = await execWithResync(command, inventory, workspaceId, {
      stdout: io.stdout,
      stderr: (s) => io.stderr(scrub(s)),
      timeoutInMs,
      ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
    });
    return result.exitCode;
  } finally {
    inventory.dispose();
    await session.close();
  }
}

interface AuditOptions {
  workspace?: string[];
  subscription?: string[];
  resourceGroup?: string;
  mock?: string;
  endpoint?: string;
  cloud?: string;
  format?: string;
  output?: string;
  check?: string[];
  skip?: string[];
  failOn?: string;
  timeout: string;
  fix?: boolean;
  config?: string;
  quiet?: boolean;
  verbose?: boolean;
  concurrency?: string;
  inventory?: 'arm' | 'resource-graph';
  withDiagnose?: boolean;
  image?: string[];
}

async function audit(opts: AuditOptions, io: CliIO): Promise<Exit> {
  const format: Format = opts.format ? parseFormat(opts.format) : io.isTTY && !opts.output ? 'table' : 'json';
  const timeoutSeconds = Number(opts.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new UsageError(`--timeout "${opts.timeout}" is not a positive number of seconds`);
  const workspaceIds = (opts.workspace ?? []).map((id) => {
    try {
      return parseWorkspaceId(id).id;
    } catch (err) {
      throw new UsageError(`--workspace: ${(err as Error).message}`);
    }
  });
  if (opts.resourceGroup && !opts.subscription?.length) throw new UsageError('--resource-group needs --subscription');
  const concurrency = Number(opts.concurrency ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency "${opts.concurrency}" is not a whole number from 1 to 64`);
  for (const sub of opts.subscription ?? []) {
    if (!/^[0-9a-fA-F-]{36}$/.test(sub)) throw new UsageError(`--subscription "${sub}" is not a subscription id (a GUID)`);
  }
  if (workspaceIds.length === 0 && !opts.subscription?.length && !opts.mock) {
    throw new UsageError('say what to audit: --workspace <ARM id> or --subscription <id>');
  }
  const { allChecks } = await import('../../checks/index.js');
  const { loadConfig, disabledChecks, severityOverrides, applySuppressions } = await import('../config.js');
  const config = await loadConfig(opts.config, allChecks);
  const failOn = parseFailOn(opts.failOn ?? config?.failOn ?? 'error');
  // --check wins over the config; the config's "off" adds to --skip.
  const checks = selectChecks(allChecks, opts.check ?? [], [...(opts.skip ?? []), ...(opts.check?.length ? [] : disabledChecks(config))]);
  if (opts.withDiagnose && !checks.some((c) => c.meta.id === 'workspace-diagnose')) checks.push(...selectChecks(allChecks, ['workspace-diagnose']));
  if (opts.image?.length && !checks.some((c) => c.meta.id === 'image-reference')) checks.push(...selectChecks(allChecks, ['image-reference']));

  const { openSession, worldWorkspaceIds } = await import('./session.js');
  const { Inventory } = await import('../inventory.js');
  const { runAudit } = await import('../engine/run.js');
  const session = await openSession({ ...pick(opts), connection: io.connectionOverrides ?? {} });
  const inventory = new Inventory(session.connection, io.abortSignal ? { abortSignal: io.abortSignal } : {});
  try {
    const targets = [...workspaceIds];
    if (targets.length === 0 && session.world && !opts.subscription?.length) targets.push(...worldWorkspaceIds(session.world));
    if (opts.inventory === 'resource-graph') {
      const subscriptions = [...(opts.subscription ?? []), ...targets.map((id) => tryParseResourceId(id)?.subscriptionId).filter((s): s is string => !!s)];
      try {
        await inventory.useResourceGraph(subscriptions, io.abortSignal ? { abortSignal: io.abortSignal } : {});
      } catch (err) {
        // Interrupted: the audit below marks every result as not run.
        if (!io.abortSignal?.aborted) io.stderr(`aml-preflight: Resource Graph inventory unavailable, reading every resource from ARM instead: ${scrub((err as Error).message)}\n`);
      }
    }
    for (const sub of opts.subscription ?? []) {
      const found = await inventory.workspaces(sub, opts.resourceGroup);
      targets.push(...found.map((w) => w.id!).filter(Boolean));
    }
    if (targets.length === 0) io.stderr(`aml-preflight: no workspace found in ${opts.subscription?.join(', ') ?? 'the world'}\n`);
    const progress = io.stderrIsTTY && !opts.quiet ? progressLine(io, dedupe(targets).length * checks.length) : undefined;
    let report = await runAudit({
      inventory,
      checks,
      workspaceIds: dedupe(targets),
      checkTimeoutInMs: timeoutSeconds * 1000,
      severityOverrides: severityOverrides(config),
      workspaceConcurrency: concurrency,
      checkOptions: { images: opts.image ?? [] },
      ...(progress ? { onResult: progress.tick } : {}),
      ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
    });
    progress?.done();
    if (opts.fix) {
      const { applyFixes } = await import('../fix.js');
      const rerun = async (workspaceId: string) =>
        (await runAudit({ inventory, checks, workspaceIds: [workspaceId], checkTimeoutInMs: timeoutSeconds * 1000, severityOverrides: severityOverrides(config), checkOptions: { images: opts.image ?? [] }, ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}) })).targets[0]!.results;
      report = await applyFixes(report, inventory, { ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}), rerun, onProgress: (line) => io.stderr(`aml-preflight: ${scrub(line)}\n`) });
    }
    report = applySuppressions(report, config, new Date().toISOString().slice(0, 10));
    if (format === 'markdown') {
      const { describeTopology } = await import('../topology.js');
      const targetsWithTopology = await Promise.all(report.targets.map(async (t) => {
        const topology = await describeTopology(inventory, t.workspaceId);
        return topology ? { ...t, topology } : t;
      }));
      report = { ...report, targets: targetsWithTopology };
    }
    const { render } = await import('../report/index.js');
    const toTerminal = io.isTTY && !opts.output && format === 'table';
    const text = render(report, format, { color: toTerminal, ...(toTerminal && io.columns ? { width: io.columns } : {}), verbose: opts.verbose === true, checks: checks.map((c) => c.meta) });
    if (opts.output) await writeFileAtomic(opts.output, text);
    else io.stdout(text);
    return exitCodeFor(report, failOn);
  } finally {
    inventory.dispose();
    await session.close();
  }
}

/** "aml-preflight: 12/35 checks done" on a terminal's stderr, rewritten in place. */
function progressLine(io: CliIO, total: number): { tick: (workspaceId: string, result: { checkId: string }) => void; done: () => void } {
  let n = 0;
  return {
    tick: (workspaceId, result) => {
      n++;
      io.stderr(`\r\u001b[2Kaml-preflight: ${n}/${total} checks done (${workspaceId.split('/').pop()}: ${result.checkId})`);
    },
    done: () => io.stderr('\r\u001b[2K'),
  };
}

function pick(opts: { mock?: string; endpoint?: string; cloud?: string }): { mock?: string; endpoint?: string; cloud?: string } {
  return {
    ...(opts.mock ? { mock: opts.mock } : {}),
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.cloud ? { cloud: opts.cloud } : {}),
  };
}

function dedupe(ids: string[]): string[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const k = id.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function parseFailOn(v: string): FailOn {
  if (v === 'error' || v === 'warning' || v === 'never') return v;
  throw new UsageError(`--fail-on "${v}" is not one of error, warning, never`);
}

async function serveMock(opts: { world: string; port: string }, io: CliIO): Promise<Exit> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port "${opts.port}" is not a port number`);
  const { loadWorld } = await import('../world/schema.js');
  const { startMockServer } = await import('../../mocks/server.js');
  const world = await loadWorld(opts.world);
  const server = await startMockServer(world, { port });
  const { writeFile, mkdtemp } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const caFile = join(await mkdtemp(join(tmpdir(), 'aml-preflight-mock-')), 'mock-ca.pem');
  await writeFile(caFile, server.ca);
  io.stdout(
    [
      `Serving ${opts.world} as ARM at ${server.url}`,
      `Trust its certificate: export NODE_EXTRA_CA_CERTS=${caFile}`,
      `Then: aml-preflight audit --endpoint ${server.url} --workspace <id>   (any bearer token is accepted)`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    if (io.abortSignal?.aborted) resolve();
    io.abortSignal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  return 0;
}

function checksTable(checks: readonly Check[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.meta.id}  [${c.meta.severity}]${c.meta.optIn ? ' (opt-in)' : ''}`, `  ${c.meta.title}`, `  docs: ${c.meta.docs[0]}`, `  needs: ${c.meta.actions.join(', ')}`, '');
  }
  return `${lines.join('\n')}`;
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
