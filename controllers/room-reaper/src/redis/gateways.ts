// Dead gateways: their players' seats get a `disconnect` (the engine starts the reconnect grace and
// ends the game `abandoned` if nobody returns); then in each room shard the gateway leaves that
// shard's copy of the registry and its event stream there goes, then its registry entries go, and
// last it leaves the registry. These keys lie in many Redis Cluster slots: each step stays in one.
// The registry goes last, so a controller killed half-way finds the gateway still registered and
// repeats the whole cleanup next round (a disconnect applied twice changes nothing the second time).
// A gateway container that restarted in the same pod keeps its id: the sockets of the process
// before it are disconnected the same way, and the gateway stays registered.
import type { RedisClient } from '@gambit/common';
import type { Keys, Logger } from '@gambit/common';
import type { EngineCommand } from '@gambit/protocol';
import { publish } from '@gambit/streams';
import { classifyGateways, disconnectsFor, leftoverConnections, parseConnection, type GatewayState, type PodView, type RegistryConnection } from '../rules/reap.js';
import type { ControllerMetrics } from '../metrics.js';

/**
 * One shard's part (KEYS: 1 its copy of the registry, 2 the gateway's event stream there: one slot).
 * ARGV: 1 gateway, 2 the score it was judged by, 3 '1' to leave the copy ('0' when the copy is the
 * registry itself, left last). Returns 0, touching nothing, if the copy holds a newer score: the
 * gateway heartbeated since (it writes one score everywhere; an older one is a heartbeat cut short).
 */
const RETIRE_SHARD = `#!lua
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) > tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '1' then redis.call('ZREM', KEYS[1], ARGV[1]) end
redis.call('DEL', KEYS[2])
return 1`;

/** The last step: the gateway leaves the registry (KEYS[1]) unless its score moved from the judged ARGV[2]. */
const RETIRE = `#!lua
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and score ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return 1`;

type Scripts = {
  gambitRetireGatewayShard(copy: string, stream: string, gw: string, judged: string, leave: string): Promise<number>;
  gambitRetireGateway(registry: string, gw: string, judged: string): Promise<number>;
};

export class GatewayJanitor {
  private readonly states = new Map<string, GatewayState>();
  /** The container start time whose leftovers were already dropped, by gateway. */
  private readonly checkedStart = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly podView: () => PodView,
    private readonly staleMs: number,
    private readonly log: Logger,
    private readonly metrics: ControllerMetrics,
  ) {
    redis.defineCommand('gambitRetireGatewayShard', { numberOfKeys: 2, lua: RETIRE_SHARD });
    redis.defineCommand('gambitRetireGateway', { numberOfKeys: 1, lua: RETIRE });
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  async runOnce(now = Date.now()): Promise<{ dead: string[]; restarted: string[] }> {
    const raw = await this.redis.zrange(this.keys.gateways, 0, '-1', 'WITHSCORES');
    const beats = new Map<string, number>();
    const scores = new Map<string, string>();
    for (let i = 0; i + 1 < raw.length; i += 2) {
      beats.set(raw[i]!, Number(raw[i + 1]));
      scores.set(raw[i]!, raw[i + 1]!);
    }
    const view = this.podView();
    const verdicts = classifyGateways(beats, view, now, this.staleMs);
    const counts: Record<GatewayState, number> = { alive: 0, dead: 0, unresponsive: 0, 'no-pod': 0 };
    const dead: string[] = [];
    for (const v of verdicts) {
      counts[v.state]++;
      if (this.states.get(v.id) !== v.state && v.state !== 'alive') {
        this.log[v.state === 'dead' ? 'info' : 'warn']({ gateway: v.id, state: v.state, reason: v.reason }, 'gateway state');
      }
      this.states.set(v.id, v.state);
      if (v.state === 'dead') dead.push(v.id);
    }
    for (const id of this.states.keys()) if (!beats.has(id)) this.states.delete(id);
    for (const [state, n] of Object.entries(counts)) this.metrics.gateways.set({ state }, n);
    for (const gw of dead) await this.cleanup(gw, scores.get(gw)!);
    // A gateway whose container restarted (same pod, same id) left its previous sockets behind.
    const restarted: string[] = [];
    if (view.known) {
      for (const v of verdicts) {
        const startedAt = view.pods.get(v.id)?.startedAt;
        if (v.state === 'dead' || startedAt === undefined || this.checkedStart.get(v.id) === startedAt) continue;
        if (await this.dropLeftovers(v.id, startedAt)) restarted.push(v.id);
        this.checkedStart.set(v.id, startedAt);
      }
    }
    for (const id of this.checkedStart.keys()) if (!beats.has(id)) this.checkedStart.delete(id);
    return { dead, restarted };
  }

  /** Disconnects and forgets the connections a gateway registered before its container last started. */
  async dropLeftovers(gw: string, startedAt: number): Promise<number> {
    const { ids, conns } = await this.connections(gw);
    const leftovers = leftoverConnections(conns, startedAt);
    const known = new Set(conns.map((c) => c.conn));
    const expired = ids.filter((id) => !known.has(id)); // hash gone (TTL): only the set entry is left
    if (leftovers.length === 0 && expired.length === 0) return 0;
    const sent = await this.disconnect(leftovers);
    // Keys of many slots: one command each, sent together (a cut-short run is redone next round).
    await Promise.all([
      ...leftovers.map((c) => this.redis.del(this.keys.conn(c.conn))),
      this.redis.srem(this.keys.gatewayConns(gw), ...leftovers.map((c) => c.conn), ...expired),
    ]);
    this.metrics.leftoverConnections.inc(leftovers.length);
    this.log.info({ gateway: gw, leftovers: leftovers.length, disconnects: sent }, 'connections of a restarted gateway container disconnected');
    return leftovers.length;
  }

  private async connections(gw: string): Promise<{ ids: string[]; conns: RegistryConnection[] }> {
    const ids = await this.redis.smembers(this.keys.gatewayConns(gw));
    const conns: RegistryConnection[] = [];
    // Each conn key in its own slot: one read each, sent together. A key that is not a hash is
    // skipped (as a pipeline's failed row was); any other error fails the round, nothing deleted.
    const rows = await Promise.all(ids.map((c) => this.redis.hgetall(this.keys.conn(c)).catch((err: Error) => {
      if (err.message.startsWith('WRONGTYPE')) return null;
      throw err;
    })));
    rows.forEach((h, i) => {
      const parsed = h ? parseConnection(ids[i]!, h, gw) : null;
      if (parsed) conns.push(parsed);
    });
    return { ids, conns };
  }

  /** One `disconnect` per room of each connection, on the command stream; how many were sent. */
  private async disconnect(conns: RegistryConnection[]): Promise<number> {
    const commands = disconnectsFor(conns);
    for (const d of commands) {
      // The registry does not keep names; the engine identifies the seat by player id and socket.
      const cmd: EngineCommand = { t: 'disconnect', origin: { gw: d.gw, conn: d.conn, playerId: d.playerId, name: d.playerId }, room: d.room };
      // On the room's shard's stream, with its other commands (their order is kept per stream).
      await publish(this.redis, this.keys.commands(this.keys.shardOf(d.room)), 'disconnect', d.room, cmd);
    }
    this.metrics.disconnects.inc(commands.length);
    return commands.length;
  }

  /**
   * Disconnects every seat the gateway held, then removes its event streams, registry entries and
   * itself from the registry, unless it heartbeats meanwhile (a newer score than `judgedScore`).
   */
  async cleanup(gw: string, judgedScore: string): Promise<void> {
    const { ids: connIds, conns } = await this.connections(gw);
    const sent = await this.disconnect(conns);
    const { keys } = this;
    // Each shard in its own slot: its copy of the registry and the gateway's stream there, together.
    const shards = await Promise.all(keys.allShards.map((s) => {
      const copy = keys.shardGateways(s);
      return this.scripts.gambitRetireGatewayShard(copy, keys.gatewayEvents(gw, s), gw, judgedScore, copy === keys.gateways ? '0' : '1');
    }));
    let done = shards.every((r) => r === 1) ? 1 : 0;
    // Not atomic with the steps around it (they are in other slots): a heartbeat seen now still
    // spares the registry entries (one landing in the instant after is healed by the next beats).
    const score = done ? await this.redis.zscore(keys.gateways, gw) : null;
    if (done && score !== null && score !== judgedScore) done = 0;
    if (done) {
      // The registry entries: one key per command (conn keys are in slots of their own).
      await Promise.all([keys.gatewayConns(gw), keys.gatewayConnections(gw), ...connIds.map((c) => keys.conn(c))].map((k) => this.redis.del(k)));
      done = await this.scripts.gambitRetireGateway(keys.gateways, gw, judgedScore);
    }
    if (done === 1) {
      this.metrics.deadGateways.inc();
      this.states.delete(gw);
      this.log.info({ gateway: gw, connections: connIds.length, disconnects: sent }, 'dead gateway cleaned up');
    } else {
      this.log.warn({ gateway: gw }, 'gateway heartbeated while being cleaned up: left in the registry');
    }
  }
}
