/**
 * The output signatures of a 401 from the workspace's container registry or storage account. A
 * command that fails with one of these is worth a key resync. Data, not code: add a line to extend.
 */
export interface UnauthorizedSignature {
  readonly id: string;
  readonly source: 'registry' | 'storage';
  readonly pattern: RegExp;
  /** Where the text comes from. */
  readonly seenIn: string;
}

export const UNAUTHORIZED_SIGNATURES: readonly UnauthorizedSignature[] = [
  {
    id: 'aml-registry-resync',
    source: 'registry',
    pattern: /Unauthorized error encountered while attempting to connect to the container registry/i,
    seenIn: 'Azure ML job and image build logs ("Please try running resync keys on your workspace and retry.")',
  },
  {
    id: 'docker-unauthorized',
    source: 'registry',
    pattern: /unauthorized: authentication required/i,
    seenIn: 'docker pull/push and ACR error bodies',
  },
  {
    id: 'storage-authentication-failed',
    source: 'storage',
    pattern: /\bAuthenticationFailed\b/,
    seenIn: 'Azure Storage REST error code ("Server failed to authenticate the request")',
  },
  {
    id: 'storage-server-failed-to-authenticate',
    source: 'storage',
    pattern: /Server failed to authenticate the request/i,
    seenIn: 'Azure Storage error message, datastore mounts and azcopy',
  },
];

/** The first signature found in `text`, if any. */
export function findUnauthorizedSignature(
  text: string,
  signatures: readonly UnauthorizedSignature[] = UNAUTHORIZED_SIGNATURES,
): UnauthorizedSignature | undefined {
  return signatures.find((s) => s.pattern.test(text));
}
