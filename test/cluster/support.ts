// What the adapter tests on the local Redis Cluster share: a Cluster client of the services' kind
// (connectRedis in cluster mode, from the REDIS_URL the services would get), which primary serves a
// slot, and the check that a batch of keys really spans slots on several primaries.
import { expect } from '@jest/globals';
import calculateSlot from 'cluster-key-slot';
import { connectRedis, type RedisClient } from '@gambit/common';
import type { RedisCluster } from '../support/redis-cluster.js';
import { waitFor } from '../support/redis.js';

export interface ClusterClient {
  /** REDIS_URL for REDIS_MODE=cluster: the startup nodes, comma-separated. */
  url: string;
  redis: RedisClient;
  /** slot -> port of the primary serving it (as read once, at connect). */
  nodeOfSlot(slot: number): number;
  primaryCount: number;
}

export async function connectCluster(cluster: RedisCluster): Promise<ClusterClient> {
  const url = cluster.startupNodes.map((n) => `redis://${n.host}:${n.port}`).join(',');
  const redis = connectRedis(url, 'test', 'cluster');
  await waitFor(() => redis.status === 'ready', 20_000, () => `the Cluster client is ${redis.status}`);
  const primaries = (await cluster.topology()).filter((t) => t.role === 'primary');
  const nodeOfSlot = (slot: number) => primaries.find((p) => p.slots.some(([a, b]) => slot >= a && slot <= b))!.port;
  return { url, redis, nodeOfSlot, primaryCount: primaries.length };
}

/** The keys are in more than one slot, on more than one primary: what a batch of them must survive. */
export function expectSpread(c: ClusterClient, keyList: string[]): void {
  const slots = new Set(keyList.map((key) => calculateSlot(key)));
  expect(slots.size).toBeGreaterThan(1);
  expect(new Set([...slots].map((s) => c.nodeOfSlot(s))).size).toBeGreaterThan(1);
}

/** Whether the keys are on more than one primary (for keys with random names: make more until they are). */
export function spread(c: ClusterClient, keyList: string[]): boolean {
  return new Set(keyList.map((key) => c.nodeOfSlot(calculateSlot(key)))).size > 1;
}
