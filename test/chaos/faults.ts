// The faults: each breaks one part of the platform the way production breaks.
import { Redis } from 'ioredis';
import { keys } from '@gambit/common';
import { replayDeadLetters } from '../../services/finalizer/src/replay.js';
import type { ProcessStack, ServiceName } from '../support/processes.js';
import { waitFor } from '../support/redis.js';
import type { Fault } from './run.js';
import { FakeApiServer } from '../controller/fake-apiserver.js';
import { startController, type RunningController } from '../../controllers/room-reaper/src/app.js';
import { controllerConfigSchema } from '../../controllers/room-reaper/src/config.js';

/** Two room-reaper replicas sharing a Lease on the contract-checking API server (no cluster here). */
async function controllers(stack: ProcessStack): Promise<{ replicas: RunningController[]; close(): Promise<void> }> {
  const api = await FakeApiServer.start();
  const replicas: RunningController[] = [];
  for (const name of ['reaper-a', 'reaper-b']) {
    replicas.push(await startController(controllerConfigSchema.parse({
      REDIS_URL: stack.redis.url, KEY_PREFIX: stack.keyPrefix, LOG_LEVEL: 'silent', METRICS_PORT: '0', POD_NAME: name, POD_NAMESPACE: 'gambit',
      LEASE_DURATION_MS: '2000', LEASE_RENEW_DEADLINE_MS: '1500', LEASE_RETRY_MS: '200', REAP_EVERY_MS: '200',
    }), { kubeConfig: api.kubeConfig(`token-${name}`) }));
    await waitFor(() => replicas.some((r) => r.isLeader()), 5_000, 'no replica leads');
  }
  return {
    replicas,
    async close() {
      await Promise.allSettled(replicas.map((r) => r.close()));
      api.endWatches();
      await api.close();
    },
  };
}

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
  'controller-leader-kill': {
    name: 'room-reaper leader killed, the standby takes over (Lease)',
    async apply(stack) {
      const c = await controllers(stack);
      try {
        const leader = c.replicas.find((r) => r.isLeader())!;
        const standby = c.replicas.find((r) => r !== leader)!;
        const t = Date.now();
        leader.crash(); // no Lease release: the standby must wait for it to expire
        await waitFor(() => standby.isLeader(), 10_000, 'the standby never took over');
        console.log(`controller failover under load: ${Date.now() - t} ms`);
      } finally {
        await c.close();
      }
      return 0; // players never depend on the controller
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
