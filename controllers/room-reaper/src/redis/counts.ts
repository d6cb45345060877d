// Live connection counts: each gateway writes its open socket count with a TTL (three heartbeats);
// a missing key is a pod that does not report (new, or not heartbeating).
import type { Redis } from 'ioredis';
import type { Keys } from '@gambit/common';

export async function readCounts(redis: Redis, keys: Keys, pods: string[]): Promise<(number | null)[]> {
  if (pods.length === 0) return [];
  const values = await redis.mget(...pods.map((p) => keys.gatewayConnections(p)));
  return values.map((v) => {
    if (v === null) return null;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 ? n : null;
  });
}
