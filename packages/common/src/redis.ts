// ioredis connections with settings suited to streams: blocking reads need their own connection.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';

export { Redis };

export function connectRedis(url: string, name: string): Redis {
  return new Redis(url, { connectionName: name, maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false });
}

/** Resolves once the connection is ready, or rejects with a message naming the URL. */
export async function waitReady(redis: Redis, url: string, timeoutMs = 10_000): Promise<void> {
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
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
