// TURN REST credentials: the layout coturn checks (expiry:name, base64 HMAC-SHA1 of the secret).
import { describe, expect, test } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { iceServers, turnCredentials } from './turn.js';

describe('TURN credentials', () => {
  test('username is expiry:player, the password an HMAC-SHA1 of the username with the secret', () => {
    const { username, credential } = turnCredentials('s3cret', 'u_ada', 1_700_000_000_500, 3600);
    expect(username).toBe('1700003600:u_ada');
    expect(credential).toBe(createHmac('sha1', 's3cret').update('1700003600:u_ada').digest('base64'));
    expect(turnCredentials('other', 'u_ada', 1_700_000_000_500, 3600).credential).not.toBe(credential);
  });

  test('STUN without credentials; TURN only with a secret', () => {
    const base = { turnUrls: ['turn:127.0.0.1:3478?transport=udp'], ttlS: 60, stunUrls: ['stun:127.0.0.1:3478'] };
    expect(iceServers({ ...base, secret: 'k' }, 'g_x', 0)).toEqual({
      ttlS: 60, iceServers: [{ urls: ['stun:127.0.0.1:3478'] }, { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '60:g_x', credential: expect.any(String) }],
    });
    expect(iceServers(base, 'g_x', 0).iceServers).toEqual([{ urls: ['stun:127.0.0.1:3478'] }]);
  });
});
