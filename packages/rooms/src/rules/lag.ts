// Lag compensation, as lichess's clocks do it (scalachess's LagTracker). A player's clock runs from
// the moment the server switches it, so it also runs while the opponent's move travels to them and
// while theirs travels back: a round trip that is the network's, not their thinking. Each move, up to
// the mover's estimated lag (the command's `lag`, from the gateway) comes off the time charged, drawn
// from a quota: it grows by `gain` per move, starts at three gains and holds at most seven. A steady
// lag under the gain is compensated in full for the whole game; a client that claims more than it
// has gets the quota and no more: about one gain per move, 0.39 s at 1+0, 1 s from 5+0 up.
// Pure, like decide.ts, which calls these from `move` (and, for the flag's grace, from `tick`).
import { MAX_LAG_MS, type Side, type TimeControl } from '@gambit/protocol';
import type { RoomState } from './state.js';

/** One side's compensation account (ms), kept in the room for the game. */
export interface LagTracker {
  /** What the quota grows by with each move. */
  gain: number;
  /** What the next moves may still be compensated, in all. */
  quota: number;
  /** The most the quota holds: unused compensation does not pile up past this. */
  max: number;
}

/**
 * The quota's gain per move: min(100, (initial + 40 x increment) x 2/5 + 15) centiseconds, initial
 * and increment in seconds (scalachess, lila#12097): 0.39 s at 1+0, 0.87 s at 3+0, 1 s from 5+0 up.
 * Counted in whole milliseconds (no floating point): (initialMs + 40 incrementMs) x 2 / 5000 is the
 * whole centiseconds scalachess gets from whole seconds.
 */
export function quotaGain(tc: TimeControl): number {
  const centis = Math.min(100, Math.floor(((tc.initialMs + 40 * tc.incrementMs) * 2) / 5000) + 15);
  return centis * 10;
}

/** A side's account at the start of a game: three gains to spend, seven at most. */
export function newTracker(tc: TimeControl): LagTracker {
  const gain = quotaGain(tc);
  return { gain, quota: 3 * gain, max: 7 * gain };
}

/**
 * One move with `lagMs` of lag: compensated by the lag, as far as the quota goes; the quota then
 * loses what was given and gains one `gain` (up to `max`).
 */
export function compensate(tracker: LagTracker, lagMs: number): { comp: number; tracker: LagTracker } {
  const comp = Math.min(Math.max(0, lagMs), tracker.quota);
  return { comp, tracker: { ...tracker, quota: Math.min(tracker.quota + tracker.gain - comp, tracker.max) } };
}

/**
 * How long past zero a running clock waits before its flag falls (scalachess's `withGrace`): the
 * most a move arriving now could still be compensated, the quota capped at MAX_LAG_MS. `move`
 * accepts a move exactly when its charged time (elapsed - compensation) is under what the mover had,
 * so with this grace the deadline scan never ends a game a move arriving at the same moment would
 * have saved, and a game nobody sends anything in still ends, that grace after zero.
 */
export function flagGrace(tracker: LagTracker): number {
  return Math.min(tracker.quota, MAX_LAG_MS);
}

/** The side's account in this game (a room from before lag compensation starts a fresh one). */
export function trackerOf(s: Pick<RoomState, 'lag' | 'tc'>, side: Side): LagTracker {
  return s.lag?.[side] ?? newTracker(s.tc);
}

/** The grace of the running clock's flag (0 when no clock runs). */
export function runningGrace(s: Pick<RoomState, 'lag' | 'tc' | 'clock'>): number {
  return s.clock.running ? flagGrace(trackerOf(s, s.clock.running)) : 0;
}

/** What a move's lag and compensation come to, before the move is known to be legal. */
export interface MoveLag {
  /** The lag credited: the command's, never negative, never more than MAX_LAG_MS or the time the clock ran. */
  lag: number;
  comp: number;
  tracker: LagTracker;
}

/**
 * The lag of `side`'s move reaching us at `movedAt`: the command's estimate bounded (a lag longer
 * than the whole time the mover's clock ran cannot be; scalachess leaves that to the quota and
 * floors the charged time at zero instead, so a claim could burn quota for nothing), then the
 * compensation the quota allows.
 */
export function lagOnMove(s: Pick<RoomState, 'lag' | 'tc' | 'clock'>, side: Side, claimed: number | undefined, movedAt: number): MoveLag {
  const ran = Math.max(0, movedAt - s.clock.at);
  const lag = Number.isFinite(claimed) ? Math.round(Math.min(Math.max(0, claimed!), MAX_LAG_MS, ran)) : 0;
  return { lag, ...compensate(trackerOf(s, side), lag) };
}

/**
 * Keeps a played move's lag and compensation: the side's account, and both histories at index
 * ply - 1 (plies played before lag compensation, in a room from an earlier release, count 0).
 */
export function recordLag(s: RoomState, side: Side, m: MoveLag): void {
  const before = s.moves.length - 1; // the move is already in `moves`
  s.lagHistory = [...fitTo(s.lagHistory, before), m.lag];
  s.compHistory = [...fitTo(s.compHistory, before), m.comp];
  s.lag = { white: trackerOf(s, 'white'), black: trackerOf(s, 'black'), [side]: m.tracker };
}

/** Both histories as the game record keeps them: one entry per ply, or absent for a game without moves. */
export function lagRecord(s: RoomState): { lagHistory?: number[]; compHistory?: number[] } {
  if (s.moves.length === 0) return {};
  return { lagHistory: fitTo(s.lagHistory, s.moves.length), compHistory: fitTo(s.compHistory, s.moves.length) };
}

/** A history as `n` entries: the first n kept, zeros for plies it lacks. */
const fitTo = (h: number[] | undefined, n: number): number[] => Array.from({ length: n }, (_, i) => h?.[i] ?? 0);

/** Each side's lag at its last move of this game (what `state` carries for the connection bars). */
export function lastLags(s: Pick<RoomState, 'lagHistory' | 'moves'>): Partial<Record<Side, number>> {
  const out: Partial<Record<Side, number>> = {};
  const h = s.lagHistory ?? [];
  for (let i = Math.min(h.length, s.moves.length) - 1; i >= 0 && (out.white === undefined || out.black === undefined); i--) {
    const side: Side = i % 2 === 0 ? 'white' : 'black';
    out[side] ??= h[i]!;
  }
  return out;
}
