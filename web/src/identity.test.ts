import { describe, expect, test } from '@jest/globals';
import { ApiError } from './api.js';
import { nextWay } from './identity.js';

describe('identity fallbacks', () => {
  test('no accounts service (404): the gateway guest tokens; a server away: retry', () => {
    expect(nextWay(new ApiError(404, 'not_found', ''), 'session')).toBe('fallback');
    expect(nextWay(new ApiError(0, 'network', ''), 'session')).toBe('retry');
    expect(nextWay(new ApiError(502, 'http_502', ''), 'session')).toBe('retry');
    expect(nextWay(new Error('boom'), 'session')).toBe('retry');
  });

  test('no guest tokens either (GUEST_TOKENS=false answers 404): give up and offer sign-in', () => {
    expect(nextWay(new ApiError(404, 'not_found', ''), 'guest')).toBe('give-up');
    expect(nextWay(new ApiError(403, 'http_403', ''), 'guest')).toBe('give-up');
    expect(nextWay(new ApiError(503, 'http_503', ''), 'guest')).toBe('retry');
    expect(nextWay(new ApiError(429, 'rate_limited', ''), 'guest')).toBe('retry');
  });
});
