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

/** The moment the running side's flag falls, or null when no clock runs. */
export function flagAt(clock: Clock): number | null {
  return clock.running ? clock.at + clock[clock.running] : null;
}

export function hasFlagged(clock: Clock, now: number): Side | null {
  if (!clock.running) return null;
  return remaining(clock, clock.running, now) <= 0 ? clock.running : null;
}

/** The mover's clock after a move at `now`: time used is taken, then the increment added. */
export function punch(clock: Clock, mover: Side, incrementMs: number, now: number): Clock {
  const left = remaining(clock, mover, now);
  return { ...clock, [mover]: left + incrementMs, running: other(mover), at: now };
}

/** Stops the clock at `now` (game over), never showing less than zero. */
export function stop(clock: Clock, now: number): Clock {
  if (!clock.running) return { ...clock, at: now };
  const side = clock.running;
  return { ...clock, [side]: Math.max(0, remaining(clock, side, now)), running: null, at: now };
}
