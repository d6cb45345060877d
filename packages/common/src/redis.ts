// ioredis connections with settings suited to streams: blocking reads need their own connection.
// REDIS_MODE single: one Redis (REDIS_URL); cluster: a Redis Cluster (REDIS_URL lists startup
// nodes, comma-separated; one is enough, e.g. ElastiCache's configuration endpoint). Both clients
// take the same commands; what a Cluster refuses (keys of several slots in one command, MULTI,
// pipeline or script) is kept out of the code by the key layout (keys.ts, docs/redis-cluster.md).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Cluster, Redis } from 'ioredis';

export { Cluster, Redis };

/** A connection to a single Redis or to a Redis Cluster. */
export type RedisClient = Redis | Cluster;
export type RedisMode = 'single' | 'cluster';

/**
 * `replicaReads` (a Cluster): read commands go to a replica of the slot's primary (READONLY), as a
 * gateway's event readers do with REDIS_EVENTS_FROM_REPLICAS (docs/redis-cluster.md, section 4).
 */
export function connectRedis(url: string, name: string, mode: RedisMode = 'single', opts: { replicaReads?: boolean } = {}): RedisClient {
  if (mode === 'single') {
    // (A comma alone may be in a password: only a second URL after it is a list.)
    if (/,\s*rediss?:\/\//.test(url)) throw new Error('REDIS_URL lists several nodes: that is a cluster (REDIS_MODE=cluster)');
    return new Redis(url, { connectionName: name, maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
  }
  const nodes = clusterNodes(url);
  const first = new URL(nodes[0]!);
  return new Cluster(nodes.map((n) => { const u = new URL(n); return { host: u.hostname, port: Number(u.port || 6379) }; }), {
    redisOptions: {
      connectionName: name, maxRetriesPerRequest: null,
      ...(first.username ? { username: decodeURIComponent(first.username) } : {}),
      ...(first.password ? { password: decodeURIComponent(first.password) } : {}),
      ...(first.protocol === 'rediss:' ? { tls: {} } : {}),
    },
    // ElastiCache's TLS certificates name the endpoints, not the addresses they resolve to.
    ...(first.protocol === 'rediss:' ? { dnsLookup: (address: string, cb: (err: null, a: string) => void) => cb(null, address) } : {}),
    enableReadyCheck: true,
    ...(opts.replicaReads ? { scaleReads: 'slave' as const } : {}),
    // Commands to one node in the same tick go as one write: what a pipeline did on one Redis,
    // without a pipeline's one-node rule.
    enableAutoPipelining: true,
    // A failover (a replica promoted) takes seconds: commands wait and are retried meanwhile.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 100,
    maxRedirections: 32,
    slotsRefreshTimeout: 2_000,
    // The slot map is read at connect and after a redirect; read it again now and then, or a replica
    // that joined (or finished its first sync) after the connect would never get a replica read.
    slotsRefreshInterval: 30_000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
  });
}

/** The startup nodes of a cluster REDIS_URL: `redis://h1:6379,redis://h2:6379` (or `h1:6379,h2:6379`). */
export function clusterNodes(url: string): string[] {
  const nodes = url.split(',').map((n) => n.trim()).filter(Boolean).map((n) => (n.includes('://') ? n : `redis://${n}`));
  if (!nodes.length) throw new Error('REDIS_URL names no cluster node');
  for (const n of nodes) if (!/^rediss?:$/.test(new URL(n).protocol)) throw new Error(`not a redis:// or rediss:// node: ${redactUrl(n)}`);
  return nodes;
}

/** Each primary of a Cluster (the client itself on a single Redis): for SCAN and INFO, which are per node. */
export function primaries(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** Resolves once the connection is ready, or rejects with a message naming the URL. */
export async function waitReady(redis: RedisClient, url: string, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis at ${redactUrl(url)} is not reachable (REDIS_URL)`));
    }, timeoutMs);
    const onReady = () => { cleanup(); resolve(); };
    const cleanup = () => { clearTimeout(timer); redis.off('ready', onReady); };
    redis.on('ready', onReady);
  });
}

/**
 * A name for this process among its peers (consumer name, registry id): the pod name in
 * Kubernetes (HOSTNAME), plus pid and a few random bytes so local processes never collide.
 */
export function instanceId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The URL without its password, for messages and logs (REDIS_URL may carry AUTH credentials). */
export function redactUrl(url: string): string {
  if (/,\s*rediss?:\/\//.test(url)) return url.split(',').map((n) => redactUrl(n.trim())).join(',');
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
