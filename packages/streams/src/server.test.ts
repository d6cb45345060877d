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
/** Says it acknowledged the entry itself; only does when asked to, to show the transport did not. */
@Controller()
class SelfAcking {
  @EventPattern('self-acked')
  async handle(@Payload() data: { ack: boolean }, @Ctx() x: unknown) {
    const ctx = x as StreamContext;
    if (data.ack) await client.xack(ctx.getStream(), ctx.getGroup(), ctx.getId());
    ctx.acknowledged();
    seen.push({ data: { n: data.ack ? 1 : 0, key: 'self' }, claimed: ctx.isClaimed() });
  }
}

@Module({ controllers: [Probe, SelfAcking] })
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

test('a handler that acknowledged the entry itself gets no second XACK from the transport', async () => {
  seen.length = 0;
  const { app } = await server('c', 's3');
  const kept = await publish(client, 's3', 'self-acked', 'a', { ack: false });
  await publish(client, 's3', 'self-acked', 'b', { ack: true });
  await waitFor(() => seen.length === 2, 5_000, `only ${seen.length} handled`);
  // The entry its handler did not really acknowledge is still pending: the transport left it alone.
  await waitFor(async () => ((await client.xpending('s3', 'g')) as [number])[0] === 1, 5_000, 'pending count never settled at 1');
  const [[id]] = (await client.xpending('s3', 'g', '-', '+', 10)) as [[string]];
  expect(id).toBe(kept);
  await app.close();
});
