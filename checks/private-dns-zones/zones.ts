/**
 * The private DNS zone names Microsoft's private endpoint DNS table gives each sub-resource a job or
 * an image build resolves, per cloud, and the near misses people deploy instead. Pure data.
 *
 * https://learn.microsoft.com/azure/private-link/private-endpoint-dns ("Azure services DNS zone
 * configuration": the commercial, Government and China tables, ms.date 10/11/2023), and for the
 * workspace's own endpoint https://learn.microsoft.com/azure/machine-learning/how-to-custom-dns.
 */

export type Cloud = 'AzureCloud' | 'AzureUSGovernment' | 'AzureChinaCloud';

/** The sub-resources checked: the registry, the storage account's, the key vault's, the workspace's own. */
export type Group = 'registry' | 'blob' | 'file' | 'dfs' | 'queue' | 'table' | 'vault' | 'amlworkspace';

const STORAGE_SUFFIX: Record<Cloud, string> = {
  AzureCloud: 'core.windows.net',
  AzureUSGovernment: 'core.usgovcloudapi.net',
  AzureChinaCloud: 'core.chinacloudapi.cn',
};

const storage = (group: string, cloud: Cloud): string[] => [`privatelink.${group}.${STORAGE_SUFFIX[cloud]}`];

/** The zones each sub-resource's records go in: every one must exist, hold them, and be linked. */
export const ZONES: Record<Cloud, Record<Group, readonly string[]>> = {
  AzureCloud: {
    registry: ['privatelink.azurecr.io'],
    blob: storage('blob', 'AzureCloud'),
    file: storage('file', 'AzureCloud'),
    dfs: storage('dfs', 'AzureCloud'),
    queue: storage('queue', 'AzureCloud'),
    table: storage('table', 'AzureCloud'),
    vault: ['privatelink.vaultcore.azure.net'],
    amlworkspace: ['privatelink.api.azureml.ms', 'privatelink.notebooks.azure.net'],
  },
  AzureUSGovernment: {
    registry: ['privatelink.azurecr.us'],
    blob: storage('blob', 'AzureUSGovernment'),
    file: storage('file', 'AzureUSGovernment'),
    dfs: storage('dfs', 'AzureUSGovernment'),
    queue: storage('queue', 'AzureUSGovernment'),
    table: storage('table', 'AzureUSGovernment'),
    vault: ['privatelink.vaultcore.usgovcloudapi.net'],
    amlworkspace: ['privatelink.api.ml.azure.us', 'privatelink.notebooks.usgovcloudapi.net'],
  },
  AzureChinaCloud: {
    registry: ['privatelink.azurecr.cn'],
    blob: storage('blob', 'AzureChinaCloud'),
    file: storage('file', 'AzureChinaCloud'),
    dfs: storage('dfs', 'AzureChinaCloud'),
    queue: storage('queue', 'AzureChinaCloud'),
    table: storage('table', 'AzureChinaCloud'),
    vault: ['privatelink.vaultcore.azure.cn'],
    amlworkspace: ['privatelink.api.ml.azure.cn', 'privatelink.notebooks.chinacloudapi.cn'],
  },
};

/**
 * Names that look right and resolve nothing, by the zone they stand in for. The key vault's is the
 * Bicep pitfall `privatelink${environment().suffixes.keyvaultDns}` (Azure/bicep#9839): the vault's
 * public DNS suffix, not the `vaultcore` zone its private endpoint registers in.
 */
const KNOWN_NEAR_MISSES: Record<string, readonly string[]> = {
  'privatelink.vaultcore.azure.net': ['privatelink.vault.azure.net'],
  'privatelink.vaultcore.usgovcloudapi.net': ['privatelink.vault.usgovcloudapi.net'],
  'privatelink.vaultcore.azure.cn': ['privatelink.vault.azure.cn'],
  'privatelink.api.azureml.ms': ['privatelink.azureml.ms', 'privatelink.ml.azure.com'],
};

const lower = (s: string): string => s.toLowerCase().replace(/\.$/, '');

/**
 * Whether `zone` is a likely mistake for `expected`: a known near miss, the public name without
 * `privatelink.`, or the same sub-resource's zone in another cloud.
 */
export function isNearMiss(zone: string, expected: string, group: Group): boolean {
  const z = lower(zone);
  const e = lower(expected);
  if (z === e) return false;
  if ((KNOWN_NEAR_MISSES[e] ?? []).includes(z)) return true;
  if (z === e.replace(/^privatelink\./, '')) return true;
  // The same sub-resource's zone (the same position in its list) in another cloud.
  const clouds = Object.values(ZONES);
  const index = clouds.map((c) => c[group].findIndex((n) => lower(n) === e)).find((i) => i >= 0);
  return index !== undefined && clouds.some((c) => lower(c[group][index] ?? '') === z);
}

/** The cloud whose zone names apply: from the resources' own host names, else the ARM endpoint. */
export function cloudOf(hostNames: readonly (string | undefined)[], armEndpoint: string): Cloud {
  const hosts = [...hostNames, armEndpoint].filter((h): h is string => typeof h === 'string').map((h) => h.toLowerCase());
  for (const h of hosts) {
    if (/usgovcloudapi\.net|\.azure\.us\b|azurecr\.us\b|\.ml\.azure\.us/.test(h)) return 'AzureUSGovernment';
    if (/chinacloudapi\.cn|\.azure\.cn\b|azurecr\.cn\b/.test(h)) return 'AzureChinaCloud';
    if (/core\.windows\.net|vault\.azure\.net|azurecr\.io|api\.azureml\.ms|management\.azure\.com/.test(h)) return 'AzureCloud';
  }
  return 'AzureCloud';
}

/**
 * The storage sub-resources the workspace uses, where Microsoft's Azure ML pages list them: blob
 * and file always (the default datastores); dfs, queue and table when the account has its own
 * private endpoint for them (a job that reaches them needs them to resolve too).
 * https://learn.microsoft.com/azure/machine-learning/how-to-secure-workspace-vnet#secure-azure-storage-accounts
 */
export const STORAGE_GROUPS: readonly Group[] = ['blob', 'file', 'dfs', 'queue', 'table'];
