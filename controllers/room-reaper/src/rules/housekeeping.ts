// Stream housekeeping decisions: how far a stream with consumer groups may be trimmed, which
// consumers are gone, which gateway event streams are orphans and how every room shard's are found. Pure.

/** Compares two stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const d = BigInt(am) - BigInt(bm);
  if (d !== 0n) return d < 0n ? -1 : 1;
  const e = BigInt(as) - BigInt(bs);
  return e === 0n ? 0 : e < 0n ? -1 : 1;
}

export interface GroupView {
  name: string;
  /** The id of the last entry delivered to the group ('0-0' when none). */
  lastDeliveredId: string;
  /** The oldest entry delivered and not yet acknowledged, or null when nothing is pending. */
  oldestPendingId: string | null;
}

/**
 * The MINID for XTRIM: entries below it have been delivered to every group and acknowledged, and
 * are older than `retainMs`. Null when nothing may go (no group reads the stream: nobody would
 * ever have read what we removed).
 */
export function trimBound(groups: GroupView[], now: number, retainMs: number): string | null {
  if (groups.length === 0) return null;
  let bound: string | null = null;
  for (const g of groups) {
    // A pending entry is still needed; so is everything after the last delivered one. The last
    // delivered entry itself stays (MINID keeps ids >= the bound): one entry, and no off-by-one.
    const needed = g.oldestPendingId ?? g.lastDeliveredId;
    if (bound === null || compareIds(needed, bound) < 0) bound = needed;
  }
  const age = `${Math.max(0, now - retainMs)}-0`;
  if (bound === null || compareIds(bound, '0-1') < 0) return null;
  return compareIds(age, bound) < 0 ? age : bound;
}

export interface ConsumerView { name: string; pending: number; idleMs: number }

/** Consumers of dead processes: nothing pending, idle for `idleMs`. A live one that is removed is re-created by its next read. */
export function staleConsumers(consumers: ConsumerView[], idleMs: number): string[] {
  return consumers.filter((c) => c.pending === 0 && c.idleMs >= idleMs).map((c) => c.name);
}

/**
 * Event streams of gateways that are not in the registry and saw nothing for `quietMs` (an engine's
 * answer to a dead gateway's command re-creates its stream after the cleanup: nobody reads it).
 */
export function orphanStreams(streams: { gw: string; lastEntryMs: number | null }[], registered: Set<string>, now: number, quietMs: number): string[] {
  return streams.filter((s) => !registered.has(s.gw) && (s.lastEntryMs === null || now - s.lastEntryMs >= quietMs)).map((s) => s.gw);
}

/** `s` with Redis's glob characters escaped (a key prefix is matched as it is written). */
const globEscape = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/**
 * One SCAN pattern for the event streams of every room shard (`prefixes[s]`: shard s's stream name
 * for gateway ''), and the way back from a key found to its shard and gateway. One shard: its
 * prefix then `*` (the untagged names). Several: what all prefixes share on either side of the
 * shard tag, `*` in between (`gambit:{r*}:stream:gw:*`); a key of a shard count other than this
 * deployment's matches the pattern but is no shard of ours (null).
 */
export function gatewayStreams(prefixes: readonly string[]): { pattern: string; parse(key: string): { shard: number; gw: string } | null } {
  const first = prefixes[0];
  if (first === undefined) throw new Error('no room shards');
  const byPrefix = new Map(prefixes.map((p, s) => [p, s]));
  if (prefixes.length === 1) {
    return {
      pattern: `${globEscape(first)}*`,
      parse: (key) => (key.startsWith(first) ? { shard: 0, gw: key.slice(first.length) } : null),
    };
  }
  let head = 0;
  while (prefixes.every((p) => head < p.length && p[head] === first[head])) head++;
  let tail = 0;
  while (prefixes.every((p) => tail < p.length - head && p[p.length - 1 - tail] === first[first.length - 1 - tail])) tail++;
  const lead = first.slice(0, head);
  const trail = first.slice(first.length - tail);
  return {
    pattern: `${globEscape(lead)}*${globEscape(trail)}*`,
    parse: (key) => {
      if (!key.startsWith(lead)) return null;
      const end = key.indexOf(trail, head);
      if (end < 0) return null;
      const prefix = key.slice(0, end + trail.length);
      const shard = byPrefix.get(prefix);
      return shard === undefined ? null : { shard, gw: key.slice(prefix.length) };
    },
  };
}
