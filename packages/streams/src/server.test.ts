// The transport against a real redis-server: order per key, ack after success, claim of stale entries
// (which go through the same per-key chain as entries read fresh).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Redis } from 'ioredis';
import { createLogger } from '@gambit/common';
import { startRedis, waitFor, type RedisHandle } from '../../../test/support/redis.js';
import { RedisStreamsServer, type StreamServerOptions } from './server.js';
import { publish } from './entry.js';
import type { StreamContext } from './context.js';

let redis: RedisHandle;
let client: Redis;
beforeAll(async () => { redis = await startRedis(); client = new Redis(redis.url); });
afterAll(async () => { client.disconnect(); await redis.stop(); });

const seen: { data: { n: number; key: string }; claimed: boolean; stream?: string }[] = [];
let failOnce = new Set<number>();

@Controller()
class Probe {
  @EventPattern('probe')
  handle(@Payload() data: { n: number; key: string }, @Ctx() ctx: unknown) {
    if (failOnce.delete(data.n)) throw new Error('transient failure');
    seen.push({ data, claimed: (ctx as StreamContext).isClaimed(), stream: (ctx as StreamContext).getStream() });
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

/** Logs when each entry starts and ends; an entry with `hold` waits until the test opens the gate. */
const steps: string[] = [];
let gate: Promise<void> = Promise.resolve();
@Controller()
class Gated {
  @EventPattern('gated')
  async handle(@Payload() data: { name: string; hold?: boolean }, @Ctx() x: unknown) {
    steps.push(`start ${data.name}${(x as StreamContext).isClaimed() ? ' (claimed)' : ''}`);
    if (data.hold) await gate;
    steps.push(`end ${data.name}`);
  }
}

@Module({ controllers: [Probe, SelfAcking, Gated] })
class ProbeModule {}

async function server(consumer: string, stream: string, extra: Partial<StreamServerOptions> = {}) {
  const strategy = new RedisStreamsServer({
    connect: () => new Redis(redis.url, { maxRetriesPerRequest: null }), streams: [stream], group: 'g', consumer,
    logger: createLogger('test', 'silent'), claimIdleMs: 200, claimEveryMs: 100, blockMs: 100, ...extra,
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

test('several streams (room shards): each read and acknowledged on its own, stale entries claimed from each', async () => {
  seen.length = 0;
  failOnce = new Set();
  await leftByDeadConsumer('m2', [{ pattern: 'probe', key: 'k', data: { n: 100, key: 'k' } }]);
  const { app } = await server('c', 'm1', { streams: ['m1', 'm2', 'm3'] });
  await publish(client, 'm1', 'probe', 'a', { n: 1, key: 'a' });
  await publish(client, 'm3', 'probe', 'b', { n: 3, key: 'b' });
  await waitFor(() => seen.length === 3, 5_000, `only ${seen.length} handled`);
  expect(seen.map((e) => [e.data.n, e.stream, e.claimed]).sort()).toEqual([[1, 'm1', false], [100, 'm2', true], [3, 'm3', false]].sort());
  for (const s of ['m1', 'm2', 'm3']) await waitFor(async () => ((await client.xpending(s, 'g')) as [number])[0] === 0, 5_000, `${s}: entries left pending`);
  await app.close();
});

test('with several streams the in-flight budget (four batches) still holds: each reader reads its share, only while there is room', async () => {
  steps.length = 0;
  let open!: () => void;
  gate = new Promise<void>((r) => (open = r));
  const streams = Array.from({ length: 8 }, (_, i) => `b${i}`);
  for (const s of streams) for (let n = 0; n < 5; n++) await publish(client, s, 'gated', `${s}-${n}`, { name: `${s}-${n}`, hold: true });
  const { app } = await server('c', 'b0', { streams, batch: 4 });
  await waitFor(() => steps.length >= 16, 5_000, `only ${steps.length} started`);
  const pending = async () => (await Promise.all(streams.map(async (s) => ((await client.xpending(s, 'g')) as [number])[0]))).reduce((a, b) => a + b, 0);
  expect(await pending()).toBe(16); // read, all held: 8 readers x 4 would be 32
  open();
  await waitFor(() => steps.filter((x) => x.startsWith('end')).length === 40, 5_000, 'not all handled');
  await waitFor(async () => (await pending()) === 0, 5_000, 'entries left pending');
  await app.close();
});

test('every stream is read when the budget does not divide evenly (five streams: a Cluster\'s four shards and the matchmaking outbox)', async () => {
  seen.length = 0;
  failOnce = new Set();
  const streams = Array.from({ length: 5 }, (_, i) => `f${i}`);
  const { app } = await server('c', 'f0', { streams });
  for (const [i, s] of streams.entries()) await publish(client, s, 'probe', `k${i}`, { n: i, key: `k${i}` });
  await waitFor(() => seen.length === 5, 5_000, () => `only ${seen.map((e) => e.stream).join(', ')} handled`);
  await app.close();
});

test('entries held by a dead consumer are claimed and handled by a live one', async () => {
  seen.length = 0;
  await client.xgroup('CREATE', 's2', 'g', '0', 'MKSTREAM');
  await publish(client, 's2', 'probe', 'k', { n: 42, key: 'k' });
  await client.xreadgroup('GROUP', 'g', 'dead', 'COUNT', 10, 'STREAMS', 's2', '>');
  const { app } = await server('live', 's2');
  await waitFor(() => seen.length === 1, 5_000, 'the stale entry was never claimed');
  expect(seen[0]).toEqual({ data: { n: 42, key: 'k' }, claimed: true, stream: 's2' });
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

/** Entries of stream `stream` left pending by a consumer named 'dead' that read them and died. */
async function leftByDeadConsumer(stream: string, entries: { pattern: string; key: string; data: unknown }[]): Promise<void> {
  await client.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
  for (const e of entries) await publish(client, stream, e.pattern, e.key, e.data);
  await client.xreadgroup('GROUP', 'g', 'dead', 'COUNT', 10, 'STREAMS', stream, '>');
}

test('a claimed entry waits for the entry of the same key in flight: one at a time per key, claimed or not', async () => {
  steps.length = 0;
  let open!: () => void;
  gate = new Promise<void>((r) => (open = r));
  await leftByDeadConsumer('s4', [{ pattern: 'gated', key: 'room', data: { name: 'stale' } }]);
  // The stale entry is claimable as soon as the live consumer starts; the fresh one stays far from
  // claimIdleMs while it is held (or the live consumer would claim it from itself, a second delivery).
  await new Promise((r) => setTimeout(r, 1_000));
  // A fresh entry of the same room, read by the live consumer's first XREADGROUP and held in its
  // handler until the stale one has been claimed (the first claim runs claimEveryMs after the start).
  await publish(client, 's4', 'gated', 'room', { name: 'fresh', hold: true });
  let claimed!: () => void;
  const wasClaimed = new Promise<void>((r) => (claimed = r));
  const { app } = await server('live', 's4', { claimIdleMs: 1_000, claimEveryMs: 300, onClaimed: () => claimed() });
  await waitFor(() => steps.includes('start fresh'), 5_000, 'the fresh entry was never read');
  await wasClaimed;
  // Give a claimed entry that skipped the room's chain every chance to start now.
  await new Promise((r) => setTimeout(r, 100));
  expect(steps).toEqual(['start fresh']);
  open();
  await waitFor(() => steps.length >= 4, 5_000, 'the entries were not all handled');
  expect(steps).toEqual(['start fresh', 'end fresh', 'start stale (claimed)', 'end stale']);
  await waitFor(async () => ((await client.xpending('s4', 'g')) as [number])[0] === 0, 5_000, 'entries left pending');
  await app.close();
});

test('claimed entries of one key run in order, and a close waits for a claimed one in flight and acknowledges it', async () => {
  steps.length = 0;
  let open!: () => void;
  gate = new Promise<void>((r) => (open = r));
  await leftByDeadConsumer('s5', [
    { pattern: 'gated', key: 'room', data: { name: 'first', hold: true } },
    { pattern: 'gated', key: 'room', data: { name: 'second' } },
  ]);
  const { app } = await server('live', 's5');
  await waitFor(() => steps.includes('start first (claimed)'), 5_000, 'the stale entries were never claimed');
  const closed = app.close();
  await new Promise((r) => setTimeout(r, 50));
  expect(steps).toEqual(['start first (claimed)']);
  open();
  await closed;
  expect(steps).toEqual(['start first (claimed)', 'end first', 'start second (claimed)', 'end second']);
  // A clean stop leaves nothing to claim: both claimed entries were acknowledged before the close returned.
  expect(((await client.xpending('s5', 'g')) as [number])[0]).toBe(0);
});

test('entries a live consumer holds longer than claimIdleMs are handled once: neither it nor another live consumer claims them', async () => {
  steps.length = 0;
  let open!: () => void;
  gate = new Promise<void>((r) => (open = r));
  // Both entries go to the first consumer's first read; the second waits behind the first's handler.
  await publish(client, 's6', 'gated', 'room', { name: 'first', hold: true });
  await publish(client, 's6', 'gated', 'room', { name: 'second' });
  const a = await server('a', 's6', { claimIdleMs: 600, claimEveryMs: 100 });
  await waitFor(() => steps.includes('start first'), 5_000, 'the entries were never read');
  const b = await server('b', 's6', { claimIdleMs: 600, claimEveryMs: 100 });
  // Held for three times claimIdleMs, some twenty claim rounds of each consumer: long enough for
  // either to take an entry that only looks idle (what a slow machine's queue looks like).
  await new Promise((r) => setTimeout(r, 1_800));
  open();
  await waitFor(() => steps.length >= 4, 5_000, 'the entries were not all handled');
  await waitFor(async () => ((await client.xpending('s6', 'g')) as [number])[0] === 0, 5_000, 'entries left pending');
  expect(steps).toEqual(['start first', 'end first', 'start second', 'end second']);
  await Promise.all([a.app.close(), b.app.close()]);
});

test('own(): a released stream is no longer read (its entries wait in it); owned again, they are handled; a stream not the server\'s is refused', async () => {
  seen.length = 0;
  failOnce = new Set();
  const { app, strategy } = await server('o', 'o1', { streams: ['o1', 'o2'], owned: ['o1'] });
  expect(() => strategy.own(['o3'])).toThrow('not one of this server\'s streams: o3');
  expect(strategy.ownedStreams()).toEqual(['o1']);
  await publish(client, 'o1', 'probe', 'a', { n: 1, key: 'a' });
  await publish(client, 'o2', 'probe', 'b', { n: 2, key: 'b' });
  await waitFor(() => seen.length === 1, 5_000, 'o1 not read');
  const clients = async () => ((await client.client('LIST')) as string).trim().split('\n').length;
  const reading = await clients();
  strategy.own(['o2']);
  await waitFor(() => seen.length === 2, 5_000, 'o2 not read once owned');
  // o1's reader finishes its read in progress (blockMs) and closes its connection (o2's is open):
  // from then on o1's entries wait.
  await waitFor(async () => (await clients()) === reading, 5_000, 'the released reader still connected');
  await publish(client, 'o1', 'probe', 'c', { n: 3, key: 'c' });
  await publish(client, 'o2', 'probe', 'd', { n: 4, key: 'd' });
  await waitFor(() => seen.some((e) => e.data.n === 4), 5_000, 'o2 not read');
  expect(seen.map((e) => e.data.n)).toEqual([1, 2, 4]);
  expect(((await client.xpending('o1', 'g')) as [number])[0]).toBe(0); // c delivered to nobody
  strategy.own(['o1', 'o2']);
  await waitFor(() => seen.some((e) => e.data.n === 3), 5_000, 'o1 not read once owned again');
  expect(seen.map((e) => [e.data.n, e.stream])).toEqual([[1, 'o1'], [2, 'o2'], [4, 'o2'], [3, 'o1']]);
  for (const s of ['o1', 'o2']) await waitFor(async () => ((await client.xpending(s, 'g')) as [number])[0] === 0, 5_000, `${s}: entries left pending`);
  await app.close();
});

test('own() back within a read: the stream\'s new reader does not wait for the released one\'s slots, and a close does not hang', async () => {
  seen.length = 0;
  failOnce = new Set();
  // Four streams of a 16-slot budget (batch 4): every reader holds 4 slots while it reads, so a
  // fifth (r1's new reader, beside the released one still blocked for blockMs) must wait for room.
  const streams = ['r1', 'r2', 'r3', 'r4'];
  const named = { connect: (role: string) => new Redis(redis.url, { maxRetriesPerRequest: null, connectionName: role }) };
  const { app, strategy } = await server('r', 'r1', { streams, blockMs: 500, batch: 4, ...named });
  await publish(client, 'r1', 'probe', 'a', { n: 1, key: 'a' });
  await waitFor(() => seen.length === 1, 5_000, 'r1 not read');
  const r1Readers = async () => ((await client.client('LIST')) as string).split('\n').filter((l) => l.includes(' name=r:reader:0 ')).length;
  strategy.own(['r2', 'r3', 'r4']);
  strategy.own(streams);
  await waitFor(async () => (await r1Readers()) === 2, 5_000, 'r1\'s new reader never connected');
  // The released reader's read ends empty and it leaves; its slots free no entry, only the read.
  await waitFor(async () => (await r1Readers()) === 1, 5_000, 'the released reader still connected');
  await publish(client, 'r1', 'probe', 'b', { n: 2, key: 'b' });
  await waitFor(() => seen.length === 2, 5_000, 'r1\'s new reader never read');
  await waitFor(async () => ((await client.xpending('r1', 'g')) as [number])[0] === 0, 5_000, 'entries left pending');
  await app.close();
  expect(seen.map((e) => e.data.n)).toEqual([1, 2]);
});

test('afterRead runs on the connection that read (or claimed) a batch, before its entries are handled; a batch it refuses stays pending and is claimed again', async () => {
  seen.length = 0;
  failOnce = new Set();
  await leftByDeadConsumer('h1', [{ pattern: 'probe', key: 'k', data: { n: 200, key: 'k' } }]);
  const calls: { conn: string; stream: string; count: number; handled: number[] }[] = [];
  let refuse = false;
  const { app } = await server('h', 'h1', {
    connect: (role) => new Redis(redis.url, { maxRetriesPerRequest: null, connectionName: role }),
    claimIdleMs: 300, claimEveryMs: 100,
    afterRead: async (conn, stream, count) => {
      calls.push({ conn: String(await conn.client('GETNAME')), stream, count, handled: seen.map((e) => e.data.n) });
      if (refuse) { refuse = false; throw new Error('no replica'); }
    },
  });
  // Claimed from the dead consumer: on the claimer, which ran the XAUTOCLAIM (not the writer: its XACKs must not wait).
  await waitFor(() => seen.some((e) => e.data.n === 200), 5_000, 'the stale entry was never claimed');
  expect(calls).toEqual([{ conn: 'h:claimer', stream: 'h1', count: 1, handled: [] }]);
  // Read fresh: on the reader, before the handler.
  await publish(client, 'h1', 'probe', 'k', { n: 201, key: 'k' });
  await waitFor(() => seen.some((e) => e.data.n === 201), 5_000, 'the fresh entry was never handled');
  expect(calls[1]).toEqual({ conn: 'h:reader', stream: 'h1', count: 1, handled: [200] });
  // Refused once: not handled then, but left pending, claimed after claimIdleMs and handled.
  refuse = true;
  await publish(client, 'h1', 'probe', 'k', { n: 202, key: 'k' });
  await waitFor(() => seen.some((e) => e.data.n === 202), 5_000, 'the refused entry was never handled');
  expect(calls.slice(2).map((c) => [c.conn, c.handled])).toEqual([['h:reader', [200, 201]], ['h:claimer', [200, 201]]]);
  expect(seen.map((e) => [e.data.n, e.claimed])).toEqual([[200, true], [201, false], [202, true]]);
  await waitFor(async () => ((await client.xpending('h1', 'g')) as [number])[0] === 0, 5_000, 'entries left pending');
  await app.close();
});
