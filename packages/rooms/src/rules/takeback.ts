// Courtesies between the two players, as on lichess: moretime (give the opponent 15 seconds) and
// takebacks (ask the opponent to undo your last move: one ply when it is their turn, two when the
// reply came already; they accept or decline; a few offers a game). Pure, like decide.ts, which
// calls these with the actor's side checked and its own event numbering.
import type { ErrorCode, RoomEvent, Side } from '@gambit/protocol';
import { other, remaining } from './clock.js';
import { replay } from './chess.js';
import type { RoomState } from './state.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Emit = (ev: DistributiveOmit<RoomEvent, 'seq'>) => void;
export interface Refusal { code: ErrorCode; message: string }

/** What moretime gives the opponent (lichess: 15 s). */
export const MORETIME_MS = 15_000;
/** Takeback offers a player may make in one game. */
export const MAX_TAKEBACK_OFFERS = 3;

/** `side` gives the opponent MORETIME_MS on their clock. */
export function moretime(s: RoomState, side: Side, emit: Emit): void {
  const to = other(side);
  // Added to the stored value: the running clock's `at` stays (remaining() counts from it), so the
  // first-move window (from `at`) is not opened anew by a gift the side to move could ask for.
  s.clock = { ...s.clock, [to]: s.clock[to] + MORETIME_MS };
  emit({ t: 'moretime', room: s.code, color: to, clock: s.clock });
}

/** Plies a takeback by `side` undoes now: its last move, and the opponent's reply if it came. */
export function pliesToUndo(s: RoomState, side: Side): number {
  const toMove: Side = s.moves.length % 2 === 0 ? 'white' : 'black';
  const plies = toMove === side ? 2 : 1;
  return s.moves.length >= plies ? plies : 0;
}

export function takeback(s: RoomState, side: Side, action: 'offer' | 'accept' | 'decline', now: number, emit: Emit): Refusal | null {
  const theirs = s.takebackOffer === other(side);
  if (action === 'offer' && theirs) action = 'accept'; // both asked: agreed, as with draws
  if (action === 'offer') {
    if (s.takebackOffer === side) return { code: 'already_offered', message: 'your takeback offer already stands' };
    if (pliesToUndo(s, side) === 0) return { code: 'bad_request', message: 'you have no move to take back' };
    const made = s.takebackOffers?.[side] ?? 0;
    if (made >= MAX_TAKEBACK_OFFERS) return { code: 'too_many_takebacks', message: `at most ${MAX_TAKEBACK_OFFERS} takeback offers a game` };
    s.takebackOffers = { white: s.takebackOffers?.white ?? 0, black: s.takebackOffers?.black ?? 0, [side]: made + 1 };
    s.takebackOffer = side;
    emit({ t: 'takeback_offered', room: s.code, by: side });
    return null;
  }
  if (!theirs) return { code: 'no_offer', message: `there is no takeback offer to ${action}` };
  s.takebackOffer = null;
  if (action === 'decline') {
    emit({ t: 'takeback_declined', room: s.code, by: side });
    return null;
  }
  undo(s, other(side), now, emit);
  return null;
}

/** The offerer's last move (and the reply to it) are undone; each keeps the time they have now. */
function undo(s: RoomState, offerer: Side, now: number, emit: Emit): void {
  const plies = pliesToUndo(s, offerer);
  const moves = s.moves.slice(0, s.moves.length - plies);
  const toMove: Side = moves.length % 2 === 0 ? 'white' : 'black';
  const running = s.clock.running;
  const clock = { ...s.clock, ...(running ? { [running]: remaining(s.clock, running, now) } : {}), running: toMove, at: now };
  Object.assign(s, {
    moves, san: s.san.slice(0, moves.length), fen: replay(moves).chess.fen(), clock,
    clockHistory: s.clockHistory.slice(0, moves.length), drawOffer: null,
    // The undone plies' lag goes with them; the quota they used stays used (lag.ts).
    ...(s.lagHistory ? { lagHistory: s.lagHistory.slice(0, moves.length) } : {}),
    ...(s.compHistory ? { compHistory: s.compHistory.slice(0, moves.length) } : {}),
  } satisfies Partial<RoomState>);
  emit({ t: 'taken_back', room: s.code, by: offerer, plies, moves: [...s.moves], san: [...s.san], fen: s.fen, clock: s.clock });
}
