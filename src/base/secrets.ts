/**
 * Secrets (storage keys, registry passwords, tokens) are compared by digest and never leave
 * memory. Two layers:
 *  1. the inventory turns every secret into a {@link SecretDigest} the moment it arrives;
 *  2. every sink (report, log line, error message, snapshot) passes its text through
 *     {@link scrub}, which replaces any secret this process has seen — a last line of defence
 *     should a secret ever reach a message by some path nobody foresaw.
 */
import { createHash } from 'node:crypto';

/** The digest of a secret: safe to print, compare and store. */
export type SecretDigest = `sha256:${string}`;

const DIGEST_PREFIX = 'sha256:';
const seen = new Set<string>();
/** Secrets shorter than this are not scrubbed from text: they would match ordinary words. */
const MIN_SCRUB_LENGTH = 8;

/**
 * Digests a secret and remembers it for {@link scrub}. A value that already is a digest (as in a
 * snapshot, where secrets were replaced by digests) is digested again, so equal originals still
 * give equal digests on both sides of a comparison.
 */
export function digestSecret(value: string): SecretDigest {
  rememberSecret(value);
  return `${DIGEST_PREFIX}${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

/** Registers a secret so that {@link scrub} removes it from any text. */
export function rememberSecret(value: string | null | undefined): void {
  if (typeof value === 'string' && value.length >= MIN_SCRUB_LENGTH && !value.startsWith(DIGEST_PREFIX)) seen.add(value);
}

/** Replaces every remembered secret and every bearer token in `text` with `[REDACTED]`. */
export function scrub(text: string): string {
  let out = text.replace(/(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, '$1[REDACTED]');
  out = out.replace(/("?(?:access_?token|refresh_?token|client_?secret)"?\s*[:=]\s*"?)[^"\s,}]+/gi, '$1[REDACTED]');
  for (const s of seen) {
    if (out.includes(s)) out = out.split(s).join('[REDACTED]');
  }
  return out;
}

/** Field names whose string values are secrets in ARM action answers (listKeys, listCredentials). */
const SECRET_FIELD = /(^value$|key$|password$|secret$|token$|connectionstring$)/i;
const NOT_SECRET_FIELD = /(name|id|type|uri|url|time|permissions)$/i;

/** Whether a JSON field with this name holds a secret in an ARM action answer. */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name) && !NOT_SECRET_FIELD.test(name);
}

/**
 * Returns a deep copy of an ARM action answer with every secret replaced by its digest:
 * `{ keys: [{ keyName: 'key1', value: 'abc…' }] }` → `{ keys: [{ keyName: 'key1', value: 'sha256:…' }] }`.
 */
export function redactSecrets(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(redactSecrets);
  if (body && typeof body === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) {
      out[k] = typeof v === 'string' && isSecretField(k) ? digestSecret(v) : redactSecrets(v);
    }
    return out;
  }
  return body;
}
