// The benchmark's scenarios, each on a fresh stack (so one's leftovers never weigh on the next):
//   ladder    : more and more concurrent games at one fixed total move rate;
//   search    : the highest sustained move rate whose p99 stays under a bound;
//   idle      : authenticated connections that only answer heartbeats, and what each costs;
//   finalizer : finished games made durable per second, and the lag from end to record.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Fleet, type MergedWindow } from './fleet.js';
import type { Percentiles } from './hist.js';
import { Histogram } from './hist.js';
import {
  MachineMeter, ProcSampler, RedisMeter, bucketsOf, eventLoopOf, readProc, redisDiff, scrapeMetrics, windowQuantile, type EventLoop, type ProcWindow,
} from './meters.js';
import { collectGarbage, openFds, startColyseus, startFlow, startGambit, type RunningStack, type StackOptions } from './stack.js';
import type { Target, TargetKind } from './drivers.js';

export type { TargetKind } from './drivers.js';

export interface BenchConfig {
  quick: boolean;
  workers: number;
  warmupS: number;
  /**
   * Warm-up before the first window on a fresh stack (both targets alike): a freshly started
   * process runs cold code for its first seconds, and we measure the steady state.
   */
  firstWarmupS: number;
  windowS: number;
  ladder: number[];
  ladderRate: number;
  /** Windows per ladder rung: the rung is judged on the window with the median p99. */
  ladderRepeat: number;
  searchGames: number;
  searchStart: number;
  searchBoundMs: number;
  searchMaxSteps: number;
  idleConnections: number;
  idleHoldS: number;
  heartbeatMs: number;
  finalizerPairs: number;
  finalizerPhaseS: number;
  localAddresses: string[];
  /** Processes of the scaled Colyseus peer (`colyseus-scaled`), sharing one redis-server. */
  scaledProcesses: number;
  profileDir?: string;
  log: (line: string) => void;
}

export interface LoadRow {
  target: TargetKind;
  scenario: 'ladder' | 'search';
  games: number;
  offered: number;
  achieved: number;
  windowS: number;
  latency: Percentiles;
  gameStartP50: number;
  moves: number;
  errors: Record<string, number>;
  errorSamples: Record<string, string>;
  procs: Record<string, ProcWindow>;
  /** Server CPU (all measured processes but the load generator, Redis included) per move, in microseconds. */
  serverCpuUsPerMove: number;
  /** The part of serverCpuUsPerMove spent by redis-server (Gambit, the scaled peer). */
  redisCpuUsPerMove?: number;
  /** netBytesPerMove: Redis network bytes in and out per move (INFO stats), what pods exchange with Redis. */
  redis?: { perMove: number; calls: Record<string, number>; cpuPct: number; netBytesPerMove?: number };
  eventLoop: Record<string, EventLoop | null>;
  /** Server-side stages (ms) from the services' own histograms, when they export them. */
  stages: Record<string, { p50: number; p99: number }>;
  gen: MergedWindow['gen'];
  /**
   * The whole machine's CPU over the window (% of one core, all cores), and the part of it not
   * spent by the measured processes, the load generator or the coordinator: other people's work.
   */
  machine: { busyPct: number; otherPct: number };
  load1: number;
  pass?: boolean;
  /** Which window of its ladder rung (0-based), when a rung is measured more than once. */
  repeat?: number;
}

export interface SearchResult {
  target: TargetKind;
  games: number;
  boundMs: number;
  steps: LoadRow[];
  /** Highest achieved moves/s among steps with p99 <= bound, achieved >= 90 % offered, no errors. */
  maxSustained: number;
  maxSustained50: number;
}

export interface IdleResult {
  target: TargetKind;
  /** Processes holding the connections (RSS and CPU are their sums). */
  serverProcesses: number;
  requested: number;
  opened: number;
  failed: number;
  errors: Record<string, number>;
  droppedDuringHold: number;
  openS: number;
  holdS: number;
  heartbeatMs: number;
  serverBaseKiB: number;
  serverEndKiB: number;
  serverPeakKiB: number;
  kibPerConnection: number;
  redisBytesPerConnection?: number;
  serverCpuPctDuringHold: number;
  /** RSS per connection with a full GC run in the server before both readings (needs --inspect). */
  kibPerConnectionAfterGc: number;
  heapKiBPerConnection?: number;
  heapKiBPerConnectionAfterGc?: number;
  heapTotalKiBPerConnection?: number;
  externalKiBPerConnection?: number;
  genRssKiB: number;
  fdLimit: number;
  load1: number;
}

export interface FinalizerResult {
  steady: { games: number; seconds: number; endedPerS: number; lagMs: Percentiles; durable: number };
  backlog: { games: number; drainS: number; durablePerS: number; finalizerCpuPct: number; dynaliteCpuPct: number };
  deadLetters: number;
  load1: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function fdLimit(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : 1024;
  } catch {
    return 1024;
  }
}

async function startTarget(kind: TargetKind, cfg: BenchConfig, extra: StackOptions = {}): Promise<RunningStack> {
  const opts: StackOptions = { heartbeatMs: cfg.heartbeatMs, ...extra, ...(cfg.profileDir ? { profileDir: cfg.profileDir } : {}) };
  // Node flags for the server under test (the gateway, or the peer), e.g. --max-semi-space-size=1.
  if (process.env.BENCH_SERVER_NODE_OPTIONS) opts.gatewayEnv = { ...opts.gatewayEnv, NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS };
  if (kind === 'flow') return startFlow(opts);
  return kind.startsWith('gambit') ? startGambit({ ...opts, replicated: kind === 'gambit-replicated' }) : startColyseus(opts, kind === 'colyseus-scaled' ? Math.max(2, cfg.scaledProcesses) : 1);
}

/** Everything one measurement window needs: the stack, its meters, the load generator. */
class Bench {
  readonly sampler: ProcSampler;
  readonly redis: RedisMeter | null;
  readonly machine = new MachineMeter();
  private windows = 0;

  constructor(readonly kind: TargetKind, readonly stack: RunningStack, readonly fleet: Fleet, readonly cfg: BenchConfig) {
    this.sampler = new ProcSampler(stack.procs.map((p) => ({ name: p.name, pid: p.pid })));
    this.sampler.begin();
    this.redis = stack.redisUrl ? new RedisMeter(stack.redisUrl) : null;
  }

  get target(): Target {
    return { kind: this.kind, httpUrl: this.stack.httpUrl, httpUrls: this.stack.httpUrls };
  }

  async window(scenario: LoadRow['scenario'], games: number, offered: number): Promise<LoadRow> {
    await sleep((this.windows++ === 0 ? this.cfg.firstWarmupS : this.cfg.warmupS) * 1000);
    const before = await this.redis?.snapshot();
    const scrapeAll = async () => Object.fromEntries(await Promise.all(Object.entries(this.stack.metrics).map(async ([k, u]) => [k, await scrapeMetrics(u)] as const)));
    const m0 = await scrapeAll(); // also resets the event-loop gauges
    await this.fleet.mark();
    this.sampler.mark();
    this.machine.mark();
    const self0 = process.cpuUsage();
    const t0 = performance.now();
    await sleep(this.cfg.windowS * 1000);
    const w = await this.fleet.collect();
    const procs = this.sampler.read();
    const busyPct = this.machine.read();
    const secs = (performance.now() - t0) / 1000;
    const self = process.cpuUsage(self0);
    const selfPct = ((self.user + self.system) / 1000 / (secs * 1000)) * 100;
    const after = await this.redis?.snapshot();
    const m1 = await scrapeAll();
    const eventLoop: Record<string, EventLoop | null> = {};
    for (const k of Object.keys(m1)) eventLoop[k] = eventLoopOf(m1[k] ?? null);
    // Where the time goes, from the services' own histograms (bucket-interpolated): the gateway
    // from a move frame in to its `moved` out, and the engine handling one move command.
    const stages: Record<string, { p50: number; p99: number }> = {};
    const stage = (label: string, svc: string, name: string, labels = '') => {
      const a = bucketsOf(m0[svc] ?? null, name, labels);
      const b = bucketsOf(m1[svc] ?? null, name, labels);
      if (b.size) stages[label] = { p50: windowQuantile(a, b, 0.5), p99: windowQuantile(a, b, 0.99) };
    };
    stage('gateway move in -> moved out', 'gateway', 'gambit_gateway_move_latency_seconds');
    stage('engine handles a move', 'engine', 'gambit_engine_command_seconds', 'type="move"');
    stage('event written -> gateway sends it', 'gateway', 'gambit_gateway_fanout_seconds');
    const achieved = w.moves / (w.ms / 1000);
    const serverCpu = Object.values(procs).reduce((a, p) => a + p.cpuPct, 0);
    const row: LoadRow = {
      target: this.kind, scenario, games, offered, achieved, windowS: secs, latency: w.latency.summary(), gameStartP50: w.start.quantile(0.5),
      moves: w.moves, errors: w.errors, errorSamples: w.samples, procs, serverCpuUsPerMove: achieved > 0 ? (serverCpu / 100) * 1e6 / achieved : 0,
      ...(procs.redis ? { redisCpuUsPerMove: achieved > 0 ? (procs.redis.cpuPct / 100) * 1e6 / achieved : 0 } : {}),
      eventLoop, stages, gen: w.gen, load1: loadavg()[0]!,
      machine: { busyPct, otherPct: Math.max(0, busyPct - serverCpu - w.gen.cpuPct - selfPct) },
    };
    if (before && after && w.moves > 0) {
      // INFO commandstats counts the commands commit.lua runs too (XADD, XACK, HGET...), so the
      // split between round trips and in-script calls cannot be read from it: totals only.
      const d = redisDiff(before, after);
      const calls: Record<string, number> = {};
      for (const [k, v] of Object.entries(d.calls).sort((a, b) => b[1] - a[1])) calls[k] = round(v / w.moves, 2);
      row.redis = { perMove: d.total / w.moves, calls, cpuPct: (100 * d.cpuSec) / secs, netBytesPerMove: d.netBytes / w.moves };
    }
    return row;
  }

  async close(): Promise<void> {
    this.sampler.stop();
    this.redis?.close();
    await this.fleet.close();
    await this.stack.stop();
  }
}

export const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export function rowLine(r: LoadRow): string {
  const cpu = Object.entries(r.procs).map(([k, p]) => `${k} ${round(p.cpuPct, 0)}%`).join(' ');
  const errs = Object.keys(r.errors).length ? ` errors ${JSON.stringify(r.errors)}` : '';
  const st = Object.entries(r.stages).map(([k, v]) => `${k} p50 ${round(v.p50, 2)} p99 ${round(v.p99, 1)}`).join('; ');
  const eld = Object.entries(r.eventLoop).filter(([, v]) => v).map(([k, v]) => `${k} ${round(v!.p99, 0)}`).join(' ');
  return `  ${r.target} ${r.scenario} games ${r.games} offered ${round(r.offered, 0)}/s achieved ${round(r.achieved, 0)}/s ` +
    `server ${round(r.serverCpuUsPerMove, 0)} us/move${r.redisCpuUsPerMove !== undefined ? ` (Redis ${round(r.redisCpuUsPerMove, 0)})` : ''} ` +
    `p50 ${round(r.latency.p50, 2)} p99 ${round(r.latency.p99, 1)} max ${round(r.latency.max, 0)} ms | ${cpu} | gen ${round(r.gen.cpuPct, 0)}% eld99 ${round(r.gen.eldP99, 0)}ms` +
    `${r.redis ? ` | redis ${round(r.redis.perMove, 1)} cmds/move` : ''} | machine ${round(r.machine.busyPct, 0)}% (others ${round(r.machine.otherPct, 0)}%)${errs}` +
    `${eld ? `\n      event-loop p99 ms: ${eld}` : ''}${st ? `; ${st}` : ''}`;
}

const setupOpts = (cfg: BenchConfig) => ({ setupConcurrency: 50, ...(cfg.localAddresses.length ? { localAddresses: cfg.localAddresses } : {}) });

/** `extra`: stack options (engines); `atEnd`: runs on the stack after the last window, while the games still play (capacity-probe.ts). */
export async function ladder(kind: TargetKind, cfg: BenchConfig, extra: StackOptions = {}, atEnd?: (stack: RunningStack) => Promise<void>): Promise<LoadRow[]> {
  const b = new Bench(kind, await startTarget(kind, cfg, extra), new Fleet(cfg.workers), cfg);
  const rows: LoadRow[] = [];
  try {
    let started = false;
    for (const games of cfg.ladder) {
      const think = (games * 1000) / cfg.ladderRate;
      const t0 = performance.now();
      const setup = started ? (await b.fleet.think(think), await b.fleet.grow(games))
        : await b.fleet.load({ target: b.target, games, thinkMs: think, ...setupOpts(cfg) });
      started = true;
      cfg.log(`  ${kind} ladder: ${games} games ready (${setup.ready} new, ${setup.failed} failed) in ${round((performance.now() - t0) / 1000, 1)} s`);
      for (let repeat = 0; repeat < cfg.ladderRepeat; repeat++) {
        const row = await b.window('ladder', games, cfg.ladderRate);
        row.repeat = repeat;
        rows.push(row);
        cfg.log(rowLine(row));
      }
    }
    await atEnd?.(b.stack);
  } finally {
    await b.close();
  }
  return rows;
}

/** Pass: p99 within the bound, at least 90 % of the offered rate achieved, no errors. */
export function passes(r: LoadRow, boundMs: number): boolean {
  return r.latency.p99 <= boundMs && r.achieved >= 0.9 * r.offered && Object.keys(r.errors).length === 0 && r.moves > 0;
}

export async function search(kind: TargetKind, cfg: BenchConfig): Promise<SearchResult> {
  const games = cfg.searchGames;
  const b = new Bench(kind, await startTarget(kind, cfg), new Fleet(cfg.workers), cfg);
  const steps: LoadRow[] = [];
  try {
    let rate = cfg.searchStart;
    await b.fleet.load({ target: b.target, games, thinkMs: (games * 1000) / rate, ...setupOpts(cfg) });
    let lastPass = 0;
    let firstFail = Infinity;
    let overloaded = false;
    for (let i = 0; i < cfg.searchMaxSteps; i++) {
      if (overloaded) {
        // After an overload the queues are long: a few seconds at a quarter of the next rate let
        // them drain before it is measured (same pairs: stopping them would abandon their games).
        await b.fleet.think((games * 4000) / rate);
        await sleep(5000);
      }
      await b.fleet.think((games * 1000) / rate);
      const row = await b.window('search', games, rate);
      row.pass = passes(row, cfg.searchBoundMs);
      steps.push(row);
      cfg.log(`${rowLine(row)} -> ${row.pass ? 'pass' : 'fail'}`);
      if (row.pass) lastPass = Math.max(lastPass, rate);
      else firstFail = Math.min(firstFail, rate);
      overloaded = !row.pass;
      if (firstFail === Infinity) rate = Math.round(rate * 1.5);
      else if (lastPass === 0) rate = Math.round(rate / 2);
      else {
        if (firstFail - lastPass <= Math.max(100, 0.1 * lastPass)) break;
        rate = Math.round((lastPass + firstFail) / 2);
      }
      if (rate < 20) break;
    }
  } finally {
    await b.close();
  }
  const best = (bound: number) => Math.max(0, ...steps.filter((s) => passes(s, bound)).map((s) => s.achieved));
  return { target: kind, games, boundMs: cfg.searchBoundMs, steps, maxSustained: best(cfg.searchBoundMs), maxSustained50: best(50) };
}

export async function idle(kind: TargetKind, cfg: BenchConfig): Promise<IdleResult> {
  const stack = await startTarget(kind, cfg, { inspect: true });
  // The process(es) holding the sockets: the gateway, the peer, or every process of the scaled
  // peer (connections spread over them; RSS and CPU summed).
  const servers = stack.procs.filter((p) => (kind.startsWith('gambit') ? p.name === 'gateway' : p.name.startsWith('colyseus')));
  const rssOf = () => servers.reduce((a, p) => a + (readProc(p.pid)?.rssKiB ?? NaN), 0);
  const gcAll = async () => (await Promise.all(servers.map((p) => collectGarbage(p)))).every(Boolean);
  const fleet = new Fleet(cfg.workers);
  const redis = stack.redisUrl ? new RedisMeter(stack.redisUrl) : null;
  const sampler = new ProcSampler(servers.map((p) => ({ name: p.name, pid: p.pid })), 250);
  const limit = fdLimit();
  let requested: number;
  try {
    await sleep(1000);
    // Leave room for the server's own descriptors (listeners, Redis, inspector, stdio) under the limit.
    // (300: the matchmaking/keep-alive HTTP sockets of the peer, the metrics scrapes, the inspector.)
    // The same count for every target, a scaled peer too (it could hold that many per process).
    requested = Math.min(cfg.idleConnections, limit - Math.max(...servers.map((p) => openFds(p.pid))) - 300);
    const base = rssOf();
    const gcOk = await gcAll();
    const baseGc = rssOf();
    const gwMetrics = stack.metrics.gateway;
    const heap0 = gwMetrics ? heapOf(await scrapeMetrics(gwMetrics)) : null;
    const memBefore = (await redis?.snapshot())?.usedMemory;
    const t0 = performance.now();
    const opened = await fleet.idle({ target: { kind, httpUrl: stack.httpUrl, httpUrls: stack.httpUrls }, connections: requested, players: 1000, concurrency: 100, ...(cfg.localAddresses.length ? { localAddresses: cfg.localAddresses } : {}) }, requested);
    const openS = (performance.now() - t0) / 1000;
    cfg.log(`  ${kind} idle: ${opened.opened} of ${requested} connections open in ${round(openS, 1)} s${opened.failed ? `, ${opened.failed} failed ${JSON.stringify(opened.errors)}` : ''}`);
    sampler.begin();
    await fleet.idleMark();
    await sleep(cfg.idleHoldS * 1000);
    const held = await fleet.idleRead();
    const cpuPct = Object.values(sampler.read()).reduce((a, p) => a + p.cpuPct, 0);
    const end = { rssKiB: rssOf(), hwmKiB: servers.reduce((a, p) => a + (readProc(p.pid)?.hwmKiB ?? NaN), 0) };
    const heap1 = gwMetrics ? heapOf(await scrapeMetrics(gwMetrics)) : null;
    // The same after a full garbage collection in the server: what the connections themselves hold.
    const endGc = gcOk && (await gcAll()) ? rssOf() : NaN;
    const heap2 = gwMetrics && gcOk ? heapOf(await scrapeMetrics(gwMetrics)) : null;
    const memAfter = (await redis?.snapshot())?.usedMemory;
    const n = Math.max(1, opened.opened);
    const r: IdleResult = {
      target: kind, serverProcesses: servers.length, requested, opened: opened.opened, failed: opened.failed, errors: opened.errors, droppedDuringHold: held.closed, openS,
      holdS: cfg.idleHoldS, heartbeatMs: cfg.heartbeatMs, serverBaseKiB: base, serverEndKiB: end.rssKiB, serverPeakKiB: end.hwmKiB,
      kibPerConnection: (end.rssKiB - base) / n, kibPerConnectionAfterGc: (endGc - baseGc) / n, serverCpuPctDuringHold: cpuPct, genRssKiB: held.rssKiB, fdLimit: limit, load1: loadavg()[0]!,
    };
    if (memBefore !== undefined && memAfter !== undefined) r.redisBytesPerConnection = (memAfter - memBefore) / n;
    if (heap0 && heap1) {
      // Where the RSS goes: V8 heap in use (JS objects) and external memory (Buffers), per connection.
      r.heapKiBPerConnection = (heap1.used - heap0.used) / 1024 / n;
      r.externalKiBPerConnection = (heap1.external - heap0.external) / 1024 / n;
      r.heapTotalKiBPerConnection = (heap1.total - heap0.total) / 1024 / n;
    }
    if (heap0 && heap2) r.heapKiBPerConnectionAfterGc = (heap2.used - heap0.used) / 1024 / n;
    cfg.log(`  ${kind} idle: ${r.opened} held, ${r.droppedDuringHold} dropped during ${cfg.idleHoldS} s, server RSS${servers.length > 1 ? ` (${servers.length} processes)` : ''} ${round(base / 1024, 0)} -> ${round(end.rssKiB / 1024, 0)} MiB = ${round(r.kibPerConnection, 2)} KiB/connection (${round(r.kibPerConnectionAfterGc, 2)} after a full GC)` +
      `${r.redisBytesPerConnection !== undefined ? ` (+ Redis ${round(r.redisBytesPerConnection, 0)} B/connection)` : ''}, server CPU ${round(cpuPct, 1)}% during hold` +
      `${r.heapKiBPerConnection !== undefined ? `; V8 heap used ${round(r.heapKiBPerConnection, 2)} (heap total ${round(r.heapTotalKiBPerConnection!, 2)}), external ${round(r.externalKiBPerConnection!, 2)} KiB/connection` : ''}`);
    return r;
  } finally {
    sampler.stop();
    redis?.close();
    await fleet.close();
    await stack.stop();
  }
}

function heapOf(text: string | null): { used: number; total: number; external: number } | null {
  if (!text) return null;
  const get = (n: string) => Number(new RegExp(`^\\w*nodejs_${n}(?:\\{[^}]*\\})? ([0-9.eE+-]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { used: get('heap_size_used_bytes'), total: get('heap_size_total_bytes'), external: get('external_memory_bytes') };
}

async function scanGames(endpoint: string): Promise<{ endedAt: number; storedAt: number }[]> {
  const db = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const out: { endedAt: number; storedAt: number }[] = [];
  let key: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  try {
    do {
      const page = await db.send(new ScanCommand({
        TableName: process.env.GAMES_TABLE ?? 'gambit-games', ProjectionExpression: 'endedAt, storedAt', ExclusiveStartKey: key,
      }));
      for (const it of page.Items ?? []) if (it.endedAt?.N && it.storedAt?.N) out.push({ endedAt: Number(it.endedAt.N), storedAt: Number(it.storedAt.N) });
      key = page.LastEvaluatedKey;
    } while (key);
  } finally {
    db.destroy();
  }
  return out;
}

async function drained(redis: RedisMeter, stream: string, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    const g = await redis.group(stream, 'finalizers');
    if (g.lag === 0 && g.pending === 0) return true;
    await sleep(50);
  }
  return false;
}

/** Short games (4 plies, then a resignation) as fast as pairs think; Gambit only (the peer stores nothing). */
export async function finalizer(cfg: BenchConfig): Promise<FinalizerResult> {
  const stack = await startTarget('gambit', cfg);
  const redis = new RedisMeter(stack.redisUrl!);
  const stream = `${stack.keyPrefix}:stream:finalize`;
  const fin = stack.procs.find((p) => p.name === 'finalizer')!;
  const dyn = stack.procs.find((p) => p.name === 'dynalite')!;
  const target: Target = { kind: 'gambit', httpUrl: stack.httpUrl };
  // Steady: games end at a rate the finalizer keeps up with (the lag is then its own latency);
  // backlog: as fast as the pairs can play, with the finalizer paused.
  const steadyLoad = { target, games: cfg.finalizerPairs, thinkMs: 250, maxPlies: 4, ...setupOpts(cfg) };
  const load = { ...steadyLoad, thinkMs: 50 };
  try {
    // Steady: games end while the finalizer runs; the lag is storedAt - endedAt of each record.
    let fleet = new Fleet(cfg.workers);
    await fleet.load(steadyLoad);
    const a0 = Date.now();
    await sleep(cfg.finalizerPhaseS * 1000);
    const a1 = Date.now();
    await fleet.close();
    await drained(redis, stream, 60_000);
    const steadyRows = (await scanGames(stack.dynamoEndpoint!)).filter((g) => g.endedAt >= a0 && g.endedAt < a1);
    const lag = new Histogram();
    for (const g of steadyRows) lag.record(Math.max(0, g.storedAt - g.endedAt));
    const steady = { games: steadyRows.length, seconds: (a1 - a0) / 1000, endedPerS: steadyRows.length / ((a1 - a0) / 1000), lagMs: lag.summary(), durable: steadyRows.length };
    cfg.log(`  gambit finalizer steady: ${steady.games} games ended in ${round(steady.seconds, 0)} s (${round(steady.endedPerS, 0)}/s), lag p50 ${round(steady.lagMs.p50, 1)} p99 ${round(steady.lagMs.p99, 1)} max ${round(steady.lagMs.max, 0)} ms`);

    // Backlog: the finalizer is paused (SIGSTOP) while games end, then resumed: its drain rate is
    // how many games per second it can make durable.
    const before = (await redis.group(stream, 'finalizers')).read;
    process.kill(fin.pid, 'SIGSTOP');
    fleet = new Fleet(cfg.workers);
    try {
      await fleet.load(load);
      await sleep(cfg.finalizerPhaseS * 1000);
    } finally {
      await fleet.close();
    }
    const g = await redis.group(stream, 'finalizers');
    const backlog = g.lag + g.pending;
    const sampler = new ProcSampler([{ name: 'finalizer', pid: fin.pid }, { name: 'dynalite', pid: dyn.pid }]);
    sampler.begin();
    const t0 = performance.now();
    process.kill(fin.pid, 'SIGCONT');
    const ok = await drained(redis, stream, 120_000);
    const drainS = (performance.now() - t0) / 1000;
    const cpu = sampler.read();
    sampler.stop();
    const after = (await redis.group(stream, 'finalizers')).read;
    const dead = await redisLen(redis, `${stack.keyPrefix}:stream:finalize:dead`);
    const result: FinalizerResult = {
      steady,
      backlog: {
        games: after - before, drainS, durablePerS: ok ? backlog / drainS : NaN,
        finalizerCpuPct: cpu.finalizer?.cpuPct ?? NaN, dynaliteCpuPct: cpu.dynalite?.cpuPct ?? NaN,
      },
      deadLetters: dead,
      load1: loadavg()[0]!,
    };
    cfg.log(`  gambit finalizer backlog: ${backlog} games drained in ${round(drainS, 1)} s = ${round(result.backlog.durablePerS, 0)} durable games/s (finalizer CPU ${round(result.backlog.finalizerCpuPct, 0)}%, dynalite ${round(result.backlog.dynaliteCpuPct, 0)}%)${ok ? '' : ' (did not drain in time)'}`);
    return result;
  } finally {
    try {
      process.kill(fin.pid, 'SIGCONT');
    } catch {
      // already gone
    }
    redis.close();
    await stack.stop();
  }
}

async function redisLen(redis: RedisMeter, stream: string): Promise<number> {
  return (await redis.group(stream, 'none')).length;
}

/**
 * The ladder rows of one rung reduced to the window with the median p99 (a p99 over 5,000 moves
 * is moved by a few stalls; the median of several windows is what a rung is judged on).
 */
export function medianRow(rows: LoadRow[] | undefined, games: number): LoadRow | undefined {
  const rung = (rows ?? []).filter((r) => r.games === games && r.moves > 0).sort((a, b) => a.latency.p99 - b.latency.p99);
  return rung[Math.floor(rung.length / 2)]; // an even count takes the higher of the two middles
}
