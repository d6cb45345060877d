// Live chess.js positions by room, so a move does not replay the whole game (~0.1 ms a ply).
// Bounded (least recently used goes first), and checked against the stored FEN before use.
import { replay, type Chess } from './rules/chess.js';
import type { RoomState } from './rules/state.js';

export class PositionCache {
  private readonly map = new Map<string, Chess>();
  constructor(private readonly max = 20_000) {}

  /** The cached position if it matches the stored game, otherwise a replay of the stored moves. */
  get(room: string, state: RoomState | null): Chess {
    const moves = state?.moves ?? [];
    const cached = this.map.get(room);
    this.map.delete(room);
    const fen = state?.fens[state.fens.length - 1];
    // Plies played, from the move number and the side to move: O(1). chess.js history() undoes
    // and replays the whole game with SAN for every ply (O(plies x move generation)).
    const plies = (c: Chess) => 2 * (c.moveNumber() - 1) + (c.turn() === 'b' ? 1 : 0);
    const chess = cached && plies(cached) === moves.length && (!fen || cached.fen() === fen) ? cached : replay(moves);
    this.map.set(room, chess);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return chess;
  }

  delete(room: string): void {
    this.map.delete(room);
  }
}
