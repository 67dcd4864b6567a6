/**
 * The rows of Microsoft's "Configure inbound and outbound network traffic" page
 * (https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall,
 * ms.date 03/19/2026) that compute-outbound decides, as data: what the row names (a service tag or
 * host names), its protocols and ports (some only for compute instances), and its level. The README
 * quotes the page for each row and says where it is ambiguous.
 */

export interface RowPort {
  readonly protocol: 'Tcp' | 'Udp';
  readonly port: number;
  /** Decided only from a subnet where a compute instance sits. */
  readonly computeInstanceOnly?: boolean;
}

export interface Row {
  /** How findings name the row. */
  readonly name: string;
  /** A service tag (`regional`: its `.<region>` form, falling back to the global tag). */
  readonly tag?: { readonly name: string; readonly regional?: boolean };
  /** Host names; `registry` stands for the workspace registry's login and data hosts. */
  readonly hosts?: readonly string[] | 'registry';
  readonly ports: readonly RowPort[];
  readonly level: 'error' | 'warning';
  /** What the page says it is for. */
  readonly purpose: string;
  /** What a user sees when it is blocked. */
  readonly symptom: string;
  /** Rows of host names only: a denial at the NSG (which cannot name a host) is a note, not a finding. */
  readonly nsgDenialIsNote?: boolean;
  /** Not needed in Microsoft Azure operated by 21Vianet (regions `china*`). */
  readonly notInChina?: boolean;
}

const tcp = (...ports: number[]): RowPort[] => ports.map((port) => ({ protocol: 'Tcp', port }));

export const ROWS: readonly Row[] = [
  {
    name: 'AzureActiveDirectory',
    tag: { name: 'AzureActiveDirectory' },
    ports: tcp(80, 443),
    level: 'error',
    purpose: 'authentication using Microsoft Entra ID',
    symptom: 'nodes cannot get tokens: jobs fail to start, datastores and the registry answer 401',
  },
  {
    name: 'AzureMachineLearning',
    tag: { name: 'AzureMachineLearning' },
    ports: [
      { protocol: 'Tcp', port: 443 },
      { protocol: 'Tcp', port: 18881, computeInstanceOnly: true },
      { protocol: 'Udp', port: 5831, computeInstanceOnly: true },
    ],
    level: 'error',
    purpose:
      'using Azure Machine Learning services; notebook IntelliSense (18881) and compute instance create, update and delete (UDP 5831)',
    symptom: 'jobs never report status, a compute instance stays in Creating or Unusable, notebooks lose IntelliSense',
  },
  {
    name: 'AzureMachineLearning (RStudio)',
    tag: { name: 'AzureMachineLearning' },
    ports: [{ protocol: 'Tcp', port: 8787, computeInstanceOnly: true }],
    level: 'warning',
    purpose: 'RStudio on a compute instance',
    symptom: 'RStudio on the compute instance does not open',
  },
  {
    name: 'BatchNodeManagement',
    tag: { name: 'BatchNodeManagement', regional: true },
    ports: tcp(443),
    level: 'error',
    purpose: 'communication with the Azure Batch back end of compute instances and clusters',
    symptom: 'clusters stay at 0 nodes or nodes go Unusable; a compute instance never leaves Creating',
  },
  {
    name: 'AzureResourceManager',
    tag: { name: 'AzureResourceManager' },
    ports: tcp(443),
    level: 'error',
    purpose: 'creation of Azure resources with Azure Machine Learning, the Azure CLI and the SDK',
    symptom: 'the SDK and CLI on the compute time out against management.azure.com',
  },
  {
    name: 'Storage',
    tag: { name: 'Storage', regional: true },
    ports: tcp(443),
    level: 'error',
    purpose: 'data in Azure Storage for compute clusters and instances (also the Microsoft-managed storage of Azure Batch)',
    symptom: 'nodes fail to set up (Batch storage), jobs cannot mount or download inputs nor upload logs',
  },
  {
    name: 'AzureFrontDoor.FrontEnd',
    tag: { name: 'AzureFrontDoor.FrontEnd' },
    ports: tcp(443),
    level: 'error',
    purpose: 'the global entry point of Azure Machine Learning studio; images and environments for AutoML',
    symptom: 'AutoML runs fail to fetch their environments; studio features served through Front Door fail from the compute',
    notInChina: true,
  },
  {
    name: 'AzureMonitor',
    tag: { name: 'AzureMonitor' },
    ports: tcp(443),
    level: 'warning',
    purpose:
      'monitoring and metrics to Application Insights and Azure Monitor, also support diagnostics; only needed when Azure Monitor is not secured by a private link scope',
    symptom: 'no metrics or logs in Application Insights from jobs and endpoints',
  },
  {
    name: 'workspace registry',
    hosts: 'registry',
    tag: { name: 'AzureContainerRegistry', regional: true },
    ports: tcp(443),
    level: 'error',
    purpose: 'Azure Container Registry, for every custom Docker image and the internal job submission process',
    symptom: 'image builds cannot push, jobs cannot pull their environment image (timeouts on <registry>.azurecr.io)',
  },
  {
    name: 'PyPI',
    hosts: ['pypi.org', 'files.pythonhosted.org'],
    ports: tcp(443),
    level: 'warning',
    purpose: 'pip packages of image builds and job environments',
    symptom: 'image builds fail in pip install (connection timed out to pypi.org)',
    nsgDenialIsNote: true,
  },
  {
    name: 'conda',
    hosts: ['conda.anaconda.org', 'repo.anaconda.com'],
    ports: tcp(443),
    level: 'warning',
    purpose: 'conda packages and repository data of image builds',
    symptom: 'image builds fail in conda env create (CondaHTTPError)',
    nsgDenialIsNote: true,
  },
];

/** `TCP 80, 443; UDP 5831`. */
export function describePorts(ports: readonly RowPort[]): string {
  const by = new Map<string, number[]>();
  for (const p of ports) by.set(p.protocol.toUpperCase(), [...(by.get(p.protocol.toUpperCase()) ?? []), p.port]);
  return [...by].map(([protocol, list]) => `${protocol} ${list.join(', ')}`).join('; ');
}
