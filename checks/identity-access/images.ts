/**
 * Condition 5 of identity-access: custom images (`audit --image`) from an Azure container registry
 * other than the workspace's. Azure ML holds credentials for its own registry only, so another
 * registry is reached with managed identities:
 * - at job time the compute pulls the image with its default identity (the system-assigned one, else
 *   the first user-assigned one): "To allow the compute cluster to pull the base images, grant the
 *   managed service identity (for the workspace or compute) ACRPull role on the private ACR"
 *   (https://learn.microsoft.com/azure/machine-learning/how-to-identity-based-service-authentication,
 *   "Scenario: Use a private Azure Container Registry");
 * - an image build on top of it runs on `imageBuildCompute` when the workspace names one (a compute
 *   cluster, so its identity is among the computes above), else in ACR Tasks of the workspace
 *   registry, for which the current page names the workspace identity and the v1 page a
 *   user-assigned identity given through a workspace connection
 *   (https://learn.microsoft.com/azure/machine-learning/v1/how-to-use-managed-identities, "Build
 *   Azure Machine Learning managed environment into base image from private ACR"): the workspace
 *   identity lacking AcrPull there is therefore a warning, not an error.
 * A registry with anonymous pull enabled needs no role; one in ABAC repository-permissions mode is
 * judged by the repository read data actions.
 */
import type { CheckContext } from '../../src/engine/check.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import { parseImageReference } from '../../src/images/reference.js';
import { ACR_PULL, defaultIdentity, type Messages, type Need, REPO_PULL } from './needs.js';

/** What the workspace side of condition 5 needs to know. */
export interface ImageContext {
  readonly wsName: string;
  readonly wsWho: string;
  readonly wsPrincipal: string | undefined;
  /** The workspace registry's login server, lower-cased (its images are conditions 1's business). */
  readonly ownLoginServer: string | undefined;
  readonly imageBuildCompute: string | undefined;
}

const ACR_HOST = /\.azurecr\.(io|cn|us)$/;

/**
 * The needs for the `--image` references from other Azure registries (reporting what cannot become
 * a need: a registry not found or not readable, a compute without identity); undefined when no image
 * names another Azure registry.
 */
export async function imageRegistryNeeds(ctx: CheckContext<Messages>, w: ImageContext): Promise<Need[] | undefined> {
  const byHost = new Map<string, string>();
  for (const input of ctx.options.images ?? []) {
    const ref = parseImageReference(input).reference;
    const host = ref?.registry.toLowerCase();
    if (!ref || !host || !ACR_HOST.test(host) || host === w.ownLoginServer || byHost.has(host)) continue;
    byHost.set(host, ref.canonical);
  }
  if (byHost.size === 0) return undefined;
  const opts = { abortSignal: ctx.abortSignal };
  const rg = parseResourceId(ctx.workspaceId).resourceGroup ?? '<rg>';
  const computes = (await ctx.inventory.computeIdentities(ctx.workspaceId, opts)).filter((c) =>
    /^(amlcompute|computeinstance)$/i.test(c.computeType),
  );
  const needs: Need[] = [];
  for (const [host, reference] of byHost) {
    const found = await ctx.inventory.registryByLoginServer(host, parseResourceId(ctx.workspaceId).subscriptionId, opts);
    const registry = found.registry;
    if (!registry?.id) {
      const denied = found.unreadable.map((u) => `${u.scope} answered ${u.statusCode ?? 'an error'}`);
      ctx.report({
        messageId: 'imageRegistryUnknown',
        data: {
          host,
          reference,
          reason: denied.length
            ? `it is in none of the subscriptions read, and ${denied.join(', ')}`
            : `it is in none of the ${found.searched.length} subscription(s) the auditing identity can read`,
        },
        resourceId: ctx.workspaceId,
        evidence: { host, reference, searched: found.searched, unreadable: found.unreadable },
        remediation: denied.length
          ? `Give the auditing identity Microsoft.ContainerRegistry/registries/read and Microsoft.Authorization/roleAssignments/read where ${host} lives (aml-preflight permissions prints the role), or import the image: az acr import --name <workspace-registry> --source ${reference}`
          : `Audit with an identity that can read the subscription of ${host}, or import the image into the workspace registry: az acr import --name <workspace-registry> --source ${reference}`,
        level: 'warning',
      });
      continue;
    }
    if (registry.anonymousPullEnabled === true) {
      ctx.note(`registry ${registry.name ?? host} allows anonymous pull: image ${reference} needs no role`);
      continue;
    }
    const abac = /abac/i.test(registry.roleAssignmentMode ?? '');
    const permissions = abac ? REPO_PULL : ACR_PULL;
    const why = `image ${reference} comes from registry ${host}, not the workspace's`;
    for (const c of computes) {
      const principalId = defaultIdentity(c);
      if (!principalId) {
        ctx.report({
          messageId: 'imageComputeNoIdentity',
          data: { compute: c.name, reference, host },
          resourceId: c.id,
          evidence: { computeType: c.computeType, identityType: c.identityType, registry: registry.id, reference },
          remediation: `az ml compute update --name ${c.name} --workspace-name ${w.wsName} --resource-group ${rg} --identity-type SystemAssigned, then: az role assignment create --assignee-object-id <its principal id> --assignee-principal-type ServicePrincipal --role AcrPull --scope ${registry.id}`,
        });
        continue;
      }
      needs.push({
        who: `compute ${c.name}`,
        principalId,
        scope: registry.id,
        permissions,
        why: `${why}; the compute pulls it at job time`,
      });
    }
    if (!w.imageBuildCompute && w.wsPrincipal) {
      needs.push({
        who: w.wsWho,
        principalId: w.wsPrincipal,
        scope: registry.id,
        permissions,
        why: `${why}; with no imageBuildCompute, an image built on it is built in ACR Tasks of the workspace registry`,
        level: 'warning',
      });
    }
  }
  return needs;
}

export const IMAGE_MESSAGES = {
  imageRegistryUnknown:
    'Whether the identities that pull image {{reference}} can pull from registry {{host}} cannot be decided: {{reason}}.',
  imageComputeNoIdentity:
    'Compute {{compute}} has no managed identity, so it cannot pull image {{reference}} from registry {{host}} (Azure ML holds credentials for the workspace registry only).',
} as const;
