// Rewrites of stored games that an account change needs, queued for the finalizers on the
// account-jobs stream (durable: retries, dead letters; the finalizer applies each job once).
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@gambit/common';
import type { Keys } from '@gambit/common';
import { encodeAccountJob } from '@gambit/protocol';

export class AccountJobs {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys) {}

  /** A deleted account's games show `tombstone` instead of its name. */
  async erase(playerId: string, tombstone: string): Promise<void> {
    await this.redis.xadd(this.keys.accountJobs, '*', ...encodeAccountJob({ kind: 'erase', jobId: randomUUID(), playerId, tombstone }));
  }

  /** A guest who signed in keeps its finished games (and their stats) under its account. */
  async adopt(from: string, to: string, name: string): Promise<void> {
    await this.redis.xadd(this.keys.accountJobs, '*', ...encodeAccountJob({ kind: 'adopt', jobId: randomUUID(), from, to, name }));
  }
}
