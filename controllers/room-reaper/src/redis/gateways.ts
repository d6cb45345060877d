// Dead gateways: their players' seats get a `disconnect` (the engine starts the reconnect grace and
// ends the game `abandoned` if nobody returns), then their registry entries and event streams (one
// per room shard) go, and the gateway leaves the registry and every shard's copy of it.
// The disconnects are sent before anything is deleted, so a controller killed half-way repeats the
// whole cleanup next round; a disconnect applied twice changes nothing the second time.
// A gateway container that restarted in the same pod keeps its id: the sockets of the process
// before it are disconnected the same way, and the gateway stays registered.
import type { Redis } from 'ioredis';
import type { Keys, Logger } from '@gambit/common';
import type { EngineCommand } from '@gambit/protocol';
import { publish } from '@gambit/streams';
import { classifyGateways, disconnectsFor, leftoverConnections, parseConnection, type GatewayState, type PodView, type RegistryConnection } from '../rules/reap.js';
import type { ControllerMetrics } from '../metrics.js';

/**
 * Deletes a gateway's registry entries, unless it heartbeated since we judged it (then it lives).
 * KEYS[1] is the registry, the next ARGV[3] keys its copies in the room shards (none with one
 * shard: the registry is the copy), the rest are deleted.
 */
const RETIRE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and score ~= ARGV[2] then return 0 end
local copies = tonumber(ARGV[3])
for i = 1, 1 + copies do redis.call('ZREM', KEYS[i], ARGV[1]) end
for i = 2 + copies, #KEYS do redis.call('DEL', KEYS[i]) end
return 1`;

export class GatewayJanitor {
  private readonly states = new Map<string, GatewayState>();
  /** The container start time whose leftovers were already dropped, by gateway. */
  private readonly checkedStart = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly podView: () => PodView,
    private readonly staleMs: number,
    private readonly log: Logger,
    private readonly metrics: ControllerMetrics,
  ) {
    redis.defineCommand('gambitRetireGateway', { lua: RETIRE });
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
    const m = this.redis.multi();
    for (const c of leftovers) m.del(this.keys.conn(c.conn));
    m.srem(this.keys.gatewayConns(gw), ...leftovers.map((c) => c.conn), ...expired);
    await m.exec();
    this.metrics.leftoverConnections.inc(leftovers.length);
    this.log.info({ gateway: gw, leftovers: leftovers.length, disconnects: sent }, 'connections of a restarted gateway container disconnected');
    return leftovers.length;
  }

  private async connections(gw: string): Promise<{ ids: string[]; conns: RegistryConnection[] }> {
    const ids = await this.redis.smembers(this.keys.gatewayConns(gw));
    const conns: RegistryConnection[] = [];
    if (ids.length) {
      const pipe = this.redis.pipeline();
      for (const c of ids) pipe.hgetall(this.keys.conn(c));
      const rows = (await pipe.exec()) ?? [];
      rows.forEach(([err, h], i) => {
        const parsed = !err && h ? parseConnection(ids[i]!, h as Record<string, string>, gw) : null;
        if (parsed) conns.push(parsed);
      });
    }
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

  /** Disconnects every seat the gateway held, then removes its registry entries and event streams. */
  async cleanup(gw: string, judgedScore: string): Promise<void> {
    const { ids: connIds, conns } = await this.connections(gw);
    const sent = await this.disconnect(conns);
    const { allShards } = this.keys;
    // With one shard its copy is the registry itself: removed once, as the registry.
    const copies = allShards.map((s) => this.keys.shardGateways(s)).filter((k) => k !== this.keys.gateways);
    const keys = [
      this.keys.gateways, ...copies, this.keys.gatewayConns(gw), ...allShards.map((s) => this.keys.gatewayEvents(gw, s)), this.keys.gatewayConnections(gw),
      ...connIds.map((c) => this.keys.conn(c)),
    ];
    const retire = (this.redis as unknown as { gambitRetireGateway(n: number, ...a: string[]): Promise<number> }).gambitRetireGateway;
    const done = await retire.call(this.redis, keys.length, ...keys, gw, judgedScore, String(copies.length));
    if (done === 1) {
      this.metrics.deadGateways.inc();
      this.states.delete(gw);
      this.log.info({ gateway: gw, connections: connIds.length, disconnects: sent }, 'dead gateway cleaned up');
    } else {
      this.log.warn({ gateway: gw }, 'gateway heartbeated while being cleaned up: left in the registry');
    }
  }
}
