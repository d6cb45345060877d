// The room state machine: waiting -> active -> ended -> gone. Pure: given the stored state, one
// command and the time, it returns what to store, which events the room sees and what to answer.
import type { EngineCommand, ErrorCode, GameRecord, Origin, RoomEvent, ServerMsg, Side, EndReason, Result } from '@gambit/protocol';
import { firstMoveDeadline, isAccountId } from '@gambit/protocol';
import { canWinOnTime, play, positionalEnd, resultWinner, type Game } from './chess.js';
import { hasFlagged, other, punch, remaining, startClock, stop } from './clock.js';
import { APPLIED_MEMORY, START_FEN, cloneState, connId, newSeat, seatOf, seatView, stateMsg, type RoomState, type Seat } from './state.js';
import { pair } from './pair.js';
import { signal } from './signal.js';
import { moretime, takeback } from './takeback.js';
import { pgnOf } from './pgn.js';
import { lagOnMove, lagRecord, recordLag, runningGrace } from './lag.js';
import { copySeries, leaveSession, rematch, scoreGame, type RematchAction } from './rematch.js';

export interface Ctx {
  now: number;
  /** The command's id (its stream entry id): remembered so a redelivery has no second effect. */
  cmdId: string;
  /** How long a disconnected seat is kept: read by `disconnect` only (which fails without it). */
  graceMs?: number;
  newGameId: () => string;
  /** A fair coin for `color: random`. */
  coin: () => boolean;
  /** The game's position and FENs (replayed or cached by the caller); mutated by a move. */
  game: () => Game;
  /** Correlation id of the command, carried into the finalize record for the logs. */
  cid?: string;
  /** When the command reached the gateway (never after `now`): the mover's clock stops here. */
  receivedAt?: number;
}

export interface Reply { gw: string; conn: string; msg: ServerMsg; sub?: string; unsub?: string; watcher?: boolean }

export type Decision =
  | { kind: 'reply'; replies: Reply[] }
  | {
      kind: 'commit';
      /** The new state; null deletes the room (gone); `undefined` keeps it as it is. */
      state: RoomState | null | undefined;
      events: RoomEvent[];
      replies: Reply[];
      /** `resume`: send this socket the events after `after` (or a fresh state) before new events. */
      replay?: { origin: Origin; after: number; watch?: boolean };
      finalize?: GameRecord;
      /**
       * The game this starts must be both players' only one: if either is playing in another room
       * (store/commit.lua checks atomically) nothing is applied and `alone` hears `in_game`.
       */
      alone?: Origin;
    };

export type Command = EngineCommand | { t: 'tick' };

/** Commands that act on the game in play (a move aside: it has its own clock check with the lag grace). */
const GAME_ACTIONS = new Set<Command['t']>(['resign', 'draw', 'abort', 'moretime', 'takeback']);

const reply = (o: Origin, msg: ServerMsg, extra: Partial<Reply> = {}): Reply => ({ gw: o.gw, conn: o.conn, msg, ...extra });
export const error = (o: Origin, code: ErrorCode, message: string): Extract<Decision, { kind: 'reply' }> => ({
  kind: 'reply',
  replies: [reply(o, o.id === undefined ? { t: 'error', code, message } : { t: 'error', id: o.id, code, message })],
});
const withId = <M extends ServerMsg>(o: Origin, msg: M): M => (o.id === undefined ? msg : { ...msg, id: o.id });

export function decide(current: RoomState | null, cmd: Command, ctx: Ctx, code: string): Decision {
  if (cmd.t === 'create') return create(cmd, ctx, code);
  if (cmd.t === 'pair') return pair(cmd, ctx, code, current);
  if (!current) return cmd.t === 'tick' ? { kind: 'reply', replies: [] } : error(cmd.origin, 'room_not_found', `room ${code} does not exist`);
  if (cmd.t === 'signal') {
    // Changes nothing: checked against the room as it is and passed on (rules/signal.ts).
    const out = signal(current, cmd);
    return 'code' in out ? error(cmd.origin, out.code, out.message) : out;
  }
  if (current.applied.includes(ctx.cmdId)) return { kind: 'reply', replies: [] };
  const s = cloneState(current);
  s.applied = [...s.applied.slice(-(APPLIED_MEMORY - 1)), ctx.cmdId];
  const out = new Out(s);
  // A player's action other than a move after their flag (or the opponent's) fell: the game ends
  // on time first. Only a move gets the lag grace (it may have left in time); accepting a draw or a
  // takeback in that grace would undo a loss on time.
  if (GAME_ACTIONS.has(cmd.t) && 'origin' in cmd && seatOf(s, cmd.origin.playerId) && s.status === 'active' && hasFlagged(s.clock, ctx.now)) {
    flagFall(out, ctx);
    return { ...out.commit(), replies: error(cmd.origin, 'game_over', 'the game ended on time before this arrived').replies };
  }
  switch (cmd.t) {
    case 'tick': return tick(out, ctx);
    case 'join': return join(out, cmd.origin, ctx);
    case 'watch': {
      const side = seatOf(current, cmd.origin.playerId);
      const answer = reply(cmd.origin, withId(cmd.origin, stateMsg(current)), side ? { sub: s.code } : { sub: s.code, watcher: true });
      // Someone without a seat watches: a spectator, counted in the room's crowd. A player's own
      // page (a reload, another tab) is one of their sockets: the opponent can reach it (a call).
      if (!side) return { kind: 'commit', state: undefined, events: [], replies: [answer] };
      if (!s[side]!.left) attach(out, side, cmd.origin);
      out.replies.push(answer);
      return out.commit();
    }
    case 'resume': return resume(out, cmd.origin, cmd.seq);
    case 'disconnect': return disconnect(out, cmd.origin, ctx);
    case 'leave': return leave(out, cmd.origin);
    case 'rematch': return rematchCmd(out, cmd.origin, cmd.action, ctx);
    case 'moretime': {
      const side = actor(out.s, cmd.origin);
      if (typeof side !== 'string') return side;
      moretime(out.s, side, (ev) => out.emit(ev));
      return out.commit();
    }
    case 'takeback': {
      const side = actor(out.s, cmd.origin);
      if (typeof side !== 'string') return side;
      const refused = takeback(out.s, side, cmd.action, ctx.now, (ev) => out.emit(ev));
      return refused ? error(cmd.origin, refused.code, refused.message) : out.commit();
    }
    case 'move': return move(out, cmd.origin, cmd.uci, cmd.ply, ctx, cmd.lag);
    case 'resign': return resign(out, cmd.origin, ctx);
    case 'draw': return draw(out, cmd.origin, cmd.action, ctx);
    case 'abort': return abort(out, cmd.origin, ctx);
  }
}

/** Collects the events of one decision, numbering them from the room's seq. */
class Out {
  events: RoomEvent[] = [];
  replies: Reply[] = [];
  finalize?: GameRecord;
  constructor(public s: RoomState) {}
  emit(ev: DistributiveOmit<RoomEvent, 'seq'>): void {
    this.s.seq += 1;
    this.events.push({ ...ev, seq: this.s.seq } as RoomEvent);
  }
  commit(extra: Partial<Commit> = {}): Commit {
    const d: Commit = { kind: 'commit', state: this.s, events: this.events, replies: this.replies, ...extra };
    if (this.finalize) d.finalize = this.finalize;
    return d;
  }
  /** The room is deleted (gone) once these events are out. */
  gone(): Commit {
    return this.commit({ state: null });
  }
}
type Commit = Extract<Decision, { kind: 'commit' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function create(cmd: Extract<EngineCommand, { t: 'create' }>, ctx: Ctx, code: string): Decision {
  // Ratings belong to accounts: a guest's would be lost with its browser, and free to reset.
  if (cmd.rated && !isAccountId(cmd.origin.playerId)) return error(cmd.origin, 'rated_needs_account', 'sign in to play rated games');
  const color: Side = cmd.color === 'random' ? (ctx.coin() ? 'white' : 'black') : cmd.color;
  const seat = newSeat(cmd.origin);
  const s: RoomState = {
    code, gameId: null, status: 'waiting', tc: cmd.tc,
    white: color === 'white' ? seat : null, black: color === 'black' ? seat : null,
    moves: [], san: [], fen: START_FEN, clock: { white: cmd.tc.initialMs, black: cmd.tc.initialMs, running: null, at: ctx.now },
    clockHistory: [], drawOffer: null, seq: 0, result: null, reason: null, pgn: null,
    createdAt: ctx.now, startedAt: null, endedAt: null, applied: [ctx.cmdId], series: { game: 1, score: {} }, rematchOffer: null,
    ...(cmd.rated ? { rated: true } : {}),
  };
  return {
    kind: 'commit', state: s, events: [],
    replies: [reply(cmd.origin, withId(cmd.origin, { t: 'created', room: code, color }), { sub: code }), reply(cmd.origin, stateMsg(s))],
  };
}

function join(out: Out, o: Origin, ctx: Ctx): Decision {
  const s = out.s;
  const mine = seatOf(s, o.playerId);
  if (mine) {
    // The same player from another socket (a second tab): answer as for a join, then attach it
    // (the state is taken first: any presence event it causes follows it).
    out.replies.push(reply(o, withId(o, { t: 'joined', room: s.code, color: mine }), { sub: s.code }), reply(o, stateMsg(s)));
    attach(out, mine, o);
    return out.commit();
  }
  if (s.status !== 'waiting') return error(o, 'room_full', `room ${s.code} already has two players`);
  if (s.rated && !isAccountId(o.playerId)) return error(o, 'rated_needs_account', `room ${s.code} is rated: sign in to join`);
  const color: Side = s.white ? 'black' : 'white';
  s[color] = newSeat(o);
  s.status = 'active';
  s.gameId = ctx.newGameId();
  s.startedAt = ctx.now;
  s.clock = startClock(s.tc.initialMs, ctx.now);
  out.replies.push(reply(o, withId(o, { t: 'joined', room: s.code, color }), { sub: s.code }));
  out.emit({ t: 'started', room: s.code, white: seatView(s.white)!, black: seatView(s.black)!, fen: START_FEN, clock: s.clock, tc: s.tc, ...(s.rated ? { rated: true } : {}) });
  return out.commit();
}

/** Adds a socket to a seat; a seat that was disconnected comes back (presence event). */
function attach(out: Out, side: Side, o: Origin): void {
  const seat = out.s[side]!;
  const id = connId(o);
  if (!seat.conns.includes(id)) seat.conns.push(id);
  if (seat.graceUntil !== null) {
    seat.graceUntil = null;
    seat.reconnectVersion += 1;
    out.emit({ t: 'presence', room: out.s.code, color: side, connected: true, reconnectVersion: seat.reconnectVersion });
  }
}

function resume(out: Out, o: Origin, after: number): Decision {
  const side = seatOf(out.s, o.playerId);
  // Someone without a seat resumes as what they were, a spectator: counted in the crowd again.
  const replay = side ? { origin: o, after } : { origin: o, after, watch: true };
  // Replay first, then this resume's own presence event: the script keeps that order. After the
  // end too (unless the player left): the socket is theirs for a rematch, a challenge or a call.
  if (side && !out.s[side]!.left) attach(out, side, o);
  return out.commit({ replay });
}

function disconnect(out: Out, o: Origin, ctx: Ctx): Decision {
  const s = out.s;
  const side = seatOf(s, o.playerId);
  const seat = side && s[side];
  if (!side || !seat || !seat.conns.includes(connId(o))) return { kind: 'reply', replies: [] };
  seat.conns = seat.conns.filter((c) => c !== connId(o));
  if (seat.conns.length === 0 && s.status !== 'ended') {
    const graceMs = ctx.graceMs;
    if (graceMs === undefined) throw new Error('disconnect needs ctx.graceMs');
    seat.graceUntil = ctx.now + graceMs;
    seat.reconnectVersion += 1;
    out.emit({ t: 'presence', room: s.code, color: side, connected: false, reconnectVersion: seat.reconnectVersion, graceMs });
  }
  return out.commit();
}

function leave(out: Out, o: Origin): Decision {
  const s = out.s;
  const side = seatOf(s, o.playerId);
  if (side && s.status === 'active') return error(o, 'bad_request', 'a player cannot leave a game in progress: resign or abort');
  if (side && s.status === 'waiting') {
    out.emit({ t: 'closed', room: s.code, reason: 'left' });
    out.replies.push(reply(o, stateMsg(s), { unsub: s.code }));
    return out.gone();
  }
  if (side && leaveSession(s, side, (ev) => out.emit(ev))) {
    // A player of a finished game: no rematch with them any more (rematch.ts), and no more events.
    out.replies.push(reply(o, stateMsg(s), { unsub: s.code }));
    return out.commit();
  }
  // A watcher, or a player who left already: just stop sending this socket the room's events.
  return { kind: 'commit', state: undefined, events: [], replies: [{ gw: o.gw, conn: o.conn, msg: stateMsg(s), unsub: s.code }] };
}

/** After the end, the next game in the room (rematch.ts); the socket it came from joins the seat. */
function rematchCmd(out: Out, o: Origin, action: RematchAction, ctx: Ctx): Decision {
  const side = seatOf(out.s, o.playerId);
  if (!side) return error(o, 'not_a_player', `you are not playing in room ${out.s.code}`);
  attach(out, side, o); // before the rules: a seat with a socket gets no grace in the next game
  const refused = rematch(out.s, side, action, ctx, (ev) => out.emit(ev));
  if (refused) return error(o, refused.code, refused.message);
  // The next game must not overlap another game of either player (one game at a time).
  return out.s.status === 'active' ? out.commit({ alone: o }) : out.commit();
}

/** Checks shared by every game action; returns the actor's side or a rejection. */
function actor(s: RoomState, o: Origin): Side | Decision {
  const side = seatOf(s, o.playerId);
  if (!side) return error(o, 'not_a_player', `you are not playing in room ${s.code}`);
  if (s.status === 'ended') return error(o, 'game_over', `the game in room ${s.code} is over`);
  if (s.status === 'waiting') return error(o, 'bad_request', 'the game has not started: nobody has joined yet');
  return side;
}

function move(out: Out, o: Origin, uci: string, ply: number, ctx: Ctx, lag?: number): Decision {
  const s = out.s;
  const side = actor(s, o);
  if (typeof side !== 'string') return side;
  if (ply !== s.moves.length) return error(o, 'stale_ply', `the game is at ply ${s.moves.length}, not ${ply}`);
  if (side !== (s.moves.length % 2 === 0 ? 'white' : 'black')) return error(o, 'not_your_turn', 'it is not your turn');
  const movedAt = Math.min(ctx.receivedAt ?? ctx.now, ctx.now);
  if (missedFirstMove(s, movedAt)) {
    finish(out, null, 'aborted', ctx);
    const rejection = error(o, 'game_over', 'the game was aborted: the first move did not come in time');
    return { ...out.commit(), replies: rejection.replies };
  }
  // Lag compensation (rules/lag.ts): up to the mover's lag comes off the time charged, as far as
  // their quota goes; a move whose charged time is still past zero flags (scalachess's clock).
  const lagged = lagOnMove(s, side, lag, movedAt);
  const chargedTo = movedAt - lagged.comp;
  if (hasFlagged(s.clock, chargedTo)) {
    flagFall(out, ctx);
    const rejection = error(o, 'game_over', 'your time ran out before this move arrived');
    return { ...out.commit(), replies: rejection.replies };
  }
  const game = ctx.game();
  const applied = play(game, uci);
  if (applied === 'illegal_move') return error(o, 'illegal_move', `${uci} is not a legal move here`);
  if (applied === 'promotion_required') return error(o, 'illegal_move', `${uci} promotes: add the piece, e.g. ${uci}q`);
  s.clock = punch(s.clock, side, s.tc.incrementMs, chargedTo, ctx.now);
  s.moves.push(uci);
  s.san.push(applied.san);
  s.fen = applied.fen;
  s.clockHistory.push(s.clock[side]);
  recordLag(s, side, lagged);
  // A move answers the opponent's standing draw offer with "no" (as on lichess), and any takeback
  // offer too: the position it was about is gone.
  if (s.drawOffer === other(side)) {
    s.drawOffer = null;
    out.emit({ t: 'draw_declined', room: s.code, by: side });
  }
  if (s.takebackOffer) {
    const by = s.takebackOffer;
    s.takebackOffer = null;
    out.emit({ t: 'takeback_declined', room: s.code, by: other(by) });
  }
  out.emit({
    t: 'moved', room: s.code, ply: s.moves.length, uci, san: applied.san, fen: applied.fen, clock: s.clock, check: applied.check, kind: applied.kind,
    ...(lag === undefined ? {} : { lag: lagged.lag }), // the mover's connection, for the players' bars
  });
  const end = positionalEnd(game.chess);
  if (end) finish(out, end.result, end.reason, ctx, game);
  return out.commit();
}

function resign(out: Out, o: Origin, ctx: Ctx): Decision {
  const side = actor(out.s, o);
  if (typeof side !== 'string') return side;
  finish(out, side === 'white' ? '0-1' : '1-0', 'resign', ctx);
  return out.commit();
}

function draw(out: Out, o: Origin, action: 'offer' | 'accept' | 'decline', ctx: Ctx): Decision {
  const s = out.s;
  const side = actor(s, o);
  if (typeof side !== 'string') return side;
  const theirs = s.drawOffer === other(side);
  if (action === 'offer') {
    if (theirs) return finish(out, '1/2-1/2', 'agreement', ctx), out.commit(); // both offered: agreed
    if (s.drawOffer === side) return { kind: 'reply', replies: [] };
    s.drawOffer = side;
    out.emit({ t: 'draw_offered', room: s.code, by: side });
    return out.commit();
  }
  if (!theirs) return error(o, 'bad_request', `there is no draw offer to ${action}`);
  if (action === 'accept') {
    finish(out, '1/2-1/2', 'agreement', ctx);
    return out.commit();
  }
  s.drawOffer = null;
  out.emit({ t: 'draw_declined', room: s.code, by: side });
  return out.commit();
}

function abort(out: Out, o: Origin, ctx: Ctx): Decision {
  const s = out.s;
  const side = actor(s, o);
  if (typeof side !== 'string') return side;
  if (s.moves.length >= 2) return error(o, 'bad_request', 'too late to abort: both sides have moved; resign or offer a draw');
  finish(out, null, 'aborted', ctx);
  return out.commit();
}

/** Deadlines reached: a flag fell, a disconnected player's grace ran out, or the room expired. */
function tick(out: Out, ctx: Ctx): Decision {
  const s = out.s;
  const expired = (['white', 'black'] as const)
    .filter((c) => { const g = s[c]?.graceUntil; return g != null && g <= ctx.now; })
    .sort((a, b) => s[a]!.graceUntil! - s[b]!.graceUntil!);
  const lost = expired[0];
  // A side that never moved: the game is aborted, not lost on time (as on lichess), unless a
  // seat's grace ran out before the first-move limit did (the scan was late for both).
  const firstMove = firstMoveDeadline(s);
  if (firstMove !== null && firstMove <= ctx.now && !(lost && s[lost]!.graceUntil! < firstMove)) {
    finish(out, null, 'aborted', ctx);
    return out.commit();
  }
  // The flag falls the grace past zero that a move still on its way could be given (lag.ts flagGrace).
  if (s.status === 'active' && hasFlagged(s.clock, ctx.now, runningGrace(s))) {
    flagFall(out, ctx);
    return out.commit();
  }
  if (lost && s.status === 'active') {
    // The player who stayed wins; when the other is away too, nobody stayed: a draw.
    const stayed = s[other(lost)]!.graceUntil === null;
    finish(out, stayed ? (lost === 'white' ? '0-1' : '1-0') : '1/2-1/2', 'abandoned', ctx);
    return out.commit();
  }
  if (lost && s.status === 'waiting') {
    out.emit({ t: 'closed', room: s.code, reason: 'left' });
    return out.gone();
  }
  return { kind: 'reply', replies: [] };
}

/** Room expiry (called by the expiry scan, separately from the game's own deadlines). */
export function expire(current: RoomState): Decision {
  if (current.status === 'active') return { kind: 'reply', replies: [] };
  const out = new Out(cloneState(current));
  if (current.status === 'waiting') out.emit({ t: 'closed', room: current.code, reason: 'expired' });
  return out.gone();
}

/** The side to move has not made its first move within the first-move limit. */
function missedFirstMove(s: RoomState, at: number): boolean {
  const deadline = firstMoveDeadline(s);
  return deadline !== null && at >= deadline;
}

/** The running side's time is up: a loss on time, a draw if the winner cannot mate, or an abort before both moved. */
function flagFall(out: Out, ctx: Ctx): void {
  const s = out.s;
  // A side that never moved loses nothing on time (a clock shorter than the first-move limit).
  if (s.moves.length < 2) return finish(out, null, 'aborted', ctx);
  const flagged = s.clock.running!;
  const winner = other(flagged);
  const result = canWinOnTime(ctx.game().chess, winner) ? (winner === 'white' ? '1-0' : '0-1') : '1/2-1/2';
  finish(out, result, 'timeout', ctx);
}

/** Ends the game: stops the clock, writes the PGN, emits `ended` and the finalize record. */
function finish(out: Out, result: Result | null, reason: EndReason, ctx: Ctx, game: Game = ctx.game()): void {
  const s = out.s;
  s.status = 'ended';
  s.clock = stop(s.clock, ctx.now);
  s.result = result;
  s.reason = reason;
  s.endedAt = ctx.now;
  s.drawOffer = null;
  s.takebackOffer = null;
  for (const seat of [s.white, s.black]) if (seat) seat.graceUntil = null;
  s.pgn = pgnOf(s);
  scoreGame(s);
  out.emit({ t: 'ended', room: s.code, result, reason, pgn: s.pgn, clock: s.clock, series: copySeries(s), gameId: s.gameId! });
  out.finalize = {
    gameId: s.gameId!, room: s.code, white: pick(s.white!), black: pick(s.black!), result, reason,
    winner: resultWinner(result), uci: s.moves, san: s.san, fens: [...game.fens], pgn: s.pgn, tc: s.tc, clock: s.clock,
    clockHistory: s.clockHistory, ...lagRecord(s), startedAt: s.startedAt!, endedAt: ctx.now,
  };
  if (ctx.cid) out.finalize.cid = ctx.cid;
  if (s.rated) out.finalize.rated = true;
}

const pick = (seat: Seat) => ({ playerId: seat.playerId, name: seat.name });

export { remaining };
