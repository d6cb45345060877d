// Limits per client address: how many sockets it may hold, and how fast it may try room codes
// (join/watch), so one host can neither exhaust a pod nor scan for games.
import { TokenBucket } from './rate-limit.js';

export class PerIp {
  private readonly sockets = new Map<string, number>();
  private readonly joins = new Map<string, TokenBucket>();

  constructor(private readonly maxSockets: number, private readonly joinsPerMinute: number) {}

  /** Whether `ip` already holds the maximum number of sockets. */
  full(ip: string): boolean {
    return (this.sockets.get(ip) ?? 0) >= this.maxSockets;
  }

  /** Counts a socket that opened (checked with `full` just before the upgrade). */
  open(ip: string): void {
    this.sockets.set(ip, (this.sockets.get(ip) ?? 0) + 1);
  }

  closed(ip: string): void {
    const n = (this.sockets.get(ip) ?? 1) - 1;
    if (n <= 0) {
      this.sockets.delete(ip);
      this.joins.delete(ip); // the address is gone: its join budget goes with it
    } else this.sockets.set(ip, n);
  }

  /** One join/watch attempt from `ip`; false when over the per-minute budget. */
  join(ip: string, now = Date.now()): boolean {
    let bucket = this.joins.get(ip);
    if (!bucket) this.joins.set(ip, (bucket = new TokenBucket(this.joinsPerMinute / 60, this.joinsPerMinute, now)));
    return bucket.take(now);
  }
}
