// Starts what the benchmark measures, each in its own process so /proc gives its CPU and RSS:
// Gambit (redis-server, dynalite, game engine, finalizer, gateway from their dist/ builds), the
// Colyseus peer, or the flow peer (DESIGN.md's flow of a move alone: bench/peers/flow). Everything listens on 127.0.0.1 and is stopped by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { TargetKind } from './drivers.js';

/** The repository root (the folder whose package.json is named "gambit"). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'gambit') return dir;
    dir = dirname(dir);
  }
  throw new Error('repository root not found');
}

/** Open file descriptors of a process (sockets included). */
export function openFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The last lines it wrote (stderr and stdout), for failure reports. */
  tail: string[];
  /** Its inspector's WebSocket URL, when started with --inspect. */
  inspectUrl?: string;
}

export interface RunningStack {
  kind: TargetKind;
  httpUrl: string;
  /** Every process clients may start from (the processes of a scaled peer); else [httpUrl]. */
  httpUrls: string[];
  procs: Proc[];
  redisUrl?: string;
  dynamoEndpoint?: string;
  keyPrefix?: string;
  /** /metrics URL of each Node service, for event-loop delay. */
  metrics: Record<string, string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Write a V8 CPU profile of each Node service here (--cpu-prof). */
  profileDir?: string;
  heartbeatMs?: number;
  /** Start the gateway (or the peer) with --inspect on a random loopback port, for collectGarbage(). */
  inspect?: boolean;
  /** Extra environment for the gateway / engine / finalizer, and for the gateway (or the peer) alone. */
  env?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  engines?: number;
  /**
   * A replica of Gambit's Redis (its own redis-server, measured with the rest), the engines
   * committing with WAIT 1 (COMMIT_DURABILITY=replicated) and the gateway reading its events from
   * the replica (REDIS_EVENTS_URL): docs/redis-cluster.md, section 4.
   */
  replicated?: boolean;
}

/** Every process started here and still running: killAll() ends them (budget exceeded, Ctrl-C). */
const running = new Set<ChildProcess>();

export function killAll(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

function spawnProc(name: string, cmd: string, args: string[], env: Record<string, string>, cwd: string): Proc {
  const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const tail: string[] = [];
  const proc: Proc = { name, pid: child.pid ?? -1, child, tail };
  const keep = (d: Buffer) => {
    for (const line of String(d).split('\n')) {
      if (!line.trim()) continue;
      tail.push(line.slice(0, 500));
      proc.inspectUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1];
    }
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  if (child.pid === undefined) throw new Error(`${name}: could not start ${cmd}`);
  return proc;
}

async function waitUntil(what: string, check: () => Promise<boolean>, proc: Proc | null, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc && proc.child.exitCode !== null) throw new Error(`${what} exited (${proc.child.exitCode}):\n${proc.tail.join('\n')}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms${proc ? `:\n${proc.tail.join('\n')}` : ''}`);
}

const httpOk = (url: string) => async () => (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;

export async function stopProcs(procs: Proc[], signal: NodeJS.Signals = 'SIGTERM', graceMs = 8000): Promise<void> {
  await Promise.all(procs.map((p) => new Promise<void>((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
    p.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    p.child.kill(signal);
  })));
}

/** The Node flags a service's image starts it with (the gateway's: services/gateway/node-flags.json). */
function imageFlags(name: string): string[] {
  if (name !== 'gateway') return [];
  return JSON.parse(readFileSync(join(repoRoot(), 'services/gateway/node-flags.json'), 'utf8')) as string[];
}

function nodeArgs(name: string, script: string, profileDir?: string, inspect = false): string[] {
  const args = [...imageFlags(name), ...(inspect ? ['--inspect=127.0.0.1:0'] : [])];
  if (profileDir) {
    mkdirSync(profileDir, { recursive: true });
    args.push('--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${name}.${Date.now()}.cpuprofile`);
  }
  return [...args, script];
}

/**
 * Runs a full garbage collection in a Node process started with `inspect` (through its inspector:
 * HeapProfiler.collectGarbage), so its RSS can be read without garbage in it.
 */
export async function collectGarbage(proc: Proc): Promise<boolean> {
  const url = proc.inspectUrl;
  if (!url) return false;
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(url);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    for (let i = 1; i <= 2; i++) {
      await new Promise<void>((resolve) => {
        const onMsg = (d: unknown) => {
          if ((JSON.parse(String(d)) as { id?: number }).id === i) {
            ws.off('message', onMsg);
            resolve();
          }
        };
        ws.on('message', onMsg);
        ws.send(JSON.stringify({ id: i, method: 'HeapProfiler.collectGarbage' }));
      });
    }
    return true;
  } catch {
    return false;
  } finally {
    ws.close();
  }
}

/** A redis-server on a free loopback port, without persistence (with `replicaOf`, its replica); pushed onto `procs` once spawned. */
async function startRedis(procs: Proc[], replicaOf?: string): Promise<{ redis: Proc; redisUrl: string }> {
  const redisPort = await freePort();
  const replica = replicaOf ? ['--replicaof', '127.0.0.1', new URL(replicaOf).port] : [];
  const redis = spawnProc(replicaOf ? 'redis-replica' : 'redis', 'redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...replica], {}, repoRoot());
  procs.push(redis);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  await waitUntil('redis-server', async () => {
    const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      // A replica counts once it is in sync with its primary.
      return (await r.ping()) === 'PONG' && (!replicaOf || /master_link_status:up/.test(await r.info('replication')));
    } finally {
      r.disconnect();
    }
  }, redis);
  return { redis, redisUrl };
}

export async function startGambit(opts: StackOptions = {}): Promise<RunningStack> {
  const root = repoRoot();
  for (const s of ['game-engine', 'finalizer', 'gateway']) {
    if (!existsSync(join(root, `services/${s}/dist/main.js`))) throw new Error(`services/${s}/dist/main.js is missing: run npm run build first`);
  }
  const procs: Proc[] = [];
  const started: Proc[] = [];
  try {
    const { redis, redisUrl } = await startRedis(procs);
    const replica = opts.replicated ? await startRedis(procs, redisUrl) : undefined;

    const dynamoPort = await freePort();
    const dynamo = spawnProc('dynalite', process.execPath, [join(root, 'node_modules/dynalite/cli.js'), '--port', String(dynamoPort), '--host', '127.0.0.1', '--createTableMs', '0'], {}, root);
    procs.push(dynamo);
    const dynamoEndpoint = `http://127.0.0.1:${dynamoPort}`;
    await waitUntil('dynalite', async () => (await fetch(dynamoEndpoint, { method: 'POST', signal: AbortSignal.timeout(1000) })).status > 0, dynamo);

    const keyPrefix = 'bench';
    const common = { REDIS_URL: redisUrl, KEY_PREFIX: keyPrefix, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn', ...(replica ? { COMMIT_DURABILITY: 'replicated' } : {}), ...opts.env };
    const metrics: Record<string, string> = {};
    for (let i = 0; i < (opts.engines ?? 1); i++) {
      const port = await freePort();
      const name = opts.engines && opts.engines > 1 ? `engine${i + 1}` : 'engine';
      const engine = spawnProc(name, process.execPath, nodeArgs(name, 'services/game-engine/dist/main.js', opts.profileDir), { ...common, METRICS_PORT: String(port) }, root);
      procs.push(engine);
      started.push(engine);
      metrics[name] = `http://127.0.0.1:${port}/metrics`;
      await waitUntil(name, httpOk(`http://127.0.0.1:${port}/readyz`), engine);
    }
    const finPort = await freePort();
    const finalizer = spawnProc('finalizer', process.execPath, nodeArgs('finalizer', 'services/finalizer/dist/main.js', opts.profileDir), {
      ...common, DYNAMODB_ENDPOINT: dynamoEndpoint, CREATE_TABLES: 'true', FINALIZER_HTTP_PORT: String(finPort),
      AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1',
    }, root);
    procs.push(finalizer);
    started.push(finalizer);
    metrics.finalizer = `http://127.0.0.1:${finPort}/metrics`;
    await waitUntil('finalizer', httpOk(`http://127.0.0.1:${finPort}/readyz`), finalizer);

    const gwPort = await freePort();
    const gateway = spawnProc('gateway', process.execPath, nodeArgs('gateway', 'services/gateway/dist/main.js', opts.profileDir, opts.inspect), {
      ...common, PORT: String(gwPort), HOST: '127.0.0.1', TOKEN_SECRET: randomBytes(32).toString('hex'), DRAIN_MS: '200',
      HEARTBEAT_MS: String(opts.heartbeatMs ?? 15_000), FINALIZER_URL: `http://127.0.0.1:${finPort}`,
      // Every simulated player comes from 127.0.0.1: the per-address limits (sockets, joins per
      // minute) are for the internet, not for a load generator.
      MAX_CONNECTIONS_PER_IP: '1000000', JOIN_RATE_PER_MIN: '100000000',
      ...(replica ? { REDIS_EVENTS_URL: replica.redisUrl } : {}),
      ...opts.gatewayEnv,
    }, root);
    procs.push(gateway);
    started.push(gateway);
    const httpUrl = `http://127.0.0.1:${gwPort}`;
    metrics.gateway = `${httpUrl}/metrics`;
    await waitUntil('gateway', httpOk(`${httpUrl}/readyz`), gateway);

    return {
      kind: replica ? 'gambit-replicated' : 'gambit', httpUrl, httpUrls: [httpUrl], procs, redisUrl, dynamoEndpoint, keyPrefix, metrics,
      async stop() {
        // The gateway closes at once on SIGINT (SIGTERM would drain); services first, then their stores.
        await stopProcs([gateway], 'SIGINT');
        await stopProcs(procs.filter((p) => p !== gateway && p !== redis && p !== dynamo && p !== replica?.redis));
        await stopProcs([redis, dynamo, ...(replica ? [replica.redis] : [])]);
      },
    };
  } catch (err) {
    await stopProcs(procs, 'SIGKILL');
    throw err;
  }
}

/**
 * The Colyseus peer: one process (`processes` 1, in-memory presence and driver), or the scaled
 * setup: a redis-server and `processes` peer processes sharing it through @colyseus/redis-presence
 * and @colyseus/redis-driver, each announcing its own address (publicAddress) for room sockets.
 * Every process shares the token secret, so any of them issues and checks guest tokens.
 */
export async function startColyseus(opts: StackOptions = {}, processes = 1): Promise<RunningStack> {
  const root = repoRoot();
  const script = join(root, 'bench/dist/peers/colyseus/main.js');
  if (!existsSync(script)) throw new Error('bench/dist/peers/colyseus/main.js is missing: build the bench first');
  const procs: Proc[] = [];
  try {
    const shared = processes > 1 ? await startRedis(procs) : null;
    const secret = randomBytes(32).toString('hex');
    const peers: Proc[] = [];
    const httpUrls: string[] = [];
    for (let i = 0; i < processes; i++) {
      const port = await freePort();
      const name = processes > 1 ? `colyseus${i + 1}` : 'colyseus';
      const peer = spawnProc(name, process.execPath, nodeArgs(name, script, opts.profileDir, opts.inspect), {
        ...opts.gatewayEnv,
        PORT: String(port), HOST: '127.0.0.1', TOKEN_SECRET: secret, PING_INTERVAL_MS: String(opts.heartbeatMs ?? 3000),
        ...(shared ? { REDIS_URL: shared.redisUrl, PUBLIC_ADDRESS: `127.0.0.1:${port}` } : {}),
      }, root);
      procs.push(peer);
      peers.push(peer);
      const httpUrl = `http://127.0.0.1:${port}`;
      httpUrls.push(httpUrl);
      await waitUntil(`colyseus peer ${name}`, httpOk(`${httpUrl}/healthz`), peer);
    }
    return {
      kind: processes > 1 ? 'colyseus-scaled' : 'colyseus', httpUrl: httpUrls[0]!, httpUrls, procs, metrics: {},
      ...(shared ? { redisUrl: shared.redisUrl } : {}),
      async stop() {
        await stopProcs(peers);
        if (shared) await stopProcs([shared.redis]);
      },
    };
  } catch (err) {
    await stopProcs(procs, 'SIGKILL');
    throw err;
  }
}

/**
 * The flow peer (bench/peers/flow): a redis-server, its engine, then its gateway: the hops of
 * DESIGN.md's flow of a move (socket, command stream, engine, event stream, sockets) and chess.js,
 * nothing else; what any implementation of that flow pays here before the rest of what Gambit does.
 */
export async function startFlow(opts: StackOptions = {}): Promise<RunningStack> {
  const root = repoRoot();
  const script = join(root, 'bench/dist/peers/flow/main.js');
  if (!existsSync(script)) throw new Error('bench/dist/peers/flow/main.js is missing: build the bench first');
  const procs: Proc[] = [];
  try {
    const { redis, redisUrl } = await startRedis(procs);
    const engine = spawnProc('flow-engine', process.execPath, nodeArgs('flow-engine', script, opts.profileDir), { REDIS_URL: redisUrl, FLOW_ROLE: 'engine' }, root);
    procs.push(engine);
    await waitUntil('flow engine', async () => engine.tail.includes('reading'), engine);
    const port = await freePort();
    const gateway = spawnProc('flow-gateway', process.execPath, nodeArgs('flow-gateway', script, opts.profileDir, opts.inspect), {
      REDIS_URL: redisUrl, FLOW_ROLE: 'gateway', PORT: String(port), HOST: '127.0.0.1', PING_INTERVAL_MS: String(opts.heartbeatMs ?? 5000),
    }, root);
    procs.push(gateway);
    const httpUrl = `http://127.0.0.1:${port}`;
    await waitUntil('flow gateway', httpOk(`${httpUrl}/healthz`), gateway);
    return {
      kind: 'flow', httpUrl, httpUrls: [httpUrl], procs, redisUrl, metrics: {},
      async stop() {
        await stopProcs([gateway, engine]);
        await stopProcs([redis]);
      },
    };
  } catch (err) {
    await stopProcs(procs, 'SIGKILL');
    throw err;
  }
}
