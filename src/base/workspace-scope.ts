/**
 * Which workspace an audit is working on, carried through every await of its checks. The engine
 * runs each workspace's checks inside `workspaceScope.run(id, …)`; the inventory reads it to know
 * who asked for a read, so the reads only one workspace needed can be dropped once it is done
 * (a tenant audit of thousands of workspaces keeps only what later ones can reuse).
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export const workspaceScope = new AsyncLocalStorage<string>();
