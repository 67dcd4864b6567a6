/**
 * Resource groups and user-assigned identities: no check reads them as resources, but other
 * resources reference their ids (`parent_id`, `scope`, `identity_ids`), so a create builds the id
 * and those references resolve. hashicorp/terraform-provider-azurerm:
 * internal/services/resource/resource_group_resource.go and
 * internal/services/managedidentity/user_assigned_identity_resource.go.
 */
import { armId, isMarker, type Family } from './types.js';

export const resources: Family = {
  mappings: {},
  idOnly: {
    azurerm_resource_group: (c) => {
      const name = c.str(['name']);
      return c.subscriptionId && name && !isMarker(name) ? `/subscriptions/${c.subscriptionId}/resourceGroups/${name}` : undefined;
    },
    azurerm_user_assigned_identity: (c) =>
      armId(c.subscriptionId, c.str(['resource_group_name']), 'Microsoft.ManagedIdentity/userAssignedIdentities', c.str(['name'])),
  },
};
