// `npm run replay-dead-letters`: moves every entry of the finalize dead-letter stream back onto the
// finalize stream, so running finalizers store them (already-stored games come back 'duplicate'),
// and every entry of the account-jobs dead letters back onto the account-jobs stream (jobs are
// safe to run again).
// Each batch moves in one MULTI (XADD to the stream + XDEL from the dead letters): an entry is
// never in both streams, nor in neither.
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { commonConfig, ConfigError, connectRedis, keys, loadConfig, waitReady, type Keys } from '@gambit/common';
import { decodeDeadLetter, encodeEntryText } from '@gambit/protocol';
import type { Redis } from 'ioredis';

/**
 * Returns how many entries were moved. Entries added while it runs wait for the next replay.
 * `k.finalize` / `k.finalizeDead` name the stream and its dead letters (for account jobs:
 * `{ finalize: k.accountJobs, finalizeDead: k.accountJobsDead }`).
 */
export async function replayDeadLetters(redis: Redis, k: Pick<Keys, 'finalize' | 'finalizeDead'>, batch = 100): Promise<number> {
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
  const k = keys(config.KEY_PREFIX);
  const redis = connectRedis(config.REDIS_URL, 'finalizer:replay');
  try {
    await waitReady(redis, config.REDIS_URL);
    const moved = await replayDeadLetters(redis, k);
    console.log(`replayed ${moved} dead-letter entries from ${k.finalizeDead} to ${k.finalize}`);
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
