// A real redis-server for one test file, on a free port, with nothing written to disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

export interface RedisHandle {
  url: string;
  port: number;
  /** The data folder (`aof`), if any. */
  dir?: string;
  /** Stops the server (SIGKILL when `crash`), for tests of Redis going away. */
  stop(crash?: boolean): Promise<void>;
  /** Starts it again on the same port (and, with `aof`, the same data). */
  restart(): Promise<void>;
  /**
   * Switches the live server to another persistence setting (CONFIG SET) and restarts it with that
   * setting from then on, in the same folder. Only for a server started with `aof` (a data folder).
   */
  setPersistence(p: Persistence): Promise<void>;
}

/**
 * How Redis keeps its data across a restart: AOF fsynced on every write (the chaos test's) or once
 * a second (Redis's default AOF, the chart's bundled Redis), RDB snapshots only (`save 60 1000`),
 * or nothing (a restart starts empty).
 */
export type Persistence = 'aof-always' | 'aof-everysec' | 'rdb' | 'none';
export const RDB_SAVE = '60 1000';

/** redis-server's flags for a persistence setting (without `--dir`). */
export function persistenceArgs(p: Persistence): string[] {
  switch (p) {
    case 'aof-always': return ['--appendonly', 'yes', '--appendfsync', 'always', '--save', ''];
    case 'aof-everysec': return ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''];
    case 'rdb': return ['--appendonly', 'no', '--save', RDB_SAVE];
    case 'none': return ['--appendonly', 'no', '--save', ''];
  }
}

/** `aof`: a folder for an append-only file fsynced on every write (no loss on a crash). */
export async function startRedis(opts: { aof?: string } = {}): Promise<RedisHandle> {
  const port = await freePort();
  const base = ['--port', String(port), '--bind', '127.0.0.1'];
  let args = [...base, ...(opts.aof ? [...persistenceArgs('aof-always'), '--dir', opts.aof] : persistenceArgs('none'))];
  let proc: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const ready = () => waitFor(() => answers(url, async (r) => (await r.ping()) === 'PONG'), 10_000, `redis-server on port ${port} did not start (is redis-server installed?)`);
  await ready();
  return {
    url,
    port,
    ...(opts.aof ? { dir: opts.aof } : {}),
    async restart() {
      proc = spawn('redis-server', args, { stdio: 'ignore' });
      await ready();
    },
    async setPersistence(p) {
      if (!opts.aof) throw new Error('setPersistence needs a data folder: start Redis with `aof`');
      const flags = persistenceArgs(p);
      const admin = new Redis(url, { maxRetriesPerRequest: 0 });
      try {
        // appendfsync before appendonly: turning AOF off must not leave a half-set server.
        for (const name of ['--appendfsync', '--save', '--appendonly']) {
          const i = flags.indexOf(name);
          if (i >= 0) await admin.config('SET', name.slice(2), flags[i + 1]!);
        }
      } finally {
        admin.disconnect();
      }
      args = [...base, ...flags, '--dir', opts.aof];
    },
    stop: (crash = false) =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(crash ? 'SIGKILL' : 'SIGTERM');
      }),
  };
}

/** Whether the server at `url` takes a connection and passes `check` (false when it does not answer yet). */
async function answers(url: string, check: (r: Redis) => Promise<boolean>): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await probe.connect();
    return await check(probe);
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** A replica of `primary` (REPLICAOF), in sync when this resolves; `pause` stops its process (SIGSTOP) until `resume`. */
export async function startReplica(primary: RedisHandle): Promise<{ url: string; pause(): void; resume(): void; stop(): Promise<void> }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--replicaof', '127.0.0.1', String(primary.port), ...persistenceArgs('none')], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(() => answers(url, async (r) => (await r.info('replication')).includes('master_link_status:up')), 10_000, `the replica on port ${port} did not reach its primary`);
  return {
    url,
    pause: () => proc.kill('SIGSTOP'),
    resume: () => proc.kill('SIGCONT'),
    stop: () => new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once('exit', () => resolve());
      proc.kill('SIGCONT');
      proc.kill('SIGTERM');
    }),
  };
}

/**
 * Polls `check` until it is true; fails with `message` after `timeoutMs` (a function is called
 * then, so it can say what happened meanwhile). For readiness, not for test events.
 */
export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, message: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(typeof message === 'function' ? message() : message);
}
