import { describe, expect, test } from '@jest/globals';
import { Chess, canWinOnTime, positionalEnd } from './chess.js';

describe('chess rules', () => {
  test('insufficient material ends the game', () => {
    expect(positionalEnd(new Chess('8/8/8/4k3/8/8/8/4KB2 w - - 0 1'))).toEqual({ result: '1/2-1/2', reason: 'insufficient_material' });
  });
  test('fifty moves without capture or pawn move', () => {
    expect(positionalEnd(new Chess('8/8/8/4k3/8/8/8/R3K2R w - - 100 80'))).toEqual({ result: '1/2-1/2', reason: 'fifty_moves' });
  });
  test('who can still win on time', () => {
    expect(canWinOnTime(new Chess('4k3/8/8/8/8/8/8/R3K3 w - - 0 1'), 'black')).toBe(false);
    expect(canWinOnTime(new Chess('4k3/8/8/8/8/8/8/R3K3 w - - 0 1'), 'white')).toBe(true);
    expect(canWinOnTime(new Chess('4k3/8/8/8/8/8/8/N3K3 w - - 0 1'), 'white')).toBe(false);
    expect(canWinOnTime(new Chess('4k3/7p/8/8/8/8/8/N3K3 w - - 0 1'), 'white')).toBe(true);
  });
});
