// One bucket per player, whatever socket says the line; full buckets are let go.
import { describe, expect, test } from '@jest/globals';
import { ChatRates } from './chat-rates.js';

const GUEST = { rate: 0.2, burst: 3 };

describe('ChatRates', () => {
  test('a player\'s burst is shared by all their sockets, and refills at the rate', () => {
    const r = new ChatRates();
    expect([1, 2, 3, 4].map(() => r.take('g_a', GUEST, 0))).toEqual([true, true, true, false]);
    expect(r.take('g_b', GUEST, 0)).toBe(true); // another player has their own
    expect(r.take('g_a', GUEST, 4_999)).toBe(false);
    expect(r.take('g_a', GUEST, 5_000)).toBe(true);
  });

  test('when many are kept, those refilled are dropped, the busy ones stay', () => {
    const r = new ChatRates(2);
    r.take('g_a', GUEST, 0);
    r.take('g_b', GUEST, 14_000);
    r.take('g_c', GUEST, 15_000); // g_a refilled by now (3 lines in 15 s): dropped
    expect(r.size).toBe(2);
  });
});
