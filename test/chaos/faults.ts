// The faults: each breaks one part of the platform the way production breaks.
import { Redis } from 'ioredis';
import { keys } from '@gambit/common';
import { replayDeadLetters } from '../../services/finalizer/src/replay.js';
import type { ProcessStack, ServiceName } from '../support/processes.js';
import { waitFor } from '../support/redis.js';
import type { Fault } from './run.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kill(stack: ProcessStack, name: ServiceName): Promise<void> {
  const victim = stack.procs.find((p) => p.name === name && p.child.exitCode === null && p.child.signalCode === null);
  if (!victim) throw new Error(`no live ${name} to kill`);
  return new Promise((resolve) => {
    victim.child.once('exit', () => resolve());
    victim.child.kill('SIGKILL');
  });
}

export const faults: Record<string, Fault> = {
  'engine-sigkill': {
    name: 'SIGKILL one of two engines',
    async apply(stack) {
      await kill(stack, 'game-engine');
      return 0; // its commands are claimed by the other engine; receipt time keeps clocks fair
    },
  },
  'gateway-sigkill': {
    name: 'SIGKILL one of two gateways',
    async apply(stack) {
      const t = Date.now();
      await kill(stack, 'gateway');
      return Date.now() - t + 600; // players reconnect (100-500 ms) to the other and resume
    },
  },
  'finalizer-sigkill': {
    name: 'SIGKILL the finalizer mid-write, start another',
    async apply(stack) {
      // Wait for games to be finishing, so the finalizer is killed while it writes.
      const redis = new Redis(stack.redis.url);
      await waitFor(async () => (await redis.xlen(keys(stack.keyPrefix).finalize)) >= 20, 60_000, 'no games finished');
      redis.disconnect();
      await kill(stack, 'finalizer');
      await sleep(500);
      await stack.start('finalizer');
      return 0;
    },
  },
  'redis-restart': {
    name: 'SIGKILL redis-server (AOF, fsync always), restart after 2 s',
    async apply(stack) {
      const t = Date.now();
      await stack.redis.stop(true);
      await sleep(2_000);
      await stack.redis.restart();
      return Date.now() - t + 1_000; // clients' retries and reconnects
    },
  },
  'dynamodb-outage': {
    name: 'DynamoDB unreachable for 30 s, then dead letters replayed',
    async apply(stack) {
      stack.dynamoProxy.cut();
      await sleep(30_000);
      stack.dynamoProxy.restore();
      return 0; // players never wait for DynamoDB
    },
    async after(stack) {
      const redis = new Redis(stack.redis.url);
      const k = keys(stack.keyPrefix);
      // Wait until nothing is pending, then put the dead letters back, as an operator would.
      await waitFor(async () => ((await redis.xpending(k.finalize, 'finalizers')) as [number])[0] === 0, 60_000, 'finalize entries stayed pending');
      await replayDeadLetters(redis, k);
      redis.disconnect();
    },
  },
};
