// The shape of one stream entry and how it is written. Fields: p = pattern (the handler to run),
// k = partition key (entries with the same key are handled one after another, in order), d = JSON data.
import type { Redis } from 'ioredis';

export interface StreamEntry {
  id: string;
  pattern: string;
  key: string;
  data: unknown;
}

/** Appends one entry; MAXLEN ~ keeps the stream bounded without an exact (slower) trim. */
export function xaddArgs(stream: string, pattern: string, key: string, data: unknown, maxLen: number): (string | number)[] {
  return [stream, 'MAXLEN', '~', maxLen, '*', 'p', pattern, 'k', key, 'd', JSON.stringify(data)];
}

export async function publish(redis: Redis, stream: string, pattern: string, key: string, data: unknown, maxLen = 100_000): Promise<string> {
  const [s, ...rest] = xaddArgs(stream, pattern, key, data, maxLen);
  return (await redis.xadd(s as string, ...(rest as [string]))) as string;
}

/** Turns XREADGROUP / XAUTOCLAIM rows into entries; a malformed entry gets pattern '' (acknowledged, logged). */
export function parseEntries(rows: [string, string[]][]): StreamEntry[] {
  return rows.map(([id, fields]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    let data: unknown = null;
    let pattern = f.p ?? '';
    try {
      data = f.d === undefined ? null : JSON.parse(f.d);
    } catch {
      pattern = '';
    }
    return { id, pattern, key: f.k ?? id, data };
  });
}
