// `npm run replay-dead-letters`: moves every entry of each room shard's finalize dead-letter stream
// back onto that shard's finalize stream, so running finalizers store them (already-stored games
// come back 'duplicate'), and every entry of the account-jobs dead letters back onto the
// account-jobs stream (jobs are safe to run again).
// Each batch moves in one MULTI (XADD to the stream + XDEL from the dead letters): an entry is
// never in both streams, nor in neither. A stream and its dead letters share a hash tag (a room
// shard's, or `{acct}` for account jobs: one Redis Cluster slot), so no MULTI spans two slots.
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { commonConfig, ConfigError, connectRedis, keys, loadConfig, waitReady, type Keys } from '@gambit/common';
import { decodeDeadLetter, encodeEntryText } from '@gambit/protocol';
import type { RedisClient } from '@gambit/common';

/** One stream and its dead letters. */
export interface DeadLetterPair { finalize: string; finalizeDead: string }

type ShardKeys = Pick<Keys, 'finalize' | 'finalizeDead' | 'allShards'>;

/** Every room shard's finalize stream and dead letters. */
export function finalizePairs(k: ShardKeys): DeadLetterPair[] {
  return k.allShards.map((s) => ({ finalize: k.finalize(s), finalizeDead: k.finalizeDead(s) }));
}

/**
 * Returns how many entries were moved. Entries added while it runs wait for the next replay.
 * `k` is the keys (every shard's finalize pair) or one pair of stream names (for account jobs:
 * `{ finalize: k.accountJobs, finalizeDead: k.accountJobsDead }`).
 */
export async function replayDeadLetters(redis: RedisClient, k: ShardKeys | DeadLetterPair, batch = 100): Promise<number> {
  if (!('allShards' in k)) return replayPair(redis, k, batch);
  let moved = 0;
  for (const pair of finalizePairs(k)) moved += await replayPair(redis, pair, batch);
  return moved;
}

async function replayPair(redis: RedisClient, k: DeadLetterPair, batch: number): Promise<number> {
  const newest = (await redis.xrevrange(k.finalizeDead, '+', '-', 'COUNT', 1))[0];
  if (!newest) return 0;
  let moved = 0;
  let start = '-';
  for (;;) {
    const rows = await redis.xrange(k.finalizeDead, start, newest[0], 'COUNT', batch);
    if (rows.length === 0) return moved;
    const tx = redis.multi();
    for (const [id, fields] of rows) {
      const dead = decodeDeadLetter(id, fields);
      if ('malformed' in dead) continue; // not written by a finalizer: left for a human
      // Only the original entry travels back, as it was; error and failedAt stay in the logs.
      tx.xadd(k.finalize, '*', ...(encodeEntryText(dead.original) as [string]));
      tx.xdel(k.finalizeDead, id);
      moved++;
    }
    const results = await tx.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw new Error(`replay transaction failed: ${failed?.[0] ?? 'aborted'}`);
    start = `(${rows.at(-1)![0]}`;
  }
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(z.object(commonConfig));
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const k = keys(config.KEY_PREFIX, config.ROOM_SHARDS, config.REDIS_MODE);
  const redis = connectRedis(config.REDIS_URL, 'finalizer:replay', config.REDIS_MODE);
  try {
    await waitReady(redis, config.REDIS_URL);
    // One line per shard that had any (every line with one shard), and the total over many.
    const pairs = finalizePairs(k);
    let total = 0;
    for (const pair of pairs) {
      const moved = await replayDeadLetters(redis, pair);
      total += moved;
      if (moved || pairs.length === 1) console.log(`replayed ${moved} dead-letter entries from ${pair.finalizeDead} to ${pair.finalize}`);
    }
    if (pairs.length > 1) console.log(`replayed ${total} finalize dead-letter entries over ${pairs.length} room shards`);
    const jobs = await replayDeadLetters(redis, { finalize: k.accountJobs, finalizeDead: k.accountJobsDead });
    console.log(`replayed ${jobs} dead-letter entries from ${k.accountJobsDead} to ${k.accountJobs}`);
  } finally {
    redis.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`replay failed: ${String(err)}`);
    process.exit(1);
  });
}
