/**
 * The mapping table: every Terraform resource type whose ARM state a check reads, one module per
 * resource family. To map a new type, add it to its family's module (or a new module here) and a
 * case to test/terraform/mappings.test.ts; a type a check reads that no mapping knows yet goes in
 * its family's `unmapped`, so a plan that changes it makes the checks `error` instead of reading
 * live ARM as if unchanged.
 */
import { azapi } from './azapi.js';
import { firewallIdentity } from './firewall-identity.js';
import { ml } from './ml.js';
import { network } from './network.js';
import { privateEndpointsDns } from './private-endpoints-dns.js';
import { registryStorageVault } from './registry-storage-vault.js';
import { resources } from './resources.js';
import type { Family, MapContext, Mapping, Unmapped } from './types.js';

export const FAMILIES: Readonly<Record<string, Family>> = {
  ml,
  network,
  'private-endpoints-dns': privateEndpointsDns,
  'registry-storage-vault': registryStorageVault,
  'firewall-identity': firewallIdentity,
  azapi,
  resources,
};

export interface Table {
  readonly mappings: Readonly<Record<string, Mapping>>;
  readonly unmapped: Readonly<Record<string, Unmapped>>;
  readonly idOnly: Readonly<Record<string, (c: MapContext) => string | undefined>>;
}

/** Joins families into one table; a type in two families is a programming error. */
export function table(families: Readonly<Record<string, Family>>): Table {
  const mappings: Record<string, Mapping> = {};
  const unmapped: Record<string, Unmapped> = {};
  const idOnly: Record<string, (c: MapContext) => string | undefined> = {};
  for (const [family, f] of Object.entries(families)) {
    for (const [type, m] of Object.entries(f.mappings)) {
      if (type in mappings || type in unmapped) throw new TypeError(`Terraform type ${type} is mapped twice (again in ${family})`);
      mappings[type] = m;
    }
    for (const [type, u] of Object.entries(f.unmapped ?? {})) {
      if (type in mappings || type in unmapped) throw new TypeError(`Terraform type ${type} is mapped twice (again in ${family})`);
      unmapped[type] = u;
    }
    Object.assign(idOnly, f.idOnly ?? {});
  }
  return { mappings, unmapped, idOnly };
}

export const TABLE: Table = table(FAMILIES);
