// The faults: each breaks one part of the platform the way production breaks.
import { Redis } from 'ioredis';
import { keys, ENGINE_GROUP, FINALIZER_GROUP } from '@gambit/common';
import { replayDeadLetters } from '../../services/finalizer/src/replay.js';
import type { ProcessStack, ServiceName } from '../support/processes.js';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { persistenceArgs, RDB_SAVE, waitFor, type Persistence } from '../support/redis.js';
import { freePort } from '../support/ports.js';
import { probeGame, type Fault } from './run.js';
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
      await waitFor(async () => (await redis.xlen(keys(stack.keyPrefix).finalize(0))) >= 20, 60_000, 'no games finished');
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
      await waitFor(async () => ((await redis.xpending(k.finalize(0), 'finalizers')) as [number])[0] === 0, 60_000, 'finalize entries stayed pending');
      await replayDeadLetters(redis, k);
      redis.disconnect();
    },
  },
};

export const persistenceNames: Record<Persistence, string> = {
  'aof-always': 'AOF, appendfsync always',
  'aof-everysec': 'AOF, appendfsync everysec',
  rdb: `RDB only (save ${RDB_SAVE}), snapshot 2 s before the kill`,
  none: 'no persistence',
};

/** What Redis holds for the platform now: keys, rooms, stream lengths, the streams' consumer groups. */
async function redisContents(redis: Redis, prefix: string): Promise<{ keys: number; rooms: number; active: number; plies: number; commands: number; finalize: number; groups: string }> {
  const k = keys(prefix);
  const roomKeys: string[] = [];
  let cursor = '0';
  const room = new RegExp(`^${prefix}:room:[^:]+$`);
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:room:*`, 'COUNT', 1000);
    cursor = next;
    roomKeys.push(...found.filter((key) => room.test(key)));
  } while (cursor !== '0');
  // Each room's state (field s): whether its game is on, and how many moves it holds.
  const states = roomKeys.length ? ((await redis.pipeline(roomKeys.map((key) => ['hget', key, 's'])).exec()) ?? []) : [];
  let active = 0;
  let plies = 0;
  for (const [, s] of states) {
    const st = typeof s === 'string' ? (JSON.parse(s) as { status?: string; moves?: unknown[] }) : {};
    if (st.status === 'active') active += 1;
    plies += st.moves?.length ?? 0;
  }
  const rooms = roomKeys.length;
  const groupsOf = async (stream: string) => {
    const rows = (await redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[][];
    return rows.map((g) => String(g[g.indexOf('name') + 1])).join('+') || 'none';
  };
  return {
    keys: await redis.dbsize(), rooms, active, plies, commands: await redis.xlen(k.commands(0)), finalize: await redis.xlen(k.finalize(0)),
    groups: `commands:${await groupsOf(k.commands(0))} finalize:${await groupsOf(k.finalize(0))}`,
  };
}

/**
 * What a restart from `dir` loads, read from a copy on a throwaway redis-server that no service
 * knows: the restarted server itself is written to again the moment the services reconnect.
 */
async function contentsOfCopy(dir: string, persistence: Persistence, prefix: string): Promise<Awaited<ReturnType<typeof redisContents>>> {
  const copy = mkdtempSync(join(tmpdir(), 'gambit-copy-'));
  cpSync(dir, copy, { recursive: true });
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', ...persistenceArgs(persistence), '--dir', copy], { stdio: 'ignore' });
  const redis = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  try {
    await waitFor(async () => /loading:0/.test(await redis.info('persistence').catch(() => '')), 30_000, 'the copy did not load');
    return await redisContents(redis, prefix);
  } finally {
    redis.disconnect();
    await new Promise<void>((resolve) => { proc.once('exit', () => resolve()); proc.kill('SIGKILL'); });
    rmSync(copy, { recursive: true, force: true });
  }
}

/**
 * SIGKILL redis-server running with `persistence` (set by the caller before the games), restart it
 * after 2 s in the same folder with the same setting. Writes are paused for the moment it takes to
 * read what Redis holds just before the kill. With RDB a snapshot is taken (BGSAVE) 2 s
 * before the kill: the best case of a periodic save. Notes what Redis held before the kill, right
 * after the restart, and when the engines' and finalizers' consumer groups were back.
 */
export function redisRestartWith(persistence: Persistence): Fault {
  const notes: Record<string, string | number> = {};
  return {
    name: `SIGKILL redis-server (${persistenceNames[persistence]}), restart after 2 s`,
    notes,
    async apply(stack) {
      const admin = new Redis(stack.redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
      admin.on('error', () => undefined);
      try {
        if (persistence === 'rdb') {
          const before = await admin.lastsave();
          await admin.bgsave();
          await waitFor(async () => (await admin.lastsave()) !== before && !/rdb_bgsave_in_progress:1/.test(await admin.info('persistence')), 30_000, 'BGSAVE did not finish');
          await sleep(2_000);
        }
        // Writes paused (clients wait, unanswered) while Redis is read, so "before" is the state at
        // the kill: a write waiting then is never acknowledged, as one in flight at a crash.
        await admin.client('PAUSE', '10000', 'WRITE');
        const b = await redisContents(admin, stack.keyPrefix);
        Object.assign(notes, { keysBefore: b.keys, roomsBefore: b.rooms, activeBefore: b.active, pliesBefore: b.plies, commandsBefore: b.commands, finalizeBefore: b.finalize });
        const t = Date.now();
        await stack.redis.stop(true);
        // What the restart will load, from a copy of the folder as the kill left it.
        const loaded = contentsOfCopy(stack.redis.dir!, persistence, stack.keyPrefix);
        await sleep(2_000);
        await stack.redis.restart();
        notes.restartedAt = Date.now();
        const outage = Date.now() - t;
        // A new game created at once, beside the old ones: does it play to its record?
        const early = probeGame(stack);
        const a = await loaded;
        Object.assign(notes, { keysAfter: a.keys, roomsAfter: a.rooms, activeAfter: a.active, pliesAfter: a.plies, commandsAfter: a.commands, finalizeAfter: a.finalize, groupsAfterRestart: a.groups });
        // The gateways' registry ({prefix}:gateways, a heartbeat every 5 s): a room's commit drops
        // a gateway missing from it from the room's list, and that gateway's players hear nothing more of the room.
        const k = keys(stack.keyPrefix);
        const gateways = stack.procs.filter((p) => p.name === 'gateway' && p.child.exitCode === null && p.child.signalCode === null).length;
        notes.gatewaysAfterRestart = `${await admin.zcard(k.gateways)} of ${gateways}`;
        // The engines and the finalizer make their groups again when a read says NOGROUP. Both
        // watched together, each timed from the restart.
        const back = Number(notes.restartedAt);
        let groups: string | null = null;
        await waitFor(async () => {
          if (notes.gatewaysBackAfterMs === undefined && (await admin.zcard(k.gateways)) >= gateways) notes.gatewaysBackAfterMs = Date.now() - back;
          const g = (await redisContents(admin, stack.keyPrefix)).groups;
          if (groups === null && g.includes(`commands:${ENGINE_GROUP}`) && g.includes(`finalize:${FINALIZER_GROUP}`)) {
            groups = g;
            notes.groupsBackAfterMs = Date.now() - back;
          }
          return groups !== null && notes.gatewaysBackAfterMs !== undefined;
        }, 15_000, 'groups').catch(() => undefined);
        notes.gatewaysBackAfterMs ??= 'not in 15 s';
        notes.groupsBackAfterMs ??= 'not in 15 s';
        notes.groupsLater = groups ?? (await redisContents(admin, stack.keyPrefix)).groups;
        notes.newGameAtRestart = await early;
        return outage + 1_000;
      } finally {
        admin.disconnect();
      }
    },
  };
}
