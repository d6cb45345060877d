// One socket's lag, for the clocks' lag compensation (rooms rules/lag.ts). The gateway measures the
// round trip itself with WebSocket pings (the heartbeat's, one right after hello and one after each
// move the socket sends, so a fresh sample is in before the player's next move) and keeps a smoothed
// value. A client may report the round trip it measured (`move.lag`): it sees what we cannot, its
// own page being slow to show a move, but its word is bounded by our measurement. Whatever passes
// here, the engine still gives no more than the mover's quota.
import { MAX_LAG_MS } from '@gambit/protocol';

/** Weight of a new sample in the smoothed round trip: a few moves' worth of memory, as TCP's SRTT. */
const SMOOTHING = 0.25;
/**
 * A client's claim may exceed our measurement by half again and 100 ms: its round trip runs through
 * its page (a busy main thread, rendering), ours ends in its network stack, and the smoothed value
 * trails a connection that just got worse.
 */
const CLAIM_FACTOR = 1.5;
const CLAIM_SLACK_MS = 100;
/** Pings in flight remembered: older ones are forgotten (their pongs then teach nothing). */
const MAX_PENDING = 4;

export class LagEstimate {
  private readonly pending = new Map<number, number>(); // ping number -> sent at (performance.now)
  private seq = 0;
  /** The smoothed round trip (ms), or null before the first pong. */
  rtt: number | null = null;

  /** The payload of a ping about to leave: its number, remembered with the time. */
  ping(now: number): Buffer {
    const n = (this.seq = (this.seq + 1) >>> 0);
    this.pending.set(n, now);
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    const payload = Buffer.alloc(4);
    payload.writeUInt32BE(n);
    return payload;
  }

  /**
   * A pong: a sample when it answers a ping we remember. Anything else (an unsolicited pong, a
   * payload we never sent) is no sample: a client cannot make its lag up this way, only delay real
   * answers, which the claim bound and the quota then meet.
   */
  pong(payload: Buffer, now: number): void {
    if (payload.length !== 4) return;
    const n = payload.readUInt32BE(0);
    const sentAt = this.pending.get(n);
    if (sentAt === undefined) return;
    this.pending.delete(n);
    this.sample(now - sentAt);
  }

  sample(ms: number): void {
    const x = Math.max(0, ms);
    this.rtt = this.rtt === null ? x : this.rtt + SMOOTHING * (x - this.rtt);
  }

  /**
   * The lag a move is credited with (ms, whole): the client's claim when it makes one, up to what
   * our measurement supports; our measurement otherwise (0 before the first pong); MAX_LAG_MS at most.
   */
  forMove(claim?: number): number {
    const measured = this.rtt ?? 0;
    const lag = claim === undefined ? measured : Math.min(claim, measured * CLAIM_FACTOR + CLAIM_SLACK_MS);
    return Math.round(Math.min(Math.max(0, lag), MAX_LAG_MS));
  }
}
