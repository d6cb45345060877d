import { describe, expect, it } from '@jest/globals';
import { safeReturnPath, sameSite, sessionCookie, sessionIdFrom } from './web.js';

describe('safeReturnPath', () => {
  it('keeps a same-site path and refuses anything that leaves the site', () => {
    expect(safeReturnPath('/@/alice?x=1')).toBe('/@/alice?x=1');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', null, '/a\nb', '/auth/login', `/${'a'.repeat(600)}`]) {
      expect(safeReturnPath(bad)).toBe('/');
    }
  });
});

describe('sameSite', () => {
  it('accepts only the site origin itself', () => {
    expect(sameSite('https://chess.example.com', 'https://chess.example.com/')).toBe(true);
    expect(sameSite('https://evil.example', 'https://chess.example.com')).toBe(false);
    expect(sameSite('http://chess.example.com', 'https://chess.example.com')).toBe(false);
    expect(sameSite(undefined, 'https://chess.example.com')).toBe(false);
  });
});

describe('session cookie', () => {
  it('is HttpOnly and Lax always, Secure under https', () => {
    expect(sessionCookie('abc', { secure: false, maxAgeSeconds: 60 })).toBe('gambit_sid=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
    expect(sessionCookie('abc', { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
  });

  it('is read back only when it looks like a session id', () => {
    const sid = 'A'.repeat(32);
    expect(sessionIdFrom(`x=1; gambit_sid=${sid}; y=2`)).toBe(sid);
    expect(sessionIdFrom('gambit_sid=short')).toBeNull();
    expect(sessionIdFrom('gambit_sid=../../etc/passwd-aaaaaaaaaaaaaaaa')).toBeNull();
    expect(sessionIdFrom(undefined)).toBeNull();
  });
});
