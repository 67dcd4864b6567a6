/**
 * The shared vocabulary of aml-preflight: what a check concludes (severity, status, findings, results)
 * and the report of CONTRACT.md ("Report"). Fields beyond the contract (`title`, `notes`, `level`,
 * `incomplete`) are additions; nothing the contract names is renamed or removed.
 *
 * `src/base/` imports nothing else of ours, so the engine, the checks and the reporters can all
 * import it without a cycle.
 */

export type Severity = 'error' | 'warning' | 'info';
export type Status = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

export interface Finding {
  readonly message: string;
  /** The check's message template this finding was written from. */
  readonly messageId: string;
  /** Stable across runs while the defect stands (see `src/engine/fingerprint.ts`). */
  readonly fingerprint: string;
  /** With `--baseline`: whether the baseline report had this finding. */
  readonly baselineState?: 'new' | 'unchanged';
  /** With `--what-if`: whether the deployment introduces the finding or leaves it as it is. */
  readonly deploymentState?: 'introduced' | 'unchanged';
  readonly resourceId: string;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly remediation: string;
  /** `warning` findings alone make a check `warn`. */
  readonly level: 'error' | 'warning';
  /** Set when a config suppression covers the finding: it stays visible but does not count. */
  readonly suppressed?: { readonly reason: string; readonly expires: string };
}

export interface CheckResult {
  readonly checkId: string;
  readonly title: string;
  readonly status: Status;
  readonly severity: Severity;
  readonly findings: readonly Finding[];
  /** Why the check was skipped or errored; absent otherwise. */
  readonly reason?: string;
  /** Facts worth showing that are not findings ("keys are identity-based"). */
  readonly notes?: readonly string[];
  readonly durationMs: number;
  /** With `--what-if`, when the live verdict differs from the planned one: the live status. */
  readonly liveStatus?: Status;
}

export interface TargetResult {
  readonly workspaceId: string;
  readonly results: readonly CheckResult[];
  /** The network topology, when a format that draws it (markdown) was asked for. */
  readonly topology?: Topology;
}

export interface ExpiredSuppression {
  readonly check: string;
  readonly resource: string;
  readonly reason: string;
  readonly expires: string;
  /** Findings it would have suppressed, now counted again. */
  readonly findings: number;
}

export type Summary = Record<Status, number>;

/** A finding of the baseline report that this run no longer has: fixed, or out of scope. */
export interface AbsentFinding {
  readonly workspaceId: string;
  readonly checkId: string;
  readonly message: string;
  readonly resourceId: string;
  readonly fingerprint: string;
  readonly baselineState: 'absent';
}

/** A subscription in scope that the audit skipped: no job runs in it. */
export interface SkippedSubscription {
  readonly subscriptionId: string;
  readonly displayName: string;
  /** `Disabled` or `Deleted`. */
  readonly state: string;
}

/** What a subscription-wide audit covered (`--subscription`, `--management-group`, `--all-subscriptions`). */
export interface ScopeReport {
  readonly managementGroups?: readonly string[];
  /** The subscriptions whose workspaces were listed and audited. */
  readonly subscriptions: readonly string[];
  readonly skipped?: readonly SkippedSubscription[];
  /** Scopes that could not be listed (a management group or subscription the identity cannot read). */
  readonly unreadable?: readonly string[];
}

/** A finding of the live state that the deployment's planned state no longer has. */
export interface FixedFinding {
  readonly workspaceId: string;
  readonly checkId: string;
  readonly message: string;
  readonly resourceId: string;
  readonly fingerprint: string;
  readonly deploymentState: 'fixed';
}

/** What a deployment would do (`--what-if`): its changes, and the findings it introduces, fixes or leaves. */
export interface WhatIfComparison {
  /** The template, as given. */
  readonly template: string;
  readonly deployment: string;
  /** Resources by change type: Create, Modify, Delete, Deploy, NoChange, Ignore, Unsupported. */
  readonly changes: Readonly<Record<string, number>>;
  /** The changed resources, for locating findings on the template. */
  readonly changedResources: readonly {
    readonly resourceId: string;
    readonly changeType: string;
    readonly templateLine?: number;
    /** The file that declares it when not the template itself (a Terraform `.tf` file). */
    readonly file?: string;
    /** The Terraform address that changes it (`--terraform-plan`). */
    readonly address?: string;
  }[];
  readonly introduced: number;
  readonly unchanged: number;
  readonly fixed: readonly FixedFinding[];
}

/** The findings of a run against a baseline report's (`--baseline`). */
export interface BaselineComparison {
  /** The baseline report, as given. */
  readonly file: string;
  readonly new: number;
  readonly unchanged: number;
  readonly absent: readonly AbsentFinding[];
}

export interface AuditReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'aml-preflight'; readonly version: string };
  readonly targets: readonly TargetResult[];
  readonly summary: Summary;
  readonly stats: {
    /** ARM requests sent, retries and polls included; Resource Graph queries are counted apart. */
    readonly armRequests: number;
    readonly durationMs: number;
    /** Where resources were read from; present when `--inventory resource-graph` was asked for. */
    readonly inventory?: 'arm' | 'resource-graph';
    /** Resource Graph queries sent (pages and retries included). */
    readonly resourceGraphRequests?: number;
    /** Why Resource Graph could not be used; the run then read every resource from ARM. */
    readonly inventoryFallback?: string;
  };
  /** Present and true when the run was interrupted or timed out before every check decided. */
  readonly incomplete?: boolean;
  /** The subscriptions audited, for subscription-wide audits. */
  readonly scope?: ScopeReport;
  /** With `--what-if`: the deployment's changes and what they do to the verdicts. */
  readonly whatIf?: WhatIfComparison;
  /** With `--baseline`: how the findings compare with the previous report's. */
  readonly baseline?: BaselineComparison;
  /** Suppressions past their expiry date that matched findings: they stopped suppressing. */
  readonly expiredSuppressions?: readonly ExpiredSuppression[];
}

export type FailOn = 'error' | 'warning' | 'never';

/** The network around a workspace, drawn by the Markdown report. */
export interface TopologyNode {
  readonly id: string;
  readonly name: string;
}

export interface Topology {
  readonly workspace: TopologyNode;
  readonly storage?: TopologyNode & { readonly exposure: string };
  readonly registry?: TopologyNode & { readonly exposure: string };
  /**
   * `network`: where the network model places the compute; `unknown` (an attached compute whose
   * network ARM does not say) is drawn apart, labelled, with no edge.
   */
  readonly computes: readonly (TopologyNode & {
    readonly type: string;
    readonly subnetId?: string;
    readonly network?: 'subnet' | 'managed' | 'none' | 'unknown';
  })[];
  readonly vnets: readonly (TopologyNode & { readonly subnets: readonly (TopologyNode & { readonly nsgId?: string })[] })[];
  readonly privateEndpoints: readonly (TopologyNode & { readonly subnetId: string; readonly targetId: string })[];
  readonly nsgs: readonly TopologyNode[];
  /** The managed virtual network, when the workspace uses one: computes without a subnet sit in it. */
  readonly managed?: {
    readonly id: string;
    readonly name: string;
    readonly isolationMode: string;
    readonly status: string;
    /** One per private-endpoint outbound rule: the endpoint Azure ML creates for it, and its target. */
    readonly endpoints: readonly (TopologyNode & {
      readonly targetId: string;
      readonly subresource: string;
      readonly ruleStatus: string;
    })[];
  };
}
