/** `audit`: one workspace, a list, or every workspace of subscriptions; the report in any format. */
import { existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { randomUUID } from 'node:crypto';
import type { AuditReport, TargetResult } from '../../base/results.js';
import { ArmRequestError } from '../../arm/errors.js';
import { logAnalyticsTarget } from '../../log-analytics-options.js';
import { UsageError } from '../../base/errors.js';
import { tryParseResourceId } from '../../base/resource-id.js';
import { selectChecks } from '../../engine/run.js';
import { parseFormat, type Format } from '../../report/formats.js';
import { exitCodeFor } from '../../report/types.js';
import { scrub } from '../../secrets.js';
import type { CliIO, CommandContext, Exit } from '../io.js';
import {
  azureOptions,
  collect,
  dedupe,
  displayOptions,
  parseFailOn,
  pick,
  seconds,
  workspaceArg,
  type DisplayCliOptions,
} from '../options.js';
import { writeFileAtomic } from '../../base/write.js';
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
  const timeoutSeconds = seconds(opts.timeout, '--timeout');
  const workspaceIds = (opts.workspace ?? []).map(workspaceArg);
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
  const whatIf = opts.whatIf ? await whatIfPlan(opts) : undefined;
  const terraform = opts.terraformPlan ? await terraformPlanOf(opts) : undefined;
  if (!opts.whatIf && (opts.parameters !== undefined || opts.location !== undefined))
    throw new UsageError('--parameters and --location go with --what-if <template.json>');
  const tenantWide =
    (!whatIf && !terraform && (opts.subscription?.length ?? 0) > 0) ||
    (opts.managementGroup?.length ?? 0) > 0 ||
    opts.allSubscriptions === true;
  const concurrency = Number(opts.concurrency ?? '4');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64)
    throw new UsageError(`--concurrency "${opts.concurrency}" is not a whole number from 1 to 64`);
  for (const sub of opts.subscription ?? []) {
    if (!/^[0-9a-fA-F-]{36}$/.test(sub)) throw new UsageError(`--subscription "${sub}" is not a subscription id (a GUID)`);
  }
  if (workspaceIds.length === 0 && !tenantWide && !whatIf && !terraform && !opts.mock) {
    throw new UsageError('say what to audit: --workspace <ARM id>, --subscription <id>, --management-group <id> or --all-subscriptions');
  }
  const baseline = opts.baseline ? await (await import('../../baseline.js')).readBaseline(opts.baseline) : undefined;
  const { allChecks } = await import('../../../checks/index.js');
  const { loadConfig, disabledChecks, severityOverrides, applySuppressions } = await import('../../config.js');
  const config = await loadConfig(opts.config, allChecks);
  const failOn = parseFailOn(opts.failOn ?? config?.failOn ?? 'error');
  // --check wins over the config; the config's "off" adds to --skip.
  const checks = selectChecks(allChecks, opts.check ?? [], [...(opts.skip ?? []), ...(opts.check?.length ? [] : disabledChecks(config))]);
  if (opts.withDiagnose && !checks.some((c) => c.meta.id === 'workspace-diagnose'))
    checks.push(...selectChecks(allChecks, ['workspace-diagnose']));
  if (opts.image?.length && !checks.some((c) => c.meta.id === 'image-reference'))
    checks.push(...selectChecks(allChecks, ['image-reference']));

  const { openSession, worldWorkspaceIds } = await import('../session.js');
  const { Inventory } = await import('../../inventory/index.js');
  const { runAudit } = await import('../../engine/run.js');
  const session = await openSession({ ...pick(opts), connection: io.connectionOverrides ?? {} });
  const inventory = new Inventory(session.connection, io.abortSignal ? { abortSignal: io.abortSignal } : {});
  try {
    const signalOpts = io.abortSignal ? { abortSignal: io.abortSignal } : {};
    // Markdown draws each workspace's network. Not for --what-if: the diagram would show live state.
    const drawTopology = !whatIf && !terraform && (format === 'markdown' || also.some((a) => a.format === 'markdown'));
    const { describeTopology } = drawTopology ? await import('../../topology.js') : { describeTopology: undefined };
    const decorate = describeTopology
      ? async (t: TargetResult): Promise<TargetResult> => {
          const topology = await describeTopology(inventory, t.workspaceId);
          return topology ? { ...t, topology } : t;
        }
      : undefined;
    const live = async (): Promise<AuditReport> => {
      const targets = [...workspaceIds];
      if (targets.length === 0 && session.world && !tenantWide) targets.push(...worldWorkspaceIds(session.world));
      const { resolveScope } = await import('../../scope.js');
      const scope = tenantWide
        ? await resolveScope(
            inventory,
            {
              subscriptions: opts.subscription ?? [],
              managementGroups: opts.managementGroup ?? [],
              allSubscriptions: opts.allSubscriptions === true,
              resourceGraph: opts.inventory === 'resource-graph',
            },
            signalOpts,
          )
        : undefined;
      for (const note of scope?.notes ?? []) io.stderr(`aml-preflight: ${scrub(note)}\n`);
      if (opts.inventory === 'resource-graph' && !scope?.graphLoaded) {
        const subscriptions = [
          ...(scope?.subscriptions ?? []),
          ...targets.map((id) => tryParseResourceId(id)?.subscriptionId).filter((s): s is string => !!s),
        ];
        try {
          await inventory.useResourceGraph(subscriptions, signalOpts);
        } catch (err) {
          // Interrupted: the audit below marks every result as not run.
          if (!io.abortSignal?.aborted)
            io.stderr(
              `aml-preflight: Resource Graph inventory unavailable, reading every resource from ARM instead: ${scrub((err as Error).message)}\n`,
            );
        }
      }
      // Each subscription is listed on its own: one the identity cannot read is reported, the rest run.
      const unreadable = [...(scope?.unreadable ?? [])];
      const listed = await Promise.all(
        (scope?.subscriptions ?? []).map(async (sub) => {
          try {
            return await inventory.workspaces(sub, opts.resourceGroup, signalOpts);
          } catch (err) {
            if (io.abortSignal?.aborted || !(err instanceof ArmRequestError)) throw err;
            unreadable.push(`/subscriptions/${sub}`);
            io.stderr(`aml-preflight: cannot list the workspaces of subscription ${sub}: ${scrub(err.message)}\n`);
            return [];
          }
        }),
      );
      for (const found of listed) targets.push(...found.map((w) => w.id!).filter(Boolean));
      if (targets.length === 0) {
        io.stderr(`aml-preflight: no workspace found in ${scope ? `${scope.subscriptions.length} subscription(s)` : 'the world'}\n`);
      }
      const progress =
        (io.stderrIsTTY || opts.progress) && !opts.quiet
          ? progressLine(io, dedupe(targets).length * checks.length, io.stderrIsTTY === true)
          : undefined;
      let report: AuditReport = await runAudit({
        inventory,
        checks,
        workspaceIds: dedupe(targets),
        checkTimeoutInMs: timeoutSeconds * 1000,
        severityOverrides: severityOverrides(config),
        workspaceConcurrency: concurrency,
        checkOptions: { images: opts.image ?? [] },
        ...(decorate && !opts.fix ? { decorate } : {}),
        ...(progress ? { onResult: progress.tick } : {}),
        ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
      });
      progress?.done();
      if (scope) {
        const { managementGroups, subscriptions, skipped } = scope;
        report = {
          ...report,
          scope: {
            ...(managementGroups ? { managementGroups } : {}),
            subscriptions,
            ...(skipped ? { skipped } : {}),
            ...(unreadable.length > 0 ? { unreadable } : {}),
          },
          ...(unreadable.length > 0 ? { incomplete: true } : {}),
        };
      }
      return report;
    };
    const planned = async (plan: NonNullable<typeof whatIf>): Promise<AuditReport> => {
      const { whatIfAudit } = await import('../../what-if/audit.js');
      return whatIfAudit({
        connection: session.connection,
        live: inventory,
        request: plan.request,
        templateFile: plan.file,
        templateText: plan.text,
        workspaceIds,
        checks,
        checkTimeoutInMs: timeoutSeconds * 1000,
        severityOverrides: severityOverrides(config),
        workspaceConcurrency: concurrency,
        checkOptions: { images: opts.image ?? [] },
        ...signalOpts,
      });
    };
    const terraformPlanned = async (plan: NonNullable<typeof terraform>): Promise<AuditReport> => {
      const { terraformAudit } = await import('../../terraform/audit.js');
      return terraformAudit({
        connection: session.connection,
        live: inventory,
        plan,
        ...(opts.terraformDir ? { terraformDir: opts.terraformDir } : {}),
        ...(opts.subscription?.length === 1 ? { subscriptionId: opts.subscription[0]! } : {}),
        workspaceIds,
        checks,
        checkTimeoutInMs: timeoutSeconds * 1000,
        severityOverrides: severityOverrides(config),
        workspaceConcurrency: concurrency,
        checkOptions: { images: opts.image ?? [] },
        ...signalOpts,
      });
    };
    let report = whatIf ? await planned(whatIf) : terraform ? await terraformPlanned(terraform) : await live();
    if (opts.fix) {
      const { applyFixes } = await import('../../fix.js');
      const rerun = async (workspaceId: string) =>
        (
          await runAudit({
            inventory,
            checks,
            workspaceIds: [workspaceId],
            checkTimeoutInMs: timeoutSeconds * 1000,
            severityOverrides: severityOverrides(config),
            checkOptions: { images: opts.image ?? [] },
            ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
          })
        ).targets[0]!.results;
      report = await applyFixes(report, inventory, {
        ...(io.abortSignal ? { abortSignal: io.abortSignal } : {}),
        rerun,
        onProgress: (line) => {
          io.stderr(`aml-preflight: ${scrub(line)}\n`);
        },
      });
    }
    report = applySuppressions(report, config, new Date().toISOString().slice(0, 10));
    if (baseline && opts.baseline) report = (await import('../../baseline.js')).compareWithBaseline(report, baseline, opts.baseline);
    // The diagram is drawn while each workspace's reads are held (decorate, above); with --fix,
    // after the fixes, from Azure as they left it.
    if (opts.fix && decorate) report = { ...report, targets: await Promise.all(report.targets.map(decorate)) };
    const { render } = await import('../../report/index.js');
    const toTerminal = io.isTTY && !opts.output && format === 'table';
    const text = render(report, format, {
      color: toTerminal,
      ...(toTerminal && io.columns ? { width: io.columns } : {}),
      verbose: opts.verbose === true,
      checks: checks.map((c) => c.meta),
    });
    if (opts.output) await writeFileAtomic(opts.output, text);
    else io.stdout(text);
    for (const a of also) await writeFileAtomic(a.file, render(report, a.format, { color: false, checks: checks.map((c) => c.meta) }));
    // The report is out first: a failed upload loses nothing but the rows.
    if (logTarget) {
      const { logRows, sendRows } = await import('../../log-analytics.js');
      const runId = randomUUID();
      const rows = logRows(report, runId, new Date());
      try {
        await sendRows(rows, logTarget, {
          credential: session.connection.credential,
          ...(session.connection.ca ? { ca: session.connection.ca } : {}),
          ...(session.connection.retryDelayInMs !== undefined ? { retryDelayInMs: session.connection.retryDelayInMs } : {}),
          ...signalOpts,
        });
        if (!opts.quiet) io.stderr(`aml-preflight: sent ${rows.length} rows to Log Analytics (${logTarget.stream}, run ${runId})\n`);
      } catch (err) {
        io.stderr(
          `aml-preflight: could not send the results to Log Analytics (${logTarget.endpoint}, ${logTarget.dcr}, ${logTarget.stream}): ${scrub((err as Error).message)}; the report was written\n`,
        );
        return 3;
      }
    }
    return exitCodeFor(report, failOn);
  } finally {
    inventory.dispose();
    await session.close();
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
