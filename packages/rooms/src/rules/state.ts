// The state of one room, as stored in Redis (JSON) and as the pure rules see it.
import type { Clock, EndReason, Origin, Result, Series, Side, TimeControl, SeatView, StateMsg } from '@gambit/protocol';
import { lastLags, type LagTracker } from './lag.js';

export interface Seat {
  playerId: string;
  name: string;
  /** Sockets of this player in this room ("gateway/connection"); empty while disconnected. */
  conns: string[];
  reconnectVersion: number;
  /** When the seat is lost if nobody comes back (ms), or null while connected. */
  graceUntil: number | null;
  /** The player left the finished game's room (`leave`): no rematch with them any more. */
  left?: boolean;
}

export interface RoomState {
  code: string;
  gameId: string | null;
  status: 'waiting' | 'active' | 'ended';
  tc: TimeControl;
  white: Seat | null;
  black: Seat | null;
  moves: string[];
  san: string[];
  /** The position now. (Every ply's FEN is kept in the engine's memory for the game record.) */
  fen: string;
  clock: Clock;
  /** Time left for the mover after each ply. */
  clockHistory: number[];
  drawOffer: Side | null;
  seq: number;
  result: Result | null;
  reason: EndReason | null;
  pgn: string | null;
  createdAt: number;
  startedAt: number | null;
  endedAt: number | null;
  /** The games played in this room and their score (rules/rematch.ts). */
  series: Series;
  /** After the end: the side (in the finished game) whose rematch offer stands. */
  rematchOffer: Side | null;
  /** Ids of the latest state-changing commands: a redelivered command is recognised and skipped. */
  applied: string[];
  /** Rated games (signed-in players only); absent in casual rooms and rooms from before ratings. */
  rated?: boolean;
  /** The side whose takeback offer stands (rules/takeback.ts), and the offers each made this game. */
  takebackOffer?: Side | null;
  takebackOffers?: Record<Side, number>;
  /**
   * Lag compensation this game (rules/lag.ts): each side's quota, and each ply's lag and the
   * compensation given (index = ply - 1, like clockHistory). Absent until the game's first move
   * (and in rooms from before lag compensation).
   */
  lag?: Record<Side, LagTracker>;
  lagHistory?: number[];
  compHistory?: number[];
}

/** A seat's socket as the state names it: "gateway/connection". */
export const connId = (o: Origin): string => `${o.gw}/${o.conn}`;

/** A newly seated player with the one socket that asked. */
export function newSeat(o: Origin): Seat {
  return { playerId: o.playerId, name: o.name, conns: [connId(o)], reconnectVersion: 0, graceUntil: null };
}

export const START_FEN = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';
export const APPLIED_MEMORY = 64;

/**
 * A deep copy for the rules to change (they never touch the stored object). Written out rather
 * than structuredClone: this runs on every command and the generic clone cost ~6 % of the
 * engine's CPU.
 */
export function cloneState(s: RoomState): RoomState {
  const seat = (x: Seat | null): Seat | null => x && { ...x, conns: [...x.conns] };
  return {
    ...s, tc: { ...s.tc }, white: seat(s.white), black: seat(s.black), clock: { ...s.clock },
    moves: [...s.moves], san: [...s.san], clockHistory: [...s.clockHistory], applied: [...s.applied],
    series: { game: s.series.game, score: { ...s.series.score } },
    ...(s.takebackOffers ? { takebackOffers: { ...s.takebackOffers } } : {}),
    ...(s.lag ? { lag: { white: { ...s.lag.white }, black: { ...s.lag.black } } } : {}),
    ...(s.lagHistory ? { lagHistory: [...s.lagHistory] } : {}),
    ...(s.compHistory ? { compHistory: [...s.compHistory] } : {}),
  };
}

export function seatView(seat: Seat | null): SeatView | null {
  return seat && { playerId: seat.playerId, name: seat.name, connected: seat.conns.length > 0 };
}

export function seatOf(state: RoomState, playerId: string): Side | null {
  if (state.white?.playerId === playerId) return 'white';
  if (state.black?.playerId === playerId) return 'black';
  return null;
}

export function stateMsg(s: RoomState): StateMsg {
  const msg: StateMsg = {
    t: 'state', room: s.code, seq: s.seq, status: s.status, white: seatView(s.white), black: seatView(s.black),
    fen: s.fen, moves: s.moves, clock: s.clock, tc: s.tc, san: s.san, drawOffer: s.drawOffer,
  };
  if (s.status === 'ended') Object.assign(msg, { result: s.result, reason: s.reason, pgn: s.pgn ?? '', rematchOffer: s.rematchOffer });
  // The stored record's id once the game ended: a page reloaded after the end finds its rating change.
  if (s.status === 'ended' && s.gameId) msg.gameId = s.gameId;
  if (s.status !== 'waiting') msg.series = s.series;
  if (s.rated) msg.rated = true;
  if (s.takebackOffer) msg.takebackOffer = s.takebackOffer;
  // While playing: each side's last lag, so a page that (re)loads shows the connection bars at once.
  if (s.status === 'active' && s.lagHistory?.length) msg.lag = lastLags(s);
  return msg;
}

/**
 * A stored room as the current rules expect it. Rooms written before `fen` replaced the list of
 * every ply's FEN (`fens`), or before rematches, are still read during a rolling upgrade.
 */
export function upgradeState(raw: RoomState & { fens?: string[] }): RoomState {
  if (raw.fen === undefined) raw.fen = raw.fens?.[raw.fens.length - 1] ?? START_FEN;
  // Rooms from before rematches (a room as a session of games) hold their first game.
  raw.series ??= { game: 1, score: {} };
  raw.rematchOffer ??= null;
  delete raw.fens;
  return raw;
}
