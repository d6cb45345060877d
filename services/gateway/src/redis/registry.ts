// The connection registry in Redis: which gateway holds which player's socket, in which rooms,
// and a heartbeat per gateway, so another pod or the controller can clean up after a dead pod.
// These keys lie in several Redis Cluster slots (docs/redis-cluster.md), so each write is its own
// command, sent together (one round trip on a single Redis, batched per node on a Cluster): none
// guards an invariant, and a partial write is healed by the TTLs, the next beat and the controller.
import type { RedisClient } from '@gambit/common';
import type { Keys } from '@gambit/common';

/** "Last seen" is kept for a year after the last socket closed. */
const LAST_SEEN_TTL_MS = 365 * 24 * 3_600_000;

export class ConnectionRegistry {
  private timer?: NodeJS.Timeout;

  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly gatewayId: string, private readonly ttlMs = 3_600_000) {}

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
      void Promise.all([
        ...sets.map((key) => this.redis.zadd(key, now, this.gatewayId)),
        this.redis.set(this.keys.gatewayConnections(this.gatewayId), connections(), 'PX', everyMs * 3),
      ]).catch(() => undefined);
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
    const k = this.keys;
    // A transaction per key (one slot each), so neither is ever left without its TTL.
    await Promise.all([
      this.redis.multi().hset(k.conn(conn), 'gw', this.gatewayId, 'playerId', playerId, 'name', name, 'since', Date.now()).pexpire(k.conn(conn), this.ttlMs).exec(),
      this.redis.sadd(k.gatewayConns(this.gatewayId), conn),
      this.redis.multi().sadd(k.playerConns(playerId), conn).pexpire(k.playerConns(playerId), this.ttlMs).exec(),
    ]);
  }

  async rooms(conn: string, rooms: Iterable<string>): Promise<void> {
    await this.redis.multi().hset(this.keys.conn(conn), 'rooms', [...rooms].join(',')).pexpire(this.keys.conn(conn), this.ttlMs).exec();
  }

  /**
   * A socket closed: `playerId` was last seen now (player pages say "last seen"; only accounts have
   * pages), unless `seen` is false (its session ended: a deleted account leaves no trace here).
   */
  async remove(conn: string, playerId?: string, seen = true): Promise<void> {
    const k = this.keys;
    await Promise.all([
      this.redis.del(k.conn(conn)),
      this.redis.srem(k.gatewayConns(this.gatewayId), conn),
      playerId && this.redis.srem(k.playerConns(playerId), conn),
      seen && playerId?.startsWith('u_') && this.redis.set(k.lastSeen(playerId), Date.now(), 'PX', LAST_SEEN_TTL_MS),
    ]);
  }

  /** On a clean shutdown: this gateway is gone from every live-gateway set, with its event streams (one per shard). */
  async retire(): Promise<void> {
    clearInterval(this.timer);
    this.offReady?.();
    const k = this.keys;
    const own = [k.gatewayConns(this.gatewayId), k.gatewayConnections(this.gatewayId)];
    const streams = k.allShards.map((s) => k.gatewayEvents(this.gatewayId, s));
    // ZREMs before DELs: a shard's copy and its stream share a slot (one connection, in order), so
    // no commit recreates a deleted stream (the controller removes one a failover's retry might).
    // One DEL on a single Redis; one per slot on a Cluster.
    await Promise.all([
      ...this.liveSets().map((key) => this.redis.zrem(key, this.gatewayId)),
      ...(k.cluster ? [own, ...streams.map((s) => [s])] : [[own[0]!, ...streams, own[1]!]]).map((del) => this.redis.del(...del)),
    ]);
  }
}
