// isOrigin: an origin only as a browser's Origin header spells it, so a setting listing origins
// (the gateway's ALLOWED_ORIGINS, the accounts service's PAGE_ORIGINS) never holds one that cannot match.
import { describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { commonConfig, isOrigin } from './config.js';
import { clusterNodes, connectRedis, redactUrl } from './redis.js';

describe('isOrigin', () => {
  test.each([
    'https://a.example',
    'http://localhost:8080',
    'http://127.0.0.1:3000',
    'https://[::1]:8443',
    'https://xn--bcher-kva.example',
  ])('accepts %s', (o) => {
    expect(isOrigin(o)).toBe(true);
  });

  test.each([
    ['https://a.example/', 'a trailing slash'],
    ['https://a.example/path', 'a path'],
    ['https://a.example?x=1', 'a query'],
    ['https://a.example#f', 'a fragment'],
    ['https://user@a.example', 'credentials'],
    ['https://A.example', 'an uppercase host'],
    ['https://bücher.example', 'a host not in punycode'],
    ['https://a.example:443', "https's default port"],
    ['http://a.example:80', "http's default port"],
    [' https://a.example', 'surrounding space'],
    ['null', 'the opaque origin'],
    ['*', 'a wildcard'],
    ['', 'nothing'],
    ['ftp://x', 'another scheme'],
    ['ws://a.example', 'a WebSocket scheme'],
    ['file:///tmp', 'a file URL'],
  ])('refuses %s (%s)', (o) => {
    expect(isOrigin(o)).toBe(false);
  });
});

describe('REDIS_MODE and REDIS_URL', () => {
  const schema = z.object(commonConfig);
  test('a cluster takes its startup nodes comma-separated; a single Redis refuses a list', () => {
    expect(schema.parse({ REDIS_MODE: 'cluster', REDIS_URL: 'redis://a:7000,redis://b:7001' })).toMatchObject({ REDIS_MODE: 'cluster' });
    expect(clusterNodes('redis://a:7000, b:7001')).toEqual(['redis://a:7000', 'redis://b:7001']);
    expect(() => clusterNodes('http://a:7000')).toThrow('not a redis:// or rediss:// node');
    expect(() => connectRedis('redis://a:7000,redis://b:7001', 'x', 'single')).toThrow('REDIS_MODE=cluster');
    expect(schema.safeParse({ REDIS_MODE: 'sharded' }).success).toBe(false);
    expect(schema.parse({}).REDIS_MODE).toBe('single');
    // A comma in a single Redis's password is not a list of nodes, and never logged.
    expect(() => {
      const r = connectRedis('redis://:pa,ss@127.0.0.1:1', 'x', 'single');
      r.on('error', () => undefined);
      r.disconnect();
    }).not.toThrow();
    expect(redactUrl('redis://:pa,ss@host:6379')).toBe('redis://:***@host:6379');
    expect(redactUrl('redis://:secret@a:7000,redis://:secret@b:7000')).toBe('redis://:***@a:7000,redis://:***@b:7000');
  });
});
