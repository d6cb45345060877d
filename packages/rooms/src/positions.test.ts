// The position cache plays only what another engine added since, and replays when the stored
// room is not a continuation of what it holds (a takeback, another game).
import { describe, expect, test } from '@jest/globals';
import { PositionCache } from './positions.js';
import { replay } from './rules/chess.js';
import type { RoomState } from './rules/state.js';

/** The two fields the cache reads, from a real replay. */
const stored = (moves: string[]) => ({ moves, fen: replay(moves).chess.fen() }) as RoomState;

describe('PositionCache', () => {
  test('a game two plies behind (the other engine played them) is caught up, not replayed', () => {
    const cache = new PositionCache();
    const first = cache.get('R', stored(['e2e4', 'e7e5']));
    const later = cache.get('R', stored(['e2e4', 'e7e5', 'g1f3', 'b8c6']));
    expect(later).toBe(first);
    expect(later.uci).toEqual(['e2e4', 'e7e5', 'g1f3', 'b8c6']);
    expect(later.fens).toHaveLength(5);
    expect(later.chess.fen()).toBe(replay(['e2e4', 'e7e5', 'g1f3', 'b8c6']).chess.fen());
  });

  test('after a takeback (fewer moves) or a different line, the stored moves are replayed', () => {
    const cache = new PositionCache();
    const first = cache.get('R', stored(['e2e4', 'e7e5', 'g1f3']));
    const back = cache.get('R', stored(['e2e4', 'e7e5']));
    expect(back).not.toBe(first);
    expect(back.uci).toEqual(['e2e4', 'e7e5']);
    const other = cache.get('R', stored(['e2e4', 'c7c5', 'g1f3']));
    expect(other).not.toBe(back);
    expect(other.chess.fen()).toBe(replay(['e2e4', 'c7c5', 'g1f3']).chess.fen());
  });

  test('a cached board that does not match the stored FEN (a move left uncommitted) is replaced', () => {
    const cache = new PositionCache();
    const game = cache.get('R', stored(['d2d4']));
    game.chess.move('d5'); // as a refused commit would leave it, without the moves list
    const again = cache.get('R', stored(['d2d4']));
    expect(again).not.toBe(game);
    expect(again.chess.fen()).toBe(replay(['d2d4']).chess.fen());
  });

  test('the least recently used room goes first past the bound', () => {
    const cache = new PositionCache(2);
    const a = cache.get('A', stored(['e2e4']));
    cache.get('B', stored(['e2e4']));
    cache.get('C', stored(['e2e4']));
    expect(cache.get('A', stored(['e2e4']))).not.toBe(a);
  });
});
