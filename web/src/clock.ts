// Chess clocks from the server's numbers only. The server sends `clock` {white, black, running, at}
// where `at` is its own time; we estimate (server time - local time) from welcome/pong frames and
// count down from there, so a browser's wrong wall clock or a slow tab never changes the result.
import type { Clock, Side } from '@gambit/protocol';

/** Milliseconds `side` has left at server time `serverNow`. */
export function remainingMs(clock: Clock, side: Side, serverNow: number): number {
  const base = clock[side];
  if (clock.running !== side) return Math.max(0, base);
  // A negative elapsed time only means our offset estimate is a little off: never add time.
  return Math.max(0, base - Math.max(0, serverNow - clock.at));
}

/** The clock as it stood at `serverNow`, no longer running (for a game that ended without one). */
export function frozen(clock: Clock, serverNow: number): Clock {
  return { white: remainingMs(clock, 'white', serverNow), black: remainingMs(clock, 'black', serverNow), running: null, at: serverNow };
}

export interface TimeSample { offset: number; rtt: number }

/** One measurement: a frame sent at local `sentAt`, answered with `serverTime`, received at local `receivedAt`. */
export function timeSample(sentAt: number, serverTime: number, receivedAt: number): TimeSample {
  const rtt = Math.max(0, receivedAt - sentAt);
  // The server most likely stamped its answer half way through the round trip.
  return { offset: serverTime - (sentAt + rtt / 2), rtt };
}

/** Server time = local time + offset, estimated from the last few samples. */
export class ServerClock {
  private samples: TimeSample[] = [];

  add(sample: TimeSample): void {
    this.samples.push(sample);
    if (this.samples.length > 8) this.samples.shift();
  }

  /** The sample with the shortest round trip is the one least skewed by queueing, so it wins. */
  get offset(): number {
    let best: TimeSample | undefined;
    for (const s of this.samples) if (!best || s.rtt < best.rtt) best = s;
    return best?.offset ?? 0;
  }

  now(localNow: number = Date.now()): number {
    return localNow + this.offset;
  }

  /**
   * Our round trip to the server (ms), the median of the last samples, or null before any: what
   * a move frame reports as `lag` for the clocks' lag compensation. The median, because one sample
   * is the welcome (the server's token check included) and a background tab's pongs come late.
   */
  get lag(): number | null {
    if (this.samples.length === 0) return null;
    const rtts = this.samples.map((s) => s.rtt).sort((a, b) => a - b);
    const mid = rtts.length >> 1;
    return Math.round(rtts.length % 2 ? rtts[mid]! : (rtts[mid - 1]! + rtts[mid]!) / 2);
  }
}

/** 5:00, 0:42, 0:09.3 (tenths in the last ten seconds), 1:05:00. Rounds down, like a real clock. */
export function formatClock(ms: number): string {
  const t = Math.max(0, ms);
  if (t < 10_000) return `0:0${Math.floor(t / 1000)}.${Math.floor((t % 1000) / 100)}`;
  const total = Math.floor(t / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
