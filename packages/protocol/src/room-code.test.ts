// Room codes: random ones, and the friends' own room, which must be the same whoever asks.
import { describe, expect, test } from '@jest/globals';
import { ROOM_CODE_RE, newRoomCode, pairRoomCode } from './room-code.js';

describe('room codes', () => {
  test('random codes look like codes', () => {
    for (let i = 0; i < 100; i++) expect(newRoomCode()).toMatch(ROOM_CODE_RE);
  });

  test('a pair\'s room is a valid code, the same in either order and every time, and another pair\'s differs', () => {
    const ab = pairRoomCode('u_alice', 'u_bob');
    expect(ab).toMatch(ROOM_CODE_RE);
    expect(pairRoomCode('u_bob', 'u_alice')).toBe(ab);
    expect(pairRoomCode('u_alice', 'u_bob')).toBe(ab);
    expect(pairRoomCode('u_alice', 'u_carol')).not.toBe(ab);
  });

  test('pair codes spread over the alphabet (1,000 pairs, no repeats)', () => {
    const codes = new Set(Array.from({ length: 1000 }, (_, i) => pairRoomCode(`u_${i}`, 'u_x')));
    expect(codes.size).toBe(1000);
    expect(new Set([...codes].join(''))).toHaveProperty('size', 31);
  });
});
