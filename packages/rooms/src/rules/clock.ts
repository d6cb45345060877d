// Chess clocks with Fischer increment, kept in server time. Pure: `now` is always passed in.
import type { Clock, Side } from '@gambit/protocol';

export const other = (side: Side): Side => (side === 'white' ? 'black' : 'white');

export function startClock(initialMs: number, now: number): Clock {
  return { white: initialMs, black: initialMs, running: 'white', at: now };
}

/** Milliseconds `side` has left at `now` (may be negative once the flag has fallen). */
export function remaining(clock: Clock, side: Side, now: number): number {
  return clock.running === side ? clock[side] - (now - clock.at) : clock[side];
}

/**
 * The moment the running side's flag falls, or null when no clock runs; `graceMs` past zero (the
 * compensation a late move could still get: rules/lag.ts flagGrace).
 */
export function flagAt(clock: Clock, graceMs = 0): number | null {
  return clock.running ? clock.at + clock[clock.running] + graceMs : null;
}

/** The running side, if its time is up at `now` (`graceMs` past zero, as for flagAt). */
export function hasFlagged(clock: Clock, now: number, graceMs = 0): Side | null {
  if (!clock.running) return null;
  return remaining(clock, clock.running, now - graceMs) <= 0 ? clock.running : null;
}

/**
 * The clock after a move: the mover is charged up to `movedAt` (when the move reached us), then
 * gets the increment; the opponent's clock starts at `startAt` (when the move is published). Time
 * between the two (a queue, a dead engine's command waiting to be claimed) is charged to nobody.
 */
export function punch(clock: Clock, mover: Side, incrementMs: number, movedAt: number, startAt = movedAt): Clock {
  const left = remaining(clock, mover, movedAt);
  return { ...clock, [mover]: left + incrementMs, running: other(mover), at: Math.max(startAt, movedAt) };
}

/** Stops the clock at `now` (game over), never showing less than zero. */
export function stop(clock: Clock, now: number): Clock {
  if (!clock.running) return { ...clock, at: now };
  const side = clock.running;
  return { ...clock, [side]: Math.max(0, remaining(clock, side, now)), running: null, at: now };
}
