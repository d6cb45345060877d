// Live connection counts: each gateway writes its open socket count with a TTL (three heartbeats);
// a missing key is a pod that does not report (new, or not heartbeating).
import type { RedisClient } from '@gambit/common';
import type { Keys } from '@gambit/common';

export async function readCounts(redis: RedisClient, keys: Keys, pods: string[]): Promise<(number | null)[]> {
  if (pods.length === 0) return [];
  // Each gateway's count is in its own slot on a Redis Cluster: one GET each, sent together.
  const values = await Promise.all(pods.map((p) => redis.get(keys.gatewayConnections(p))));
  return values.map((v) => {
    if (v === null) return null;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 ? n : null;
  });
}
