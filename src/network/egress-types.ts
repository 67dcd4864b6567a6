/**
 * The shapes of a compute subnet's egress path, as the gathering (`gather/egress.ts`,
 * `gather/firewall.ts`, `gather/virtual-wan.ts`) hands them to the pure evaluation in
 * `egress-path.ts`: the subnet's NSG and routes, the routes a Virtual WAN hub injects, and what owns
 * a route's next hop.
 */
import type { AzureFirewall } from '@azure/arm-network';
import type { AddressSet } from './cidr.js';
import type { FirewallRules } from './firewall-rules.js';
import type { Nsg } from './nsg.js';
import type { Route } from './routes.js';

export interface SubnetEgress {
  readonly subnetId: string;
  readonly source: AddressSet;
  readonly nsg: Nsg | undefined;
  readonly nsgId: string | undefined;
  /**
   * The subnet's route table; when it has none and a Virtual WAN hub injects routes, the routing
   * intent or hub route table they come from (each hub route also names it as `sourceId`).
   */
  readonly routeTableId: string | undefined;
  /** The route table's routes, then the hub's (a user-defined route wins a tie of prefixes). */
  readonly routes: readonly Route[];
  /** The Virtual WAN hub the VNet is connected to, when it is: its routes and firewall, or why they are unknown. */
  readonly hub?: HubEgress;
  /** The `VirtualNetwork` tag here: address space, connected peers, user-defined route prefixes. */
  readonly virtualNetwork: AddressSet;
}

/** A route the hub injects: `sourceId` is the routing intent or hub route table that defines it. */
export interface HubRoute extends Route {
  readonly sourceId: string;
}

export type HubEgress =
  | {
      readonly kind: 'hub';
      readonly hubId: string;
      readonly connectionId: string;
      readonly routingIntentId: string | undefined;
      /** The hub route tables the connection's routes came from (none under routing intent). */
      readonly routeTableIds: readonly string[];
      readonly firewall: AzureFirewall | undefined;
      readonly firewallIp: string | undefined;
      readonly routes: readonly HubRoute[];
    }
  | {
      /** A read on the way was refused: the hub's routes are unknown. */
      readonly kind: 'unreadable';
      readonly hubId: string | undefined;
      readonly resourceId: string;
      readonly subscriptionId: string;
      readonly action: string;
      readonly message: string;
      /** The hub firewall's address, when it was read: the next hop the unknown routes most likely name. */
      readonly ip: string | undefined;
      readonly routes: readonly HubRoute[];
    }
  | {
      /** The spoke is peered with a hub's managed VNet, but no readable subscription holds that hub. */
      readonly kind: 'not-found';
      readonly hubName: string;
      readonly peeringId: string;
      readonly routes: readonly HubRoute[];
    };

export type Appliance =
  | {
      readonly kind: 'firewall';
      readonly ip: string;
      readonly firewallId: string;
      /** The VNet whose AzureFirewallSubnet holds it; for a Virtual WAN hub's firewall, the hub. */
      readonly vnetId: string;
      /** The Virtual WAN hub the firewall secures (SKU `AZFW_Hub`), when it is one. */
      readonly virtualHubId?: string;
      readonly rules: FirewallRules;
      /** The policy chain, the firewall's own first; empty for classic rules. */
      readonly policyIds: readonly string[];
      readonly ipGroups: ReadonlyMap<string, AddressSet | { readonly unreadable: string }>;
    }
  | { readonly kind: 'third-party'; readonly ip: string; readonly nicId: string; readonly vmId?: string; readonly ipForwarding: boolean }
  | { readonly kind: 'unknown'; readonly ip: string; readonly searched: readonly string[] }
  | {
      readonly kind: 'unreadable';
      readonly ip: string;
      readonly resourceId: string;
      readonly subscriptionId: string;
      readonly action: string;
      readonly message: string;
    };
