import { expect, test } from '@jest/globals';
import { ConfigError } from '@gambit/common';
import { loadControllerConfig } from './config.js';

test('defaults: in-cluster, a 15 s Lease, the engines\' room TTL', () => {
  const c = loadControllerConfig({ POD_NAME: 'room-reaper-0' });
  expect(c).toMatchObject({
    KUBERNETES: 'in-cluster', POD_NAME: 'room-reaper-0', POD_NAMESPACE: 'default', LEASE_NAME: 'gambit-room-reaper',
    LEASE_DURATION_MS: 15_000, LEASE_RENEW_DEADLINE_MS: 10_000, LEASE_RETRY_MS: 2_000, ROOM_TTL_MS: 3_600_000,
    GATEWAY_SELECTOR: 'app.kubernetes.io/component=gateway', METRICS_PORT: 9102, KEY_PREFIX: 'gambit',
  });
});

test('a bad value stops the start, naming the variable', () => {
  expect(() => loadControllerConfig({ KUBERNETES: 'maybe' })).toThrow(ConfigError);
  expect(() => loadControllerConfig({ KUBERNETES: 'maybe', REAP_EVERY_MS: 'soon' })).toThrow(/KUBERNETES="maybe"[\s\S]*REAP_EVERY_MS="soon"/);
  expect(() => loadControllerConfig({ POD_NAMESPACE: 'Not_A_Namespace' })).toThrow(/POD_NAMESPACE/);
});

test('Lease timings that cannot work are refused: renew deadline below the duration, retries below the deadline, whole seconds', () => {
  expect(() => loadControllerConfig({ LEASE_DURATION_MS: '10000', LEASE_RENEW_DEADLINE_MS: '10000' })).toThrow(/LEASE_RENEW_DEADLINE_MS="10000": must be below LEASE_DURATION_MS/);
  expect(() => loadControllerConfig({ LEASE_RETRY_MS: '10000' })).toThrow(/LEASE_RETRY_MS="10000": must be below LEASE_RENEW_DEADLINE_MS/);
  expect(() => loadControllerConfig({ LEASE_DURATION_MS: '15500' })).toThrow(/LEASE_DURATION_MS="15500": must be whole seconds/);
});

test('an empty variable means its default', () => {
  expect(loadControllerConfig({ LEASE_NAME: '' }).LEASE_NAME).toBe('gambit-room-reaper');
});
