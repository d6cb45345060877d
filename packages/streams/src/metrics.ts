// Consumer-group health read at scrape time: how far behind the group is, and what is pending
// (read but not acknowledged). Shared by every consumer of a stream.
import { Counter, Gauge, type Registry } from '@gambit/common';
import type { RedisClient } from '@gambit/common';

export interface GroupInfo { pending: number; lag: number | null; length: number }

/** XINFO GROUPS + XLEN for one group, or null when the stream or group does not exist yet. */
export async function groupInfo(redis: RedisClient, stream: string, group: string): Promise<GroupInfo | null> {
  const [groups, length] = await Promise.all([
    (redis.xinfo('GROUPS', stream) as Promise<unknown[][]>).catch(() => []),
    redis.xlen(stream),
  ]);
  for (const flat of groups) {
    const g: Record<string, unknown> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) g[String(flat[i])] = flat[i + 1];
    if (g.name === group) return { pending: Number(g.pending), lag: g.lag === null || g.lag === undefined ? null : Number(g.lag), length };
  }
  return null;
}

/** Summed over the streams of one role, its room shards; throws when one cannot be read (then no value, rather than a low one). */
async function groupInfoOf(redis: RedisClient, streams: readonly string[], group: string): Promise<GroupInfo | null> {
  const all = (await Promise.all(streams.map((s) => groupInfo(redis, s, group)))).filter((i): i is GroupInfo => i !== null);
  if (!all.length) return null;
  const lags = all.map((i) => i.lag);
  return {
    pending: all.reduce((n, i) => n + i.pending, 0),
    lag: lags.includes(null) ? null : lags.reduce<number>((n, l) => n + (l ?? 0), 0),
    length: all.reduce((n, i) => n + i.length, 0),
  };
}

/** `name` is the streams' role (commands, finalize): bounded, unlike the prefixed keys; one value over all shards. */
export function streamMetrics(registry: Registry, redis: RedisClient, streams: readonly string[], group: string, name: string) {
  const labels = { stream: name, group };
  const read = () => groupInfoOf(redis, streams, group).catch(() => null);
  new Gauge({
    name: 'gambit_stream_pending', help: 'Entries read by a consumer and not yet acknowledged', labelNames: ['stream', 'group'], registers: [registry],
    async collect() { const i = await read(); if (i) this.set(labels, i.pending); },
  });
  new Gauge({
    name: 'gambit_stream_lag', help: 'Entries in the stream not yet delivered to the group', labelNames: ['stream', 'group'], registers: [registry],
    async collect() { const i = await read(); if (i && i.lag !== null) this.set(labels, i.lag); },
  });
  new Gauge({
    name: 'gambit_stream_length', help: 'Entries kept in the stream (bounded by MAXLEN)', labelNames: ['stream', 'group'], registers: [registry],
    async collect() { const i = await read(); if (i) this.set(labels, i.length); },
  });
  const claimed = new Counter({ name: 'gambit_stream_claimed_total', help: 'Stale entries claimed from a dead consumer', labelNames: ['stream', 'group'], registers: [registry] });
  claimed.inc(labels, 0);
  return { claimed: (n: number) => claimed.inc(labels, n) };
}
