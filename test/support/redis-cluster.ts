// A real local Redis Cluster for one test file: six redis-server processes in cluster mode (three
// primaries, a replica each), created with `redis-cli --cluster create` (issue 16). Each node has a
// folder of its own in a temporary directory (its nodes.conf, its log, its append-only file when
// asked), removed by stop(). Nothing half-started is left behind when the start fails.
//
// redis-cli comes with redis-server (Debian's redis-server depends on redis-tools, which holds
// redis-cli), so `make system-deps` / .ci/run installing redis-server is enough.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { isFree, portBelowEphemeral } from './ports.js';
import { waitFor } from './redis.js';

export type NodeRole = 'primary' | 'replica';

export interface ClusterNode {
  host: string;
  port: number;
  /** The role the cluster gave it, as last read (start, waitForPromotion, manualFailover, topology). */
  role: NodeRole;
  /** Its cluster node id (CLUSTER MYID). */
  id: string;
  /** Its process runs (false after kill, until restart). */
  up: boolean;
}

export interface TopologyNode {
  id: string;
  host: string;
  port: number;
  role: NodeRole;
  /** The primary's node id, for a replica. */
  primaryId: string | null;
  /** Flagged fail or pfail by the node we asked, or its link down. */
  failing: boolean;
  /** Slot ranges served, for a primary: [from, to] inclusive. */
  slots: [number, number][];
}

export interface Promotion {
  /** The replica that took over. */
  port: number;
  /** From the kill (or the failover request) to the replica seen as primary with every slot served. */
  ms: number;
}

export interface RedisClusterOptions {
  /**
   * cluster-node-timeout. Redis's default is 15 s: a primary that stops answering is only failed
   * over after that, plus an election. Tests want a failover in a few seconds, so they set it low;
   * not too low, or a node stalled for a moment on a loaded two-core CI machine gets failed over
   * when nothing was killed. 1500 ms gives a promotion in about 2-4 s.
   */
  nodeTimeoutMs?: number;
  /** Append-only file on every node, fsynced on every write (as test/support/redis.ts's `aof`). */
  appendonly?: boolean;
  /**
   * The start also waits until CLUSTER SLOTS lists every replica (what a client reads at connect):
   * Redis leaves a replica out until the cluster bus has gossiped its first sync, ~8 s after the
   * create here. Only for tests whose clients must see replicas from their first connect (replica reads).
   */
  clientsSeeReplicas?: boolean;
  /** Readiness deadline for the start (generous: a slow machine under load). */
  startTimeoutMs?: number;
}

export interface RedisCluster {
  /** Every node as created: three primaries, three replicas (roles kept current by the helpers). */
  nodes: ClusterNode[];
  /** What an ioredis `Cluster` takes as its startup nodes. */
  startupNodes: { host: string; port: number }[];
  /** The live primaries, as last read. */
  primaries(): ClusterNode[];
  /** The replica(s) of a primary, as last read. */
  replicasOf(port: number): ClusterNode[];
  /** The primary serving `slot` now (read from a live node). */
  primaryForSlot(slot: number): Promise<ClusterNode>;
  /** CLUSTER NODES as a live node sees it; also refreshes `nodes[].role`. */
  topology(): Promise<TopologyNode[]>;
  /** SIGKILL one node (as a crash); resolves when it exited. */
  kill(port: number): Promise<void>;
  /**
   * Starts a stopped node again on its port with its nodes.conf and waits until the cluster is
   * healthy: it rejoins (a failed-over primary as a replica of its successor). Without `appendonly`,
   * a primary restarted before its replica was promoted comes back empty and keeps its slots (its
   * data is gone): wait for the promotion first, or start the cluster with `appendonly`.
   */
  restart(port: number): Promise<void>;
  /**
   * After `kill(port)` of a primary: waits until one of its replicas is primary and every live node
   * says cluster_state:ok with all 16384 slots served. The time is measured from the kill.
   */
  waitForPromotion(port: number, timeoutMs?: number): Promise<Promotion>;
  /** CLUSTER FAILOVER on a replica (a planned switch, no data lost); waits as waitForPromotion does. */
  manualFailover(replicaPort: number, timeoutMs?: number): Promise<Promotion>;
  /** Every live node: cluster_state:ok, all slots served, replicas linked to their primaries. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the temporary directory. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const SLOTS = 16384;

interface Proc {
  port: number;
  dir: string;
  args: string[];
  child: ChildProcess | null;
  id: string;
  role: NodeRole;
  killedAt?: number;
}

/** A port free for the node and for its cluster bus (port + 10000). */
async function freeNodePort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = portBelowEphemeral(10_001); // its bus port too (support/ports.ts)
    if (taken.has(port) || taken.has(port + 10_000) || taken.has(port - 10_000)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair (port, port + 10000) found for a cluster node');
}


/** Runs a command to its end without blocking the event loop; its exit code (or signal) and output. */
function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => { clearTimeout(timer); resolve({ code: String(err), output }); });
    child.once('close', (code, signal) => { clearTimeout(timer); resolve({ code: code ?? signal ?? 'unknown', output }); });
  });
}

function alive(p: Proc): boolean {
  return p.child !== null && p.child.exitCode === null && p.child.signalCode === null;
}

function logTail(p: Proc, lines = 8): string {
  const file = join(p.dir, 'redis.log');
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** One short-lived connection per question: probes must not hang on a dead node. */
async function ask<T>(port: number, f: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    host: HOST, port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 2000,
    // After disconnect() ioredis waits this long for the server to close the socket: a timer that
    // would keep jest from exiting after a failed start.
    disconnectTimeout: 100,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await f(r);
  } finally {
    if (r.status === 'ready') await r.quit().catch(() => r.disconnect());
    else r.disconnect();
  }
}

const info = (text: string): Record<string, string> =>
  Object.fromEntries(text.split(/\r?\n/).filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]));

/** Parses CLUSTER NODES. */
export function parseClusterNodes(text: string): TopologyNode[] {
  return text.trim().split('\n').filter(Boolean).map((line) => {
    const [id, addr, flags, primary, , , , link, ...slotSpecs] = line.trim().split(' ');
    const hostPort = addr!.split('@')[0]!;
    const f = flags!.split(',');
    const slots: [number, number][] = slotSpecs.filter((s) => !s.startsWith('[')).map((s) => {
      const [a, b] = s.split('-');
      return [Number(a), Number(b ?? a)];
    });
    return {
      id: id!,
      host: hostPort.slice(0, hostPort.lastIndexOf(':')),
      port: Number(hostPort.slice(hostPort.lastIndexOf(':') + 1)),
      role: f.includes('master') ? 'primary' : 'replica',
      primaryId: primary === '-' ? null : primary!,
      failing: f.includes('fail') || f.includes('fail?') || link !== 'connected',
      slots,
    };
  });
}

export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisCluster> {
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 1500;
  const startTimeoutMs = opts.startTimeoutMs ?? 60_000;
  if (spawnSync('redis-cli', ['--version']).error) throw new Error('redis-cli is not installed (it comes with redis-server: apt-get install redis-server)');
  const root = mkdtempSync(join(tmpdir(), 'gambit-cluster-'));
  const procs: Proc[] = [];
  const byPort = (port: number) => {
    const p = procs.find((x) => x.port === port);
    if (!p) throw new Error(`no cluster node on port ${port}`);
    return p;
  };

  const spawnNode = (p: Proc) => {
    p.child = spawn('redis-server', p.args, { stdio: 'ignore' });
    p.child.on('error', () => undefined);
  };

  const waitPing = (p: Proc) => {
    const began = Date.now();
    return waitFor(async () => {
      if (!alive(p)) throw new Error(`redis-server on port ${p.port} exited at start: ${logTail(p)}`);
      return ask(p.port, (r) => r.ping()).then((x) => x === 'PONG', () => false);
    }, startTimeoutMs, () => `redis-server on port ${p.port} did not answer in ${Date.now() - began} ms: ${logTail(p)}`);
  };

  const stopProc = (p: Proc, signal: NodeJS.Signals) => new Promise<void>((resolve) => {
    const child = p.child;
    if (!child || !alive(p)) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => { clearTimeout(force); resolve(); });
    child.kill(signal);
  });

  const stopAll = async () => {
    await Promise.all(procs.map((p) => stopProc(p, 'SIGTERM')));
    rmSync(root, { recursive: true, force: true });
  };

  /** Starts one node; a port taken between the check and the bind is tried again on another. */
  const startNode = async (taken: Set<number>): Promise<Proc> => {
    for (let attempt = 1; ; attempt++) {
      const port = await freeNodePort(taken);
      const dir = join(root, String(port));
      mkdirSync(dir);
      const args = [
        '--port', String(port), '--bind', HOST, '--dir', dir, '--logfile', join(dir, 'redis.log'),
        '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'),
        '--cluster-node-timeout', String(nodeTimeoutMs),
        // A replica cut off from its primary for long may still be promoted: in a test every
        // replica is current enough, and a refused promotion would leave slots unserved.
        '--cluster-replica-validity-factor', '0',
        // A primary waits 5 s (Redis's default) for more replicas before a diskless full sync; each
        // has one, so it starts at once (the cluster is ready ~5 s sooner).
        '--repl-diskless-sync-delay', '0',
        '--save', '',
        ...(opts.appendonly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
      ];
      const p: Proc = { port, dir, args, child: null, id: '', role: 'primary' };
      procs.push(p);
      spawnNode(p);
      try {
        await waitPing(p);
        taken.add(port);
        return p;
      } catch (err) {
        const inUse = !alive(p) && /address already in use/i.test(logTail(p, 20));
        procs.splice(procs.indexOf(p), 1);
        await stopProc(p, 'SIGKILL');
        if (!inUse || attempt === 3) throw err;
      }
    }
  };

  const live = () => procs.filter(alive);

  const topology = async (): Promise<TopologyNode[]> => {
    let lastErr: unknown;
    for (const p of live()) {
      try {
        const nodes = parseClusterNodes(await ask(p.port, (r) => r.call('CLUSTER', 'NODES') as Promise<string>));
        for (const n of nodes) {
          const proc = procs.find((x) => x.id === n.id);
          if (proc) proc.role = n.role;
        }
        return nodes;
      } catch (err) {
        lastErr = err;
      }
    }
    throw new Error(`no live node answered CLUSTER NODES: ${String(lastErr)}`);
  };

  /** A reason the cluster is not healthy yet, or null. */
  const unhealthy = async (replicas = 0, listed = false): Promise<string | null> => {
    const nodes = live();
    for (const p of nodes) {
      let ci: Record<string, string>;
      let repl: Record<string, string>;
      try {
        [ci, repl] = await ask(p.port, async (r) => [info(await r.call('CLUSTER', 'INFO') as string), info(await r.info('replication'))]);
      } catch (err) {
        return `${p.port}: ${String(err)}`;
      }
      if (ci.cluster_state !== 'ok') return `${p.port}: cluster_state ${ci.cluster_state}`;
      if (Number(ci.cluster_slots_ok) !== SLOTS) return `${p.port}: ${ci.cluster_slots_ok} slots ok`;
      if (repl.role === 'slave' && repl.master_link_status !== 'up') return `${p.port}: replica link ${repl.master_link_status}`;
    }
    // Every live node is known and connected, as its peers see it.
    const topo = await topology().catch(() => null);
    if (!topo) return 'no topology';
    for (const p of nodes) {
      const n = topo.find((t) => t.id === p.id);
      if (!n) return `${p.port} not in CLUSTER NODES`;
      if (n.failing) return `${p.port} seen failing`;
    }
    // Right after `--cluster create` the replicas may not have joined their primaries yet.
    const joined = topo.filter((t) => t.role === 'replica' && !t.failing).length;
    if (joined < replicas) return `${joined} of ${replicas} replicas joined`;
    const covered = topo.filter((t) => t.role === 'primary' && !t.failing).reduce((s, t) => s + t.slots.reduce((a, [x, y]) => a + y - x + 1, 0), 0);
    if (covered !== SLOTS) return `${covered} slots covered by live primaries`;
    // What clients are told (CLUSTER SLOTS, read by ioredis at connect): each range with every live
    // replica of its primary (clientsSeeReplicas). Without it, a client connected now reads from
    // primaries only until its next refresh of the slot map.
    for (const p of listed ? nodes : []) {
      const ranges = await ask(p.port, (r) => r.call('CLUSTER', 'SLOTS') as Promise<[number, number, ...[string, number, string][]][]>).catch(() => null);
      if (!ranges) return `${p.port}: no CLUSTER SLOTS`;
      for (const [from, , primary, ...replicas] of ranges) {
        const want = topo.filter((t) => t.role === 'replica' && !t.failing && t.primaryId === primary?.[2]).length;
        if (replicas.length !== want) return `${p.port}: CLUSTER SLOTS lists ${replicas.length} of ${want} replicas for slots from ${from}`;
      }
    }
    return null;
  };

  const waitHealthy = async (timeoutMs = startTimeoutMs, replicas = 0, listed = false) => {
    let why: string | null = 'not checked';
    const began = Date.now();
    await waitFor(async () => (why = await unhealthy(replicas, listed)) === null, timeoutMs, () => `cluster not healthy after ${Date.now() - began} ms: ${why}`);
  };

  try {
    const taken = new Set<number>();
    for (let i = 0; i < 6; i++) await startNode(taken);
    for (const p of procs) p.id = await ask(p.port, (r) => r.call('CLUSTER', 'MYID') as Promise<string>);
    const create = await run('redis-cli', ['--cluster', 'create', ...procs.map((p) => `${HOST}:${p.port}`), '--cluster-replicas', '1', '--cluster-yes'], startTimeoutMs);
    if (create.code !== 0) throw new Error(`redis-cli --cluster create failed (${create.code}): ${create.output}`);
    await waitHealthy(startTimeoutMs, 3, opts.clientsSeeReplicas === true);
    const topo = await topology();
    if (topo.filter((t) => t.role === 'primary').length !== 3 || topo.filter((t) => t.role === 'replica').length !== 3) {
      throw new Error(`expected 3 primaries and 3 replicas, got ${JSON.stringify(topo.map((t) => [t.port, t.role]))}`);
    }
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }

  const view = (p: Proc): ClusterNode => ({ host: HOST, port: p.port, id: p.id, get role() { return p.role; }, get up() { return alive(p); } });
  const nodes = procs.map(view);

  const replicaIds = async (primaryPort: number) => {
    const primary = byPort(primaryPort);
    return (await topology()).filter((t) => t.primaryId === primary.id).map((t) => t.id);
  };
  // Read while the primary is alive, so a promotion can be told from any later change.
  const replicaMap = new Map<number, string[]>();
  for (const p of procs) if (p.role === 'primary') replicaMap.set(p.port, await replicaIds(p.port));

  const waitFor_ = async (port: number, from: number, candidates: string[], timeoutMs: number): Promise<Promotion> => {
    let promoted: Proc | undefined;
    let why: string | null = 'no replica promoted yet';
    await waitFor(async () => {
      const topo = await topology().catch(() => null);
      const n = topo?.find((t) => candidates.includes(t.id) && t.role === 'primary' && !t.failing && t.slots.length > 0);
      if (!n) return false;
      promoted = procs.find((p) => p.id === n.id);
      why = await unhealthy();
      return why === null;
    }, timeoutMs, () => `no replica of ${port} took over within ${timeoutMs} ms: ${why}`);
    const ms = Date.now() - from;
    for (const p of procs) if (p.role === 'primary') replicaMap.set(p.port, await replicaIds(p.port));
    return { port: promoted!.port, ms };
  };

  return {
    nodes,
    startupNodes: procs.map((p) => ({ host: HOST, port: p.port })),
    primaries: () => nodes.filter((n) => n.up && n.role === 'primary'),
    replicasOf: (port) => {
      const id = byPort(port).id;
      return nodes.filter((n) => n.role === 'replica' && (replicaMap.get(port) ?? []).includes(n.id) && n.id !== id);
    },
    async primaryForSlot(slot) {
      const owner = (await topology()).find((t) => t.role === 'primary' && !t.failing && t.slots.some(([a, b]) => slot >= a && slot <= b));
      if (!owner) throw new Error(`no live primary serves slot ${slot}`);
      return nodes.find((n) => n.id === owner.id)!;
    },
    topology,
    async kill(port) {
      const p = byPort(port);
      p.killedAt = Date.now();
      await stopProc(p, 'SIGKILL');
    },
    async restart(port) {
      const p = byPort(port);
      if (alive(p)) throw new Error(`node ${port} is running`);
      spawnNode(p);
      await waitPing(p);
      await waitHealthy();
    },
    async waitForPromotion(port, timeoutMs = 30_000) {
      const p = byPort(port);
      if (p.killedAt === undefined || alive(p)) throw new Error(`node ${port} was not killed`);
      return waitFor_(port, p.killedAt, replicaMap.get(port) ?? [], timeoutMs);
    },
    async manualFailover(replicaPort, timeoutMs = 30_000) {
      const r = byPort(replicaPort);
      const topo = await topology();
      const primary = procs.find((p) => p.id === topo.find((t) => t.id === r.id)?.primaryId);
      if (!primary) throw new Error(`node ${replicaPort} is not a replica`);
      const from = Date.now();
      await ask(replicaPort, (c) => c.call('CLUSTER', 'FAILOVER'));
      return waitFor_(primary.port, from, [r.id], timeoutMs);
    },
    waitHealthy,
    stop: stopAll,
  };
}
