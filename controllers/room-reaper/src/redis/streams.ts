// Stream housekeeping: length, pending and lag of every consumer group (metrics); entries stuck
// pending (reported: the engines and finalizers claim from dead consumers themselves, and only they
// can run an entry); trimming of what every group has acknowledged; consumers of dead processes;
// event streams of gateways that are gone. Every room shard has its own command, finalize and
// gateway streams: each is kept on its own, and the gauges sum a role over the shards (one series
// per role, as with a single shard). On a Redis Cluster each command and script stays in one slot
// (a stream, or a shard's stream and its copy of the registry), and the scan for orphan streams
// runs on every primary (a SCAN sees one node's keys).
import { primaries, type RedisClient } from '@gambit/common';
import type { Keys, Logger } from '@gambit/common';
import { gatewayStreams, orphanStreams, staleConsumers, trimBound, type GroupView } from '../rules/housekeeping.js';
import type { ControllerMetrics } from '../metrics.js';

export interface HousekeepingSettings {
  stuckPendingMs: number;
  retainMs: number;
  consumerIdleMs: number;
  orphanStreamMs: number;
}

/** Removes a consumer only if it still has nothing pending and is still idle (atomic with the check). */
const DEL_CONSUMER = `#!lua
local cs = redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])
for _, c in ipairs(cs) do
  local f = {}
  for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
  if f['name'] == ARGV[2] then
    if tonumber(f['pending']) == 0 and tonumber(f['idle']) >= tonumber(ARGV[3]) then
      return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
    end
    return -1
  end
end
return -1`;

/**
 * Deletes a gateway's event stream only while the gateway is not registered in the stream's
 * shard's copy of the registry. KEYS: 1 that copy, 2 the stream (one slot). ARGV: 1 the gateway.
 */
const DEL_ORPHAN = `#!lua
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
return redis.call('DEL', KEYS[2])`;

type Fields = Record<string, unknown>;
const fields = (row: unknown[]): Fields => {
  const f: Fields = {};
  for (let i = 0; i + 1 < row.length; i += 2) f[String(row[i])] = row[i + 1];
  return f;
};
const idMs = (id: string) => Number(id.split('-')[0]);

export class StreamHousekeeper {
  private readonly gatewayStreams: ReturnType<typeof gatewayStreams>;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly settings: HousekeepingSettings,
    private readonly log: Logger,
    private readonly metrics: ControllerMetrics,
  ) {
    redis.defineCommand('gambitDelConsumer', { numberOfKeys: 1, lua: DEL_CONSUMER });
    redis.defineCommand('gambitDelOrphan', { numberOfKeys: 2, lua: DEL_ORPHAN });
    this.gatewayStreams = gatewayStreams(keys.allShards.map((s) => keys.gatewayEvents('', s)));
  }

  /** The streams with consumer groups, every shard's, by the names used in metric labels. */
  private streams(): { label: string; key: string; shard?: number }[] {
    // On a Cluster, the matchmaking outbox too (pairs for the engines; no shard).
    const outbox = this.keys.pairs ? [{ label: 'pairs', key: this.keys.pairs }] : [];
    return [...outbox, ...this.keys.allShards.flatMap((shard) => [
      { label: 'commands', key: this.keys.commands(shard), shard },
      { label: 'finalize', key: this.keys.finalize(shard), shard },
      // Dead letters wait for an operator's replay: measured, never trimmed (they have no group).
      { label: 'finalize_dead', key: this.keys.finalizeDead(shard), shard },
    ])];
  }

  async runOnce(now = Date.now()): Promise<{ trimmed: Record<string, number>; stuck: Record<string, number>; orphans: string[] }> {
    const trimmed: Record<string, number> = {};
    const stuck: Record<string, number> = {};
    // Sums over the shards, by label and by `label/group`, set once the round is over; a group's
    // lag is unknown (not set) when any shard's is.
    const length = new Map<string, number>();
    const pendingOf = new Map<string, { label: string; group: string; pending: number; lag: number | null; stuck: number }>();
    const add = (m: Map<string, number>, key: string, n: number) => m.set(key, (m.get(key) ?? 0) + n);
    for (const s of this.streams()) {
      const len = await this.redis.xlen(s.key);
      add(length, s.label, len);
      if (len === 0 && !(await this.redis.exists(s.key))) continue;
      const infos = ((await this.redis.xinfo('GROUPS', s.key)) as unknown[][]).map(fields);
      const views: GroupView[] = [];
      for (const g of infos) {
        const group = String(g.name);
        const pending = Number(g.pending ?? 0);
        const lag = g.lag !== null && g.lag !== undefined ? Number(g.lag) : null;
        const summary = (await this.redis.xpending(s.key, group)) as [number, string | null, string | null, unknown];
        views.push({ name: group, lastDeliveredId: String(g['last-delivered-id'] ?? '0-0'), oldestPendingId: summary[1] ?? null });
        const stuckHere = await this.findStuck(s.key, s.label, s.shard, group, pending);
        const id = `${s.label}/${group}`;
        const sum = pendingOf.get(id);
        if (sum) {
          sum.pending += pending;
          sum.lag = sum.lag === null || lag === null ? null : sum.lag + lag;
          sum.stuck += stuckHere;
        } else {
          pendingOf.set(id, { label: s.label, group, pending, lag, stuck: stuckHere });
        }
        await this.removeStaleConsumers(s.key, s.label, s.shard, group);
      }
      const bound = trimBound(views, now, this.settings.retainMs);
      if (bound) {
        const n = await this.redis.xtrim(s.key, 'MINID', bound);
        trimmed[s.label] = (trimmed[s.label] ?? 0) + n;
        if (n) this.metrics.streamTrimmed.inc({ stream: s.label }, n);
      }
    }
    for (const [label, n] of length) this.metrics.streamLength.set({ stream: label }, n);
    for (const [id, g] of pendingOf) {
      const labels = { stream: g.label, group: g.group };
      this.metrics.streamPending.set(labels, g.pending);
      if (g.lag !== null) this.metrics.streamLag.set(labels, g.lag);
      this.metrics.streamStuck.set(labels, g.stuck);
      stuck[id] = g.stuck;
    }
    const orphans = await this.removeOrphanStreams(now);
    return { trimmed, stuck, orphans };
  }

  /** How many of one shard's stream's entries are pending past STUCK_PENDING_MS (logged with a sample). */
  private async findStuck(key: string, label: string, shard: number | undefined, group: string, pending: number): Promise<number> {
    if (pending === 0) return 0;
    const rows = (await this.redis.xpending(key, group, 'IDLE', this.settings.stuckPendingMs, '-', '+', 1000)) as [string, string, number, number][];
    if (rows.length) {
      const sample = rows.slice(0, 5).map(([id, consumer, idle, deliveries]) => ({ id, consumer, idleMs: idle, deliveries }));
      this.log.warn({ stream: label, ...this.shardField(shard), group, stuck: rows.length, sample }, 'stream entries stuck pending');
    }
    return rows.length;
  }

  /** A log field naming the shard, only when there are several (one shard logs as before). */
  private shardField(shard: number | undefined): { shard?: number } {
    return this.keys.shards > 1 && shard !== undefined ? { shard } : {};
  }

  private async removeStaleConsumers(key: string, label: string, shard: number | undefined, group: string): Promise<void> {
    const consumers = ((await this.redis.xinfo('CONSUMERS', key, group)) as unknown[][]).map(fields)
      .map((c) => ({ name: String(c.name), pending: Number(c.pending ?? 0), idleMs: Number(c.idle ?? 0) }));
    const del = (this.redis as unknown as { gambitDelConsumer(k: string, g: string, c: string, idle: number): Promise<number> }).gambitDelConsumer;
    for (const name of staleConsumers(consumers, this.settings.consumerIdleMs)) {
      if ((await del.call(this.redis, key, group, name, this.settings.consumerIdleMs)) >= 0) {
        this.metrics.consumersRemoved.inc({ stream: label, group });
        this.log.info({ stream: label, ...this.shardField(shard), group, consumer: name }, 'idle consumer removed');
      }
    }
  }

  /**
   * Every shard's event streams of gateways that are gone; returns the gateways (each once) of which
   * a stream was deleted. One SCAN per node finds all shards' streams (a scan walks the node's whole
   * keyspace: once, not once per shard); on a Cluster, on every primary.
   */
  private async removeOrphanStreams(now: number): Promise<string[]> {
    const found: string[] = [];
    for (const node of primaries(this.redis)) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'MATCH', this.gatewayStreams.pattern, 'COUNT', 500);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0' && found.length < 10_000);
      if (found.length >= 10_000) break; // a bound per round
    }
    if (found.length === 0) return [];
    const registered = new Set(await this.redis.zrange(this.keys.gateways, 0, '-1'));
    // By shard: each stream is checked against its own shard's copy of the registry when deleted.
    const candidates = new Map<number, { gw: string; lastEntryMs: number | null }[]>();
    for (const key of found) {
      const at = this.gatewayStreams.parse(key);
      if (!at || registered.has(at.gw)) continue; // null: a shard of another ROOM_SHARDS, not ours to judge
      const last = (await this.redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
      const list = candidates.get(at.shard) ?? [];
      list.push({ gw: at.gw, lastEntryMs: last[0] ? idMs(last[0][0]) : null });
      candidates.set(at.shard, list);
    }
    const del = (this.redis as unknown as { gambitDelOrphan(a: string, b: string, gw: string): Promise<number> }).gambitDelOrphan;
    const deleted = new Set<string>();
    let streams = 0;
    for (const [shard, list] of candidates) {
      for (const gw of orphanStreams(list, registered, now, this.settings.orphanStreamMs)) {
        if ((await del.call(this.redis, this.keys.shardGateways(shard), this.keys.gatewayEvents(gw, shard), gw)) > 0) {
          deleted.add(gw);
          streams++;
        }
      }
    }
    if (streams) {
      this.metrics.orphanStreams.inc(streams);
      this.log.info({ gateways: [...deleted] }, 'event streams of unregistered gateways deleted');
    }
    return [...deleted];
  }
}
