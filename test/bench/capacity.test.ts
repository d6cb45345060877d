// The capacity model (bench/src/capacity-model.ts, `make capacity`) against numbers worked out by
// hand, and DynamoDB's item-size rules (bench/src/dynamo-size.ts) on a small item.
import { describe, expect, it } from '@jest/globals';
import {
  FALLBACK, INPUT_KEYS, dynamoPerGame, engineHitRate, pliesPerMiss, inputsFrom, meanPliesBefore, report, saturation, size, transferOutUsd, usPer,
  type ResultsLike, type RowLike, type Values,
} from '../../bench/src/capacity-model.js';
import { itemSize, numberSize, writeUnits } from '../../bench/src/dynamo-size.js';

/** Round numbers, so every figure below can be checked on paper. */
const V: Values = {
  engineUsPerMove: 300, gatewayUsPerMove: 250, finalizerUsPerGame: 3000, redisUsPerMove: 80, redisCommandsPerMove: 16,
  engineCoresPerGame: 0, gatewayCoresPerGame: 2e-6, redisCoresPerGame: 0, redisCommandsPerGameS: 0,
  engineMissUsPerPly: 100, missExtraCommands: 1, missExtraNetBytes: 5000, replayUsPerPly: 100,
  gatewayBaseMiB: 128, gatewayKiBPerSocket: 20, engineBaseMiB: 280, engineKiBPerGame: 30, finalizerMiB: 200,
  roomBytesBase: 3000, roomBytesPerPly: 300, sharedBytesPerGame: 350, onceBytesPerRoom: 70, registryBytesPerSocket: 600,
  commandEntryBytes: 280, gatewayEntryBytes: 340, finalizeEntryBytesPerItemByte: 1.3, redisNetBytesPerMove: 4000,
  gameItemBase: 1000, gameItemPerPly: 75, rowItemBytes: 300, playerItemBytes: 140,
};

describe('DynamoDB item sizes', () => {
  it('counts names, strings, numbers, booleans, lists and maps by the developer guide', () => {
    expect(numberSize('80')).toBe(2); // 2 digits: 1 + 1
    expect(numberSize('1.50')).toBe(2); // "15"
    expect(numberSize('-0.000123')).toBe(3); // "123": 2 + 1
    expect(numberSize('1783123456789')).toBe(8); // 13 digits: 7 + 1
    const item = {
      gameId: { S: 'abc' }, // 6 + 3
      plies: { N: '80' }, // 5 + 2
      ok: { BOOL: true }, // 2 + 1
      tags: { L: [{ S: 'a' }, { S: 'bc' }] }, // 4 + 3 + (1 + 1) + (2 + 1)
      m: { M: { x: { N: '1.50' } } }, // 1 + 3 + (1 + 2 + 1)
    };
    expect(itemSize(item)).toBe(9 + 7 + 3 + 12 + 8);
    expect(itemSize({ s: { S: 'é' } })).toBe(1 + 2); // UTF-8 bytes
    expect([writeUnits(1), writeUnits(1024), writeUnits(1025), writeUnits(7000)]).toEqual([1, 1, 2, 7]);
  });
});

describe('capacity model', () => {
  it('averages the plies a replay covers over every move of a game set', () => {
    // A 2-ply game replays 0 then 1 ply; a 4-ply one 0+1+2+3: 7 plies over 6 moves.
    expect(meanPliesBefore([2, 4])).toBeCloseTo(7 / 6, 12);
  });

  it('finds a room in an engine only if that engine handled the previous ply, and still holds it', () => {
    expect(engineHitRate(1, 10_000)).toBe(1);
    expect(engineHitRate(4, 10_000)).toBe(0.25);
    // 1,000,000 rooms over 4 engines: each touches 1,000,000 rooms between two plies of one game, keeps 20,000.
    expect(engineHitRate(4, 1_000_000)).toBeCloseTo(0.02, 12);
    expect(engineHitRate(4, 1_000_000, true)).toBeCloseTo(0.08, 12);
    expect(engineHitRate(100, 1_000_000, true)).toBe(1);
    // A miss on a room the engine still holds plays the plies other engines played since (about one
    // per engine); on a room it no longer holds, the game so far (half of 80 plies on average).
    expect(pliesPerMiss(2, 10_000)).toBe(2);
    expect(pliesPerMiss(4, 1_000_000)).toBeCloseTo(0.02 * 4 + 0.98 * 39.5, 12);
    expect(pliesPerMiss(100, 10_000)).toBe(39.5); // never more than the game so far
    expect(pliesPerMiss(4, 1_000_000, true)).toBe(39.5);
  });

  it('bills data transfer out by tier after the free 100 GB', () => {
    expect(transferOutUsd(100)).toBe(0);
    expect(transferOutUsd(10_100)).toBeCloseTo(900, 6); // 10,000 GB at $0.09
    expect(transferOutUsd(60_100)).toBeCloseTo(900 + 3400 + 700, 6); // + 40,000 at $0.085 + 10,000 at $0.07
  });

  it('bills a game as one transaction: 2 units per KB of each item, plus the index copies of the rows', () => {
    // Game item 1,000 + 75 x 80 = 7,000 B: 7 KB -> 14; rows 300 B: 2 x 2; index copies 2 x 1; player stats 140 B: 2 x 2.
    expect(dynamoPerGame(V)).toEqual({ gameItem: 7000, wru: 14 + 4 + 2 + 4, stored: 7000 + 4 * 300 + 500 });
  });

  it('sizes 10,000 games as worked out by hand', () => {
    const s = size(V, 10_000);
    expect([s.movesPerS, s.gamesEndedPerS, s.sockets]).toEqual([1000, 12.5, 20_000]);
    expect(s.gamesPerMonth).toBeCloseTo(12.5 * 730 * 3600, 6);
    // Engines: every engine holds all 10,000 rooms, so a miss catches up about one ply per engine
    // (100 us each). 3 pods: 300 + (2/3) x 300 = 500 us/move, 0.5 cores / 0.175 = 2.9 -> 3, enough;
    // 2 pods would need 300 + (1/2) x 200 = 400 us: 2.3 -> 3. (A miss replaying the game so far,
    // 39.5 plies, needed 24 pods here.)
    expect(s.engine.pods).toBe(3);
    expect(s.engine.hitRate).toBeCloseTo(1 / 3, 12);
    expect(s.engine.usPerMove).toBeCloseTo(300 + (2 / 3) * 300, 9);
    expect(s.engine.memMiBPerPod).toBeCloseTo(280 + (10_000 * 30) / 1024, 9);
    // Gateways: 20,000 sockets at 2,000 a pod; CPU 0.25 (moves) + 0.02 (games) cores needs 2.
    expect([s.gateway.pods, s.gateway.podsForSockets, s.gateway.podsForCpu]).toEqual([10, 10, 2]);
    expect(s.gateway.memMiBPerPod).toBeCloseTo(128 + (2000 * 20) / 1024, 9);
    expect(s.finalizer).toEqual({ pods: 2, cores: 0.0375, needed: 1 });
    // Redis: 80 us and 16 commands a move, plus one command (5 us) per miss, plus each engine's
    // 120 polls a second (3 x 120 = 360, 5 us each).
    expect(s.redis.cores).toBeCloseTo((1000 * (80 + (2 / 3) * 5) + 360 * 5) / 1e6, 12);
    expect(s.redis.commandsPerS).toBeCloseTo(1000 * (16 + 2 / 3) + 360, 9);
    expect(s.redis.primaryCommandsPerS).toBeCloseTo(200_000, 6);
    const m = s.redis.memory;
    expect(m.liveRooms).toBeCloseTo(10_000 * (3000 + 300 * 39.5 + 70 + 350), 3);
    expect(m.endedRooms).toBeCloseTo(12.5 * 3600 * (3000 + 300 * 80 + 70), 3); // kept an hour
    expect(m.sockets).toBe(20_000 * 600);
    expect(m.finalize).toBeCloseTo(12.5 * 600 * 1.3 * 7000, 3); // ten minutes of ended games
    expect(m.commands).toBe(100_000 * 280); // MAXLEN, before ten minutes
    // Two minutes of events (two entries a move, 340 B each), and up to a 4 KB node left by the trim in each of the 10 gateways' streams.
    expect(m.gatewayStreams).toBe(1000 * 2 * 120 * 340 + 10 * 4096);
    expect([s.redis.shardsByCpu, s.redis.shardsByMemory, s.redis.shards, s.redis.cluster, s.redis.roomShards]).toEqual([1, 1, 1, false, 1]);
    expect(s.dynamo.wruPerS).toBe(12.5 * 24);
    // Under Redis Cluster every engine's matchmaker reads in the one {mm} slot: 3 x 90 reads of 5 us against 60 % of a core.
    expect(s.limits.find((l) => l.name === 'Redis Cluster: the matchmaking slot {mm}')!.utilization).toBeCloseTo((3 * 90 * 5) / 1e6 / 0.6, 12);
    const line = (name: string) => s.cost.find((c) => c.line === name)!.usd;
    expect(line('EKS control plane')).toBeCloseTo(73, 9);
    expect(line('ElastiCache')).toBeCloseTo(2 * 0.158 * 730, 9);
    expect(line('DynamoDB writes')).toBeCloseTo(12.5 * 730 * 3600 * 24 * 0.625e-6, 6);
    expect(s.total).toBeCloseTo(s.cost.reduce((a, c) => a + c.usd, 0), 9);
  });

  it('moves to Redis Cluster past one primary, with a gateway stream and a deadline scan per room shard', () => {
    const s = size(V, 100_000);
    // 10,000 moves/s x ~85 us = 0.85 cores (+ the engines' polls): over 60 % of one.
    expect([s.redis.cluster, s.redis.roomShards]).toEqual([true, 16]);
    const e = s.engine.pods;
    expect(s.redis.commandsPerS).toBeCloseTo(10_000 * (16 + (1 - s.engine.hitRate)) + e * (30 * 16 + 90), 6);
    expect(s.redis.shardsByCpu).toBe(Math.ceil(s.redis.cores / 0.6));
    expect(s.redis.memory.gatewayStreams).toBe(10_000 * 2 * 120 * 340 + 100 * 16 * 4096);
    expect(s.limits.find((l) => l.name === 'one Redis primary: CPU')!.utilization).toBeGreaterThan(1);
  });

  it('gives every engine its rooms back with affinity', () => {
    const s = size(V, 10_000, { affinity: true });
    expect([s.engine.pods, s.engine.hitRate]).toEqual([2, 1]); // 0.3 cores / 0.175 -> 2
    expect(size(V, 1_000_000, { affinity: true }).engine.pods).toBe(Math.ceil((100_000 * 300) / 1e6 / 0.175)); // 172, each holding 5,814 rooms
    // The two engines split 4 room shards each (on one Redis too), and scan only their own deadlines.
    expect([s.redis.cluster, s.redis.roomShards]).toEqual([false, 8]);
    expect(s.redis.commandsPerS).toBeCloseTo(1_000 * 16 + 10_000 * V.redisCommandsPerGameS + 30 * 8 + 2 * 90, 6);
    expect(s.redis.memory.gatewayStreams).toBe(1000 * 2 * 120 * 340 + s.gateway.pods * 8 * 4096);
  });

  it('finds where a limit is reached', () => {
    // 30 s of moves in a 100,000-entry stream: 1 = (N / 10) x 30 / 100,000 at N = 33,333.
    expect(saturation(V, 'command stream MAXLEN (100,000: 30 s of moves unread)')).toBeCloseTo(33_333, -2);
    expect(saturation(V, 'gateway memory (512Mi limit)')).toBe(Infinity);
  });

  it('reads its inputs from a results file, and says which came from the fallback', () => {
    const row = (games: number, engine: number, gw: number, extra: Partial<RowLike> = {}): RowLike => ({
      games, offered: 500, achieved: 500, moves: 5000, latency: { p99: 5 },
      procs: { engine: { cpuPct: 20, rssMaxKiB: engine }, gateway: { cpuPct: games === 500 ? 14 : 10, rssMaxKiB: gw }, redis: { cpuPct: 10, rssMaxKiB: 1 }, finalizer: { cpuPct: 2, rssMaxKiB: 200 * 1024 } },
      redis: { perMove: 17, calls: { evalsha: 1 }, cpuPct: 10, netBytesPerMove: 4000 },
      ...extra,
    });
    const res: ResultsLike = {
      meta: { started: 't', command: 'make bench', commit: 'abc', machine: { cores: 2, cpu: 'x' }, config: { heartbeatMs: 5000 } },
      results: {
        gambit: {
          ladder: [row(100, 280 * 1024, 130 * 1024), row(500, 290 * 1024, 150 * 1024), row(500, 300 * 1024, 150 * 1024)],
          finalizer: { backlog: { durablePerS: 200, finalizerCpuPct: 60 } },
          capacity: {
            engines: 2, replay: { usPerPly: 120 }, redis: null, dynamo: null,
            row: row(50, 0, 0, { achieved: 250, procs: { engine1: { cpuPct: 50, rssMaxKiB: 0 }, engine2: { cpuPct: 50, rssMaxKiB: 0 } }, redis: { perMove: 18, calls: { hmget: 0.5, evalsha: 1.05 }, cpuPct: 5, netBytesPerMove: 6000 } }),
          },
        },
      },
    };
    const i = inputsFrom(res, [2, 4]);
    expect(i.engineUsPerMove.value).toBeCloseTo(400, 9); // 20 % of a core at 500 moves/s
    // The gateway grows by 4 % of a core from 100 to 500 games at the same rate: 0.0001 cores a game;
    // at 500 games 0.14 cores less 0.05 for the games, over 500 moves/s.
    expect(i.gatewayCoresPerGame.value).toBeCloseTo(1e-4, 12);
    expect(i.gatewayUsPerMove.value).toBeCloseTo(180, 9);
    expect(i.engineCoresPerGame.value).toBe(0);
    // 17 commands a move, less the one engine's 120 polls a second.
    expect(i.redisCommandsPerMove.value).toBeCloseTo((17 * 500 - 120) / 500, 9);
    expect(i.finalizerUsPerGame.value).toBeCloseTo(3000, 9); // 60 % at 200 games/s
    // Two engines: 4,000 us/move against 400, 0.5 misses a move, 7/6 plies replayed on average.
    expect(i.engineMissUsPerPly.value).toBeCloseTo(3600 / 0.5 / (7 / 6), 9);
    expect(i.missExtraCommands.value).toBeCloseTo((0.5 + 0.05) / 0.5, 9);
    expect(i.missExtraNetBytes.value).toBeCloseTo(2000 / 0.5, 9);
    // RSS: the highest of each rung, 100 -> 500 games; the gateway per socket (2 a game).
    expect(i.engineKiBPerGame.value).toBeCloseTo((20 * 1024) / 400, 9);
    expect(i.gatewayKiBPerSocket.value).toBeCloseTo((20 * 1024) / 800, 9);
    expect(i.gatewayBaseMiB.value).toBeCloseTo(130 - (200 * 25.6) / 1024, 9);
    expect(i.replayUsPerPly).toEqual({ value: 120, source: expect.stringContaining('capacity') });
    expect(i.roomBytesBase).toEqual({ value: FALLBACK.roomBytesBase, source: FALLBACK.source });
    for (const k of INPUT_KEYS) expect(Number.isFinite(i[k].value)).toBe(true);
    expect(report(i, res.meta, 'x.json')).toContain('| engine pods (250m at 70 %) |');
    expect(() => inputsFrom({ ...res, results: {} }, [2])).toThrow(/no Gambit ladder/);
  });

  it('keeps the redis CPU of the loaded search step when there is one', () => {
    const step: RowLike = { games: 1000, offered: 3000, achieved: 3000, moves: 30_000, latency: { p99: 50 }, pass: true, procs: { redis: { cpuPct: 24, rssMaxKiB: 0 } }, redis: { perMove: 16, calls: {}, cpuPct: 24 } };
    expect(usPer(step, (k) => k === 'redis')).toBeCloseTo(80, 9);
  });
});
