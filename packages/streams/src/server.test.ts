// The transport against a real redis-server: order per key, ack after success, claim of stale entries.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { createLogger } from '@gambit/common';
import { startRedis, waitFor, type RedisHandle } from '../../../test/support/redis.js';
import { RedisStreamsServer } from './server.js';
import { publish } from './entry.js';
import type { StreamContext } from './context.js';

let redis: RedisHandle;
let client: Redis;
beforeAll(async () => { redis = await startRedis(); client = new Redis(redis.url); });
afterAll(async () => { client.disconnect(); await redis.stop(); });

const seen: { data: { n: number; key: string }; claimed: boolean }[] = [];
let failOnce = new Set<number>();

@Controller()
class Probe {
  @EventPattern('probe')
  handle(@Payload() data: { n: number; key: string }, @Ctx() ctx: unknown) {
    if (failOnce.delete(data.n)) throw new Error('transient failure');
    seen.push({ data, claimed: (ctx as StreamContext).isClaimed() });
  }
}
@Module({ controllers: [Probe] })
class ProbeModule {}

async function server(consumer: string, stream: string) {
  const strategy = new RedisStreamsServer({
    connect: () => new Redis(redis.url, { maxRetriesPerRequest: null }), stream, group: 'g', consumer,
    logger: createLogger('test', 'silent'), claimIdleMs: 200, claimEveryMs: 100, blockMs: 100,
  });
  const app = await NestFactory.createMicroservice(ProbeModule, { strategy, logger: false });
  await app.listen();
  return { app, strategy };
}

test('entries of one key are handled in order; a failed entry stays pending and is retried', async () => {
  seen.length = 0;
  failOnce = new Set([3]);
  const { app } = await server('a', 's1');
  for (let n = 0; n < 6; n++) await publish(client, 's1', 'probe', n % 2 ? 'odd' : 'even', { n, key: n % 2 ? 'odd' : 'even' });
  await waitFor(() => seen.length === 6, 5_000, `only ${seen.length} handled`);
  const even = seen.filter((s) => s.data.key === 'even').map((s) => s.data.n);
  expect(even).toEqual([0, 2, 4]);
  expect(seen.find((s) => s.data.n === 3)?.claimed).toBe(true); // retried through the claim
  await waitFor(async () => ((await client.xpending('s1', 'g')) as [number])[0] === 0, 5_000, 'entries left pending');
  await app.close();
});

test('entries held by a dead consumer are claimed and handled by a live one', async () => {
  seen.length = 0;
  await client.xgroup('CREATE', 's2', 'g', '0', 'MKSTREAM');
  await publish(client, 's2', 'probe', 'k', { n: 42, key: 'k' });
  await client.xreadgroup('GROUP', 'g', 'dead', 'COUNT', 10, 'STREAMS', 's2', '>');
  const { app } = await server('live', 's2');
  await waitFor(() => seen.length === 1, 5_000, 'the stale entry was never claimed');
  expect(seen[0]).toEqual({ data: { n: 42, key: 'k' }, claimed: true });
  await app.close();
});
