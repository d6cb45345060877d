// The client address behind and without a trusted proxy.
import { describe, expect, test } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { clientAddress } from './http.js';

const req = (remote: string, xff?: string) => ({ socket: { remoteAddress: remote }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;

describe('clientAddress', () => {
  test('the socket address (IPv4-mapped shown as IPv4) unless the proxy is trusted', () => {
    expect(clientAddress(req('::ffff:10.0.0.5', '1.2.3.4'), false)).toBe('10.0.0.5');
    expect(clientAddress(req('::1'), true)).toBe('::1');
  });

  test('behind a trusted proxy: the entry the proxy added (the last), not what the client claimed', () => {
    expect(clientAddress(req('10.0.0.5', '6.6.6.6, 203.0.113.7'), true)).toBe('203.0.113.7');
    expect(clientAddress(req('10.0.0.5', ' , '), true)).toBe('10.0.0.5');
  });
});
