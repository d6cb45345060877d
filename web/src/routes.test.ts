import { describe, expect, test } from '@jest/globals';
import { gamePath, looksLikeCode, normalizeCode, playerPath, roomFromUrl, signInHref } from './routes.js';

describe('routes', () => {
  test('a room code from the canonical and the old URL; none elsewhere', () => {
    expect(roomFromUrl('/room/ABCD2345', '')).toBe('ABCD2345');
    expect(roomFromUrl('/room/abcd2345/', '')).toBe('ABCD2345');
    expect(roomFromUrl('/', '?room=abcd-2345')).toBe('ABCD2345');
    expect(roomFromUrl('/', '')).toBeNull();
    expect(roomFromUrl('/game/x', '?room=ABCD2345')).toBeNull();
    expect(looksLikeCode(normalizeCode(' abcd 2345 '))).toBe(true);
    expect(looksLikeCode('ABCD1234')).toBe(false); // 1 is not in the alphabet
  });

  test('links', () => {
    expect(playerPath('Ann_1')).toBe('/@/Ann_1');
    expect(gamePath('g 1')).toBe('/game/g%201');
    expect(signInHref('/@/ann?x=1')).toBe('/auth/login?return=%2F%40%2Fann%3Fx%3D1');
    expect(signInHref('/account', 'signup')).toBe('/auth/signup?return=%2Faccount');
    expect(signInHref('//evil.example/')).toBe('/auth/login?return=%2F'); // only same-site paths go back
  });
});
