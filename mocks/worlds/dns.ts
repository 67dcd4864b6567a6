/** Private DNS worlds: zone groups, zone links, records, custom DNS servers. */
import type { WorldInput } from '../../src/world/schema.js';
import { ids, res } from './base.js';
import { mutate } from './healthy.js';

/** Every world of the family, by file name (without `.json`). */
export function dnsWorlds(): Record<string, WorldInput> {
  return {
    'dns-missing-zone-group': mutate('dns-missing-zone-group: the registry private endpoint has no private DNS zone group.', (w) => {
      w.resources = w.resources.filter((r) => r.id !== `${ids.peRegistry}/privateDnsZoneGroups/default`);
    }),
    'dns-zone-not-linked': mutate('dns-zone-not-linked: privatelink.azurecr.io is not linked to the compute VNet.', (w) => {
      w.resources = w.resources.filter((r) => !r.id.startsWith(`${ids.zoneAcr}/virtualNetworkLinks/`));
    }),
    'dns-missing-data-record': mutate(
      'dns-missing-data-record: the registry zone group registers the login server but not the regional data endpoint.',
      (w) => {
        const g = res(w, `${ids.peRegistry}/privateDnsZoneGroups/default`);
        g.properties.privateDnsZoneConfigs[0].properties.recordSets = g.properties.privateDnsZoneConfigs[0].properties.recordSets.slice(
          0,
          1,
        );
      },
    ),
    'dns-custom-servers': mutate(
      'dns-custom-servers: the compute VNet uses custom DNS servers, which must forward the privatelink zones to Azure DNS.',
      (w) => {
        res(w, ids.vnet).properties.dhcpOptions = { dnsServers: ['10.20.0.4', '10.20.0.5'] };
      },
    ),
    'dns-custom-servers-unlinked': mutate(
      'dns-custom-servers-unlinked: the compute VNet uses custom DNS servers and privatelink.notebooks.azure.net is not linked to it: what those servers answer is not in ARM, so it is undecided.',
      (w) => {
        res(w, ids.vnet).properties.dhcpOptions = { dnsServers: ['10.20.0.4', '10.20.0.5'] };
        w.resources = w.resources.filter((r) => !r.id.startsWith(`${ids.zoneNotebooks}/virtualNetworkLinks/`));
      },
    ),
    // The workspace reached through its own private endpoint (healthy-private has the link).
    'dns-workspace-zone-not-linked': mutate(
      'dns-workspace-zone-not-linked: the workspace is reached through its own private endpoint, but privatelink.api.azureml.ms is not linked to the compute VNet.',
      (w) => {
        w.resources = w.resources.filter((r) => !r.id.startsWith(`${ids.zoneApi}/virtualNetworkLinks/`));
      },
    ),
  };
}
