import { describe, expect, it } from '@jest/globals';
import { isStoredId, USERNAME_RE } from '@gambit/protocol';
import { playerIdFor, tombstoneFor, usernameCandidates } from './identity.js';

describe('playerIdFor', () => {
  it('is stable for one subject, different per issuer and subject, and a stored id', () => {
    const a = playerIdFor('https://idp.example', 'sub-1');
    expect(playerIdFor('https://idp.example', 'sub-1')).toBe(a);
    expect(playerIdFor('https://other.example', 'sub-1')).not.toBe(a);
    expect(playerIdFor('https://idp.example', 'sub-2')).not.toBe(a);
    expect(a).toMatch(/^u_[A-Za-z0-9_-]{22}$/);
    expect(isStoredId(a)).toBe(true);
  });
});

describe('tombstoneFor', () => {
  it('names a deleted player the same way every time, without the old name', () => {
    expect(tombstoneFor('u_abc')).toBe(tombstoneFor('u_abc'));
    expect(tombstoneFor('u_abc')).toMatch(/^deleted-[0-9a-f]{6}$/);
    expect(tombstoneFor('u_abd')).not.toBe(tombstoneFor('u_abc'));
  });
});

describe('usernameCandidates', () => {
  it('tries the provider name first, cleaned to the username rule, then generated ones', () => {
    const c = usernameCandidates({ preferred_username: 'Alice', email: 'alice.b@example.com' });
    expect(c[0]).toBe('Alice');
    expect(c).toContain('aliceb');
    expect(c.every((n) => USERNAME_RE.test(n))).toBe(true);
    expect(new Set(c).size).toBe(c.length);
  });

  it('generates valid names when the provider gives nothing usable', () => {
    const c = usernameCandidates({ preferred_username: 'é', name: 42 });
    expect(c.length).toBeGreaterThanOrEqual(5);
    expect(c.every((n) => USERNAME_RE.test(n) && n.startsWith('player-'))).toBe(true);
  });
});
