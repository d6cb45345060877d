// The `capacity` scenario: what the capacity model (capacity-model.ts, `make capacity`) needs and
// the other scenarios do not measure. On a Gambit stack with two engines (as the chart runs them),
// both reading the one command stream (SHARD_LEASE_MS=0: no room affinity, to measure misses),
// at 50 games and 250 moves/s (five plies a second per game, so games of every length end and
// start again during the run; half the ladder's rate, as two engines replaying games need about
// twice the CPU of one and the machine has two cores):
//   - the engines' CPU per move when a room's moves land on either engine: the consumer group has
//     no room affinity, and a move whose previous ply the other engine committed finds a stale
//     state and position in this engine's memory, so the room is read again (one HMGET: the
//     misses per move are the HMGETs per move) and the game replayed. Against the ladder's one
//     engine this gives the cost of such a miss. (Version conflicts per move are counted too: most
//     misses are not conflicts but an answer decided from the stale state, then decided again.)
//   - Redis memory by what holds it (MEMORY USAGE of every key): a room in play, an ended room
//     (kept ROOM_TTL_MS), an entry of each stream, the connection registry;
//   - DynamoDB item sizes of the games the finalizer stored, by DynamoDB's rules, and the write
//     units its transaction bills per game;
// and, after the stack is gone, the CPU of replaying a game in the engine (chess.js) per ply.
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { Redis } from 'ioredis';
import { replay } from '@gambit/rooms';
import { loadGames } from './games.js';
import { itemSize, writeUnits } from './dynamo-size.js';
import { scrapeMetrics } from './meters.js';
import { ladder, type BenchConfig, type LoadRow } from './scenarios.js';
import type { RunningStack } from './stack.js';

export interface Bytes { count: number; bytes: number }

export interface RedisCensus {
  usedMemory: number;
  keys: number;
  /** Each room's own keys (hash, log, gateway set, crowd, chat), by the room's status. */
  rooms: { active: Bytes; ended: Bytes; waiting: Bytes };
  /** A room's bytes against its plies (least squares over the active and ended rooms): its log grows with the game. */
  roomFit: { intercept: number; perPly: number; meanPliesActive: number; meanPliesEnded: number };
  /** Deadline sets, the live-games set and its summaries: shared by the rooms (bytes in all). */
  shared: number;
  /** Once-keys of commands that created a room. */
  once: Bytes;
  /** count = entries (XLEN). */
  streams: { commands: Bytes; finalize: Bytes; gateway: Bytes };
  /** conn:*, gw:*, player:*, gateways; count = connections (conn:* keys). */
  registry: Bytes;
  other: number;
}

export interface DynamoCensus {
  games: number;
  meanPlies: number;
  /** The game item: mean bytes, and a least-squares line bytes = intercept + perPly x plies. */
  gameItem: { mean: number; intercept: number; perPly: number };
  /** Mean bytes of a player-game row and of a player item. */
  row: number;
  player: number;
  /** Mean write units per stored game as its transaction bills them (2 per KB per item, + the index writes). */
  wruPerGame: number;
}

export interface ReplayCost { usPerPly: number; plies: number; roundsUsPerPly: number[] }

export interface CapacityProbe {
  engines: number;
  /** The measured window (two engines: engine1, engine2 in procs). */
  row: LoadRow | null;
  /** Version conflicts per move applied, over the whole run (both engines' counters). The misses are row.redis.calls.hmget (room reloads per move). */
  conflictsPerMove: number;
  redis: RedisCensus | null;
  dynamo: DynamoCensus | null;
  replay: ReplayCost;
  /** What a miss plays: the plies since (the position cache catches up, from 0d55159), or the whole game so far (before; absent in older results). */
  positionCache?: 'catch-up';
  /**
   * The same two engines and load with room affinity: SHARD_LEASE_MS as it ships, over
   * LEASED_ROOM_SHARDS room shards, each engine reading its own (absent in older results).
   */
  leased?: LoadRow | null;
}

/** Room shards of the affinity run: enough that rendezvous hashing gives each of two engines some. */
export const LEASED_ROOM_SHARDS = 8;

const ROOM = /^room:([^:]+)(?::.*)?$/;

/** MEMORY USAGE (exact: SAMPLES 0) of every key under `prefix`, grouped by what it is. */
export async function redisCensus(url: string, prefix: string): Promise<RedisCensus> {
  const r = new Redis(url, { connectionName: 'bench-census', maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  try {
    const names: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      names.push(...batch);
    } while (cursor !== '0');
    const c: RedisCensus = {
      usedMemory: 0, keys: names.length, rooms: { active: { count: 0, bytes: 0 }, ended: { count: 0, bytes: 0 }, waiting: { count: 0, bytes: 0 } },
      roomFit: { intercept: 0, perPly: 0, meanPliesActive: 0, meanPliesEnded: 0 },
      shared: 0, once: { count: 0, bytes: 0 }, streams: { commands: { count: 0, bytes: 0 }, finalize: { count: 0, bytes: 0 }, gateway: { count: 0, bytes: 0 } },
      registry: { count: 0, bytes: 0 }, other: 0,
    };
    const roomBytes = new Map<string, number>();
    for (let i = 0; i < names.length; i += 500) {
      const chunk = names.slice(i, i + 500);
      const p = r.pipeline();
      for (const k of chunk) p.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
      const sizes = (await p.exec()) ?? [];
      const lens = r.pipeline();
      const streams: [string, keyof RedisCensus['streams']][] = [];
      chunk.forEach((k, j) => {
        const bytes = Number(sizes[j]?.[1] ?? 0);
        const rest = k.slice(prefix.length + 1);
        const room = ROOM.exec(rest)?.[1];
        const stream = rest === 'stream:commands' ? 'commands' : rest === 'stream:finalize' ? 'finalize' : rest.startsWith('stream:gw:') ? 'gateway' : null;
        if (room) roomBytes.set(room, (roomBytes.get(room) ?? 0) + bytes);
        else if (/^deadlines:|^live(:summaries)?$/.test(rest)) c.shared += bytes;
        else if (rest.startsWith('once:')) {
          c.once.count++;
          c.once.bytes += bytes;
        } else if (stream) {
          c.streams[stream].bytes += bytes;
          streams.push([k, stream]);
          lens.xlen(k);
        } else if (/^(conn|gw|player):|^gateways$/.test(rest)) {
          c.registry.bytes += bytes;
          if (rest.startsWith('conn:')) c.registry.count++;
        } else c.other += bytes;
      });
      const xl = (await lens.exec()) ?? [];
      streams.forEach(([, s], j) => (c.streams[s].count += Number(xl[j]?.[1] ?? 0)));
    }
    // A room's status and moves are in its state (field s, JSON).
    const codes = [...roomBytes.keys()];
    const pts: [number, number][] = [];
    const plies = { active: 0, ended: 0 };
    for (let i = 0; i < codes.length; i += 500) {
      const chunk = codes.slice(i, i + 500);
      const p = r.pipeline();
      for (const code of chunk) p.hget(`${prefix}:room:${code}`, 's');
      const states = (await p.exec()) ?? [];
      chunk.forEach((code, j) => {
        const text = String(states[j]?.[1] ?? '');
        const status = /"status":"(\w+)"/.exec(text)?.[1];
        const bytes = roomBytes.get(code)!;
        const b = status === 'active' ? c.rooms.active : status === 'ended' ? c.rooms.ended : status === 'waiting' ? c.rooms.waiting : null;
        if (!b) {
          c.other += bytes;
          return;
        }
        b.count++;
        b.bytes += bytes;
        if (status === 'active' || status === 'ended') {
          let n: number;
          try {
            n = ((JSON.parse(text) as { moves?: unknown[] }).moves ?? []).length;
          } catch {
            return; // not a state this census knows: counted, left out of the fit
          }
          plies[status] += n;
          pts.push([n, bytes]);
        }
      });
    }
    c.roomFit = { ...leastSquares(pts), meanPliesActive: plies.active / Math.max(1, c.rooms.active.count), meanPliesEnded: plies.ended / Math.max(1, c.rooms.ended.count) };
    c.usedMemory = Number(/^used_memory:(\d+)/m.exec(await r.info('memory'))?.[1] ?? 0);
    return c;
  } finally {
    r.disconnect();
  }
}

/** y = intercept + perPly x, by least squares (perPly 0 when every x is the same). */
export function leastSquares(pts: [number, number][]): { intercept: number; perPly: number } {
  const n = pts.length;
  if (!n) return { intercept: 0, perPly: 0 };
  const mx = pts.reduce((a, [x]) => a + x, 0) / n;
  const my = pts.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  const perPly = sxx > 0 ? pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx : 0;
  return { intercept: my - perPly * mx, perPly };
}

async function scanAll(db: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const out: Record<string, AttributeValue>[] = [];
  let key: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: key }));
    out.push(...(page.Items ?? []));
    key = page.LastEvaluatedKey;
  } while (key);
  return out;
}

/** Item sizes of what the finalizer stored, and the write units of each game's transaction. */
export async function dynamoCensus(endpoint: string, tables = { games: process.env.GAMES_TABLE ?? 'gambit-games', players: process.env.PLAYERS_TABLE ?? 'gambit-players' }): Promise<DynamoCensus | null> {
  const db = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  try {
    const items = await scanAll(db, tables.games);
    const players = new Map((await scanAll(db, tables.players)).map((p) => [p.playerId?.S ?? '', itemSize(p)]));
    const byId = new Map(items.map((it) => [it.gameId?.S ?? '', it]));
    const games = items.filter((it) => it.type?.S === 'game');
    if (!games.length) return null;
    const pts: [number, number][] = [];
    let rowBytes = 0;
    let rows = 0;
    let wru = 0;
    for (const g of games) {
      const id = g.gameId!.S!;
      const size = itemSize(g);
      pts.push([Number(g.plies?.N ?? 0), size]);
      // TransactWriteItems: 2 units per KB of each item; the byPlayer index copies each row (a standard write).
      let units = 2 * writeUnits(size);
      for (const color of ['white', 'black']) {
        const row = byId.get(`${id}#${color}`);
        if (!row) continue;
        const rs = itemSize(row);
        rowBytes += rs;
        rows++;
        units += 2 * writeUnits(rs) + writeUnits(rs);
      }
      const white = g.whitePlayerId?.S;
      const black = g.blackPlayerId?.S;
      if (g.result?.S && white !== black) {
        for (const p of [white, black]) units += 2 * writeUnits(players.get(p ?? '') ?? 1);
      }
      wru += units;
    }
    const n = pts.length;
    const playerSizes = [...players.values()];
    return {
      games: n, meanPlies: pts.reduce((a, [x]) => a + x, 0) / n, gameItem: { mean: pts.reduce((a, [, y]) => a + y, 0) / n, ...leastSquares(pts) },
      row: rows ? rowBytes / rows : 0, player: playerSizes.length ? playerSizes.reduce((a, b) => a + b, 0) / playerSizes.length : 0,
      wruPerGame: wru / n,
    };
  } finally {
    db.destroy();
  }
}

/** CPU of the engine's replay (every ply of a game with chess.js) per ply: the seeded games, a few rounds, the median round. */
export function replayCost(rounds = 5): ReplayCost {
  const games = loadGames().games.map((g) => g.moves.split(' '));
  const plies = games.reduce((a, g) => a + g.length, 0);
  const per: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    for (const g of games) replay(g);
    per.push(((performance.now() - t0) * 1000) / plies);
  }
  const sorted = [...per].sort((a, b) => a - b);
  return { usPerPly: sorted[Math.floor(sorted.length / 2)]!, plies, roundsUsPerPly: per };
}

/** Sum of a Prometheus counter's series (all labels) in a /metrics text. */
export function counterSum(text: string | null, name: string): number {
  if (!text) return 0;
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'gm'))) sum += Number(m[1]);
  return sum;
}

export async function capacityProbe(cfg: BenchConfig, games = 50, rate = 250, engines = 2): Promise<CapacityProbe> {
  // Filled by the hook, while the games still play: the rooms in Redis are what a running service holds.
  const got: Pick<CapacityProbe, 'conflictsPerMove' | 'redis' | 'dynamo'> = { conflictsPerMove: Number.NaN, redis: null, dynamo: null };
  const load = { ...cfg, ladder: [games], ladderRate: rate, ladderRepeat: 1 };
  const rows = await ladder('gambit', load, { engines, env: { SHARD_LEASE_MS: '0' } }, async (stack: RunningStack) => {
    const texts = await Promise.all(Object.entries(stack.metrics).filter(([k]) => k.startsWith('engine')).map(([, u]) => scrapeMetrics(u)));
    const moves = texts.reduce((a, t) => a + counterSum(t, 'gambit_engine_moves_total'), 0);
    if (moves > 0) got.conflictsPerMove = texts.reduce((a, t) => a + counterSum(t, 'gambit_engine_version_conflicts_total'), 0) / moves;
    if (stack.redisUrl) got.redis = await redisCensus(stack.redisUrl, stack.keyPrefix ?? 'gambit');
    if (stack.dynamoEndpoint) got.dynamo = await dynamoCensus(stack.dynamoEndpoint);
  });
  const leased = await ladder('gambit', load, { engines, env: { ROOM_SHARDS: String(LEASED_ROOM_SHARDS) } });
  const result: CapacityProbe = { engines, row: rows[0] ?? null, ...got, replay: replayCost(), positionCache: 'catch-up', leased: leased[0] ?? null };
  cfg.log(`  gambit capacity: ${capacitySummary(result)}`);
  return result;
}

/** One line of what the probe found, for the log and the report. */
export function capacitySummary(p: CapacityProbe): string {
  const { row: r, redis: rc, dynamo: dc } = p;
  const per = (b: Bytes) => Math.round(b.bytes / Math.max(1, b.count));
  const engineUs = (row: LoadRow | null | undefined) => row ? (Object.entries(row.procs).filter(([k]) => k.startsWith('engine')).reduce((a, [, x]) => a + x.cpuPct, 0) / 100) * 1e6 / Math.max(1, row.achieved) : Number.NaN;
  const leased = p.leased ? ` (with shard leases over ${LEASED_ROOM_SHARDS} room shards: ${Math.round(engineUs(p.leased))} us/move, ${(p.leased.redis?.calls.hmget ?? 0).toFixed(2)} room reloads per move)` : '';
  return `${p.engines} engines ${Math.round(engineUs(r))} us/move (summed), ${(r?.redis?.calls.hmget ?? 0).toFixed(2)} room reloads and ${p.conflictsPerMove.toFixed(3)} version conflicts per move${leased}; ` +
    `replay ${p.replay.usPerPly.toFixed(0)} us/ply` +
    `${rc ? `; Redis ${per(rc.rooms.active)} B per room in play (${rc.rooms.active.count}), ${per(rc.rooms.ended)} B per ended room (${rc.rooms.ended.count}), ${Math.round(rc.roomFit.perPly)} B per ply` : ''}` +
    `${dc ? `; DynamoDB ${dc.wruPerGame.toFixed(1)} WRU per game (${dc.games} games, ${dc.meanPlies.toFixed(0)} plies on average)` : ''}`;
}
