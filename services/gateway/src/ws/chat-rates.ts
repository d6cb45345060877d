// How many chat lines each player may still say, on this pod: one bucket per player, shared by all
// their sockets here, so a new tab or a reconnect gets no fresh burst. Buckets that are full again
// are dropped when many are kept (a full bucket is the same as none).
import { TokenBucket } from './rate-limit.js';

export interface LineLimit { rate: number; burst: number }

export class ChatRates {
  private readonly buckets = new Map<string, { bucket: TokenBucket; limit: LineLimit; last: number }>();

  constructor(private readonly maxKept = 10_000) {}

  /** Whether `playerId` may say a line now (and counts it). */
  take(playerId: string, limit: LineLimit, now = Date.now()): boolean {
    let b = this.buckets.get(playerId);
    if (!b) {
      if (this.buckets.size >= this.maxKept) this.prune(now);
      this.buckets.set(playerId, (b = { bucket: new TokenBucket(limit.rate, limit.burst, now), limit, last: now }));
    }
    b.last = now;
    return b.bucket.take(now);
  }

  /** Drops the buckets that have refilled since their last line. */
  private prune(now: number): void {
    for (const [id, b] of this.buckets) if ((now - b.last) / 1000 * b.limit.rate >= b.limit.burst) this.buckets.delete(id);
  }

  get size(): number {
    return this.buckets.size;
  }
}
