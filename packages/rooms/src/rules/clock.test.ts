import { describe, expect, test } from '@jest/globals';
import { flagAt, hasFlagged, punch, remaining, startClock, stop } from './clock.js';

describe('clock', () => {
  test('white runs from the start; time is taken from the side to move only', () => {
    const c = startClock(60_000, 1_000);
    expect(remaining(c, 'white', 11_000)).toBe(50_000);
    expect(remaining(c, 'black', 11_000)).toBe(60_000);
    expect(flagAt(c)).toBe(61_000);
  });

  test('Fischer increment is added after the move, then the other clock runs', () => {
    const c = punch(startClock(60_000, 0), 'white', 2_000, 10_000);
    expect(c).toEqual({ white: 52_000, black: 60_000, running: 'black', at: 10_000 });
    expect(flagAt(c)).toBe(70_000);
  });

  test('time between receipt and publication is charged to nobody', () => {
    // White's move reached us at 10 s, was published at 11.5 s (say, claimed from a dead engine).
    const c = punch(startClock(60_000, 0), 'white', 0, 10_000, 11_500);
    expect(c).toEqual({ white: 50_000, black: 60_000, running: 'black', at: 11_500 });
  });

  test('the flag falls at zero, not before', () => {
    const c = startClock(1_000, 0);
    expect(hasFlagged(c, 999)).toBeNull();
    expect(hasFlagged(c, 1_000)).toBe('white');
  });

  test('with a grace (lag.ts), the flag falls that long past zero', () => {
    const c = startClock(1_000, 0);
    expect(flagAt(c, 400)).toBe(1_400);
    expect(hasFlagged(c, 1_399, 400)).toBeNull();
    expect(hasFlagged(c, 1_400, 400)).toBe('white');
  });

  test('stopping never shows negative time', () => {
    expect(stop(startClock(1_000, 0), 5_000)).toEqual({ white: 0, black: 1_000, running: null, at: 5_000 });
  });
});
