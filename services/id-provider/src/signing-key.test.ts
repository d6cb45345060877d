// The signing key: PEM in, private JWK with its algorithm and a thumbprint kid out; others refused.
import { describe, expect, test } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { signingJwk } from './signing-key.js';

const pem = (type: 'ec' | 'rsa' | 'ed25519', opts: object = {}) =>
  (generateKeyPairSync as (t: string, o: object) => { privateKey: import('node:crypto').KeyObject })(type, opts)
    .privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('signingJwk', () => {
  test('EC P-256 signs ES256, RSA RS256; the kid is stable for one key', () => {
    const ec = pem('ec', { namedCurve: 'P-256' });
    expect(signingJwk(ec)).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(signingJwk(ec).d).toBeDefined();
    expect(signingJwk(ec).kid).toBe(signingJwk(ec).kid);
    expect(signingJwk(pem('ec', { namedCurve: 'P-256' })).kid).not.toBe(signingJwk(ec).kid);
    expect(signingJwk(pem('rsa', { modulusLength: 2048 }))).toMatchObject({ kty: 'RSA', alg: 'RS256' });
  });

  test('the SEC1 and PKCS1 forms Helm\'s genPrivateKey writes are read too', () => {
    const legacy = (type: 'ec' | 'rsa', opts: object) =>
      (generateKeyPairSync as (t: string, o: object) => { privateKey: import('node:crypto').KeyObject })(type, opts)
        .privateKey.export({ type: type === 'ec' ? 'sec1' : 'pkcs1', format: 'pem' }).toString();
    const ec = legacy('ec', { namedCurve: 'P-256' });
    expect(ec).toContain('-----BEGIN EC PRIVATE KEY-----');
    expect(signingJwk(ec)).toMatchObject({ kty: 'EC', alg: 'ES256' });
    expect(signingJwk(legacy('rsa', { modulusLength: 2048 }))).toMatchObject({ kty: 'RSA', alg: 'RS256' });
  });

  test('other keys and non-keys are refused with the reason', () => {
    expect(() => signingJwk(pem('ec', { namedCurve: 'P-384' }))).toThrow(/EC P-256 or an RSA/);
    expect(() => signingJwk(pem('ed25519'))).toThrow(/EC P-256 or an RSA/);
    expect(() => signingJwk('hello')).toThrow(/PEM private key/);
    expect(() => signingJwk('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----')).toThrow(/not a readable/);
  });
});
