import { describe, expect, it } from '@jest/globals';
import { isStoredId, USERNAME_RE, usernameProblem } from '@gambit/protocol';
import { newTombstone, playerIdFor, usernameCandidates } from './identity.js';

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

describe('newTombstone', () => {
  it('is random (not computable from the player id) and a name nobody can register', () => {
    const names = new Set(Array.from({ length: 50 }, () => newTombstone()));
    expect(names.size).toBeGreaterThan(45);
    for (const n of names) {
      expect(n).toMatch(/^deleted-[0-9a-f]{6}$/);
      expect(usernameProblem(n)).toMatch(/deleted-/);
    }
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

  it('generates valid names when the provider gives nothing usable (or a reserved one)', () => {
    const c = usernameCandidates({ preferred_username: 'deleted-abc123', name: 42 });
    expect(c.length).toBeGreaterThanOrEqual(5);
    expect(c.every((n) => USERNAME_RE.test(n) && n.startsWith('player-'))).toBe(true);
  });
});
