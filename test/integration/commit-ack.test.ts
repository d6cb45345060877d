// A command that commits is acknowledged by its own commit script (one round trip less per move,
// and applied + acknowledged in one atomic step); an answer that commits nothing is not.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { ENGINE_GROUP, createLogger, keys as makeKeys } from '@gambit/common';
import { encodeEntry, type EngineCommand, type Origin } from '@gambit/protocol';
import { Engine, RoomStore } from '@gambit/rooms';
import { startRedis, type RedisHandle } from '../support/redis.js';

let server: RedisHandle;
let redis: Redis;
const keys = makeKeys('ack');
beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  await redis.xgroup('CREATE', keys.commands(0), ENGINE_GROUP, '0', 'MKSTREAM');
});
afterAll(async () => { redis?.disconnect(); await server?.stop(); });

const origin: Origin = { gw: 'gw1', conn: 'c1', playerId: 'p1', name: 'alice' };
const engine = () => new Engine(
  new RoomStore(redis, keys, { roomTtlMs: 60_000, logCap: 256, gatewayStreamRetainMs: 120_000, finalizeMaxLen: 1000 }),
  { graceMs: 10_000 }, createLogger('test', 'silent'),
);

/** Puts a command on the stream and reads it as consumer e1, as the transport would. */
async function deliver(cmd: EngineCommand): Promise<string> {
  await redis.xadd(keys.commands(0), '*', ...(encodeEntry(cmd.t, 'x', cmd) as [string]));
  const rows = (await redis.xreadgroup('GROUP', ENGINE_GROUP, 'e1', 'COUNT', 1, 'STREAMS', keys.commands(0), '>')) as [string, [string, string[]][]][];
  return rows[0]![1][0]![0];
}
const pending = async () => ((await redis.xpending(keys.commands(0), ENGINE_GROUP, '-', '+', 10)) as [string][]).map(([id]) => id);
const at = { stream: keys.commands(0), group: ENGINE_GROUP };

test('a committed command is acknowledged by its commit; a refused one is left to the transport', async () => {
  const e = engine();
  const created = await deliver({ t: 'create', origin, tc: { initialMs: 60_000, incrementMs: 0 }, color: 'white' });
  expect(await e.handle({ t: 'create', origin, tc: { initialMs: 60_000, incrementMs: 0 }, color: 'white' }, created, at)).toBe(true);
  expect(await pending()).toEqual([]);
  expect(await redis.exists(...(await redis.keys('ack:room:*')).filter((k) => k.split(':').length === 3))).toBe(1);

  const refusedCmd: EngineCommand = { t: 'move', origin, room: 'NOSUCHRM', uci: 'e2e4', ply: 0 };
  const refused = await deliver(refusedCmd);
  expect(await e.handle(refusedCmd, refused, at)).toBe(false);
  expect(await pending()).toEqual([refused]);
  await redis.xack(keys.commands(0), ENGINE_GROUP, refused);
});

test('without a stream entry to acknowledge (deadlines, the controller), a commit acknowledges nothing', async () => {
  const cmd: EngineCommand = { t: 'create', origin, tc: { initialMs: 60_000, incrementMs: 0 }, color: 'black' };
  const id = await deliver(cmd);
  expect(await engine().handle(cmd, id)).toBe(false);
  expect(await pending()).toEqual([id]);
});
