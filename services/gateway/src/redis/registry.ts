// The connection registry in Redis: which gateway holds which player's socket, in which rooms,
// and a heartbeat per gateway, so another pod or the controller can clean up after a dead pod.
import type { Redis } from 'ioredis';
import type { Keys } from '@gambit/common';

/** "Last seen" is kept for a year after the last socket closed. */
const LAST_SEEN_TTL_MS = 365 * 24 * 3_600_000;

export class ConnectionRegistry {
  private timer?: NodeJS.Timeout;

  constructor(private readonly redis: Redis, private readonly keys: Keys, private readonly gatewayId: string, private readonly ttlMs = 3_600_000) {}

  /** The live-gateway sets: the controller's `gateways` and each shard's copy (one key with one shard: written once). */
  private liveSets(): string[] {
    return [...new Set([this.keys.gateways, ...this.keys.allShards.map((s) => this.keys.shardGateways(s))])];
  }

  /**
   * Every `everyMs`: this gateway is alive, and holds `connections()` sockets (a key that expires if
   * it dies). One score in every live-gateway set: the controller judges by `gateways`, the scripts
   * fanning a room's events out read their shard's copy.
   */
  startHeartbeat(connections: () => number, everyMs = 5_000): void {
    const sets = this.liveSets();
    const beat = () => {
      const now = Date.now();
      const m = this.redis.multi();
      for (const key of sets) m.zadd(key, now, this.gatewayId);
      void m.set(this.keys.gatewayConnections(this.gatewayId), connections(), 'PX', everyMs * 3).exec().catch(() => undefined);
    };
    beat();
    this.timer = setInterval(beat, everyMs);
    // A Redis that came back empty (restarted without persistence) must hear at once that this
    // gateway is alive: until then the engines' commits forget it as a room's reader.
    this.redis.on('ready', beat);
    this.offReady = () => this.redis.off('ready', beat);
  }
  private offReady?: () => void;

  async add(conn: string, playerId: string, name: string): Promise<void> {
    await this.redis.multi()
      .hset(this.keys.conn(conn), 'gw', this.gatewayId, 'playerId', playerId, 'name', name, 'since', Date.now())
      .pexpire(this.keys.conn(conn), this.ttlMs)
      .sadd(this.keys.gatewayConns(this.gatewayId), conn)
      .sadd(this.keys.playerConns(playerId), conn)
      .pexpire(this.keys.playerConns(playerId), this.ttlMs)
      .exec();
  }

  async rooms(conn: string, rooms: Iterable<string>): Promise<void> {
    await this.redis.multi().hset(this.keys.conn(conn), 'rooms', [...rooms].join(',')).pexpire(this.keys.conn(conn), this.ttlMs).exec();
  }

  /**
   * A socket closed: `playerId` was last seen now (player pages say "last seen"; only accounts have
   * pages), unless `seen` is false (its session ended: a deleted account leaves no trace here).
   */
  async remove(conn: string, playerId?: string, seen = true): Promise<void> {
    const m = this.redis.multi().del(this.keys.conn(conn)).srem(this.keys.gatewayConns(this.gatewayId), conn);
    if (playerId) m.srem(this.keys.playerConns(playerId), conn);
    if (seen && playerId?.startsWith('u_')) m.set(this.keys.lastSeen(playerId), Date.now(), 'PX', LAST_SEEN_TTL_MS);
    await m.exec();
  }

  /** On a clean shutdown: this gateway is gone from every live-gateway set, with its event streams (one per shard). */
  async retire(): Promise<void> {
    clearInterval(this.timer);
    this.offReady?.();
    const m = this.redis.multi();
    for (const key of this.liveSets()) m.zrem(key, this.gatewayId);
    await m
      .del(this.keys.gatewayConns(this.gatewayId), ...this.keys.allShards.map((s) => this.keys.gatewayEvents(this.gatewayId, s)), this.keys.gatewayConnections(this.gatewayId))
      .exec();
  }
}
