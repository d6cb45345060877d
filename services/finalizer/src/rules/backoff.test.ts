import { describe, expect, it } from '@jest/globals';
import { backoffDelay, backoffSchedule } from './backoff.js';

describe('backoff', () => {
  it('doubles from the base: 5 attempts wait 250, 500, 1000, 2000 ms', () => {
    expect(backoffSchedule()).toEqual([250, 500, 1000, 2000]);
    expect(backoffSchedule(3, 50)).toEqual([50, 100]);
  });

  it('has no wait for a single attempt', () => {
    expect(backoffSchedule(1)).toEqual([]);
  });

  it('keeps jitter within the given fraction', () => {
    expect(backoffDelay(3, 250, 0.1, () => 0)).toBe(900);
    expect(backoffDelay(3, 250, 0.1, () => 1)).toBe(1100);
    expect(backoffDelay(3, 250, 0.1, () => 0.5)).toBe(1000);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(2, 250, 0.2);
      expect(d).toBeGreaterThanOrEqual(400);
      expect(d).toBeLessThanOrEqual(600);
    }
  });
});
