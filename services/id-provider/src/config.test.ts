// Settings: defaults, lists, and bad values named (secrets without their values).
import { describe, expect, test } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { loadIdProviderConfig } from './config.js';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const good = {
  ISSUER: 'http://localhost:8090/', CLIENT_SECRET: 's'.repeat(32), REDIRECT_URIS: 'http://localhost:8080/auth/callback',
  COOKIE_KEYS: 'k'.repeat(32), SIGNING_KEY: key.replace(/\n/g, '\\n'),
};
const problem = (env: Record<string, string>) => {
  try {
    loadIdProviderConfig({ ...good, ...env });
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
};

describe('id-provider config', () => {
  test('defaults, comma lists, \\n escapes in the key, the issuer as an origin', () => {
    const c = loadIdProviderConfig({ ...good, POST_LOGOUT_REDIRECT_URIS: 'http://localhost:8080/, http://127.0.0.1:8080/', COOKIE_KEYS: `${'a'.repeat(32)},${'b'.repeat(40)}` });
    expect(c).toMatchObject({ PORT: 8090, HOST: '0.0.0.0', CLIENT_ID: 'gambit', ISSUER: 'http://localhost:8090', TRUST_PROXY: false,
      LOGIN_FAILURES_PER_ACCOUNT: 5, LOGIN_FAILURES_PER_ADDRESS: 30, LOGIN_WINDOW_SECONDS: 900 });
    expect(c.POST_LOGOUT_REDIRECT_URIS).toEqual(['http://localhost:8080/', 'http://127.0.0.1:8080/']);
    expect(c.COOKIE_KEYS).toHaveLength(2);
    expect(c.SIGNING_KEY).toContain('-----BEGIN PRIVATE KEY-----\n');
  });

  test('each bad setting is named', () => {
    expect(problem({ CLIENT_SECRET: 'short' })).toMatch(/CLIENT_SECRET=\(5 characters, hidden\): must be at least 32 characters/);
    expect(problem({ CLIENT_SECRET: '' })).toMatch(/CLIENT_SECRET.*required/);
    expect(problem({ ISSUER: 'http://localhost:8090/idp' })).toMatch(/ISSUER.*must be an origin/);
    expect(problem({ ISSUER: 'ftp://localhost' })).toMatch(/ISSUER/);
    expect(problem({ REDIRECT_URIS: '' })).toMatch(/REDIRECT_URIS.*at least one/);
    expect(problem({ REDIRECT_URIS: 'not a url' })).toMatch(/REDIRECT_URIS/);
    expect(problem({ COOKIE_KEYS: `${'a'.repeat(32)},short` })).toMatch(/COOKIE_KEYS=\(\d+ characters, hidden\): each key/);
    expect(problem({ SIGNING_KEY: 'nonsense' })).toMatch(/SIGNING_KEY=\(8 characters, hidden\): must be a PEM private key/);
    expect(problem({ LOGIN_WINDOW_SECONDS: '0' })).toMatch(/LOGIN_WINDOW_SECONDS/);
    expect(problem({ TRUST_PROXY: 'maybe' })).toMatch(/TRUST_PROXY/);
    expect(problem({})).toBe('no error');
  });
});
