// Stream housekeeping: length, pending and lag of every consumer group (metrics); entries stuck
// pending (reported: the engines and finalizers claim from dead consumers themselves, and only they
// can run an entry); trimming of what every group has acknowledged; consumers of dead processes;
// event streams of gateways that are gone.
import type { Redis } from 'ioredis';
import { ENGINE_GROUP, FINALIZER_GROUP, type Keys, type Logger } from '@gambit/common';
import { orphanStreams, staleConsumers, trimBound, type GroupView } from '../rules/housekeeping.js';
import type { ControllerMetrics } from '../metrics.js';

export interface HousekeepingSettings {
  stuckPendingMs: number;
  retainMs: number;
  consumerIdleMs: number;
  orphanStreamMs: number;
}

/** Removes a consumer only if it still has nothing pending and is still idle (atomic with the check). */
const DEL_CONSUMER = `
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

/** Deletes a gateway's event stream only while the gateway is not registered. */
const DEL_ORPHAN = `
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
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly settings: HousekeepingSettings,
    private readonly log: Logger,
    private readonly metrics: ControllerMetrics,
  ) {
    redis.defineCommand('gambitDelConsumer', { numberOfKeys: 1, lua: DEL_CONSUMER });
    redis.defineCommand('gambitDelOrphan', { numberOfKeys: 2, lua: DEL_ORPHAN });
  }

  /** The streams with consumer groups, by the names used in metric labels. */
  private streams(): { label: string; key: string; groups: string[] }[] {
    return [
      { label: 'commands', key: this.keys.commands, groups: [ENGINE_GROUP] },
      { label: 'finalize', key: this.keys.finalize, groups: [FINALIZER_GROUP] },
      // Dead letters wait for an operator's replay: measured, never trimmed.
      { label: 'finalize_dead', key: this.keys.finalizeDead, groups: [] },
    ];
  }

  async runOnce(now = Date.now()): Promise<{ trimmed: Record<string, number>; stuck: Record<string, number>; orphans: string[] }> {
    const trimmed: Record<string, number> = {};
    const stuck: Record<string, number> = {};
    for (const s of this.streams()) {
      const len = await this.redis.xlen(s.key);
      this.metrics.streamLength.set({ stream: s.label }, len);
      if (len === 0 && !(await this.redis.exists(s.key))) continue;
      const infos = ((await this.redis.xinfo('GROUPS', s.key)) as unknown[][]).map(fields);
      const views: GroupView[] = [];
      for (const g of infos) {
        const group = String(g.name);
        const pending = Number(g.pending ?? 0);
        this.metrics.streamPending.set({ stream: s.label, group }, pending);
        if (g.lag !== null && g.lag !== undefined) this.metrics.streamLag.set({ stream: s.label, group }, Number(g.lag));
        const summary = (await this.redis.xpending(s.key, group)) as [number, string | null, string | null, unknown];
        views.push({ name: group, lastDeliveredId: String(g['last-delivered-id'] ?? '0-0'), oldestPendingId: summary[1] ?? null });
        stuck[`${s.label}/${group}`] = await this.reportStuck(s.key, s.label, group, pending);
        await this.removeStaleConsumers(s.key, s.label, group);
      }
      const bound = trimBound(views, now, this.settings.retainMs);
      if (bound) {
        const n = await this.redis.xtrim(s.key, 'MINID', bound);
        trimmed[s.label] = n;
        if (n) this.metrics.streamTrimmed.inc({ stream: s.label }, n);
      }
    }
    const orphans = await this.removeOrphanStreams(now);
    return { trimmed, stuck, orphans };
  }

  private async reportStuck(key: string, label: string, group: string, pending: number): Promise<number> {
    if (pending === 0) {
      this.metrics.streamStuck.set({ stream: label, group }, 0);
      return 0;
    }
    const rows = (await this.redis.xpending(key, group, 'IDLE', this.settings.stuckPendingMs, '-', '+', 1000)) as [string, string, number, number][];
    this.metrics.streamStuck.set({ stream: label, group }, rows.length);
    if (rows.length) {
      const sample = rows.slice(0, 5).map(([id, consumer, idle, deliveries]) => ({ id, consumer, idleMs: idle, deliveries }));
      this.log.warn({ stream: label, group, stuck: rows.length, sample }, 'stream entries stuck pending');
    }
    return rows.length;
  }

  private async removeStaleConsumers(key: string, label: string, group: string): Promise<void> {
    const consumers = ((await this.redis.xinfo('CONSUMERS', key, group)) as unknown[][]).map(fields)
      .map((c) => ({ name: String(c.name), pending: Number(c.pending ?? 0), idleMs: Number(c.idle ?? 0) }));
    const del = (this.redis as unknown as { gambitDelConsumer(k: string, g: string, c: string, idle: number): Promise<number> }).gambitDelConsumer;
    for (const name of staleConsumers(consumers, this.settings.consumerIdleMs)) {
      if ((await del.call(this.redis, key, group, name, this.settings.consumerIdleMs)) >= 0) {
        this.metrics.consumersRemoved.inc({ stream: label, group });
        this.log.info({ stream: label, group, consumer: name }, 'idle consumer removed');
      }
    }
  }

  private async removeOrphanStreams(now: number): Promise<string[]> {
    const prefix = this.keys.gatewayEvents('');
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0' && found.length < 10_000);
    if (found.length === 0) return [];
    const registered = new Set(await this.redis.zrange(this.keys.gateways, 0, '-1'));
    const candidates: { gw: string; lastEntryMs: number | null }[] = [];
    for (const key of found) {
      const gw = key.slice(prefix.length);
      if (registered.has(gw)) continue;
      const last = (await this.redis.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
      candidates.push({ gw, lastEntryMs: last[0] ? idMs(last[0][0]) : null });
    }
    const orphans = orphanStreams(candidates, registered, now, this.settings.orphanStreamMs);
    const del = (this.redis as unknown as { gambitDelOrphan(a: string, b: string, gw: string): Promise<number> }).gambitDelOrphan;
    const deleted: string[] = [];
    for (const gw of orphans) {
      if ((await del.call(this.redis, this.keys.gateways, this.keys.gatewayEvents(gw), gw)) > 0) deleted.push(gw);
    }
    if (deleted.length) {
      this.metrics.orphanStreams.inc(deleted.length);
      this.log.info({ gateways: deleted }, 'event streams of unregistered gateways deleted');
    }
    return deleted;
  }
}
