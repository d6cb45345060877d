import { describe, expect, it } from '@jest/globals';
import { clearedCookie, safeReturn, safeReturnPath, sameSite, sessionCookie, sessionIdFrom } from './web.js';

describe('safeReturnPath', () => {
  it('keeps a same-site path and refuses anything that leaves the site', () => {
    expect(safeReturnPath('/@/alice?x=1')).toBe('/@/alice?x=1');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', null, '/a\nb', '/auth/login', `/${'a'.repeat(600)}`]) {
      expect(safeReturnPath(bad)).toBe('/');
    }
  });
});

describe('safeReturn', () => {
  const PAGE = 'https://chess.example.com';

  it('without page origins: same-site paths only, as safeReturnPath', () => {
    expect(safeReturn('/@/alice?x=1')).toBe('/@/alice?x=1');
    for (const bad of ['https://chess.example.com/', '//evil.example', null, '/auth/login']) expect(safeReturn(bad)).toBe('/');
  });

  it('with page origins (the page on a CDN): an absolute URL on one of them, paths on the first, anything else to its home', () => {
    const origins = [PAGE, 'http://127.0.0.1:8081'];
    expect(safeReturn('https://chess.example.com/room/ABCD2345', origins)).toBe('https://chess.example.com/room/ABCD2345');
    expect(safeReturn('http://127.0.0.1:8081/@/ann?x=1#2', origins)).toBe('http://127.0.0.1:8081/@/ann?x=1#2');
    expect(safeReturn('https://chess.example.com/@/a b', origins)).toBe('https://chess.example.com/@/a%20b');
    expect(safeReturn('/friends', origins)).toBe('https://chess.example.com/friends');
    for (const bad of [
      'https://evil.example/', 'https://chess.example.com.evil.example/', 'http://chess.example.com/', 'https://chess.example.com:444/',
      'https://user:pw@chess.example.com/', 'javascript:alert(1)', 'https://chess.example.com/auth/login', 'https://chess.example.com/a\nb',
      `https://chess.example.com/${'a'.repeat(600)}`, '//evil.example', 'not a url', '', null,
    ]) {
      expect(safeReturn(bad, origins)).toBe('https://chess.example.com/');
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

  it('accepts the page\'s origins (PAGE_ORIGINS) too, and only them', () => {
    expect(sameSite('https://chess.example.com', 'https://api.example.com', ['https://chess.example.com'])).toBe(true);
    expect(sameSite('https://api.example.com', 'https://api.example.com', ['https://chess.example.com'])).toBe(true);
    expect(sameSite('https://evil.example', 'https://api.example.com', ['https://chess.example.com'])).toBe(false);
  });
});

describe('session cookie', () => {
  it('is HttpOnly and Lax always, Secure under https', () => {
    expect(sessionCookie('abc', { secure: false, maxAgeSeconds: 60 })).toBe('gambit_sid=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
    expect(sessionCookie('abc', { secure: true, maxAgeSeconds: 60 })).toMatch(/; Secure$/);
  });

  it('is SameSite=None (and so Secure) only when asked for: a page on another site', () => {
    expect(sessionCookie('abc', { secure: true, maxAgeSeconds: 60, sameSite: 'None' })).toBe('gambit_sid=abc; Path=/; HttpOnly; SameSite=None; Max-Age=60; Secure');
    expect(sessionCookie('abc', { secure: false, maxAgeSeconds: 60, sameSite: 'None' })).toMatch(/SameSite=None; Max-Age=60; Secure$/);
    expect(clearedCookie(true, 'None')).toBe('gambit_sid=; Path=/; HttpOnly; SameSite=None; Max-Age=0; Secure');
    expect(clearedCookie(false)).toBe('gambit_sid=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0');
  });

  it('is read back only when it looks like a session id', () => {
    const sid = 'A'.repeat(32);
    expect(sessionIdFrom(`x=1; gambit_sid=${sid}; y=2`)).toBe(sid);
    expect(sessionIdFrom('gambit_sid=short')).toBeNull();
    expect(sessionIdFrom('gambit_sid=../../etc/passwd-aaaaaaaaaaaaaaaa')).toBeNull();
    expect(sessionIdFrom(undefined)).toBeNull();
  });
});
