// The game as the page shows it, rebuilt only from what the server says (a pure reducer).
// The board may run ahead by one optimistic move; this view never does.
import { Chess } from 'chess.js';
import type {
  Clock, EndReason, Result, RoomStatus, SeatView, Series, ServerMsg, Side, TimeControl,
} from '@gambit/protocol';
import { frozen } from './clock.js';

export const START_FEN = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

export type ViewStatus = 'none' | RoomStatus | 'closed';
/** A seat plus, while its player is away, the server time at which the reconnect grace runs out. */
export interface Seat extends SeatView { graceUntil: number | null }

export interface GameView {
  me: string | null; // our playerId, from `welcome`
  room: string | null;
  color: Side | null; // our seat; null while watching
  status: ViewStatus;
  seq: number; // last room event applied: what a reconnect resumes from
  fen: string;
  moves: string[]; // UCI
  san: string[];
  white: Seat | null;
  black: Seat | null;
  presenceVersion: Record<Side, number>;
  clock: Clock | null;
  tc: TimeControl | null;
  drawOffer: Side | null;
  result: Result | null;
  reason: EndReason | 'left' | 'expired' | null;
  pgn: string | null;
  /** The room's games so far and their score (from a server with rematches; null otherwise). */
  series: Series | null;
  /** After the end: the side (in the finished game) whose rematch offer stands. */
  rematchOffer: Side | null;
  /** A player left the finished game's room: no rematch any more. */
  rematchClosed: boolean;
  /** The finished game's id (from `ended`): its stored record has the rating changes. */
  gameId?: string;
  /** The side whose takeback request stands (the opponent answers it). */
  takebackOffer: Side | null;
  /** Each player's lag at their last move of this game (`moved.lag`, `state.lag`): their connection bars. */
  lag?: Partial<Record<Side, number>>;
}

export function emptyView(me: string | null = null): GameView {
  return {
    me, room: null, color: null, status: 'none', seq: 0, fen: START_FEN, moves: [], san: [],
    white: null, black: null, presenceVersion: { white: 0, black: 0 }, clock: null, tc: null,
    drawOffer: null, result: null, reason: null, pgn: null, series: null, rematchOffer: null, rematchClosed: false,
    takebackOffer: null,
  };
}

/** A fresh view for `room` (keeps who we are). */
export function roomView(prev: GameView, room: string, color: Side | null, status: ViewStatus): GameView {
  return { ...emptyView(prev.me), room, color, status };
}

const seat = (s: SeatView | null): Seat | null => (s ? { ...s, graceUntil: null } : null);

/** Our colour from the seats, when we know who we are; otherwise what we already believed. */
function ourColor(v: GameView, white: SeatView | null, black: SeatView | null): Side | null {
  if (!v.me) return v.color;
  if (white?.playerId === v.me) return 'white';
  if (black?.playerId === v.me) return 'black';
  return null;
}

/** SAN for a UCI list, for a server that sends `state` without `san`. */
export function sanFromUci(moves: string[]): string[] {
  const chess = new Chess();
  const out: string[] = [];
  for (const m of moves) {
    try {
      out.push(chess.move({ from: m.slice(0, 2), to: m.slice(2, 4), promotion: m[4] }).san);
    } catch {
      out.push(m); // keep the list aligned even if something is off
    }
  }
  return out;
}

/** Applies one server message. `serverNow` is the estimated server time (for grace and clock freezing). */
export function reduce(v: GameView, msg: ServerMsg, serverNow: number): GameView {
  switch (msg.t) {
    case 'welcome':
      return { ...v, me: msg.playerId };
    case 'created':
      return roomView(v, msg.room, msg.color, 'waiting');
    case 'joined':
    case 'paired': // the matchmaker seated us; `started` follows
      return v.room === msg.room && v.color === msg.color ? v : roomView(v, msg.room, msg.color, 'waiting');
    case 'pong':
    case 'pooled':
    case 'unpooled':
    case 'lobby':
    case 'crowd':
    case 'sought':
    case 'unsought':
    case 'error':
    case 'friends':
    case 'challenge_sent':
    case 'challenge_received':
    case 'challenge_gone':
    case 'challenges':
    case 'said': // chat (chat.ts): never part of the game
    case 'chat':
    case 'muted':
    case 'reported':
    case 'chat_mode':
    case 'signal': // WebRTC signalling between the players: not part of the game either
    case 'ice':
      return v;
  }
  // Room events: only ours, only new ones. A `state` may repeat the seq we have (fresh state on resume).
  if (msg.room !== v.room) return v;
  if (msg.t === 'state' ? msg.seq < v.seq : msg.seq <= v.seq) return v;
  const next = { ...v, seq: msg.seq };
  switch (msg.t) {
    case 'state':
      return {
        ...next,
        color: ourColor(v, msg.white, msg.black),
        status: msg.status,
        fen: msg.fen,
        moves: [...msg.moves],
        san: msg.san && msg.san.length === msg.moves.length ? [...msg.san] : sanFromUci(msg.moves),
        white: seat(msg.white),
        black: seat(msg.black),
        clock: msg.clock,
        tc: msg.tc,
        drawOffer: msg.drawOffer ?? null,
        result: msg.result ?? null,
        reason: msg.reason ?? null,
        pgn: msg.pgn ?? null,
        series: msg.series ?? v.series,
        rematchOffer: msg.rematchOffer ?? null,
        takebackOffer: msg.takebackOffer ?? null,
        lag: msg.lag ?? {},
        ...(msg.gameId ? { gameId: msg.gameId } : {}),
      };
    case 'started':
      // Also the next game of the room after a rematch: everything of the finished one goes.
      return {
        ...next, color: ourColor(v, msg.white, msg.black), status: 'active', fen: msg.fen, moves: [], san: [],
        white: seat(msg.white), black: seat(msg.black), clock: msg.clock, tc: msg.tc ?? v.tc, drawOffer: null,
        result: null, reason: null, pgn: null, series: msg.series ?? v.series, rematchOffer: null, rematchClosed: false,
        takebackOffer: null, lag: {},
      };
    case 'moved': {
      // `ply` is the count after this move; anything else means we hold a stale list, and the fen still wins.
      const fits = msg.ply === v.moves.length + 1;
      return {
        ...next, fen: msg.fen, clock: msg.clock,
        moves: fits ? [...v.moves, msg.uci] : v.moves,
        san: fits ? [...v.san, msg.san] : v.san,
        status: v.status === 'waiting' ? 'active' : v.status,
        takebackOffer: null, // a move answers a standing request with no (the server says so too)
        // The mover's lag (`ply` is the count after the move: odd is White's).
        ...(msg.lag === undefined ? {} : { lag: { ...v.lag, [msg.ply % 2 === 1 ? 'white' : 'black']: msg.lag } }),
      };
    }
    case 'draw_offered':
      return { ...next, drawOffer: msg.by };
    case 'draw_declined':
      return { ...next, drawOffer: null };
    case 'presence': {
      if (msg.reconnectVersion <= v.presenceVersion[msg.color]) return next; // an old change, already passed
      const s = v[msg.color];
      const updated: Seat | null = s && {
        ...s, connected: msg.connected, graceUntil: msg.connected ? null : serverNow + (msg.graceMs ?? 0),
      };
      return { ...next, [msg.color]: updated, presenceVersion: { ...v.presenceVersion, [msg.color]: msg.reconnectVersion } };
    }
    case 'ended':
      return {
        ...next, status: 'ended', result: msg.result, reason: msg.reason, pgn: msg.pgn, drawOffer: null, takebackOffer: null, series: msg.series ?? v.series,
        clock: msg.clock ?? (v.clock ? frozen(v.clock, serverNow) : null), ...(msg.gameId ? { gameId: msg.gameId } : {}),
      };
    case 'closed':
      return { ...next, status: 'closed', reason: msg.reason };
    case 'rematch_offered':
      return { ...next, rematchOffer: msg.by };
    case 'rematch_declined':
      return { ...next, rematchOffer: null, rematchClosed: v.rematchClosed || msg.reason === 'left' };
    case 'moretime':
      return { ...next, clock: msg.clock };
    case 'taken_back':
      // The game as it is after the takeback: a snapshot of moves, position and clock.
      return { ...next, moves: [...msg.moves], san: [...msg.san], fen: msg.fen, clock: msg.clock, drawOffer: null, takebackOffer: null };
    case 'takeback_offered':
      return { ...next, takebackOffer: msg.by };
    case 'takeback_declined':
      return { ...next, takebackOffer: null };
    default:
      return v; // a room event this page does not know (a newer server): ignored, as v1 allows
  }
}

// Derived facts the UI and board need.

export const other = (side: Side): Side => (side === 'white' ? 'black' : 'white');

export function turn(v: GameView): Side {
  return v.fen.split(' ')[1] === 'b' ? 'black' : 'white';
}

export const isPlayer = (v: GameView): boolean => v.color !== null && v.room !== null;
export const canMove = (v: GameView): boolean => v.status === 'active' && v.color === turn(v);
/** A takeback can be asked while we have a move on the board (the server counts the requests). */
export const canTakeback = (v: GameView): boolean =>
  v.status === 'active' && v.color !== null && v.takebackOffer === null && v.moves.length > (v.color === 'white' ? 0 : 1);

/** Abort is allowed until both sides have moved. */
export const canAbort = (v: GameView): boolean => v.status === 'active' && isPlayer(v) && v.moves.length < 2;

export function lastMove(v: GameView): { from: string; to: string } | null {
  const m = v.moves[v.moves.length - 1];
  return m ? { from: m.slice(0, 2), to: m.slice(2, 4) } : null;
}

/** "1-0 · checkmate", "½-½ · agreement", "— · aborted". */
export function resultText(v: GameView): string {
  const result = v.result === '1/2-1/2' ? '½-½' : (v.result ?? '—');
  return `${result} · ${(v.reason ?? '').replace(/_/g, ' ')}`;
}

/** A headline for the game-over panel, from our point of view when we played. */
export function resultTitle(v: GameView): string {
  if (v.status === 'closed') return v.reason === 'expired' ? 'Room expired' : 'Room closed';
  if (!v.result) return 'Game aborted';
  if (v.result === '1/2-1/2') return 'Draw';
  const winner: Side = v.result === '1-0' ? 'white' : 'black';
  if (!v.color) return winner === 'white' ? 'White wins' : 'Black wins';
  return winner === v.color ? 'You won' : 'You lost';
}
