/** The flags of `audit`, as Commander hands them over. */
import { Option, type Command } from 'commander';
import { azureOptions, collect, displayOptions, type DisplayCliOptions } from '../options.js';
import type { PlannedCliOptions } from './planned-flags.js';

export interface AuditFlags extends DisplayCliOptions, PlannedCliOptions {
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

/** Declares the flags of `audit` on its command. */
export function auditFlags(command: Command): Command {
  return azureOptions(
    displayOptions(command)
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
  );
}
