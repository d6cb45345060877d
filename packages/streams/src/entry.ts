// How the transport writes and reads its stream entries. The layout (p = pattern, the handler to
// run; k = partition key, entries with the same key are handled one after another, in order;
// d = JSON data) and its one encoder and decoder live in @gambit/protocol (wire/stream-entry.ts).
import type { RedisClient } from '@gambit/common';
import { decodeEntry, encodeEntry, type EntryTrace, type StreamEntry } from '@gambit/protocol';

export type { EntryTrace, StreamEntry };

/** Appends one entry; MAXLEN ~ keeps the stream bounded without an exact (slower) trim. */
/** With `trace`, the entry carries that trace context (its handler's span becomes a child). */
export function xaddArgs(stream: string, pattern: string, key: string, data: unknown, maxLen: number, trace?: EntryTrace): (string | number)[] {
  return [stream, 'MAXLEN', '~', maxLen, '*', ...encodeEntry(pattern, key, data, trace)];
}

export async function publish(redis: RedisClient, stream: string, pattern: string, key: string, data: unknown, maxLen = 100_000, trace?: EntryTrace): Promise<string> {
  const [s, ...rest] = xaddArgs(stream, pattern, key, data, maxLen, trace);
  return (await redis.xadd(s as string, ...(rest as [string]))) as string;
}

/** Turns XREADGROUP / XAUTOCLAIM rows into entries; a malformed entry gets pattern '' (acknowledged, logged). */
export function parseEntries(rows: [string, string[]][]): StreamEntry[] {
  return rows.map(([id, fields]) => {
    const e = decodeEntry(id, fields);
    return 'malformed' in e ? { id, pattern: '', key: e.key, data: null } : e;
  });
}
