// The platform as separate processes started from the build (dist/), as in production: for tests
// that kill a process, or read what each service logs. Run `npm run build` first (make test does).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startRedis, waitFor, type RedisHandle } from './redis.js';
import { startRedisCluster, type RedisCluster, type RedisClusterOptions } from './redis-cluster.js';
import { startDynalite, type DynaliteHandle } from './dynalite.js';
import { freePort } from './ports.js';
import { startProxy, type Proxy } from './proxy.js';
import { devSigningKey } from './keys.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** A service's entry point as its workspace declares it (package.json `main`: the compiled dist/main.js). */
const entry = (workspace: string) => `${workspace}/${(JSON.parse(readFileSync(`${root}${workspace}/package.json`, 'utf8')) as { main: string }).main}`;
const SERVICES = { 'game-engine': entry('services/game-engine'), finalizer: entry('services/finalizer'), gateway: entry('services/gateway') };
export type ServiceName = keyof typeof SERVICES;

export interface Proc { name: string; child: ChildProcess; lines: string[]; port: number }

export interface ProcessStack {
  httpUrl: string;
  /** DynamoDB as the finalizer reaches it: through a proxy that can cut the line. */
  dynamoProxy: Proxy;
  redis: RedisHandle;
  dynamo: DynaliteHandle;
  keyPrefix: string;
  gamesTable: string;
  /** The gateways' TOKEN_SIGNING_KEY: tests sign tokens of signed-in players (u_ ids) with it. */
  signingKey: string;
  procs: Proc[];
  /** Every JSON log line of a service so far, parsed. */
  logs(name: string): Record<string, unknown>[];
  /** Starts one more instance of a service (e.g. a second engine). */
  start(name: ServiceName, env?: Record<string, string>): Promise<Proc>;
  stop(): Promise<void>;
}

export interface ProcessStackOptions {
  logLevel?: string;
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** A folder for Redis's append-only file (fsync always), so Redis can be killed and restarted. */
  redisAof?: string;
  /** Node options before a service's entry point (e.g. `heapProbe` for tests that measure its heap). */
  nodeArgs?: Partial<Record<ServiceName, string[]>>;
}

/** Node options that let `heapAfterGc` read a service's heap after a full GC (test/support/heap-probe.cjs). */
export const heapProbe = ['--expose-gc', '--require', fileURLToPath(new URL('./heap-probe.cjs', import.meta.url))];

/**
 * Bytes still alive in a process started with `heapProbe`, after a full GC: V8 heap plus memory
 * outside it that JS objects hold (Buffers). Unlike RSS, it does not count garbage V8 has not
 * collected yet nor heap it keeps for later, so it grows only with what is really kept.
 */
export async function heapAfterGc(proc: Proc, timeoutMs = 30_000): Promise<{ heapUsed: number; external: number; rss: number }> {
  // Without the probe's handler, SIGUSR2 would end the process.
  if (!proc.child.spawnargs.includes(heapProbe[2]!)) throw new Error(`${proc.name} was not started with heapProbe`);
  const from = proc.lines.length;
  proc.child.kill('SIGUSR2');
  let found: { heapUsed: number; external: number; rss: number } | undefined;
  await waitFor(() => {
    for (const l of proc.lines.slice(from)) if (l.startsWith('{"heapProbe"')) found = (JSON.parse(l) as { heapProbe: typeof found }).heapProbe;
    return found !== undefined;
  }, timeoutMs, `${proc.name} did not report its heap`);
  return found!;
}

/** The same processes on a new local Redis Cluster (REDIS_MODE cluster, ROOM_SHARDS 4 unless `env` says otherwise). */
export interface ClusterProcessStack extends Omit<ProcessStack, 'redis'> {
  cluster: RedisCluster;
  /** REDIS_URL of the services: the startup nodes, comma-separated. */
  redisUrl: string;
}

export async function startProcessStack(opts: ProcessStackOptions = {}): Promise<ProcessStack> {
  const [redis, dynamo] = await Promise.all([startRedis(opts.redisAof ? { aof: opts.redisAof } : {}), startDynalite()]);
  const stack = await startProcesses(opts, { REDIS_URL: redis.url }, () => redis.stop(), dynamo);
  return { ...stack, redis };
}

export async function startClusterProcessStack(opts: Omit<ProcessStackOptions, 'redisAof'> & { clusterOptions?: RedisClusterOptions } = {}): Promise<ClusterProcessStack> {
  const [cluster, dynamo] = await Promise.all([startRedisCluster(opts.clusterOptions), startDynalite()]);
  const redisUrl = cluster.startupNodes.map((n) => `redis://${n.host}:${n.port}`).join(',');
  const stack = await startProcesses(opts, { REDIS_URL: redisUrl, REDIS_MODE: 'cluster', ROOM_SHARDS: '4' }, () => cluster.stop(), dynamo);
  return { ...stack, cluster, redisUrl };
}

async function startProcesses(opts: ProcessStackOptions, redisEnv: Record<string, string>, stopRedis: () => Promise<void>, dynamo: DynaliteHandle): Promise<Omit<ProcessStack, 'redis'>> {
  for (const path of Object.values(SERVICES)) {
    if (!existsSync(root + path)) {
      await Promise.all([stopRedis(), dynamo.stop()]);
      throw new Error(`${path} is missing: run \`npm run build\` first`);
    }
  }
  const dynamoProxy = await startProxy(dynamo.port);
  const prefix = `p${randomBytes(3).toString('hex')}`;
  const gamesTable = `${prefix}-games`;
  const common = { ...redisEnv, KEY_PREFIX: prefix, LOG_LEVEL: opts.logLevel ?? 'info', PATH: process.env.PATH ?? '' };
  const procs: Proc[] = [];
  let finalizerPort = await freePort();
  const signingKey = devSigningKey();

  // A free port found here can be taken by someone else before the child listens on it (an
  // outgoing connection's ephemeral port): a start that fails with EADDRINUSE is tried again on
  // another port (the finalizer's only while the gateways, which call it, have not started).
  const start = async (name: ServiceName, extra: Record<string, string> = {}): Promise<Proc> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce(name, extra);
      } catch (err) {
        const failed = procs.filter((p) => p.name === name).at(-1);
        const taken = failed !== undefined && failed.child.exitCode !== null && failed.lines.some((l) => l.includes('EADDRINUSE'));
        if (!taken || attempt === 3 || (name === 'finalizer' && procs.some((p) => p.name === 'gateway'))) throw err;
        procs.splice(procs.indexOf(failed), 1);
        if (name === 'finalizer') finalizerPort = await freePort();
      }
    }
  };

  const startOnce = async (name: ServiceName, extra: Record<string, string> = {}): Promise<Proc> => {
    const port = await freePort();
    const env: Record<string, string> = { ...common, ...opts.env?.[name], ...extra };
    // Several instances of one service: each needs its own name in consumer groups and registries.
    const nth = procs.filter((p) => p.name === name).length;
    if (name === 'game-engine') env.ENGINE_ID = `engine-${nth}-${prefix}`;
    if (name === 'gateway') env.GATEWAY_ID = `gateway-${nth}-${prefix}`;
    if (name === 'game-engine') Object.assign(env, { METRICS_PORT: String(port), DEADLINE_SCAN_MS: '20', CLAIM_IDLE_MS: '1000', SHARD_LEASE_MS: env.SHARD_LEASE_MS ?? '1000' });
    if (name === 'finalizer') Object.assign(env, {
      FINALIZER_HTTP_PORT: String(finalizerPort), DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoProxy.port}`, CREATE_TABLES: 'true', GAMES_TABLE: gamesTable,
      PLAYERS_TABLE: `${prefix}-players`, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', FINALIZE_BACKOFF_BASE_MS: '20',
    });
    if (name === 'gateway') Object.assign(env, {
      PORT: String(port), HOST: '127.0.0.1', TOKEN_SIGNING_KEY: signingKey, FINALIZER_URL: `http://127.0.0.1:${finalizerPort}`, DRAIN_MS: '200',
    });
    const child = spawn(process.execPath, [...(opts.nodeArgs?.[name] ?? []), SERVICES[name]], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc: Proc = { name, child, lines: [], port: name === 'finalizer' ? finalizerPort : port };
    // One buffer per stream: a line on stderr must not be glued to half a line of stdout.
    const lines = () => {
      let buf = '';
      return (d: Buffer) => {
        buf += d.toString('utf8');
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          proc.lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      };
    };
    child.stdout!.on('data', lines());
    child.stderr!.on('data', lines());
    procs.push(proc);
    const health = `http://127.0.0.1:${proc.port}/healthz`;
    const alive = () => child.exitCode === null && child.signalCode === null;
    // Readiness, not speed: a finalizer started again beside 200 games on a machine two to three
    // times slower than this one took over 15 s (a fresh clone under ../shared/tools/ci-under-load.sh).
    const began = Date.now();
    await waitFor(async () => {
      if (!alive()) throw new Error(`${name} exited at start: ${proc.lines.slice(-5).join('\n')}`);
      return fetch(health).then((r) => r.ok, () => false);
    }, 60_000, () => `${name} did not start in ${Date.now() - began} ms; it said: ${proc.lines.slice(-8).join('\n') || 'nothing'}`);
    // A healthy answer from someone else's process on that port would not be ours.
    if (!alive()) throw new Error(`${name} exited at start (port ${proc.port} taken?): ${proc.lines.slice(-5).join('\n')}`);
    return proc;
  };

  const stopAll = async () => {
    await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
      p.child.once('exit', () => resolve());
      p.child.kill('SIGTERM');
    })));
    await dynamoProxy.close();
    await Promise.all([stopRedis(), dynamo.stop()]);
  };
  let gateway: Proc;
  try {
    await start('game-engine');
    await start('finalizer');
    gateway = await start('gateway');
  } catch (err) {
    // Nothing half-started is left behind: a leaked redis-server or service keeps jest from exiting.
    await stopAll().catch(() => undefined);
    throw err;
  }
  return {
    httpUrl: `http://127.0.0.1:${gateway.port}`,
    dynamo, dynamoProxy, keyPrefix: prefix, gamesTable, signingKey, procs, start,
    logs: (name) => procs.filter((p) => p.name === name).flatMap((p) => p.lines).flatMap((l) => {
      try { return [JSON.parse(l) as Record<string, unknown>]; } catch { return []; }
    }),
    stop: stopAll,
  };
}
