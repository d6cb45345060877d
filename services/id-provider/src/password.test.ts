// Password hashing: round trip, salts, stored parameters (so they can be raised), damaged records.
import { describe, expect, test } from '@jest/globals';
import { DEFAULT_PARAMS, decoyHash, hashPassword, needsRehash, verifyPassword } from './password.js';

const fast = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  test('the right password verifies, a wrong one does not', async () => {
    const stored = await hashPassword('correct horse', fast);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hors', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  test('a random salt per hash; the parameters are stored beside it', async () => {
    const [a, b] = await Promise.all([hashPassword('same', fast), hashPassword('same', fast)]);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });

  test('the default parameters, and hashes made with weaker ones still verify but ask to be redone', async () => {
    const strong = await hashPassword('pw-strong');
    expect(strong.startsWith(`scrypt$${DEFAULT_PARAMS.N}$${DEFAULT_PARAMS.r}$${DEFAULT_PARAMS.p}$`)).toBe(true);
    expect(needsRehash(strong)).toBe(false);
    const weak = await hashPassword('pw-weak', fast);
    expect(await verifyPassword('pw-weak', weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
  });

  test('Unicode is compared after NFC normalisation', async () => {
    const stored = await hashPassword('caf\u00e9 au lait', fast);
    expect(await verifyPassword('cafe\u0301 au lait', stored)).toBe(true);
  });

  test('damaged or hostile records never verify and never throw', async () => {
    const good = await hashPassword('pw', fast);
    const parts = good.split('$');
    for (const bad of ['', 'plain', 'bcrypt$1$2$3$4$5', good.replace('$1024$', '$1000$'), good.replace('$1024$', `$${2 ** 30}$`),
      [...parts.slice(0, 5), ''].join('$'), [...parts.slice(0, 4), '', parts[5]].join('$')]) {
      expect(await verifyPassword('pw', bad)).toBe(false);
      expect(needsRehash(bad)).toBe(true);
    }
  });

  test('the decoy hash is one hash, made once, that no guess matches', async () => {
    const decoy = await decoyHash();
    expect(await decoyHash()).toBe(decoy);
    expect(await verifyPassword('', decoy)).toBe(false);
  });
});
