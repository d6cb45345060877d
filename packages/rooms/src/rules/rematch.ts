// The room as a session of games: after the end either player may offer the next game; when the
// other agrees it starts in the same room with colours swapped, the same time control (and every
// other setting the room holds), a new game id and fresh clocks. The room keeps the series score.
// Pure, like decide.ts, which calls these with its own event numbering.
import type { ErrorCode, RoomEvent, Side } from '@gambit/protocol';
import { other, startClock } from './clock.js';
import { START_FEN, seatView, type RoomState } from './state.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** Adds an event to the decision (decide.ts numbers it). */
export type Emit = (ev: DistributiveOmit<RoomEvent, 'seq'>) => void;
export interface Refusal { code: ErrorCode; message: string }
export type RematchAction = 'offer' | 'accept' | 'decline';

export interface RematchCtx {
  now: number;
  newGameId: () => string;
  /** How long a seat without a socket is kept once the next game starts (no grace without it). */
  graceMs?: number;
}

/** Adds the points of the game that just ended to the series (an aborted game gives none). */
export function scoreGame(s: RoomState): void {
  const points: Record<Side, number> = s.result === '1-0' ? { white: 1, black: 0 }
    : s.result === '0-1' ? { white: 0, black: 1 }
      : s.result === '1/2-1/2' ? { white: 0.5, black: 0.5 } : { white: 0, black: 0 };
  for (const side of ['white', 'black'] as const) {
    const id = s[side]!.playerId;
    s.series.score[id] = (s.series.score[id] ?? 0) + points[side];
  }
}

/**
 * A seated player's `rematch`. An offer while the opponent's stands is an acceptance (as for
 * draws); accept or decline need a standing offer from the opponent. Returns why it is refused, or
 * null once `s` is changed and the events emitted.
 */
export function rematch(s: RoomState, side: Side, action: RematchAction, ctx: RematchCtx, emit: Emit): Refusal | null {
  if (s.status !== 'ended') return { code: 'game_not_over', message: `the game in room ${s.code} has not ended` };
  if (s[side]!.left) return { code: 'not_a_player', message: `you left room ${s.code}` };
  if (s[other(side)]!.left) return { code: 'opponent_left', message: `your opponent left room ${s.code}` };
  const theirs = s.rematchOffer === other(side);
  if (action === 'offer' && s.rematchOffer === side) return { code: 'already_offered', message: 'your rematch offer already stands' };
  if (action === 'offer' && !theirs) {
    s.rematchOffer = side;
    emit({ t: 'rematch_offered', room: s.code, by: side });
    return null;
  }
  if (!theirs) return { code: 'no_offer', message: `there is no rematch offer to ${action}` };
  if (action === 'decline') {
    s.rematchOffer = null;
    emit({ t: 'rematch_declined', room: s.code, by: side, reason: 'declined' });
    return null;
  }
  nextGame(s, ctx, emit);
  return null;
}

/**
 * A seated player leaves the finished game's room: their offer, or the one made to them, is off,
 * and no rematch is possible any more. Returns false when they had left already.
 */
export function leaveSession(s: RoomState, side: Side, emit: Emit): boolean {
  const seat = s[side]!;
  if (seat.left) return false;
  seat.left = true;
  if (s.rematchOffer) {
    s.rematchOffer = null;
    emit({ t: 'rematch_declined', room: s.code, by: side, reason: 'left' });
  }
  return true;
}

/** Both agreed: the next game starts now, colours swapped. */
function nextGame(s: RoomState, ctx: RematchCtx, emit: Emit): void {
  const white = s.black!;
  const black = s.white!;
  s.white = white;
  s.black = black;
  // Clients ignore a `presence` whose version they have passed, per colour: after the swap each
  // seat carries on above the last version either colour had.
  const version = Math.max(white.reconnectVersion, black.reconnectVersion) + 1;
  white.reconnectVersion = black.reconnectVersion = version;
  Object.assign(s, {
    status: 'active', gameId: ctx.newGameId(), startedAt: ctx.now, endedAt: null, clock: startClock(s.tc.initialMs, ctx.now),
    moves: [], san: [], fen: START_FEN, clockHistory: [], drawOffer: null, result: null, reason: null, pgn: null, rematchOffer: null,
    takebackOffer: null, takebackOffers: undefined, lag: undefined, lagHistory: undefined, compHistory: undefined,
  } satisfies Partial<RoomState>);
  s.series = { game: s.series.game + 1, score: { ...s.series.score } };
  emit({
    t: 'started', room: s.code, white: seatView(white)!, black: seatView(black)!, fen: START_FEN, clock: s.clock, tc: s.tc, series: copySeries(s),
    ...(s.rated ? { rated: true } : {}), // the room's setting, as in its first game's `started`
  });
  // A player whose sockets all closed after offering is treated as if they dropped just now.
  for (const side of ['white', 'black'] as const) {
    const seat = s[side]!;
    if (seat.conns.length > 0 || ctx.graceMs === undefined) continue;
    seat.graceUntil = ctx.now + ctx.graceMs;
    seat.reconnectVersion += 1;
    emit({ t: 'presence', room: s.code, color: side, connected: false, reconnectVersion: seat.reconnectVersion, graceMs: ctx.graceMs });
  }
}

/** The series as an event carries it (a copy: the state goes on changing). */
export const copySeries = (s: RoomState): RoomState['series'] => ({ game: s.series.game, score: { ...s.series.score } });
