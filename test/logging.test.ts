import { describe, expect, it } from 'vitest';
import { AzureLogger } from '@azure/logger';
import { installScrubbingLogger } from '../src/base/logging.js';
import { digestSecret, redactSecrets, scrub } from '../src/base/secrets.js';

describe('scrubbing', () => {
  it('removes bearer tokens, token fields and every secret seen, wherever they appear', () => {
    const key = 'K3y/Val+ue==/abcdefghijklmnop';
    digestSecret(key);
    expect(scrub(`Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.abc-def_ghi\r\nx: ${key}`)).toBe(
      'Authorization: Bearer [REDACTED]\r\nx: [REDACTED]',
    );
    expect(scrub('{"access_token":"abc.def","refresh_token": "xyz"}')).toBe('{"access_token":"[REDACTED]","refresh_token": "[REDACTED]"}');
  });

  it('routes Azure SDK log lines through scrub', () => {
    const lines: string[] = [];
    const original = AzureLogger.log;
    installScrubbingLogger((t) => lines.push(t));
    try {
      AzureLogger.log('azure:core-rest-pipeline:verbose %s', '_header: "GET / HTTP/1.1\\r\\nAuthorization: Bearer real.jwt.token\\r\\n"');
    } finally {
      AzureLogger.log = original;
    }
    expect(lines.join('')).toContain('Authorization: Bearer [REDACTED]');
    expect(lines.join('')).not.toContain('real.jwt.token');
  });

  it('redacts secret fields of action answers by digest, keeping names', () => {
    const out = redactSecrets({
      keys: [{ keyName: 'key1', permissions: 'FULL', value: 'abcdefghij' }],
      userStorageKey: 'zyxwvutsrq',
      username: 'cr',
      userStorageResourceId: '/subscriptions/x',
    }) as any;
    expect(out.keys[0]).toMatchObject({ keyName: 'key1', permissions: 'FULL', value: expect.stringMatching(/^sha256:/) });
    expect(out.userStorageKey).toMatch(/^sha256:/);
    expect(out.username).toBe('cr');
    expect(out.userStorageResourceId).toBe('/subscriptions/x');
  });
});
