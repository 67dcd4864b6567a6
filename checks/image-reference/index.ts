/**
 * https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments
 * https://learn.microsoft.com/azure/container-registry/container-registry-concepts
 *
 * The custom images an experiment will use (`audit --image <reference>`): each reference is well
 * formed (no double slashes or backslashes, a lower-case repository, a tag or digest); its registry
 * is the workspace's own or a public registry the computes can reach; and in the workspace's
 * registry, the repository and tag (or digest) exist, read through the ACR data plane.
 */
import { defineCheck, type CheckContext } from '../../src/engine/check.js';
import { parseResourceId } from '../../src/base/resource-id.js';
import { size } from '../../src/network/cidr.js';
import { EGRESS_PATH_ACTIONS, gatherEgressPath } from '../../src/network/gather/egress-path.js';
import { evaluateEgressPath, taglessPath } from '../../src/network/egress-path.js';
import { nameOf } from '../../src/network/exposure.js';
import { describeRule, ruleResourceId } from '../../src/network/firewall-words.js';
import { indexServiceTags } from '../../src/network/service-tags.js';
import { parseImageReference, PUBLIC_REGISTRIES, registryHosts, type ReferenceProblem } from '../../src/images/reference.js';
import { fqdnCovers, isActive, type OutboundRule } from '../../src/network/managed.js';
import { networkModel } from '../../src/network/gather/model.js';

type M =
  | 'invalid'
  | 'malformed'
  | 'unpinned'
  | 'notFound'
  | 'otherRegistry'
  | 'unknownRegistry'
  | 'publicBlocked'
  | 'publicPathBlocked'
  | 'publicPathUnverified'
  | 'publicNoFqdnRule';

const PROBLEM_WORDS: Record<Exclude<ReferenceProblem, 'invalid' | 'missing-tag-or-digest'>, string> = {
  'double-slash': 'a double slash',
  backslash: 'a backslash',
  'uppercase-repository': 'upper-case letters in the repository',
};

export default defineCheck<M>({
  meta: {
    id: 'image-reference',
    title: 'Custom image references are well formed, from a reachable registry, and exist',
    severity: 'error',
    optIn: true,
    docs: [
      'https://learn.microsoft.com/azure/machine-learning/how-to-troubleshoot-environments',
      'https://learn.microsoft.com/azure/container-registry/container-registry-concepts',
    ],
    reads: [
      'workspace',
      'container registry',
      'repositories and tags (ACR data plane)',
      'compute subnets, NSGs, routes and the Azure Firewall they lead to (for public registries)',
    ],
    actions: [
      'Microsoft.MachineLearningServices/workspaces/read',
      'Microsoft.MachineLearningServices/workspaces/computes/read',
      'Microsoft.ContainerRegistry/registries/read',
      'Microsoft.ContainerRegistry/registries/pull/read',
      ...EGRESS_PATH_ACTIONS,
    ],
    messages: {
      invalid: 'Image reference "{{reference}}" is not valid: {{why}}.',
      malformed: 'Image reference "{{reference}}" has {{problems}}; the corrected form is {{corrected}}.',
      unpinned: 'Image reference "{{reference}}" names no tag or digest, so it means {{corrected}}, which changes under you.',
      notFound: 'Image {{reference}} does not exist in the workspace registry {{registry}}: no such {{missing}}.',
      otherRegistry:
        'Image {{reference}} comes from registry {{host}}, not the workspace registry {{registry}}: the identities that pull it need AcrPull there (identity-access decides whether they hold it), and the computes must reach it.',
      unknownRegistry:
        'Image {{reference}} comes from {{host}}, which is neither the workspace registry {{registry}} nor a known public registry.',
      publicBlocked:
        'Image {{reference}} comes from the public registry {{host}}, but outbound TCP 443 to the Internet from subnet {{subnet}} is denied by rule {{rule}} (priority {{priority}}) of NSG {{nsg}}.',
      publicPathBlocked:
        'Image {{reference}} comes from the public registry {{host}}, but egress from subnet {{subnet}} to {{fqdn}} {{why}}.',
      publicPathUnverified:
        'Image {{reference}} comes from the public registry {{host}}; egress from subnet {{subnet}} to it cannot be verified: {{why}}.',
      publicNoFqdnRule:
        'Image {{reference}} comes from the public registry {{host}}, but the managed network of {{workspace}} allows only approved outbound and no Active FQDN rule covers {{hosts}}.',
    },
  },
  async run(ctx) {
    const images = ctx.options.images ?? [];
    if (images.length === 0) return ctx.skip('no image given (audit --image <reference>)');
    const opts = { abortSignal: ctx.abortSignal };
    const ws = await ctx.inventory.workspace(ctx.workspaceId, opts);
    const registry = ws.containerRegistry ? await ctx.inventory.registry(ws.containerRegistry, opts) : undefined;
    const loginServer = registry?.loginServer ?? '(none yet)';
    for (const input of images) {
      const parsed = parseImageReference(input);
      const base = { resourceId: registry?.id ?? ctx.workspaceId };
      if (!parsed.reference) {
        ctx.report({
          ...base,
          messageId: 'invalid',
          data: { reference: input, why: parsed.why ?? 'unparseable' },
          evidence: { reference: input },
          remediation:
            'Write the reference as [registry/]repository[:tag][@sha256:digest], lower-case repository, e.g. crmlopsprodweu.azurecr.io/azureml/training/pytorch:2.3-cuda12.1',
        });
        continue;
      }
      const ref = parsed.reference;
      const shown = parsed.corrected ?? input.trim();
      const fixable = parsed.problems.filter((p): p is keyof typeof PROBLEM_WORDS => p in PROBLEM_WORDS);
      if (fixable.length > 0) {
        ctx.report({
          ...base,
          messageId: 'malformed',
          data: { reference: input, problems: fixable.map((p) => PROBLEM_WORDS[p]).join(' and '), corrected: parsed.corrected! },
          evidence: { reference: input, problems: parsed.problems, corrected: parsed.corrected },
          remediation: `Use ${parsed.corrected} in the environment definition.`,
        });
      }
      if (parsed.problems.includes('missing-tag-or-digest')) {
        ctx.report({
          ...base,
          messageId: 'unpinned',
          data: { reference: input, corrected: shown },
          evidence: { reference: input, implied: shown },
          remediation: `Pin a tag or, better, a digest: ${shown.replace(/:latest$/, '')}@sha256:<digest> (az acr repository show-tags shows the tags)`,
          level: 'warning',
        });
      }
      const host = ref.registry.toLowerCase();
      if (registry && host === loginServer.toLowerCase()) {
        const found = await ctx.inventory.registryArtifact(
          loginServer,
          ref.repository,
          { ...(ref.tag ? { tag: ref.tag } : {}), ...(ref.digest ? { digest: ref.digest } : {}) },
          opts,
        );
        if (!found.exists) {
          ctx.report({
            ...base,
            messageId: 'notFound',
            data: { reference: shown, registry: loginServer, missing: found.missing },
            evidence: {
              registry: loginServer,
              repository: ref.repository,
              tag: ref.tag ?? null,
              digest: ref.digest ?? null,
              acrError: found.code,
            },
            remediation:
              found.missing === 'repository'
                ? `Push the image first (az acr build --registry ${nameOf(registry.id ?? '')} --image ${ref.repository}:${ref.tag ?? '<tag>'} .), or fix the repository name.`
                : `List what exists (az acr repository show-tags --name ${nameOf(registry.id ?? '')} --repository ${ref.repository}) and use one, or push this ${found.missing}.`,
          });
        }
      } else if (PUBLIC_REGISTRIES.includes(host)) {
        // MCR has its own check (nsg-outbound-service-tags); other public registries have no service tag.
        if (host !== 'mcr.microsoft.com') {
          await checkPublicReachable(ctx, shown, host, opts);
          await checkManagedFqdn(ctx, shown, host, opts);
        }
      } else if (/\.azurecr\.(io|cn|us)$/.test(host)) {
        ctx.report({
          ...base,
          messageId: 'otherRegistry',
          data: { reference: shown, host, registry: loginServer },
          evidence: { host, workspaceRegistry: loginServer },
          remediation: `Import the image into the workspace registry (az acr import --name ${nameOf(registry?.id ?? '<registry>')} --source ${ref.canonical}), or grant the identities that pull it AcrPull on ${host} (identity-access names each one that lacks it, with the command).`,
          level: 'warning',
        });
      } else {
        ctx.report({
          ...base,
          messageId: 'unknownRegistry',
          data: { reference: shown, host, registry: loginServer },
          evidence: { host, workspaceRegistry: loginServer, publicRegistries: PUBLIC_REGISTRIES },
          remediation: `Import the image into the workspace registry: az acr import --name ${nameOf(registry?.id ?? '<registry>')} --source ${ref.canonical}`,
        });
      }
    }
  },
});

/** A managed network with AllowOnlyApprovedOutbound reaches a public registry only through FQDN rules for its hosts. */
async function checkManagedFqdn(ctx: CheckContext<M>, reference: string, host: string, opts: { abortSignal: AbortSignal }): Promise<void> {
  const model = await networkModel(ctx.inventory, ctx.workspaceId, opts);
  const managed = model.managed;
  if (managed?.isolationMode !== 'AllowOnlyApprovedOutbound') return;
  const fqdn = managed.rules.filter((r): r is Extract<OutboundRule, { type: 'FQDN' }> => r.type === 'FQDN' && isActive(r));
  const uncovered = registryHosts(host).filter((h) => !fqdn.some((r) => fqdnCovers(r.fqdn, h)));
  if (uncovered.length === 0) return;
  const owner = parseResourceId(managed.ownerId);
  ctx.report({
    messageId: 'publicNoFqdnRule',
    data: { reference, host, workspace: nameOf(managed.ownerId), hosts: uncovered.join(', ') },
    resourceId: managed.ownerId,
    evidence: {
      host,
      uncovered,
      isolationMode: managed.isolationMode,
      fqdnRules: fqdn.map((r) => ({ name: r.name, destination: r.fqdn, status: r.status })),
    },
    remediation: `Import the image into the workspace registry (az acr import --name ${model.registry?.name ?? '<workspace-registry>'} --source ${reference}), or allow its hosts: ${uncovered.map((h) => `az ml workspace outbound-rule set --resource-group ${owner.resourceGroup} --workspace-name ${nameOf(managed.ownerId)} --rule allow-${h.replace(/\./g, '-')} --type fqdn --destination ${h}`).join('; ')}`,
  });
}

/**
 * Public registries other than MCR have no service tag: the computes need TCP 443 to their hosts,
 * through the whole egress path (src/network/egress-path.ts): the NSG (which meets a host as the
 * public Internet), the routes, and the Azure Firewall a route leads to (which matches the names).
 */
async function checkPublicReachable(
  ctx: CheckContext<M>,
  reference: string,
  host: string,
  opts: { abortSignal: AbortSignal },
): Promise<void> {
  const computes = (await ctx.inventory.computes(ctx.workspaceId, opts)).filter((c) => c.subnetId);
  if (computes.length === 0) return;
  const ws = await ctx.inventory.workspace(ctx.workspaceId, opts);
  const tags = indexServiceTags(await ctx.inventory.serviceTags(parseResourceId(ctx.workspaceId).subscriptionId, ws.location ?? '', opts));
  const fqdns = registryHosts(host);
  const seen = new Set<string>();
  for (const c of computes) {
    const key = c.subnetId!.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const path = await gatherEgressPath(ctx.inventory, c.subnetId!, tags, opts);
    const v = evaluateEgressPath(path, { fqdns }, { protocol: 'Tcp', port: 443 });
    const subnet = nameOf(c.subnetId!);
    // The registry's addresses are not a service tag. If the NSG allows only slivers of the Internet
    // (explicit ranges), an arbitrary public address falls to the rule denying the rest.
    const total = size(taglessPath(path).internet.filter((p) => !p.includes(':')));
    const widest = v.nsg.denied.toSorted((a, b) => (size(b.destination) > size(a.destination) ? 1 : -1))[0];
    if (widest && size(widest.destination) * 100n >= total * 99n) {
      const rule = widest.rule;
      ctx.report({
        messageId: 'publicBlocked',
        data: { reference, host, subnet, rule: rule.name, priority: rule.priority, nsg: nameOf(rule.nsgId) },
        resourceId: `${rule.nsgId}/securityRules/${rule.name}`,
        evidence: { host, subnetId: c.subnetId, decidingRule: rule },
        remediation: `Import the image into the workspace registry (az acr import --name <workspace-registry> --source ${reference}), or allow TCP 443 to ${host} (through the firewall: an NSG cannot name a host).`,
      });
      continue;
    }
    const base = { host, hosts: fqdns, subnetId: c.subnetId, routeTableId: path.egress.routeTableId ?? null };
    const importFix = `Import the image into the workspace registry (az acr import --name <workspace-registry> --source ${reference})`;
    for (const seg of v.segments) {
      if (seg.kind === 'nsg-denied' || seg.kind === 'nsg-undecidable') continue;
      const hop = seg.route.nextHopIpAddress ? `${seg.route.nextHopType} ${seg.route.nextHopIpAddress}` : seg.route.nextHopType;
      if (seg.kind === 'firewall') {
        const d = seg.evaluation.deciding;
        if (seg.evaluation.verdict === 'allow' || !d) continue;
        const fw = nameOf(seg.appliance.firewallId);
        const decider = d.rule ? describeRule(d.rule) : (d.why ?? 'no rule matches');
        const evidence = {
          ...base,
          route: seg.route,
          firewallId: seg.appliance.firewallId,
          decidingRule: d.rule ?? null,
          why: d.why ?? null,
        };
        const resourceId = ruleResourceId(d.rule, seg.appliance.firewallId);
        if (seg.evaluation.verdict === 'deny')
          ctx.report({
            messageId: 'publicPathBlocked',
            data: {
              reference,
              host,
              subnet,
              fqdn: d.fqdn ?? host,
              why: `goes through Azure Firewall ${fw} (${hop}), which denies it: ${decider}`,
            },
            resourceId,
            evidence,
            remediation: `${importFix}, or allow ${fqdns.join(' ')} on HTTPS 443 in an application rule of ${fw} before ${d.rule ? d.rule.collection.name : 'the default deny'}.`,
          });
        else
          ctx.report({
            messageId: 'publicPathUnverified',
            data: { reference, host, subnet, why: `Azure Firewall ${fw}: ${d.why ?? 'a rule cannot be resolved'}` },
            resourceId,
            evidence,
            remediation: `${importFix}, or make the firewall rule explicit for ${fqdns.join(' ')}.`,
            level: 'warning',
          });
        continue;
      }
      if (seg.kind === 'dropped') {
        ctx.report({
          messageId: 'publicPathBlocked',
          data: {
            reference,
            host,
            subnet,
            fqdn: host,
            why: `is dropped by route ${seg.route.name} (${seg.route.addressPrefix}), next hop ${hop}`,
          },
          resourceId: `${path.egress.routeTableId!}/routes/${seg.route.name}`,
          evidence: { ...base, route: seg.route },
          remediation: `${importFix}, or remove route ${seg.route.name}.`,
        });
        continue;
      }
      ctx.report({
        messageId: 'publicPathUnverified',
        data: { reference, host, subnet, why: `it goes through ${hop} by route ${seg.route.name}, whose rules ARM does not show` },
        resourceId:
          seg.kind === 'third-party' && seg.appliance.kind === 'third-party'
            ? seg.appliance.nicId
            : `${path.egress.routeTableId!}/routes/${seg.route.name}`,
        evidence: { ...base, route: seg.route, next: seg.kind },
        remediation: `${importFix}, or allow ${fqdns.join(' ')} on HTTPS 443 in the appliance at ${seg.route.nextHopIpAddress ?? 'the next hop'}.`,
        level: 'warning',
      });
    }
  }
}
