/**
 * Container image references, parsed by the grammar Docker and ACR use
 * (https://github.com/distribution/reference, `reference.go`), and corrected where a person's
 * mistake is obvious: double slashes, backslashes, an upper-case repository, no tag or digest.
 * Pure.
 */

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::\d+)?$/;

export interface ImageReference {
  /** The registry host as written, or `docker.io` when none is (Docker Hub). */
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
  /** The reference, normalised (`docker.io/library/` added for bare Hub names). */
  readonly canonical: string;
}

export type ReferenceProblem = 'double-slash' | 'backslash' | 'uppercase-repository' | 'missing-tag-or-digest' | 'invalid';

export interface ParsedReference {
  readonly input: string;
  /** Absent when the input cannot be made into a reference at all. */
  readonly reference?: ImageReference;
  readonly problems: readonly ReferenceProblem[];
  /** The corrected reference, when there were correctable problems. */
  readonly corrected?: string;
  /** Why an invalid reference is invalid. */
  readonly why?: string;
}

function split(text: string): { registry: string | undefined; repository: string; tag?: string; digest?: string } {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const first = rest.split('/')[0]!;
  // The first component is a registry when it looks like a host: a dot, a port, or localhost.
  const hasRegistry = rest.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return {
    registry: hasRegistry ? first : undefined,
    repository: hasRegistry ? rest.slice(first.length + 1) : rest,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

export function parseImageReference(input: string): ParsedReference {
  const problems: ReferenceProblem[] = [];
  let text = input.trim();
  if (text.includes('\\')) {
    problems.push('backslash');
    text = text.replace(/\\+/g, '/');
  }
  if (/\/\/+/.test(text.replace(/^[a-z]+:\/\//i, ''))) {
    problems.push('double-slash');
    text = text.replace(/\/\/+/g, '/');
  }
  text = text.replace(/^[a-z]+:\//i, '').replace(/^\/+|\/+$/g, '');
  const parts = split(text);
  let repository = parts.repository;
  if (repository !== repository.toLowerCase()) {
    problems.push('uppercase-repository');
    repository = repository.toLowerCase();
  }
  const invalid = (why: string): ParsedReference => ({ input, problems: [...problems, 'invalid'], why });
  if (repository === '') return invalid('no repository name');
  if (parts.registry !== undefined && !HOST.test(parts.registry)) return invalid(`"${parts.registry}" is not a registry host`);
  const bad = repository.split('/').find((c) => !COMPONENT.test(c));
  if (bad !== undefined)
    return invalid(`"${bad}" is not a valid repository path component (lower-case letters, digits, and . _ __ - between them)`);
  if (parts.tag !== undefined && !TAG.test(parts.tag))
    return invalid(`"${parts.tag}" is not a valid tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  if (parts.digest !== undefined && !DIGEST.test(parts.digest))
    return invalid(`"${parts.digest}" is not a valid digest (algorithm:hex, e.g. sha256:…)`);
  let tag = parts.tag;
  if (tag === undefined && parts.digest === undefined) {
    problems.push('missing-tag-or-digest');
    tag = 'latest';
  }
  const registry = parts.registry ?? 'docker.io';
  const hubRepo = parts.registry === undefined && !repository.includes('/') ? `library/${repository}` : repository;
  const written = `${parts.registry ? `${parts.registry}/` : ''}${repository}${tag !== undefined ? `:${tag}` : ''}${parts.digest ? `@${parts.digest}` : ''}`;
  const reference: ImageReference = {
    registry,
    repository: hubRepo,
    ...(tag !== undefined ? { tag } : {}),
    ...(parts.digest ? { digest: parts.digest } : {}),
    canonical: `${registry}/${hubRepo}${tag !== undefined ? `:${tag}` : ''}${parts.digest ? `@${parts.digest}` : ''}`,
  };
  return { input, reference, problems, ...(problems.length > 0 ? { corrected: written } : {}) };
}

/** Public registries an Azure ML compute may pull from when its network lets it out. */
export const PUBLIC_REGISTRIES: readonly string[] = [
  'mcr.microsoft.com',
  'docker.io',
  'registry-1.docker.io',
  'index.docker.io',
  'ghcr.io',
  'quay.io',
  'nvcr.io',
  'public.ecr.aws',
  'registry.k8s.io',
  'gcr.io',
];

/**
 * The hosts a pull from a public registry talks to, for FQDN egress rules (a managed network with
 * `AllowOnlyApprovedOutbound`). Docker Hub: the registry, its token service and its blob CDN
 * (https://docs.docker.com/desktop/setup/allow-list/). The others serve tokens and blobs from
 * their own name, except where noted.
 */
export function registryHosts(host: string): readonly string[] {
  switch (host.toLowerCase()) {
    case 'docker.io':
    case 'index.docker.io':
    case 'registry-1.docker.io':
      return ['registry-1.docker.io', 'auth.docker.io', 'production.cloudflare.docker.com'];
    case 'ghcr.io':
      return ['ghcr.io', 'pkg-containers.githubusercontent.com'];
    case 'nvcr.io':
      return ['nvcr.io', 'authn.nvidia.com'];
    default:
      return [host.toLowerCase()];
  }
}
