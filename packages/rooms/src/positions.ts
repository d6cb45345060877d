// Live games by room (chess.js position and every ply's FEN), so a move does not replay the
// whole game (~0.1 ms a ply). Bounded (least recently used goes first), and checked against the
// stored room before use.
import { replay, type Game } from './rules/chess.js';
import type { RoomState } from './rules/state.js';

export class PositionCache {
  private readonly map = new Map<string, Game>();
  constructor(private readonly max = 20_000) {}

  /** The cached game if it matches the stored room, otherwise a replay of the stored moves. */
  get(room: string, state: RoomState | null): Game {
    const moves = state?.moves ?? [];
    const cached = this.map.get(room);
    this.map.delete(room);
    // Plies played, from the move number and the side to move: O(1). chess.js history() undoes
    // and replays the whole game with SAN for every ply (O(plies x move generation)).
    const plies = (g: Game) => 2 * (g.chess.moveNumber() - 1) + (g.chess.turn() === 'b' ? 1 : 0);
    const fits = cached && plies(cached) === moves.length && cached.fens.length === moves.length + 1 && (!state || cached.chess.fen() === state.fen);
    const game = fits ? cached : replay(moves);
    this.map.set(room, game);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return game;
  }

  delete(room: string): void {
    this.map.delete(room);
  }
}
