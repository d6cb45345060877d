// A player's sockets, wherever they are: the registry (redis/registry.ts) says which gateway holds
// each, and a message goes to each one's gateway on one of its event streams, as an engine's answer
// would (delivered by the hub there). For challenges and friends' presence: rare, small messages.
// The conn keys and streams lie in several Redis Cluster slots: one command each, sent together.
import type { RedisClient } from '@gambit/common';
import { STREAM_MAXLEN, type Keys } from '@gambit/common';
import { encodeDelivery, type ServerMsg } from '@gambit/protocol';

export interface OpenSocket { conn: string; gw: string; name: string }

export class Players {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly aliveWithinMs = 20_000) {}

  /** The player's open sockets on live gateways (a dead gateway's are left to the room-reaper). */
  async sockets(playerId: string, now = Date.now()): Promise<OpenSocket[]> {
    const conns = await this.redis.smembers(this.keys.playerConns(playerId));
    if (conns.length === 0) return [];
    const [rows, alive] = await Promise.all([
      Promise.all(conns.map((c) => this.redis.hmget(this.keys.conn(c), 'gw', 'name'))),
      this.redis.zrangebyscore(this.keys.gateways, now - this.aliveWithinMs, '+inf'),
    ]);
    const live = new Set(alive);
    const open: OpenSocket[] = [];
    conns.forEach((conn, i) => {
      const [gw, name] = rows[i] ?? [];
      if (gw && name && live.has(gw)) open.push({ conn, gw, name });
    });
    return open;
  }

  /**
   * Sends `msg` to each of the sockets; returns how many. A message about a room (`room`) goes on
   * that room's shard stream, in order with the room's events; any other on shard 0's, which
   * carries a gateway's events that belong to no room.
   */
  async tell(to: readonly OpenSocket[], msg: ServerMsg, room?: string): Promise<number> {
    if (to.length === 0) return 0;
    const shard = room === undefined ? 0 : this.keys.shardOf(room);
    await Promise.all(to.map((s) =>
      this.redis.xadd(this.keys.gatewayEvents(s.gw, shard), 'MAXLEN', '~', STREAM_MAXLEN.gatewayEvents, '*', ...(encodeDelivery({ k: 'conn', conn: s.conn, msg }) as [string]))));
    return to.length;
  }

  /** Sends `msg` to every open socket of each player. */
  async tellAll(playerIds: readonly string[], msg: ServerMsg): Promise<void> {
    const sockets = await Promise.all([...new Set(playerIds)].map((p) => this.sockets(p)));
    await this.tell(sockets.flat(), msg);
  }
}
