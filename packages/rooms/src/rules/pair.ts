// A room for two players the matchmaker paired, or a seek's author and its accepter (packages/pairing): created with both seated and
// the clock running, as a created room becomes when its second player joins. Each player's socket
// is told `paired` (its room and colour) and subscribed; then the room's `started` follows, the
// same event a joined game starts with, so a client plays on exactly as after `join`.
import type { EngineCommand, Side } from '@gambit/protocol';
import { isAccountId } from '@gambit/protocol';
import { startClock } from './clock.js';
import { START_FEN, newSeat, seatView, type RoomState } from './state.js';
import type { Ctx, Decision } from './decide.js';

export function pair(cmd: Extract<EngineCommand, { t: 'pair' }>, ctx: Ctx, code: string): Decision {
  const { origin: a, opponent: b } = cmd;
  // The gateway lets only accounts into rated pools; a command that says otherwise is not obeyed.
  if (a.playerId === b.playerId || (cmd.rated && !(isAccountId(a.playerId) && isAccountId(b.playerId)))) return { kind: 'reply', replies: [] };
  const aWhite = cmd.color ? cmd.color === 'white' : ctx.coin();
  const [white, black] = aWhite ? [a, b] : [b, a];
  const s: RoomState = {
    code, gameId: ctx.newGameId(), status: 'active', tc: cmd.tc,
    white: newSeat(white), black: newSeat(black),
    moves: [], san: [], fen: START_FEN, clock: startClock(cmd.tc.initialMs, ctx.now),
    clockHistory: [], drawOffer: null, seq: 1, result: null, reason: null, pgn: null,
    createdAt: ctx.now, startedAt: ctx.now, endedAt: null, applied: [ctx.cmdId], series: { game: 1, score: {} }, rematchOffer: null,
    ...(cmd.rated ? { rated: true } : {}),
  };
  const how = cmd.pool ? { pool: cmd.pool } : cmd.seek ? { seek: cmd.seek } : {};
  const told = (o: typeof a, color: Side) => ({ gw: o.gw, conn: o.conn, msg: { t: 'paired' as const, room: code, color, rated: cmd.rated, ...how }, sub: code });
  return {
    kind: 'commit', state: s,
    events: [{ t: 'started', seq: 1, room: code, white: seatView(s.white)!, black: seatView(s.black)!, fen: START_FEN, clock: s.clock, ...(s.rated ? { rated: true } : {}) }],
    replies: [told(white, 'white'), told(black, 'black')],
  };
}
