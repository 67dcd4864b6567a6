/** `audit`: argv mapped to the library's audit (`src/pipeline/audit.ts`), which decides and writes; this prints the exit code. */
import type { Command } from 'commander';
import { logAnalyticsTarget } from '../../report/log-analytics-options.js';
import { UsageError } from '../../base/errors.js';
import { parseFormat, type Format } from '../../report/formats.js';
import type { CliIO, CommandContext, Exit } from '../io.js';
import { parseFailOn, pick, seconds, workspaceArg } from '../options.js';
import { auditFlags, type AuditFlags } from './audit-flags.js';
import { plannedSource } from './planned-flags.js';
import { progressLine } from '../progress.js';

export function register(program: Command, { io, setExit }: CommandContext): void {
  auditFlags(program.command('audit')).action(async (opts: AuditFlags) => {
    setExit(await audit(opts, io));
  });
}

export async function audit(opts: AuditFlags, io: CliIO): Promise<Exit> {
  const format: Format = opts.format ? parseFormat(opts.format) : io.isTTY && !opts.output ? 'table' : 'json';
  const checkTimeoutInMs = seconds(opts.timeout, '--timeout') * 1000;
  const workspaces = (opts.workspace ?? []).map(workspaceArg);
  if (opts.resourceGroup && !opts.subscription?.length) throw new UsageError('--resource-group needs --subscription');
  for (const group of opts.managementGroup ?? []) {
    if (!/^[\w().-]{1,90}$/.test(group)) {
      throw new UsageError(`--management-group "${group}" is not a management group id (letters, digits, -_.() , up to 90 characters)`);
    }
  }
  const also = (opts.also ?? []).map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--also "${spec}" is not <format>=<file> (for example sarif=report.sarif)`);
    return { format: parseFormat(spec.slice(0, eq), '--also'), file: spec.slice(eq + 1) };
  });
  const logTarget = logAnalyticsTarget(opts.logAnalytics, opts.dcr, opts.logAnalytics ? opts.stream : undefined);
  if (typeof logTarget === 'string') throw new UsageError(logTarget);
  const planned = await plannedSource(opts);
  // With a planned state, --subscription is where the deployment goes, not a scope to list.
  const tenantWide =
    (!planned && (opts.subscription?.length ?? 0) > 0) || (opts.managementGroup?.length ?? 0) > 0 || opts.allSubscriptions === true;
  const concurrency = Number(opts.concurrency ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError(`--concurrency "${opts.concurrency}" is not a whole number from 1 to 64`);
  for (const sub of opts.subscription ?? []) {
    if (!/^[0-9a-fA-F-]{36}$/.test(sub)) throw new UsageError(`--subscription "${sub}" is not a subscription id (a GUID)`);
  }
  if (workspaces.length === 0 && !tenantWide && !planned && !opts.mock) {
    throw new UsageError('say what to audit: --workspace <ARM id>, --subscription <id>, --management-group <id> or --all-subscriptions');
  }
  const failOn = opts.failOn !== undefined ? parseFailOn(opts.failOn) : undefined;

  const { openSession, worldWorkspaceIds } = await import('../session.js');
  const { audit: runPipeline } = await import('../../pipeline/audit.js');
  let session: Awaited<ReturnType<typeof openSession>> | undefined;
  const connect = async () => {
    session = await openSession({ ...pick(opts), connection: io.connectionOverrides ?? {} });
    // --mock alone audits every workspace of the world: the pipeline reads its targets after it connects.
    if (workspaces.length === 0 && session.world && !tenantWide && !planned) workspaces.push(...worldWorkspaceIds(session.world));
    return session.connection;
  };
  try {
    const toTerminal = io.isTTY && !opts.output && format === 'table';
    let progress: ReturnType<typeof progressLine> | undefined;
    const result = await runPipeline({
      connection: connect,
      targets: {
        workspaces,
        ...(tenantWide ? { subscriptions: opts.subscription ?? [], managementGroups: opts.managementGroup ?? [] } : {}),
        ...(opts.allSubscriptions ? { allSubscriptions: true } : {}),
        ...(opts.resourceGroup ? { resourceGroup: opts.resourceGroup } : {}),
      },
      ...(planned ? { planned } : {}),
      ...(opts.baseline ? { baseline: opts.baseline } : {}),
      ...(opts.config ? { config: opts.config } : {}),
      ...(opts.check ? { checks: opts.check } : {}),
      ...(opts.skip ? { skip: opts.skip } : {}),
      ...(opts.image ? { images: opts.image } : {}),
      ...(opts.withDiagnose ? { withDiagnose: true } : {}),
      ...(failOn ? { failOn } : {}),
      ...(opts.fix ? { fix: true } : {}),
      outputs: [
        {
          format,
          ...(opts.output
            ? { file: opts.output }
            : {
                write: (text: string) => {
                  io.stdout(text);
                },
              }),
          color: toTerminal,
          ...(toTerminal && io.columns ? { width: io.columns } : {}),
          verbose: opts.verbose === true,
        },
        ...also,
      ],
      ...(logTarget ? { logAnalytics: logTarget } : {}),
      inventory: opts.inventory ?? 'arm',
      concurrency,
      checkTimeoutInMs,
      ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
      onStart: ({ workspaces: n, checks }) => {
        if ((io.stderrIsTTY || opts.progress) && !opts.quiet) progress = progressLine(io, n * checks, io.stderrIsTTY === true);
      },
      onResult: (workspaceId, r) => progress?.tick(workspaceId, r),
      onNote: (line, kind) => {
        if (kind === 'notice' || !opts.quiet) io.stderr(`aml-preflight: ${line}\n`);
      },
    });
    progress?.done();
    return result.exitCode;
  } finally {
    await session?.close();
  }
}
