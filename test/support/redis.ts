// A real redis-server for one test file, on a free port, with nothing written to disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

export interface RedisHandle {
  url: string;
  port: number;
  /** Stops the server (SIGKILL when `crash`), for tests of Redis going away. */
  stop(crash?: boolean): Promise<void>;
  /** Starts it again on the same port (and, with `aof`, the same data). */
  restart(): Promise<void>;
}

/** `aof`: a folder for an append-only file fsynced on every write (no loss on a crash). */
export async function startRedis(opts: { aof?: string } = {}): Promise<RedisHandle> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', ''];
  args.push(...(opts.aof ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', opts.aof] : ['--appendonly', 'no']));
  let proc: ChildProcess = spawn('redis-server', args, { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const ready = () => waitFor(async () => {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }, 10_000, `redis-server on port ${port} did not start (is redis-server installed?)`);
  await ready();
  return {
    url,
    port,
    async restart() {
      proc = spawn('redis-server', args, { stdio: 'ignore' });
      await ready();
    },
    stop: (crash = false) =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(crash ? 'SIGKILL' : 'SIGTERM');
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
