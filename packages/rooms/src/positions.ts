// Live games by room (chess.js position and every ply's FEN), so a move does not replay the
// whole game (~0.1 ms a ply). Bounded (least recently used goes first), and checked against the
// stored room before use. With several engines a room's commands alternate between them, so the
// cached game is usually a ply or two behind: it plays just those (the capacity probe measured
// 5,695 us of engine CPU a move with two engines replaying, 613 us with one engine).
import { catchUp, replay, type Game } from './rules/chess.js';
import type { RoomState } from './rules/state.js';

export class PositionCache {
  private readonly map = new Map<string, Game>();
  constructor(private readonly max = 20_000) {}

  /**
   * The cached game brought up to the stored room when its moves are a prefix of the room's,
   * otherwise (a takeback, a new game in the room, nothing cached) a replay of the stored moves.
   */
  get(room: string, state: RoomState | null): Game {
    const moves = state?.moves ?? [];
    const cached = this.map.get(room);
    this.map.delete(room);
    let game = cached && isPrefix(cached.uci, moves) ? catchUp(cached, moves) : undefined;
    if (!game || (state && game.chess.fen() !== state.fen)) game = replay(moves);
    this.map.set(room, game);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return game;
  }

  delete(room: string): void {
    this.map.delete(room);
  }
}

function isPrefix(head: readonly string[], all: readonly string[]): boolean {
  if (head.length > all.length) return false;
  for (let i = head.length - 1; i >= 0; i--) if (head[i] !== all[i]) return false;
  return true;
}
