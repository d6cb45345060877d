// A room for two players the matchmaker paired, a seek's author and its accepter, or two friends
// after an accepted challenge (packages/pairing): created with both seated and the clock running,
// as a created room becomes when its second player joins. Each player's socket is told `paired`
// (its room and colour) and subscribed; then the room's `started` follows, the same event a joined
// game starts with, so a client plays on exactly as after `join`.
//
// A challenge names the friends' own room (pairRoomCode): made here when it is gone, or, when it
// still holds their finished game, its next game starts there with the challenge's time control
// and colours, and the series goes on (seed 001's pair rooms: returning friends meet in one room).
import type { EngineCommand, Origin, Side } from '@gambit/protocol';
import { isAccountId } from '@gambit/protocol';
import { startClock } from './clock.js';
import { APPLIED_MEMORY, START_FEN, newSeat, seatView, type RoomState } from './state.js';
import { copySeries } from './rematch.js';
import type { Ctx, Decision } from './decide.js';

type Pair = Extract<EngineCommand, { t: 'pair' }>;
const NOTHING: Decision = { kind: 'reply', replies: [] };

/** Whether `s` is the two players' room (either colour): a pair room that is not is someone else's. */
export function seatsBoth(s: RoomState, cmd: Pair): boolean {
  const seated = [s.white?.playerId, s.black?.playerId];
  return seated.includes(cmd.origin.playerId) && seated.includes(cmd.opponent.playerId);
}

export function pair(cmd: Pair, ctx: Ctx, code: string, current: RoomState | null = null): Decision {
  const { origin: a, opponent: b } = cmd;
  // The gateway lets only accounts into rated games; a command that says otherwise is not obeyed.
  if (a.playerId === b.playerId || (cmd.rated && !(isAccountId(a.playerId) && isAccountId(b.playerId)))) return NOTHING;
  if (current && (current.applied.includes(ctx.cmdId) || !seatsBoth(current, cmd))) return NOTHING; // a redelivery; not theirs (engine.ts)
  if (current?.status === 'active') {
    // Both were marked as playing when the challenge was accepted, so this is a game that outlived its mark.
    return { kind: 'reply', replies: [{ gw: b.gw, conn: b.conn, msg: { t: 'error', ...(b.id === undefined ? {} : { id: b.id }), code: 'in_game', message: `your game in room ${code} is still being played`, room: code } }] };
  }
  const aWhite = cmd.color ? cmd.color === 'white' : ctx.coin();
  const [white, black] = aWhite ? [a, b] : [b, a];
  const s: RoomState = current ? nextGame(current, cmd, ctx, seat(white, current), seat(black, current)) : {
    code, gameId: ctx.newGameId(), status: 'active', tc: cmd.tc,
    white: newSeat(white), black: newSeat(black),
    moves: [], san: [], fen: START_FEN, clock: startClock(cmd.tc.initialMs, ctx.now),
    clockHistory: [], drawOffer: null, seq: 1, result: null, reason: null, pgn: null,
    createdAt: ctx.now, startedAt: ctx.now, endedAt: null, applied: [ctx.cmdId], series: { game: 1, score: {} }, rematchOffer: null,
    ...(cmd.rated ? { rated: true } : {}),
  };
  const how = cmd.pool ? { pool: cmd.pool } : cmd.seek ? { seek: cmd.seek } : cmd.challenge ? { challenge: cmd.challenge } : {};
  const told = (o: Origin, color: Side) => ({ gw: o.gw, conn: o.conn, msg: { t: 'paired' as const, room: code, color, rated: cmd.rated, ...how }, sub: code });
  const series = current ? { series: copySeries(s) } : {};
  return {
    kind: 'commit', state: s,
    events: [{
      t: 'started', seq: s.seq, room: code, white: seatView(s.white)!, black: seatView(s.black)!, fen: START_FEN, clock: s.clock, tc: s.tc,
      ...(s.rated ? { rated: true } : {}), ...series,
    }],
    replies: [told(white, 'white'), told(black, 'black')],
  };
}

/**
 * The player's seat for the next game in their room: the socket that answered the challenge is
 * added to those still in the room (another tab on the finished game), unless the player left it
 * (`leave`: those sockets no longer hear the room), and whatever they left is behind them.
 */
function seat(o: Origin, room: RoomState): RoomState['white'] {
  const was = room.white?.playerId === o.playerId ? room.white : room.black!;
  const fresh = newSeat(o);
  // Clients ignore a `presence` whose version they have passed: the seat carries on above both.
  const version = Math.max(room.white!.reconnectVersion, room.black!.reconnectVersion) + 1;
  return { ...fresh, conns: was.left ? fresh.conns : [...new Set([...was.conns, ...fresh.conns])], reconnectVersion: version };
}

function nextGame(room: RoomState, cmd: Pair, ctx: Ctx, white: RoomState['white'], black: RoomState['white']): RoomState {
  const s: RoomState = {
    ...room, status: 'active', gameId: ctx.newGameId(), tc: cmd.tc, white, black,
    moves: [], san: [], fen: START_FEN, clock: startClock(cmd.tc.initialMs, ctx.now), clockHistory: [], drawOffer: null,
    seq: room.seq + 1, result: null, reason: null, pgn: null, startedAt: ctx.now, endedAt: null, rematchOffer: null,
    takebackOffer: null, takebackOffers: undefined, lag: undefined, lagHistory: undefined, compHistory: undefined,
    applied: [...room.applied.slice(-(APPLIED_MEMORY - 1)), ctx.cmdId], series: { game: room.series.game + 1, score: { ...room.series.score } },
  };
  if (cmd.rated) s.rated = true;
  else delete s.rated;
  return s;
}
