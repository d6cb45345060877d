// A socket's lag: round trips of our own pings, smoothed; pongs we did not ask for teach nothing; a
// client's claim passes only as far as our measurement supports, and nothing past MAX_LAG_MS.
import { describe, expect, test } from '@jest/globals';
import { MAX_LAG_MS } from '@gambit/protocol';
import { LagEstimate } from './lag-estimate.js';

describe('lag estimate', () => {
  test('a pong answering our ping is a sample; the estimate follows the samples smoothly', () => {
    const e = new LagEstimate();
    expect(e.rtt).toBeNull();
    expect(e.forMove()).toBe(0);
    e.pong(e.ping(1_000), 1_300);
    expect(e.rtt).toBe(300);
    e.pong(e.ping(2_000), 2_700); // one slow answer moves it a quarter of the way
    expect(e.rtt).toBe(400);
    expect(e.forMove()).toBe(400);
  });

  test('pings in flight together are told apart by their payload', () => {
    const e = new LagEstimate();
    const a = e.ping(0);
    const b = e.ping(100);
    e.pong(b, 200);
    expect(e.rtt).toBe(100);
    e.pong(a, 200);
    expect(e.rtt).toBe(125); // 100 + (200 - 100) / 4
  });

  test('unsolicited, repeated or foreign pongs are no samples', () => {
    const e = new LagEstimate();
    const p = e.ping(0);
    e.pong(Buffer.alloc(0), 5_000);
    e.pong(Buffer.from([0, 0, 0, 9]), 5_000);
    expect(e.rtt).toBeNull();
    e.pong(p, 50);
    e.pong(p, 9_000); // the same answer again
    expect(e.rtt).toBe(50);
  });

  test('a claim is taken up to one and a half times the measurement plus 100 ms, and never past the cap', () => {
    const e = new LagEstimate();
    expect(e.forMove(5_000)).toBe(100); // nothing measured yet: the slack alone
    e.sample(200);
    expect(e.forMove(180)).toBe(180); // less than measured: the client's word
    expect(e.forMove(350)).toBe(350);
    expect(e.forMove(10_000)).toBe(400);
    e.sample(5_000);
    e.sample(5_000);
    e.sample(5_000);
    expect(e.forMove()).toBe(MAX_LAG_MS);
    expect(e.forMove(1e9)).toBe(MAX_LAG_MS);
  });
});
