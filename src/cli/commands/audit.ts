/** `audit`: argv mapped to the library's audit (`src/pipeline/audit.ts`), which decides and writes; this prints the exit code. */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { logAnalyticsTarget } from '../../log-analytics-options.js';
import { UsageError } from '../../base/errors.js';
import type { PlannedStateSource } from '../../pipeline/planned.js';
import { parseFormat, type Format } from '../../report/formats.js';
import type { CliIO, CommandContext, Exit } from '../io.js';
import { azureOptions, collect, displayOptions, parseFailOn, pick, seconds, workspaceArg, type DisplayCliOptions } from '../options.js';
import type { TerraformPlan } from '../../terraform/plan-file.js';
import { whatIfPlan } from './what-if-plan.js';

export interface AuditOptions extends DisplayCliOptions {
  workspace?: string[];
  subscription?: string[];
  managementGroup?: string[];
  allSubscriptions?: boolean;
  resourceGroup?: string;
  mock?: string;
  endpoint?: string;
  cloud?: string;
  check?: string[];
  skip?: string[];
  failOn?: string;
  timeout: string;
  fix?: boolean;
  config?: string;
  concurrency?: string;
  inventory?: 'arm' | 'resource-graph';
  withDiagnose?: boolean;
  image?: string[];
  baseline?: string;
  whatIf?: string;
  terraformPlan?: string;
  terraformDir?: string;
  parameters?: string;
  location?: string;
  deploymentName?: string;
  logAnalytics?: string;
  dcr?: string;
  stream?: string;
}

export function register(program: Command, { io, setExit }: CommandContext): void {
  azureOptions(
    displayOptions(program.command('audit'))
      .description(
        'audit one workspace (--workspace) or every workspace in scope (--subscription, --management-group, --all-subscriptions)',
      )
      .option('--workspace <id>', 'ARM id of an Azure ML workspace (repeatable)', collect)
      .option('--subscription <id>', 'audit every workspace of the subscription (repeatable)', collect)
      .option(
        '--management-group <id>',
        'audit every workspace in the subscriptions under this management group, recursively (repeatable)',
        collect,
      )
      .option('--all-subscriptions', 'audit every workspace in every subscription the identity can read (disabled ones skipped)')
      .option('--concurrency <n>', 'workspaces audited at once', '4')
      .option('--resource-group <rg>', 'with --subscription: only this resource group')
      .addOption(
        new Option('--inventory <source>', 'read resources from ARM one by one, or with a few Azure Resource Graph queries (large audits)')
          .choices(['arm', 'resource-graph'])
          .default('arm'),
      )
      .option('--check <id>', 'run only this check (repeatable)', collect)
      .option('--skip <id>', 'do not run this check (repeatable)', collect)
      .option('--fail-on <level>', "error|warning|never (default: the config's, else error); with --baseline only new findings count")
      .option(
        '--log-analytics <endpoint>',
        "also send one row per check result to Azure Monitor Logs: the data collection endpoint's logs ingestion URL",
      )
      .option('--dcr <immutable id>', 'with --log-analytics: the data collection rule (dcr-…)')
      .option('--stream <name>', 'with --log-analytics: the stream the rule declares', 'Custom-AmlPreflight_CL')
      .option(
        '--what-if <template.json>',
        "audit the state this ARM template (Bicep: az bicep build) would produce, from ARM's what-if; findings are introduced, fixed or unchanged",
      )
      .option(
        '--terraform-plan <plan.json>',
        'audit the state this Terraform plan (terraform show -json <planfile>) would produce; findings are introduced, fixed or unchanged',
      )
      .option(
        '--terraform-dir <dir>',
        "with --terraform-plan: the root module's directory, where SARIF finds the .tf lines (default: the plan's)",
      )
      .option('--parameters <parameters.json>', 'with --what-if: the deployment parameters file')
      .option('--location <region>', 'with --what-if at subscription or management group scope: the deployment location')
      .option('--deployment-name <name>', 'with --what-if: the deployment name what-if runs under', 'aml-preflight-what-if')
      .option('--baseline <report.json>', 'a previous JSON report: mark findings new or unchanged, list the gone ones as absent')
      .option('--timeout <seconds>', 'per-check timeout', '120')
      .option('--config <file>', `config file (default: ./aml-preflight.config.json when present)`)
      .option('--image <reference>', 'check a custom image the experiment will use (repeatable): form, registry, existence', collect)
      .option('--with-diagnose', "also run Microsoft's server-side workspace diagnosis (workspace-diagnose; can take minutes)")
      .option(
        '--fix',
        'apply the fixes checks offer (key resync, provisioning a managed network) and report the verified, post-fix verdict',
      ),
  ).action(async (opts: AuditOptions) => {
    setExit(await audit(opts, io));
  });
}

export async function audit(opts: AuditOptions, io: CliIO): Promise<Exit> {
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

/** "aml-preflight: 12/35 checks done" on a terminal's stderr, rewritten in place; elsewhere (--progress) one line each. */
function progressLine(
  io: CliIO,
  total: number,
  terminal: boolean,
): { tick: (workspaceId: string, result: { checkId: string; status: string }) => void; done: () => void } {
  let n = 0;
  return {
    tick: (workspaceId, result) => {
      n++;
      const line = `aml-preflight: ${n}/${total} checks done (${workspaceId.split('/').pop()}: ${result.checkId}`;
      io.stderr(terminal ? `\r\u001b[2K${line})` : `${line} ${result.status})\n`);
    },
    done: () => {
      if (terminal) io.stderr('\r\u001b[2K');
    },
  };
}

/** `--what-if` or `--terraform-plan`: the planned state, read and validated before anything runs (exit 2 with the reason otherwise). */
async function plannedSource(opts: AuditOptions): Promise<PlannedStateSource | undefined> {
  const { whatIfSource, terraformSource } = await import('../../pipeline/planned.js');
  const whatIf = opts.whatIf ? await whatIfPlan(opts) : undefined;
  const terraform = opts.terraformPlan ? await terraformPlanOf(opts) : undefined;
  if (!opts.whatIf && (opts.parameters !== undefined || opts.location !== undefined))
    throw new UsageError('--parameters and --location go with --what-if <template.json>');
  if (whatIf) return whatIfSource({ request: whatIf.request, templateFile: whatIf.file, templateText: whatIf.text });
  if (!terraform) return undefined;
  return terraformSource(terraform, {
    ...(opts.terraformDir ? { terraformDir: opts.terraformDir } : {}),
    ...(opts.subscription?.length === 1 ? { subscriptionId: opts.subscription[0]! } : {}),
  });
}

/** `--terraform-plan`: the plan, read and validated before anything runs (exit 2 with the reason otherwise). */
async function terraformPlanOf(opts: AuditOptions): Promise<TerraformPlan> {
  if (opts.whatIf) throw new UsageError('--terraform-plan and --what-if are two planned states; give one');
  if (opts.terraformDir && !existsSync(opts.terraformDir))
    throw new UsageError(`--terraform-dir ${opts.terraformDir} does not exist: give the directory that holds the plan's .tf files`);
  for (const [flag, set] of [
    ['--baseline', opts.baseline !== undefined],
    ['--all-subscriptions', opts.allSubscriptions === true],
    ['--fix', opts.fix === true],
    ['--parameters', opts.parameters !== undefined],
  ] as const) {
    if (set) throw new UsageError(`--terraform-plan compares the plan with live state; it does not combine with ${flag}`);
  }
  if ((opts.subscription?.length ?? 0) > 1)
    throw new UsageError('--terraform-plan takes one --subscription (where the plan creates its resources)');
  const { loadTerraformPlan } = await import('../../terraform/plan-file.js');
  return loadTerraformPlan(opts.terraformPlan!);
}
