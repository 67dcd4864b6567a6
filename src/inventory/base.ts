/**
 * The inventory's machinery, as its faces share it: the reader of one run, the planned state's
 * unevaluated values, request counts, Resource Graph mode, the workspace release, and the caches'
 * lifecycle. `Inventory` (`index.ts`) is what checks see; `NetworkInventory` (`network-face.ts`)
 * holds its network reads.
 */
import type { ArmConnection } from '../arm/connection.js';
import type { SharedGets } from '../arm/clients.js';
import { ArmRequestError } from '../arm/errors.js';
import { ArmReader } from './reader.js';
import type { InventoryOptions, ReadOptions } from './views.js';

export class InventoryBase {
  /** The reads' shared machinery; the faces below call the providers with it. */
  protected readonly r: ArmReader;

  protected readonly plan: InventoryOptions['plan'];

  constructor(connection: ArmConnection, options: InventoryOptions = {}) {
    this.r = new ArmReader(connection, options);
    this.plan = options.plan;
  }

  /**
   * Why a value cannot be used (`--what-if`: a value of the planned state ARM left unevaluated), as
   * the error a read of it raises, naming where it came from; undefined for any other value. A read
   * by such an id fails with it: only what uses the value errors.
   */
  unevaluated(value: unknown): ArmRequestError | undefined {
    const at = typeof value === 'string' ? this.plan?.describe?.(value) : undefined;
    return at
      ? new ArmRequestError({ operation: 'what-if', resourceId: at.resourceId, code: 'WhatIfUnevaluated', detail: at.message })
      : undefined;
  }

  /** A read by an id the planned state left unevaluated: its error, else undefined (read it). */
  protected unknownRead(id: string): Promise<never> | undefined {
    const err = this.unevaluated(id);
    return err ? Promise.reject(err) : undefined;
  }

  /**
   * Cancels every request still in flight (retries included) and makes later reads fail. Call it
   * when the run is over: a read that one check abandoned must not keep retrying in the background.
   */
  dispose(): void {
    this.r.dispose();
  }

  /** The ARM endpoint this inventory reads (a cloud's, or a mock's origin). */
  get endpoint(): string {
    return this.r.connection.endpoint;
  }

  /** ARM requests sent so far, retries and polls included (Resource Graph queries not counted). */
  get requestCount(): number {
    return this.r.requestCount;
  }

  /** Resource Graph queries sent so far, pages and retries included. */
  get resourceGraphRequestCount(): number {
    return this.r.resourceGraphRequestCount;
  }

  /** Why {@link useResourceGraph} failed, when it did (the run then read everything from ARM). */
  get resourceGraphFailure(): string | undefined {
    return this.r.resourceGraphFailure;
  }

  /** Distinct resources and actions read so far. */
  get distinctReads(): number {
    return this.r.distinctReads;
  }

  /** Where resources come from: ARM one by one, or Resource Graph queries loaded by {@link useResourceGraph}. */
  get mode(): 'arm' | 'resource-graph' {
    return this.r.mode;
  }

  /**
   * Loads the workspaces, storage accounts, registries, VNets, NSGs, route tables, private endpoints
   * and private DNS zones of `subscriptions` with Resource Graph queries; from then on ARM GETs of
   * those resources are answered from the results (see `arm/resource-graph.ts`). All or nothing:
   * if any page fails, this throws and the inventory stays in direct ARM mode.
   */
  useResourceGraph(
    scope: readonly string[] | { readonly managementGroup: string },
    opts: ReadOptions & { pageSize?: number } = {},
  ): Promise<{ rows: number; subscriptions: readonly string[] }> {
    return this.r.useResourceGraph(scope, opts);
  }

  /**
   * Shares this inventory's GET answers from now on with every inventory constructed with the
   * answer as `sharedGets`: a planned state's inventory then reads the live state this one reads
   * (or is reading) without a second request.
   */
  shareGets(): SharedGets {
    return this.r.shareGets();
  }

  /**
   * A resource's body as ARM sent it, read once at `apiVersion`; undefined on 404. Later GETs of it
   * through this inventory are answered with the same body (one read for a Terraform plan's live
   * state and the live audit).
   */
  rawResource(id: string, apiVersion: string, opts?: ReadOptions): Promise<Record<string, unknown> | undefined> {
    return this.r.rawResource(id, apiVersion, opts);
  }

  /** The audit is done with this workspace: drop the reads only it needed (see `reader.ts`). */
  release(workspaceId: string): void {
    this.r.release(workspaceId);
  }

  /** Called with each workspace {@link release}d. */
  onRelease(listener: (workspaceId: string) => void): void {
    this.r.onRelease(listener);
  }

  /** Drops every cached read, so the next reads show Azure as it is now (after a fix changed it). */
  forgetReads(): void {
    this.r.forgetReads();
  }

  /** Drops the cached key digests (workspace, storage account, registry) so the next read is fresh; nothing else. */
  forgetKeys(): void {
    this.r.forgetKeys();
  }
}
