// The capacity model of docs/capacity.md, as pure functions: measured costs in (inputsFrom: the
// benchmark's JSON, and the seeded games), pods, Redis shards, DynamoDB units, nodes and a
// monthly bill out (size), for N concurrent games at one ply every SECONDS_PER_PLY per game.
// `make capacity` (capacity.ts) only reads the files and prints report(). Every assumption is a
// named constant below with where it comes from; test/bench/capacity.test.ts checks the numbers by hand.

// --- The workload --------------------------------------------------------------------------------

/** The sizes docs/capacity.md answers for (issue 16). */
export const SIZES = [10_000, 100_000, 1_000_000] as const;
/** Issue 16: "a move every 10 s per game" (a ply: each side moves every 20 s). */
export const SECONDS_PER_PLY = 10;
/** The two players; watchers are left out (docs/cost.md assumes 0.5 per game on top). */
export const SOCKETS_PER_GAME = 2;
/** docs/cost.md, "The workload": a game is 80 plies (assumption; the bench's games average 72). */
export const PLIES_PER_GAME = 80;
/** docs/cost.md: a month is 730 hours. */
export const HOURS_PER_MONTH = 730;

// --- The chart's defaults (cdk8s/src/values.ts) and the code's constants -----------------------

export const CHART = {
  /** gateway.resources (250m / 256Mi, limit 512Mi); roomReaper.scaler: 2,000 connections a pod, 2-20 pods. */
  gateway: { cpu: 0.25, memMiB: 256, limitMiB: 512, connectionsPerPod: 2000, minPods: 2, maxPods: 20 },
  /** engine.resources (250m / 256Mi, limit 512Mi); engine.autoscaling: 2-10 pods at 70 % CPU. */
  engine: { cpu: 0.25, memMiB: 256, limitMiB: 512, minPods: 2, maxPods: 10 },
  /** finalizer.resources (100m / 192Mi, limit 384Mi); finalizer.replicas 2, no autoscaler. */
  finalizer: { cpu: 0.1, memMiB: 192, limitMiB: 384, pods: 2 },
  /** roomReaper.resources (50m / 128Mi) and replicas. */
  reaper: { cpu: 0.05, memMiB: 128, pods: 2 },
  /** gateway.heartbeatMs, engine.roomTtlMs. */
  heartbeatMs: 15_000,
  roomTtlMs: 3_600_000,
} as const;
/** engine.autoscaling.targetCPUUtilizationPercentage (70): used for every pod sized on CPU here. */
export const CPU_TARGET = 0.7;
/** Rooms an engine keeps in memory (positions and states): packages/rooms/src/positions.ts and engine.ts (20,000 each, least recently used first). */
export const ENGINE_CACHE_ROOMS = 20_000;
/** STREAM_RETAIN_MS of the room-reaper (controllers/room-reaper/src/config.ts): acknowledged entries of the command and finalize streams are kept 10 min. */
export const STREAM_RETAIN_S = 600;
/** STREAM_MAXLEN (packages/common/src/keys.ts). */
export const STREAM_MAXLEN = { commands: 100_000, gatewayEvents: 10_000, finalize: 1_000_000 } as const;
/**
 * GATEWAY_STREAM_RETAIN_MS (packages/common/src/keys.ts), in seconds: a gateway event stream keeps
 * this much of its entries (trimmed by age, XADD MINID ~), plus at most one stream node the trim
 * left (stream-node-max-bytes, 4 KB by default).
 */
export const GATEWAY_STREAM_RETAIN_S = 120;
export const STREAM_NODE_BYTES = 4096;
/** Gateway stream entries a move writes: the room's event to each player's gateway (two when they are on two pods). */
export const GATEWAY_ENTRIES_PER_MOVE = SOCKETS_PER_GAME;
/** docs/redis-cluster.md: ROOM_SHARDS, 16 by default on a cluster; a room shard is one slot, so one primary at most. */
export const ROOM_SHARDS_DEFAULT = 16;
/** Room shards per engine when the engines own shards (docs/capacity.md): an even enough split. */
export const ENGINE_ROOM_SHARDS = 4;
/**
 * Seconds of commands the command stream should hold unread without trimming any (assumption):
 * a dead engine's entries are claimed after CLAIM_IDLE_MS (5 s), a Redis failover takes 3-20 s
 * (docs/redis-cluster.md), a rollout of the engines some more. Past MAXLEN, XADD trims the oldest
 * entries whether read or not.
 */
export const COMMAND_BUFFER_S = 30;
/**
 * Redis commands every engine sends whatever the load, from its schedule (services/game-engine/src/config.ts):
 * the deadline scan, a ZRANGEBYSCORE on each of 3 sets every DEADLINE_SCAN_MS (100), per room shard
 * under Redis Cluster; the matchmaker, a read of each of the 18 pools every PAIRING_ROUND_MS (200).
 * (The ladder's one engine shows about 30 ZRANGEBYSCORE and 90 HGETALL a second.)
 */
export const ENGINE_DEADLINE_SCANS_PER_S = 30;
export const ENGINE_POOL_READS_PER_S = 90;
export const ENGINE_PERIODIC_COMMANDS_PER_S = ENGINE_DEADLINE_SCANS_PER_S + ENGINE_POOL_READS_PER_S;

// --- Redis (ElastiCache) ---------------------------------------------------------------------------

/** Redis runs commands on one thread: a primary is one core, whatever the node's vCPUs. */
export const REDIS_CORES_PER_PRIMARY = 1;
/**
 * Share of that core to plan for (assumption): room for the fork of a snapshot or a replica's full
 * sync, a failover's reconnect storm, and bursts. AWS's EngineCPUUtilization alarms are usually set
 * at 80-90 %.
 */
export const REDIS_CPU_TARGET = 0.6;
/** docs/cost.md: cache.m7g.large, $0.158/h, "about 5,100 MB usable" (node memory x 0.75, ElastiCache's default reserve). */
export const REDIS_NODE = { type: 'cache.m7g.large', usableBytes: 5_100e6, usdPerHour: 0.158 } as const;
/** docs/cost.md: "Keep 2x headroom" of Redis memory. */
export const REDIS_MEMORY_HEADROOM = 2;
/** docs/cost.md and infra/aws/data.yaml: a primary and a replica in another zone. */
export const REDIS_NODES_PER_SHARD = 2;

// --- Nodes, network, prices (docs/cost.md "Prices used", us-east-1, mid-2025 list prices) ----------

/** docs/cost.md: m7i.large, 2 vCPU, 8 GiB, $0.1008/h on demand; spot 60 % off for m-class (assumption there). */
export const NODE = { type: 'm7i.large', vcpu: 2, memMiB: 8192, usdPerHour: 0.1008, spotDiscount: 0.6 } as const;
/** Share of a node's CPU and memory left for pods after the kubelet's reserve and the DaemonSets (aws-node, kube-proxy, the EBS driver): assumption. */
export const NODE_ALLOCATABLE = 0.85;
/** docs/cost.md, 10,000 games: gateways on on-demand "realtime" nodes in 3 zones; the rest on spot (at least 2 nodes here). */
export const MIN_NODES = { realtime: 3, spot: 2 } as const;
/** docs/cost.md: 20 GB gp3 per node (80 GB for 4 nodes idle) at $0.08/GB-month. */
export const EBS_GB_PER_NODE = 20;
export const PRICE = {
  eksPerHour: 0.1,
  ebsPerGbMonth: 0.08,
  nlbPerHour: 0.0225,
  nlcuPerHour: 0.006,
  ipv4PerHour: 0.005,
  /** 3 for the NLB (one per zone) + 1 for the NAT gateway. */
  ipv4Addresses: 4,
  natPerHour: 0.045,
  /** On-demand: $0.625 per million write request units, $0.125 per million read units; storage $0.25/GB-month after 25 GB, PITR $0.20/GB-month. */
  wru: 0.625e-6,
  rru: 0.125e-6,
  storagePerGbMonth: 0.25,
  storageFreeGb: 25,
  pitrPerGbMonth: 0.2,
  crossZonePerGb: 0.01,
} as const;
/**
 * Data transfer out to the internet, per GB by monthly tier, after the first 100 GB free. docs/cost.md
 * lists the first tier only ($0.09 up to 10 TB); the next ones are the same AWS price list's
 * ($0.085 to 50 TB, $0.07 to 150 TB, $0.05 beyond), not re-checked either.
 */
export const TRANSFER_OUT_FREE_GB = 100;
export const TRANSFER_OUT_TIERS: readonly { upToGb: number; usdPerGb: number }[] = [
  { upToGb: 10_000, usdPerGb: 0.09 }, { upToGb: 50_000, usdPerGb: 0.085 }, { upToGb: 150_000, usdPerGb: 0.07 }, { upToGb: Infinity, usdPerGb: 0.05 },
];
/** docs/cost.md: about 2/3 of the bytes cross zones (3 zones), NLB to gateways and pods to Redis. */
export const CROSS_ZONE_SHARE = 2 / 3;
/** docs/cost.md "NLB and its capacity units", TLS listener: one NLCU = 50 new connections/s, 3,000 active, or 1 GB/h. */
export const NLCU = { newPerS: 50, active: 3000, gbPerHour: 1 } as const;
/** docs/cost.md: "about 4 per game" new connections (page, API, socket). */
export const NEW_CONNECTIONS_PER_GAME = 4;
/** docs/cost.md "Traffic per game" (measured there): a `moved` frame on the wire, the session's frames per socket, a ping, the page. */
export const BYTES = { movedFrame: 320, sessionPerSocket: 7_000, ping: 76, page: 155_000, pagesPerGame: 1, inPerSocket: 33_000 / 2.5 } as const;
/** docs/cost.md (assumption): each game viewed once, one list page: 3 read units. */
export const RRU_PER_GAME = 3;
/** DynamoDB bills 100 bytes of overhead per stored item (docs/cost.md's 8.1 KB per game includes it). */
export const DYNAMO_ITEM_OVERHEAD_B = 100;
/** Default per-table throughput quota of an on-demand table: 40,000 write request units/s (AWS service quotas; adjustable on request). */
export const DYNAMO_TABLE_WRU_PER_S = 40_000;

// --- What the benchmark measured -----------------------------------------------------------------

/** The parts of a benchmark row the model reads (scenarios.ts LoadRow has them all). */
export interface RowLike {
  games: number;
  offered: number;
  achieved: number;
  moves: number;
  latency: { p99: number };
  procs: Record<string, { cpuPct: number; rssMaxKiB: number }>;
  redis?: { perMove: number; calls: Record<string, number>; cpuPct: number; netBytesPerMove?: number };
  pass?: boolean;
}
interface Bytes { count: number; bytes: number }
/** bench/results/*.json, as far as the model reads it (main.ts writes it). */
export interface ResultsLike {
  meta: { started: string; command: string; commit: string; dirty?: boolean; machine: { cores: number; cpu: string }; node?: string; redis?: string; config: { heartbeatMs: number } };
  results: {
    gambit?: {
      ladder?: RowLike[];
      search?: { steps: RowLike[] };
      finalizer?: { backlog: { durablePerS: number; finalizerCpuPct: number } };
      capacity?: {
        engines: number;
        row: RowLike | null;
        positionCache?: 'catch-up';
        redis: null | {
          rooms: { active: Bytes; ended: Bytes };
          roomFit: { intercept: number; perPly: number };
          shared: number;
          once: Bytes;
          streams: { commands: Bytes; finalize: Bytes; gateway: Bytes };
          registry: Bytes;
        };
        dynamo: null | { meanPlies: number; gameItem: { intercept: number; perPly: number }; row: number; player: number };
        replay: { usPerPly: number };
      };
    };
  };
}

/** One measured number and where it came from. */
export interface Input { value: number; source: string }
export const INPUT_KEYS = [
  'engineUsPerMove', 'gatewayUsPerMove', 'finalizerUsPerGame', 'redisUsPerMove', 'redisCommandsPerMove',
  'engineCoresPerGame', 'gatewayCoresPerGame', 'redisCoresPerGame', 'redisCommandsPerGameS',
  'engineMissUsPerPly', 'missExtraCommands', 'missExtraNetBytes', 'replayUsPerPly',
  'gatewayBaseMiB', 'gatewayKiBPerSocket', 'engineBaseMiB', 'engineKiBPerGame', 'finalizerMiB',
  'roomBytesBase', 'roomBytesPerPly', 'sharedBytesPerGame', 'onceBytesPerRoom', 'registryBytesPerSocket',
  'commandEntryBytes', 'gatewayEntryBytes', 'finalizeEntryBytesPerItemByte', 'redisNetBytesPerMove',
  'gameItemBase', 'gameItemPerPly', 'rowItemBytes', 'playerItemBytes',
] as const;
export type InputKey = (typeof INPUT_KEYS)[number];
export type Inputs = Record<InputKey, Input>;
export type Values = Record<InputKey, number>;

/**
 * Used only for what the results lack (the `capacity` scenario and Redis network bytes are newer
 * than bench/results/latest.json): measured by this model's author with `BENCH_QUICK=1
 * BENCH_FIRST_WARMUP_S=20 BENCH_WINDOW_S=10 BENCH_TARGETS=gambit BENCH_SCENARIOS=ladder,capacity
 * BENCH_LADDER=500` (run 2026-12-01T10:21:14Z, results/run-2026-12-01T10-21-14.json, kept locally)
 * on the shared 2-core machine, busy with others' work (2 x Intel Xeon vCPU, Node 24.22, Redis
 * 7.0.15, commit 2387d74 + others' uncommitted changes). That machine is slower per move than the
 * one of latest.json (one engine: 613 against ~340 us/move), so the engine's miss cost below is on
 * the high side. The next full `make bench` measures them all and these go unused.
 */
export const FALLBACK: Partial<Values> & { source: string } = {
  source: 'fallback: quick run 2026-12-01T10:21Z, other machine (FALLBACK in capacity-model.ts)',
  // Two quick runs gave 118 and 208 us per ply (two engines against one, the machine saturated);
  // chess.js's replay alone 150-156 us per ply: 150.
  engineMissUsPerPly: 150,
  missExtraCommands: 1.09,
  missExtraNetBytes: 5814,
  replayUsPerPly: 150,
  roomBytesBase: 3282,
  roomBytesPerPly: 298,
  sharedBytesPerGame: 347,
  onceBytesPerRoom: 72,
  registryBytesPerSocket: 576,
  commandEntryBytes: 279,
  gatewayEntryBytes: 344,
  finalizeEntryBytesPerItemByte: 1.27,
  redisNetBytesPerMove: 4593,
  gameItemBase: 1226,
  gameItemPerPly: 70.6,
  rowItemBytes: 293,
  playerItemBytes: 140,
};

/** The median-p99 window of a ladder rung (as scenarios.ts medianRow), or undefined. */
export function medianOf(rows: readonly RowLike[], games: number): RowLike | undefined {
  const rung = rows.filter((r) => r.games === games && r.moves > 0).sort((a, b) => a.latency.p99 - b.latency.p99);
  return rung[Math.floor(rung.length / 2)];
}

/** Microseconds of one core per move (or per unit of `per`) of the processes whose names pass `which`. */
export function usPer(row: RowLike, which: (proc: string) => boolean, per = row.achieved): number {
  const pct = Object.entries(row.procs).filter(([k]) => which(k)).reduce((a, [, p]) => a + p.cpuPct, 0);
  return per > 0 ? ((pct / 100) * 1e6) / per : Number.NaN;
}

/** Mean number of plies already played when a move is made, over every move of the game set (what a replay costs, on average). */
export function meanPliesBefore(lengths: readonly number[]): number {
  const moves = lengths.reduce((a, l) => a + l, 0);
  return moves > 0 ? lengths.reduce((a, l) => a + (l * (l - 1)) / 2, 0) / moves : 0;
}

/** Least-squares line y = intercept + slope x. */
export function fitLine(pts: readonly (readonly [number, number])[]): { intercept: number; slope: number } {
  const n = pts.length;
  const mx = pts.reduce((a, [x]) => a + x, 0) / n;
  const my = pts.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const slope = sxx > 0 ? pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx : 0;
  return { intercept: my - slope * mx, slope };
}

/** The ladder rung whose CPU the pods are sized on: 500 moves/s, about what one chart-sized pod does at its 70 % target. */
export const CPU_RUNG_GAMES = 500;

/**
 * The model's inputs from a results file and the game set's lengths (bench/data/games.json). Per
 * service CPU from the ladder's CPU_RUNG_GAMES rung (median window); Redis CPU from the highest
 * passing search step (a loaded Redis, as a primary near its target is); memory from the ladder's
 * RSS growth between its smallest and largest rung; the rest from the `capacity` scenario.
 */
export function inputsFrom(res: ResultsLike, gameLengths: readonly number[], fallback: Partial<Values> & { source: string } = FALLBACK): Inputs {
  const g = res.results.gambit;
  if (!g?.ladder?.length) throw new Error('the results have no Gambit ladder: run make bench (or BENCH_SCENARIOS=ladder,...)');
  const out: Partial<Inputs> = {};
  const put = (k: InputKey, value: number, source: string) => {
    out[k] = { value, source };
  };
  const rungs = [...new Set(g.ladder.map((r) => r.games))].sort((a, b) => a - b);
  const cpuRung = rungs.reduce((best, x) => (Math.abs(x - CPU_RUNG_GAMES) < Math.abs(best - CPU_RUNG_GAMES) ? x : best), rungs[0]!);
  const row = medianOf(g.ladder, cpuRung)!;
  const at = `ladder ${cpuRung} games, ${Math.round(row.achieved)} moves/s (median window)`;
  const engine = (k: string) => k.startsWith('engine');
  const gateway = (k: string) => k === 'gateway';
  const redis = (k: string) => k === 'redis';
  // Every rung runs at the same move rate with more games: what grows with the games is work per
  // game and second (polls of each room, as the gateway's crowd reads), the rest is per move (and
  // per process). A least-squares line over the rungs' median windows, at the nominal rate.
  const medians = rungs.map((n) => medianOf(g.ladder!, n)!).filter((r) => r.achieved > 0);
  const rate = medians.reduce((a, r) => a + r.offered, 0) / medians.length;
  const perGame = (y: (r: RowLike) => number) => (medians.length > 1 ? Math.max(0, fitLine(medians.map((r) => [r.games, (y(r) * rate) / r.achieved])).slope) : 0);
  const cores = (r: RowLike, which: (k: string) => boolean) => Object.entries(r.procs).filter(([k]) => which(k)).reduce((a, [, p]) => a + p.cpuPct, 0) / 100;
  const fitted = medians.length > 1 ? `least squares over the ladder's ${medians.length} rungs (${rungs.join(', ')} games at ${Math.round(rate)} moves/s)` : 'one ladder rung: not measured';
  const enginePerGame = perGame((r) => cores(r, engine));
  const gatewayPerGame = perGame((r) => cores(r, gateway));
  const redisPerGame = perGame((r) => cores(r, redis));
  const commandsPerGame = perGame((r) => (r.redis?.perMove ?? 0) * r.achieved);
  put('engineCoresPerGame', enginePerGame, fitted);
  put('gatewayCoresPerGame', gatewayPerGame, fitted);
  put('redisCoresPerGame', redisPerGame, fitted);
  put('redisCommandsPerGameS', commandsPerGame, fitted);
  const perMove = (r: RowLike, which: (k: string) => boolean, cpg: number) => ((cores(r, which) - cpg * r.games) * 1e6) / r.achieved;
  put('engineUsPerMove', perMove(row, engine, enginePerGame), `${at}, one engine, less the per-game part`);
  put('gatewayUsPerMove', perMove(row, gateway, gatewayPerGame), `${at}, less the per-game part`);
  const passed = (g.search?.steps ?? []).filter((s) => s.pass && s.redis);
  const loaded = passed.reduce<RowLike | undefined>((a, s) => (!a || s.achieved > a.achieved ? s : a), undefined);
  const redisRow = loaded ?? row;
  const redisAt = loaded ? `search step ${Math.round(loaded.achieved)} moves/s, ${loaded.games} games (the highest that passed)` : at;
  const engines = Object.keys(redisRow.procs).filter(engine).length;
  put('redisUsPerMove', perMove(redisRow, redis, redisPerGame), `${redisAt}, less the per-game part`);
  put('redisCommandsPerMove', ((redisRow.redis?.perMove ?? Number.NaN) * redisRow.achieved - commandsPerGame * redisRow.games - engines * ENGINE_PERIODIC_COMMANDS_PER_S) / redisRow.achieved,
    `${redisAt}, INFO commandstats (commit.lua's commands included), less the per-game part and the engine's own polls`);
  const fin = g.finalizer?.backlog;
  if (fin && fin.durablePerS > 0) put('finalizerUsPerGame', ((fin.finalizerCpuPct / 100) * 1e6) / fin.durablePerS, 'finalizer backlog drain (dynalite: the transaction emulated with 3 requests)');

  // Memory: RSS growth from the smallest to the largest rung (each rung's highest RSS).
  const rssAt = (games: number, proc: (k: string) => boolean) => Math.max(...g.ladder!.filter((r) => r.games === games)
    .map((r) => Object.entries(r.procs).filter(([k]) => proc(k)).reduce((a, [, p]) => a + p.rssMaxKiB, 0)));
  const lo = rungs[0]!;
  const hi = rungs[rungs.length - 1]!;
  const grow = (proc: (k: string) => boolean, perGame: number) => {
    const slope = hi > lo ? (rssAt(hi, proc) - rssAt(lo, proc)) / ((hi - lo) * perGame) : Number.NaN;
    return { slope, baseMiB: (rssAt(lo, proc) - slope * lo * perGame) / 1024 };
  };
  const gw = grow((k) => k === 'gateway', SOCKETS_PER_GAME);
  const en = grow(engine, 1);
  const span = `ladder RSS ${lo} -> ${hi} games (highest per rung)`;
  put('gatewayKiBPerSocket', gw.slope, `${span}, per socket in a game`);
  put('gatewayBaseMiB', gw.baseMiB, span);
  put('engineKiBPerGame', en.slope, `${span}, per live game`);
  put('engineBaseMiB', en.baseMiB, span);
  put('finalizerMiB', Math.max(...g.ladder.map((r) => r.procs.finalizer?.rssMaxKiB ?? 0)) / 1024, 'ladder, highest finalizer RSS');
  if (row.redis?.netBytesPerMove !== undefined) put('redisNetBytesPerMove', row.redis.netBytesPerMove, `${at}, INFO total_net_input/output_bytes`);

  // The capacity scenario.
  const cap = g.capacity;
  const replayAvg = meanPliesBefore(gameLengths);
  if (cap) put('replayUsPerPly', cap.replay.usPerPly, 'capacity: chess.js replay of the 200 seeded games, in the coordinator');
  const two = cap?.row;
  const reloads = (r: RowLike | undefined | null) => r?.redis?.calls.hmget ?? 0;
  const miss = two ? reloads(two) - reloads(row) : 0;
  if (two && miss > 0.05) {
    const extra = usPer(two, engine) - usPer(row, engine);
    // Plies a miss played in that run: the catch-up's, or (results from before it) the game so far.
    const plays = cap.positionCache === 'catch-up' ? pliesPerMiss(cap.engines, two.games) : replayAvg;
    put('engineMissUsPerPly', extra / miss / plays,
      `capacity: ${cap.engines} engines ${Math.round(usPer(two, engine))} us/move against one ${Math.round(usPer(row, engine))}, ${miss.toFixed(2)} misses (room reloads) per move, ${plays.toFixed(1)} plies played per miss (${cap.positionCache ?? 'replay'})`);
    // A miss reads the room again (HMGET) and may lose a commit to a version conflict (EVALSHA); the
    // other differences between the two rows are periodic commands (deadline scans, matchmakers)
    // spread over the probe's lower move rate, not misses.
    const calls = (r: RowLike, c: string) => r.redis?.calls[c] ?? 0;
    put('missExtraCommands', (miss + Math.max(0, calls(two, 'evalsha') - calls(row, 'evalsha'))) / miss, `capacity: HMGET and EVALSHA per move, ${cap.engines} engines against one, per miss`);
    if (two.redis?.netBytesPerMove !== undefined && row.redis?.netBytesPerMove !== undefined) {
      put('missExtraNetBytes', (two.redis.netBytesPerMove - row.redis.netBytesPerMove) / miss, `capacity: Redis network bytes per move, ${cap.engines} engines against one, per miss`);
    }
  }
  const rc = cap?.redis;
  if (rc && rc.rooms.active.count > 0) {
    const rooms = rc.rooms.active.count + rc.rooms.ended.count;
    put('roomBytesBase', rc.roomFit.intercept, `capacity: Redis MEMORY USAGE of ${rooms} rooms' keys against their plies`);
    put('roomBytesPerPly', rc.roomFit.perPly, 'capacity: the same fit');
    put('sharedBytesPerGame', rc.shared / rc.rooms.active.count, 'capacity: deadline sets, live games and summaries per game in play');
    put('onceBytesPerRoom', rc.once.bytes / Math.max(1, rooms), 'capacity: once-keys per room');
    put('registryBytesPerSocket', rc.registry.bytes / Math.max(1, rc.registry.count), `capacity: conn/gw/player keys per connection (${rc.registry.count})`);
    put('commandEntryBytes', rc.streams.commands.bytes / Math.max(1, rc.streams.commands.count), 'capacity: command stream bytes per entry');
    put('gatewayEntryBytes', rc.streams.gateway.bytes / Math.max(1, rc.streams.gateway.count), 'capacity: gateway event streams, bytes per entry');
  }
  const dc = cap?.dynamo;
  if (dc) {
    put('gameItemBase', dc.gameItem.intercept, `capacity: DynamoDB item sizes of the stored games (${dc.meanPlies.toFixed(0)} plies on average), by DynamoDB's rules`);
    put('gameItemPerPly', dc.gameItem.perPly, 'capacity: the same, bytes per ply');
    put('rowItemBytes', dc.row, 'capacity: player-game rows');
    put('playerItemBytes', dc.player, 'capacity: player items');
    if (rc && rc.streams.finalize.count > 0) {
      // A finalize entry is the game record, as the game item is: it grows the same way with plies.
      const item = dc.gameItem.intercept + dc.gameItem.perPly * dc.meanPlies;
      put('finalizeEntryBytesPerItemByte', rc.streams.finalize.bytes / rc.streams.finalize.count / item, 'capacity: finalize stream bytes per entry, per byte of the game item');
    }
  }
  for (const k of INPUT_KEYS) {
    if (out[k] === undefined || !Number.isFinite(out[k]!.value)) {
      const v = fallback[k];
      if (v === undefined) throw new Error(`no measurement of ${k} in the results and no fallback: run make bench`);
      out[k] = { value: v, source: fallback.source };
    }
  }
  return out as Inputs;
}

export const valuesOf = (i: Inputs): Values => Object.fromEntries(INPUT_KEYS.map((k) => [k, i[k].value])) as Values;

// --- The model -------------------------------------------------------------------------------------

export interface Options {
  /**
   * Room affinity: every move of a room handled by the same engine, the engines owning room shards
   * (SHARD_LEASE_MS, as Gambit ships; the report's tables). Without it (SHARD_LEASE_MS=0, every
   * engine reading every shard; the report's last cost line) a move finds its room in the engine's
   * memory only if that engine also handled the previous ply.
   */
  affinity?: boolean;
}

/** Share of moves whose engine holds the room as it last committed it (position and state). */
export function engineHitRate(engines: number, games: number, affinity = false): number {
  // Between two plies of a game (SECONDS_PER_PLY) an engine handles games / engines other moves,
  // one per room: the room is still among its ENGINE_CACHE_ROOMS most recent if that is fewer.
  const kept = Math.min(1, (ENGINE_CACHE_ROOMS * engines) / games);
  return affinity ? kept : kept / engines;
}

/**
 * Plies an engine plays on a miss. The position cache (packages/rooms/src/positions.ts) catches a
 * game it still holds up with the plies other engines played since this one last did (without
 * affinity each ply goes to any of the engines: about `engines` of them, the next included, never
 * more than the game so far), and replays the game so far (half a game on average) only when the
 * room has left its cache: every engine sees every room, so it holds the ENGINE_CACHE_ROOMS most
 * recent of all games. With affinity a miss means the room left the owner's cache: a replay.
 * Without affinity every engine plays every ply of the games it holds: per move about `engines`
 * plies in all, so adding engines stops adding throughput (0.175 cores a pod over 150 us a ply: under
 * ~1,170 moves/s, docs/capacity.md): past that only affinity (engines owning room shards) scales.
 */
export function pliesPerMiss(engines: number, games: number, affinity = false): number {
  const replayed = (PLIES_PER_GAME - 1) / 2;
  if (affinity) return replayed;
  const held = Math.min(1, ENGINE_CACHE_ROOMS / games);
  return held * Math.min(engines, replayed) + (1 - held) * replayed;
}

export interface Limit { name: string; kind: 'hard' | 'setting'; utilization: number; note: string }
export interface CostLine { line: string; detail?: string; formula: string; usd: number }

export interface Sizing {
  games: number;
  movesPerS: number;
  gamesEndedPerS: number;
  sockets: number;
  gamesPerMonth: number;
  engine: { pods: number; hitRate: number; usPerMove: number; cores: number; replayShare: number; cachedRooms: number; memMiBPerPod: number };
  gateway: { pods: number; cores: number; podsForSockets: number; podsForCpu: number; memMiBPerPod: number };
  finalizer: { pods: number; cores: number; needed: number };
  redis: {
    cores: number; commandsPerS: number; primaryCommandsPerS: number; bytes: number;
    memory: { liveRooms: number; endedRooms: number; sockets: number; finalize: number; commands: number; gatewayStreams: number };
    shardsByCpu: number; shardsByMemory: number; shards: number; cluster: boolean; roomShards: number;
  };
  dynamo: { wruPerGame: number; wruPerS: number; storedBytesPerGame: number };
  nodes: { realtime: number; spot: number };
  nlb: { nlcu: number; byActive: number; byNew: number; byBytes: number };
  transfer: { outBytesPerGame: number; nlbBytesPerGame: number; outGb: number };
  cost: CostLine[];
  total: number;
  limits: Limit[];
}

/** Monthly cost of `gb` out to the internet on the tiers, after the free allowance. */
export function transferOutUsd(gb: number): number {
  let left = Math.max(0, gb - TRANSFER_OUT_FREE_GB);
  let from = 0;
  let usd = 0;
  for (const t of TRANSFER_OUT_TIERS) {
    const inTier = Math.min(left, t.upToGb - from);
    usd += inTier * t.usdPerGb;
    left -= inTier;
    from = t.upToGb;
    if (left <= 0) break;
  }
  return usd;
}

/** Bytes of the game item for a game of `plies`, and the write units its transaction bills (decided games between two players). */
export function dynamoPerGame(v: Values, plies = PLIES_PER_GAME): { gameItem: number; wru: number; stored: number } {
  const gameItem = v.gameItemBase + v.gameItemPerPly * plies;
  const wu = (b: number) => Math.max(1, Math.ceil(b / 1024));
  // TransactWriteItems: 2 units per KB of each item (game, 2 rows, 2 player stats); each row is also copied into the byPlayer index (a standard write).
  const wru = 2 * wu(gameItem) + 2 * (2 * wu(v.rowItemBytes)) + 2 * wu(v.rowItemBytes) + 2 * (2 * wu(v.playerItemBytes));
  const stored = gameItem + 4 * v.rowItemBytes + 5 * DYNAMO_ITEM_OVERHEAD_B; // the game, 2 rows, their 2 index copies
  return { gameItem, wru, stored };
}

export function size(v: Values, games: number, opts: Options = {}): Sizing {
  const movesPerS = games / SECONDS_PER_PLY;
  const gameS = PLIES_PER_GAME * SECONDS_PER_PLY;
  const gamesEndedPerS = games / gameS;
  const sockets = games * SOCKETS_PER_GAME;
  const monthS = HOURS_PER_MONTH * 3600;
  const gamesPerMonth = gamesEndedPerS * monthS;
  const replayed = (PLIES_PER_GAME - 1) / 2; // plies played so far, on average over a game
  const missUsOf = (e: number) => v.engineMissUsPerPly * pliesPerMiss(e, games, opts.affinity);

  // Engines: CPU per move grows with the engine count (fewer hits), so iterate to a fixed point.
  const enginePodCores = CHART.engine.cpu * CPU_TARGET;
  const engineUs = (e: number) => v.engineUsPerMove + (1 - engineHitRate(e, games, opts.affinity)) * missUsOf(e);
  // The fewest pods that carry their own load: without affinity more pods mean fewer hits (need
  // grows with e), with it more pods keep more rooms (need shrinks with e); either way the answer is
  // the smallest e >= minPods with need(e) <= e, found by doubling, then halving the interval.
  const need = (e: number) => Math.ceil(((movesPerS * engineUs(e)) / 1e6 + games * v.engineCoresPerGame) / enginePodCores);
  let hi: number = CHART.engine.minPods;
  while (need(hi) > hi) hi *= 2;
  let lo = Math.max(CHART.engine.minPods, Math.floor(hi / 2));
  if (need(lo) <= lo) hi = lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (need(mid) <= mid) hi = mid;
    else lo = mid;
  }
  const engines = hi;
  const hitRate = engineHitRate(engines, games, opts.affinity);
  const usPerMove = engineUs(engines);
  const engineCores = (movesPerS * usPerMove) / 1e6 + games * v.engineCoresPerGame;
  const cachedRooms = Math.min(ENGINE_CACHE_ROOMS, opts.affinity ? games / engines : games);
  const engineMem = v.engineBaseMiB + (cachedRooms * v.engineKiBPerGame) / 1024;

  // Gateways: the scaler's connections per pod, or CPU (moves; per game: its sockets' pings, room polls).
  const gwCores = (movesPerS * v.gatewayUsPerMove) / 1e6 + games * v.gatewayCoresPerGame;
  const podsForSockets = Math.ceil(sockets / CHART.gateway.connectionsPerPod);
  const podsForCpu = Math.ceil(gwCores / (CHART.gateway.cpu * CPU_TARGET));
  const gwPods = Math.max(CHART.gateway.minPods, podsForSockets, podsForCpu);
  const gwMem = v.gatewayBaseMiB + ((sockets / gwPods) * v.gatewayKiBPerSocket) / 1024;

  // Finalizers: one transaction per finished game.
  const finCores = (gamesEndedPerS * v.finalizerUsPerGame) / 1e6;
  const finNeed = Math.ceil(finCores / (CHART.finalizer.cpu * CPU_TARGET));
  const finPods = Math.max(CHART.finalizer.pods, finNeed);

  // Redis CPU: the measured cost per move, a reload per engine miss, the per-game polls, and every
  // engine's own polls (its deadline scan runs on each room shard under Redis Cluster).
  const usPerCommand = v.redisUsPerMove / v.redisCommandsPerMove;
  const misses = 1 - hitRate;
  // With affinity each engine scans the deadlines of its own shards only: the scans of all engines
  // together cover every shard once.
  const redisLoad = (shardsScanned: number) => {
    const scans = opts.affinity ? ENGINE_DEADLINE_SCANS_PER_S * shardsScanned : engines * ENGINE_DEADLINE_SCANS_PER_S * shardsScanned;
    const polls = scans + engines * ENGINE_POOL_READS_PER_S;
    return {
      cores: (movesPerS * (v.redisUsPerMove + misses * v.missExtraCommands * usPerCommand) + polls * usPerCommand) / 1e6 + games * v.redisCoresPerGame,
      commandsPerS: movesPerS * (v.redisCommandsPerMove + misses * v.missExtraCommands) + games * v.redisCommandsPerGameS + polls,
    };
  };
  const cpuShards = (cores: number) => Math.max(1, Math.ceil(cores / (REDIS_CORES_PER_PRIMARY * REDIS_CPU_TARGET)));
  const single = redisLoad(1);

  // Redis memory.
  const room = (plies: number) => v.roomBytesBase + v.roomBytesPerPly * plies + v.onceBytesPerRoom;
  const dyn = dynamoPerGame(v);
  const endedRooms = gamesEndedPerS * (CHART.roomTtlMs / 1000); // kept ROOM_TTL_MS after their end
  const baseMemory = {
    liveRooms: games * (room(replayed) + v.sharedBytesPerGame),
    endedRooms: endedRooms * room(PLIES_PER_GAME),
    sockets: sockets * v.registryBytesPerSocket,
    finalize: Math.min(STREAM_MAXLEN.finalize, gamesEndedPerS * STREAM_RETAIN_S) * v.finalizeEntryBytesPerItemByte * dyn.gameItem,
    commands: Math.min(STREAM_MAXLEN.commands, movesPerS * STREAM_RETAIN_S) * v.commandEntryBytes,
  };
  const usable = REDIS_NODE.usableBytes / REDIS_MEMORY_HEADROOM;
  // Gateway event streams: the events of the last GATEWAY_STREAM_RETAIN_S, and one node a stream at most left by the trim.
  const streamEvents = movesPerS * GATEWAY_ENTRIES_PER_MOVE * GATEWAY_STREAM_RETAIN_S * v.gatewayEntryBytes;
  const oneStream = STREAM_NODE_BYTES;
  const sumBase = Object.values(baseMemory).reduce((a, b) => a + b, 0);
  // Past one primary, Redis Cluster (docs/redis-cluster.md): a slot per room shard, at least 16, and
  // at least one per primary's worth of CPU; each gateway then reads one event stream per room shard.
  // With affinity the engines split the room shards: ENGINE_ROOM_SHARDS an engine (on one Redis too),
  // so that rendezvous hashing gives none of them much more than its share.
  const forEngines = opts.affinity && engines > 1 ? ENGINE_ROOM_SHARDS * engines : 1;
  const cluster = cpuShards(single.cores) > 1 || sumBase + streamEvents + gwPods * oneStream > usable;
  let roomShards = Math.max(forEngines, cluster ? Math.max(ROOM_SHARDS_DEFAULT, cpuShards(single.cores)) : 1);
  const { cores: redisCores, commandsPerS } = redisLoad(roomShards);
  const shardsByCpu = cpuShards(redisCores);
  roomShards = Math.max(forEngines, cluster ? Math.max(roomShards, shardsByCpu) : 1);
  const memory = { ...baseMemory, gatewayStreams: streamEvents + gwPods * roomShards * oneStream };
  const bytes = Object.values(memory).reduce((a, b) => a + b, 0);
  const shardsByMemory = Math.max(1, Math.ceil(bytes / usable));
  const shards = Math.max(shardsByCpu, shardsByMemory);

  // DynamoDB.
  const wruPerS = gamesEndedPerS * dyn.wru;

  // Nodes: gateways on on-demand nodes, the rest on spot; requests packed by CPU or memory.
  const nodesFor = (cpu: number, memMiB: number, min: number) => Math.max(min,
    Math.ceil(cpu / (NODE.vcpu * NODE_ALLOCATABLE)), Math.ceil(memMiB / (NODE.memMiB * NODE_ALLOCATABLE)));
  const podMem = (request: number, need: number) => Math.max(request, need);
  const realtime = nodesFor(gwPods * CHART.gateway.cpu, gwPods * podMem(CHART.gateway.memMiB, gwMem), MIN_NODES.realtime);
  const spot = nodesFor(
    engines * CHART.engine.cpu + finPods * CHART.finalizer.cpu + CHART.reaper.pods * CHART.reaper.cpu,
    engines * podMem(CHART.engine.memMiB, engineMem) + finPods * podMem(CHART.finalizer.memMiB, v.finalizerMiB) + CHART.reaper.pods * CHART.reaper.memMiB,
    MIN_NODES.spot,
  );

  // Bytes per game (docs/cost.md's parts, for SOCKETS_PER_GAME sockets and this game's length).
  const pings = (gameS * 1000) / CHART.heartbeatMs;
  const outBytesPerGame = PLIES_PER_GAME * SOCKETS_PER_GAME * BYTES.movedFrame + SOCKETS_PER_GAME * BYTES.sessionPerSocket
    + pings * SOCKETS_PER_GAME * BYTES.ping + BYTES.page * BYTES.pagesPerGame;
  const nlbBytesPerGame = outBytesPerGame + SOCKETS_PER_GAME * BYTES.inPerSocket;
  const outGb = (gamesPerMonth * outBytesPerGame) / 1e9;
  const nlbGbPerHour = (gamesEndedPerS * 3600 * nlbBytesPerGame) / 1e9;
  const nlb = {
    byActive: sockets / NLCU.active,
    byNew: (gamesEndedPerS * NEW_CONNECTIONS_PER_GAME) / NLCU.newPerS,
    byBytes: nlbGbPerHour / NLCU.gbPerHour,
    nlcu: 0,
  };
  nlb.nlcu = Math.max(nlb.byActive, nlb.byNew, nlb.byBytes);
  const redisNetPerMove = v.redisNetBytesPerMove + misses * v.missExtraNetBytes;
  const storedGb = (gamesPerMonth * dyn.stored) / 1e9 / 2; // on average over the first month

  const h = HOURS_PER_MONTH;
  const cost: CostLine[] = [
    { line: 'EKS control plane', formula: `$${PRICE.eksPerHour}/h`, usd: PRICE.eksPerHour * h },
    { line: 'nodes on demand (gateways)', detail: `${realtime} x ${NODE.type}`, formula: `n x $${NODE.usdPerHour}/h`, usd: realtime * NODE.usdPerHour * h },
    { line: 'nodes spot (engines, finalizers, controller)', detail: `${spot} x ${NODE.type}`, formula: `n x $${NODE.usdPerHour}/h x ${1 - NODE.spotDiscount}`, usd: spot * NODE.usdPerHour * (1 - NODE.spotDiscount) * h },
    { line: `EBS, ${EBS_GB_PER_NODE} GB a node`, detail: `${(realtime + spot) * EBS_GB_PER_NODE} GB`, formula: `$${PRICE.ebsPerGbMonth}/GB-month`, usd: (realtime + spot) * EBS_GB_PER_NODE * PRICE.ebsPerGbMonth },
    { line: 'ElastiCache', detail: `${shards} shard${shards > 1 ? 's' : ''} x ${REDIS_NODES_PER_SHARD} ${REDIS_NODE.type}`, formula: `$${REDIS_NODE.usdPerHour}/h a node`, usd: shards * REDIS_NODES_PER_SHARD * REDIS_NODE.usdPerHour * h },
    { line: 'DynamoDB writes', detail: `${dyn.wru} WRU a game`, formula: `$${PRICE.wru * 1e6}/M WRU`, usd: gamesPerMonth * dyn.wru * PRICE.wru },
    { line: 'DynamoDB reads', detail: `${RRU_PER_GAME} RRU a game`, formula: `$${PRICE.rru * 1e6}/M RRU`, usd: gamesPerMonth * RRU_PER_GAME * PRICE.rru },
    { line: 'DynamoDB storage + PITR, first month', detail: `${Math.round(storedGb * 2).toLocaleString('en-US')} GB by the month's end`, formula: `$${PRICE.storagePerGbMonth} (after ${PRICE.storageFreeGb} GB) + $${PRICE.pitrPerGbMonth} /GB-month`, usd: Math.max(0, storedGb - PRICE.storageFreeGb) * PRICE.storagePerGbMonth + storedGb * PRICE.pitrPerGbMonth },
    { line: 'NLB hours', formula: `$${PRICE.nlbPerHour}/h`, usd: PRICE.nlbPerHour * h },
    { line: 'NLB capacity units', detail: `${nlb.nlcu.toFixed(1)} NLCU`, formula: `$${PRICE.nlcuPerHour}/NLCU-h`, usd: nlb.nlcu * PRICE.nlcuPerHour * h },
    { line: 'data transfer out', detail: `${(outGb / 1000).toFixed(1)} TB`, formula: 'tiers $0.09-0.05/GB after 100 GB', usd: transferOutUsd(outGb) },
    { line: 'between zones: NLB to gateways', formula: `2/3 x $${PRICE.crossZonePerGb}/GB`, usd: ((CROSS_ZONE_SHARE * gamesPerMonth * nlbBytesPerGame) / 1e9) * PRICE.crossZonePerGb },
    { line: 'between zones: pods and Redis', formula: `2/3 x $${PRICE.crossZonePerGb}/GB`, usd: ((CROSS_ZONE_SHARE * movesPerS * monthS * redisNetPerMove) / 1e9) * PRICE.crossZonePerGb },
    { line: `public IPv4 (${PRICE.ipv4Addresses}) + NAT gateway hours`, formula: `$${PRICE.ipv4PerHour}/h each + $${PRICE.natPerHour}/h`, usd: (PRICE.ipv4Addresses * PRICE.ipv4PerHour + PRICE.natPerHour) * h },
  ];
  const total = cost.reduce((a, c) => a + c.usd, 0);

  const limits: Limit[] = [
    // As today: one primary, one deadline scan per engine, one event stream per gateway.
    { name: 'one Redis primary: CPU', kind: 'hard', utilization: single.cores / (REDIS_CORES_PER_PRIMARY * REDIS_CPU_TARGET), note: `${Math.round(single.commandsPerS).toLocaleString('en-US')} commands/s on one primary; Gambit runs on one until Redis Cluster (issue 16)` },
    { name: `one Redis primary: memory (${REDIS_NODE.type})`, kind: 'setting', utilization: ((sumBase + streamEvents + gwPods * oneStream) * REDIS_MEMORY_HEADROOM) / REDIS_NODE.usableBytes, note: 'a larger node type holds more; CPU does not grow with it' },
    { name: `Redis Cluster: one slot per room shard (${ROOM_SHARDS_DEFAULT} shards)`, kind: 'hard', utilization: redisCores / ROOM_SHARDS_DEFAULT / (REDIS_CORES_PER_PRIMARY * REDIS_CPU_TARGET), note: 'a slot cannot be split over primaries: more room shards (ROOM_SHARDS)' },
    { name: 'Redis Cluster: the matchmaking slot {mm}', kind: 'hard', utilization: (engines * ENGINE_POOL_READS_PER_S * usPerCommand) / 1e6 / (REDIS_CORES_PER_PRIMARY * REDIS_CPU_TARGET), note: `every engine's matchmaker reads the 18 pools 5 times a second, all in one slot (redis-cluster.md, open question 2): ${Math.round(engines * ENGINE_POOL_READS_PER_S).toLocaleString('en-US')} reads/s` },
    { name: `DynamoDB table write quota (${DYNAMO_TABLE_WRU_PER_S.toLocaleString('en-US')} WRU/s)`, kind: 'hard', utilization: wruPerS / DYNAMO_TABLE_WRU_PER_S, note: 'default on-demand table quota; raised on request' },
    { name: `command stream MAXLEN (${STREAM_MAXLEN.commands.toLocaleString('en-US')}: ${COMMAND_BUFFER_S} s of moves unread)`, kind: 'setting', utilization: (movesPerS * COMMAND_BUFFER_S) / STREAM_MAXLEN.commands, note: 'past it, XADD trims commands no engine has read' },
    { name: `engine memory (${CHART.engine.limitMiB}Mi limit)`, kind: 'setting', utilization: engineMem / CHART.engine.limitMiB, note: `${Math.round(cachedRooms).toLocaleString('en-US')} rooms cached per engine, ${Math.round(engineMem)} MiB` },
    { name: `gateway memory (${CHART.gateway.limitMiB}Mi limit)`, kind: 'setting', utilization: gwMem / CHART.gateway.limitMiB, note: `${Math.round(sockets / gwPods).toLocaleString('en-US')} sockets a pod` },
    { name: `finalizer memory (${CHART.finalizer.limitMiB}Mi limit)`, kind: 'setting', utilization: v.finalizerMiB / CHART.finalizer.limitMiB, note: 'measured RSS' },
    { name: `gateway pods (scaler maxReplicas ${CHART.gateway.maxPods})`, kind: 'setting', utilization: Math.max(podsForSockets, podsForCpu) / CHART.gateway.maxPods, note: 'roomReaper.scaler.maxReplicas' },
    { name: `engine pods (HPA maxReplicas ${CHART.engine.maxPods})`, kind: 'setting', utilization: engineCores / enginePodCores / CHART.engine.maxPods, note: 'engine.autoscaling.maxReplicas' },
    { name: `finalizer pods (replicas ${CHART.finalizer.pods}, no autoscaler)`, kind: 'setting', utilization: finCores / (CHART.finalizer.cpu * CPU_TARGET) / CHART.finalizer.pods, note: 'finalizer.replicas' },
  ];

  return {
    games, movesPerS, gamesEndedPerS, sockets, gamesPerMonth,
    engine: { pods: engines, hitRate, usPerMove, cores: engineCores, replayShare: (misses * missUsOf(engines)) / usPerMove, cachedRooms, memMiBPerPod: engineMem },
    gateway: { pods: gwPods, cores: gwCores, podsForSockets, podsForCpu, memMiBPerPod: gwMem },
    finalizer: { pods: finPods, cores: finCores, needed: finNeed },
    redis: {
      cores: redisCores, commandsPerS, primaryCommandsPerS: (v.redisCommandsPerMove / v.redisUsPerMove) * 1e6 * REDIS_CORES_PER_PRIMARY, bytes,
      memory, shardsByCpu, shardsByMemory, shards, cluster: shards > 1 || cluster, roomShards,
    },
    dynamo: { wruPerGame: dyn.wru, wruPerS, storedBytesPerGame: dyn.stored },
    nodes: { realtime, spot },
    nlb,
    transfer: { outBytesPerGame, nlbBytesPerGame, outGb },
    cost, total, limits,
  };
}

/**
 * The concurrent games at which a limit reaches 100 % (bisection over the model; limits grow with
 * the games), or Infinity past 10^8.
 */
export function saturation(v: Values, name: string, opts: Options = {}): number {
  const util = (n: number) => size(v, n, opts).limits.find((l) => l.name === name)?.utilization ?? 0;
  let lo = 1;
  let hi = 1e8;
  if (util(hi) < 1) return Infinity;
  if (util(lo) >= 1) return lo;
  while (hi - lo > Math.max(1, lo * 0.001)) {
    const mid = Math.sqrt(lo * hi) < lo + 1 ? (lo + hi) / 2 : Math.sqrt(lo * hi);
    if (util(mid) >= 1) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** The first bottleneck at a size: the hard limit reached at the fewest games among those past 100 % there, else the nearest one. */
export function firstBottleneck(v: Values, s: Sizing, opts: Options = {}): { limit: Limit; reachedAt: number } {
  const hard = s.limits.filter((l) => l.kind === 'hard').map((l) => ({ limit: l, reachedAt: saturation(v, l.name, opts) }));
  const over = hard.filter((x) => x.limit.utilization >= 1).sort((a, b) => a.reachedAt - b.reachedAt);
  return over[0] ?? hard.sort((a, b) => b.limit.utilization - a.limit.utilization)[0]!;
}

// --- The report ----------------------------------------------------------------------------------

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const n1 = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const usd = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`;
const gb = (bytes: number) => `${(bytes / 1e9).toLocaleString('en-US', { maximumFractionDigits: 1 })} GB`;
const pct = (x: number) => `${Math.round(x * 100)} %`;

/** What `make capacity` prints: the inputs with their sources, then the model at each size, in Markdown. */
export function report(inputs: Inputs, meta: ResultsLike['meta'], file: string, sizes: readonly number[] = SIZES): string {
  const v = valuesOf(inputs);
  // As Gambit ships: the engines own room shards (affinity); the last cost line without.
  const main: Options = { affinity: true };
  const all = sizes.map((n) => size(v, n, main));
  const shared = sizes.map((n) => size(v, n));
  const L: string[] = [];
  const row = (label: string, f: (s: Sizing, i: number) => string) => L.push(`| ${label} | ${all.map((s, i) => f(s, i)).join(' | ')} |`);
  const head = () => {
    L.push(`| | ${sizes.map((n) => `${n0(n)} games`).join(' | ')} |`);
    L.push(`|---|${sizes.map(() => '---:').join('|')}|`);
  };
  L.push(`Capacity model from ${file}: run ${meta.started}, \`${meta.command}\`, commit ${meta.commit}${meta.dirty ? ' + uncommitted service changes' : ''}, ${meta.machine.cores} x ${meta.machine.cpu}${meta.redis ? `, Redis ${meta.redis}` : ''}.`);
  L.push(`Workload: one ply every ${SECONDS_PER_PLY} s per game, ${SOCKETS_PER_GAME} sockets a game, ${PLIES_PER_GAME} plies a game (${PLIES_PER_GAME * SECONDS_PER_PLY} s).`);
  L.push('', '### Inputs', '', '| input | value | measured by |', '|---|---:|---|');
  const unit: Partial<Record<InputKey, string>> = {
    engineUsPerMove: 'us/move', gatewayUsPerMove: 'us/move', finalizerUsPerGame: 'us/game', redisUsPerMove: 'us/move', redisCommandsPerMove: 'commands/move',
    engineCoresPerGame: 'cores/game', gatewayCoresPerGame: 'cores/game', redisCoresPerGame: 'cores/game', redisCommandsPerGameS: 'commands/s a game',
    engineMissUsPerPly: 'us/ply a miss plays', missExtraCommands: 'commands/miss', missExtraNetBytes: 'B/miss', replayUsPerPly: 'us/ply (check)',
    gatewayBaseMiB: 'MiB', gatewayKiBPerSocket: 'KiB/socket', engineBaseMiB: 'MiB', engineKiBPerGame: 'KiB/game', finalizerMiB: 'MiB',
    roomBytesBase: 'B/room', roomBytesPerPly: 'B/ply', sharedBytesPerGame: 'B/game', onceBytesPerRoom: 'B/room', registryBytesPerSocket: 'B/socket',
    commandEntryBytes: 'B/entry', gatewayEntryBytes: 'B/entry', finalizeEntryBytesPerItemByte: 'x game item', redisNetBytesPerMove: 'B/move',
    gameItemBase: 'B', gameItemPerPly: 'B/ply', rowItemBytes: 'B', playerItemBytes: 'B',
  };
  for (const k of INPUT_KEYS) {
    const x = inputs[k].value;
    const shown = Math.abs(x) >= 100 ? n0(x) : Math.abs(x) >= 1 ? n1(x) : x.toPrecision(3);
    L.push(`| ${k} | ${shown} ${unit[k] ?? ''} | ${inputs[k].source} |`);
  }
  L.push('', '### Load', '');
  head();
  row('moves/s', (s) => n0(s.movesPerS));
  row('games ending/s', (s) => n1(s.gamesEndedPerS));
  row('sockets', (s) => n0(s.sockets));
  row('games a month', (s) => `${n1(s.gamesPerMonth / 1e6)} M`);
  L.push('', '### Pods, Redis, DynamoDB, nodes', '');
  head();
  row(`engine pods (${CHART.engine.cpu * 1000}m at ${pct(CPU_TARGET)})`, (s) => n0(s.engine.pods));
  row('engine: moves found in memory', (s) => pct(s.engine.hitRate));
  row('engine: CPU per move (us), of it replays', (s) => `${n0(s.engine.usPerMove)}, ${pct(s.engine.replayShare)}`);
  row('engine: memory a pod (MiB)', (s) => n0(s.engine.memMiBPerPod));
  row(`gateway pods (${CHART.gateway.connectionsPerPod.toLocaleString('en-US')} sockets or ${CHART.gateway.cpu * 1000}m at ${pct(CPU_TARGET)})`, (s) => `${n0(s.gateway.pods)}${s.gateway.podsForCpu > s.gateway.podsForSockets ? ' (CPU)' : ''}`);
  row('gateway: memory a pod (MiB)', (s) => n0(s.gateway.memMiBPerPod));
  row(`finalizer pods (${CHART.finalizer.cpu * 1000}m at ${pct(CPU_TARGET)})`, (s) => n0(s.finalizer.pods));
  row('Redis: cores of commands', (s) => n1(s.redis.cores));
  row('Redis: commands/s', (s) => n0(s.redis.commandsPerS));
  row('Redis: memory', (s) => gb(s.redis.bytes));
  row('  rooms in play / ended rooms (kept 60 min)', (s) => `${gb(s.redis.memory.liveRooms)} / ${gb(s.redis.memory.endedRooms)}`);
  row('  gateway event streams / finalize / commands / registry', (s) => `${gb(s.redis.memory.gatewayStreams)} / ${gb(s.redis.memory.finalize)} / ${gb(s.redis.memory.commands)} / ${gb(s.redis.memory.sockets)}`);
  row(`Redis shards by CPU (${pct(REDIS_CPU_TARGET)} of a core) / by memory`, (s) => `${s.redis.shardsByCpu} / ${s.redis.shardsByMemory}`);
  row(`Redis shards (primary + replica, ${REDIS_NODE.type})`, (s) => `${s.redis.shards}${s.redis.cluster ? ` (Cluster, ${s.redis.roomShards} room shards)` : ''}`);
  row('room shards (ROOM_SHARDS: the engines split them, a Cluster spreads them)', (s) => n0(s.redis.roomShards));
  row('DynamoDB WRU/s (WRU a game)', (s) => `${n0(s.dynamo.wruPerS)} (${s.dynamo.wruPerGame})`);
  row(`nodes: on demand / spot (${NODE.type})`, (s) => `${s.nodes.realtime} / ${s.nodes.spot}`);
  row('NLB capacity units', (s) => n1(s.nlb.nlcu));
  L.push('', '### Monthly cost (USD)', '');
  L.push(`| line | formula | ${sizes.map((n) => `${n0(n)} games`).join(' | ')} |`);
  L.push(`|---|---|${sizes.map(() => '---:').join('|')}|`);
  all[0]!.cost.forEach((c, j) => L.push(`| ${c.line} | ${c.formula} | ${all.map((s) => `${usd(s.cost[j]!.usd)}${s.cost[j]!.detail ? ` (${s.cost[j]!.detail})` : ''}`).join(' | ')} |`));
  L.push(`| **total** | | ${all.map((s) => `**${usd(s.total)}**`).join(' | ')} |`);
  L.push(`| per 1,000 concurrent games | | ${all.map((s) => usd((s.total / s.games) * 1000)).join(' | ')} |`);
  L.push(`| per 1,000 games played | | ${all.map((s) => `$${((s.total / s.gamesPerMonth) * 1000).toFixed(3)}`).join(' | ')} |`);
  L.push(`| the same with every engine reading every shard (SHARD_LEASE_MS=0: no room affinity) | | ${shared.map((s) => `${usd(s.total)}: ${n0(s.engine.pods)} engines, ${s.nodes.spot} spot nodes, ${s.redis.shards} Redis shard${s.redis.shards > 1 ? 's' : ''}`).join(' | ')} |`);
  L.push('', '### Limits (utilization at each size; 100 % = reached)', '');
  L.push(`| limit | kind | reached at (games) | ${sizes.map((n) => `${n0(n)} games`).join(' | ')} |`);
  L.push(`|---|---|---:|${sizes.map(() => '---:').join('|')}|`);
  for (const l of all[0]!.limits) {
    const at = saturation(v, l.name, main);
    L.push(`| ${l.name} | ${l.kind} | ${Number.isFinite(at) ? n0(at) : '-'} | ${all.map((s) => pct(s.limits.find((x) => x.name === l.name)!.utilization)).join(' | ')} |`);
  }
  L.push('', '### First bottleneck', '');
  all.forEach((s) => {
    const reached = s.limits.map((l) => ({ l, at: saturation(v, l.name, main) })).filter((x) => x.at <= s.games).sort((a, b) => a.at - b.at);
    const fb = firstBottleneck(v, s, main);
    const hardOver = fb.limit.utilization >= 1;
    const biggest = [...s.cost].sort((a, b) => b.usd - a.usd)[0]!;
    const nextHard = s.limits.filter((l) => l.kind === 'hard' && l !== fb.limit).sort((a, b) => b.utilization - a.utilization).map((l) => `${l.name} ${pct(l.utilization)}`);
    L.push(`- **${n0(s.games)} games**: ${hardOver ? `first bottleneck: **${fb.limit.name}**, reached at ~${n0(fb.reachedAt)} games (${pct(fb.limit.utilization)} here): ${fb.limit.note}` : `no hard limit reached; the nearest is ${fb.limit.name} at ${pct(fb.limit.utilization)}${Number.isFinite(fb.reachedAt) ? ` (reached at ~${n0(fb.reachedAt)} games)` : ''}`}. ` +
      `Then${hardOver ? ', with Redis Cluster' : ''}: ${nextHard.join('; ')}. ` +
      `Reached on the way (games): ${reached.length ? reached.map((x) => `${x.l.name} ${n0(x.at)}`).join('; ') : 'nothing'}. ` +
      `Largest cost: ${biggest.line} (${usd(biggest.usd)} of ${usd(s.total)}).`);
  });
  return L.join('\n');
}
