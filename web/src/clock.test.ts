import { describe, expect, test } from '@jest/globals';
import { formatClock, frozen, remainingMs, ServerClock, timeSample } from './clock.js';

describe('clock', () => {
  const clock = { white: 60_000, black: 30_000, running: 'white' as const, at: 1_000 };

  test('only the running side loses time, measured in server time', () => {
    expect(remainingMs(clock, 'white', 3_500)).toBe(57_500);
    expect(remainingMs(clock, 'black', 3_500)).toBe(30_000);
    expect(remainingMs(clock, 'white', 100_000)).toBe(0); // never negative
    expect(remainingMs(clock, 'white', 500)).toBe(60_000); // an offset estimate a bit early never adds time
  });

  test('frozen stops the clock where it stood', () => {
    expect(frozen(clock, 11_000)).toEqual({ white: 50_000, black: 30_000, running: null, at: 11_000 });
  });

  test('the offset comes from the sample with the shortest round trip', () => {
    const sc = new ServerClock();
    expect(sc.now(5)).toBe(5);
    sc.add(timeSample(0, 10_100, 200)); // rtt 200: offset 10_000
    sc.add(timeSample(1_000, 11_520, 1_040)); // rtt 40: offset 10_500
    sc.add(timeSample(2_000, 14_000, 2_900)); // rtt 900
    expect(sc.offset).toBe(10_500);
    expect(sc.now(1_000)).toBe(11_500);
  });

  test('the lag a move reports is the median round trip: one slow welcome or late pong does not move it', () => {
    const sc = new ServerClock();
    expect(sc.lag).toBeNull();
    sc.add(timeSample(0, 0, 900)); // the welcome, after the token check
    sc.add(timeSample(1_000, 0, 1_120));
    sc.add(timeSample(2_000, 0, 2_100));
    expect(sc.lag).toBe(120);
    sc.add(timeSample(3_000, 0, 3_140));
    expect(sc.lag).toBe(130);
  });

  test('formats like a chess clock', () => {
    expect(formatClock(300_000)).toBe('5:00');
    expect(formatClock(299_999)).toBe('4:59');
    expect(formatClock(10_000)).toBe('0:10');
    expect(formatClock(9_999)).toBe('0:09.9');
    expect(formatClock(0)).toBe('0:00.0');
    expect(formatClock(-5)).toBe('0:00.0');
    expect(formatClock(3_900_000)).toBe('1:05:00');
  });
});
