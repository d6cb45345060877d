// Consumers that split their streams (owners.ts) need to know who else is alive. Each one renews a
// lease in a sorted set (member: its id, score: when the lease runs out, in Redis's clock, so pods'
// clocks may disagree), every third of the lease, and reads the members whose lease still runs.
// A consumer stopped cleanly leaves at once (the others take its streams at their next renewal);
// one that died leaves when its lease runs out. Two consumers may read a stream for a moment while
// a change goes round (each acts on its own renewal): the readers must tolerate that (the engines
// do: commits are versioned), and nobody reading a stream only delays its entries.
import type { Logger, RedisClient } from '@gambit/common';
import { ownedBy } from './owners.js';

// Renews `me`, forgets members dead for ten leases, returns the live ones. `#!lua`: one key, one slot.
const RENEW = `#!lua
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 10 * tonumber(ARGV[2]))
return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')`;

export interface LeaseOptions {
  redis: RedisClient;
  /** The sorted set of members (keys.engines). */
  key: string;
  me: string;
  leaseMs: number;
  /** The streams split between the members. */
  streams: readonly string[];
  logger: Logger;
  /** Told the streams `me` owns whenever they change (not on every renewal). */
  onOwned: (owned: readonly string[], members: readonly string[]) => void;
}

export class StreamLeases {
  private timer?: NodeJS.Timeout;
  /** Undefined until the first renewal: owning nothing then is news too (the reader must drop its defaults). */
  private owned?: readonly string[];
  private renewing = false;

  constructor(private readonly o: LeaseOptions) {
    if (!(o.leaseMs >= 300)) throw new Error(`a lease must last at least 300 ms, not ${o.leaseMs}`);
  }

  /** Joins (the first renewal) and returns the streams owned now; renews every third of the lease from then on. */
  async start(): Promise<readonly string[]> {
    this.apply(await this.members()); // a failure here fails the start: owning nothing is no way to begin
    this.timer = setInterval(() => void this.renew(), Math.floor(this.o.leaseMs / 3));
    return this.owned ?? [];
  }

  /** Leaves at once: the others take this member's streams at their next renewal. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.o.redis.zrem(this.o.key, this.o.me).catch(() => undefined);
  }

  /** Stops renewing without leaving, as a crash would (tests): the lease runs out by itself. */
  crash(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      this.apply(await this.members());
    } catch (err) {
      // Keeps what it owns: the others see this lease run out and take the streams if it lasts.
      this.o.logger.warn({ err: String(err) }, 'renewing the stream lease failed; retrying');
    } finally {
      this.renewing = false;
    }
  }

  private async members(): Promise<string[]> {
    return (await this.o.redis.eval(RENEW, 1, this.o.key, this.o.me, this.o.leaseMs)) as string[];
  }

  private apply(members: readonly string[]): void {
    const owned = ownedBy(this.o.me, this.o.streams, members);
    const before = this.owned;
    if (before && owned.length === before.length && owned.every((s, i) => s === before[i])) return;
    this.owned = owned;
    this.o.logger.info({ owned: owned.length, of: this.o.streams.length, members: members.length }, 'streams owned changed');
    this.o.onOwned(owned, members);
  }
}
