// The finalizer's own metrics, on the process registry (served at /metrics).
import { Counter, Gauge, Histogram, zeroSeries, type Registry } from '@gambit/common';
import type { RedisClient } from '@gambit/common';

export interface FinalizerMetrics {
  /** Finished games by outcome: stored, duplicate (already stored), dead_letter. */
  games: Counter<'outcome'>;
  /** Duration of each DynamoDB write attempt, by result (stored, duplicate, error). */
  writeSeconds: Histogram<'result'>;
  /** Attempts after a failed one. */
  retries: Counter;
  /** From the end of the game (engine clock) to its record being durable. */
  lagSeconds: Histogram;
  /** Failed DynamoDB attempts by kind (throttled, unreachable, transaction_conflict, other). */
  dynamoErrors: Counter<'error'>;
  /** Reads of finalize entries no replica acknowledged within COMMIT_WAIT_MS (COMMIT_DURABILITY=replicated). */
  readsUnreplicated: Counter;
}

/** `deadLetterStreams`: every room shard's finalize dead letters, counted as one series. */
export function createMetrics(registry: Registry, redis: RedisClient, deadLetterStreams: readonly string[]): FinalizerMetrics {
  // Read at scrape time, so an alert on dead letters waiting for a replay needs no extra exporter.
  new Gauge({
    name: 'gambit_finalizer_dead_letters',
    help: 'Entries in the finalize dead-letter streams (all room shards), waiting for replay-dead-letters',
    registers: [registry],
    async collect() {
      // One unreadable shard makes the sum unknown (NaN), not quietly smaller.
      const lengths = await Promise.all(deadLetterStreams.map((s) => redis.xlen(s).catch(() => Number.NaN)));
      this.set(lengths.reduce((n, l) => n + l, 0));
    },
  });
  const m = {
    games: new Counter({
      name: 'gambit_finalizer_games_total', help: 'Finished games handled, by outcome', labelNames: ['outcome'], registers: [registry],
    }),
    writeSeconds: new Histogram({
      name: 'gambit_finalizer_write_duration_seconds', help: 'DynamoDB transaction duration per attempt',
      labelNames: ['result'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry],
    }),
    retries: new Counter({ name: 'gambit_finalizer_retries_total', help: 'DynamoDB write attempts retried after a failure', registers: [registry] }),
    lagSeconds: new Histogram({
      name: 'gambit_finalizer_lag_seconds', help: 'Time from the end of a game to its durable record',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers: [registry],
    }),
    dynamoErrors: new Counter({
      name: 'gambit_finalizer_dynamodb_errors_total', help: 'Failed DynamoDB write attempts, by kind', labelNames: ['error'], registers: [registry],
    }),
    readsUnreplicated: new Counter({
      name: 'gambit_finalizer_reads_unreplicated_total',
      help: 'Reads of finalize entries (XREADGROUP or XAUTOCLAIM batches) no replica acknowledged within COMMIT_WAIT_MS (COMMIT_DURABILITY=replicated): their games were stored anyway, and a failover could lose their end',
      registers: [registry],
    }),
  };
  zeroSeries(m.games, 'outcome', ['stored', 'duplicate', 'dead_letter']);
  zeroSeries(m.dynamoErrors, 'error', ['throttled', 'unreachable', 'transaction_conflict', 'other']);
  return m;
}

export interface AccountJobMetrics {
  /** Account jobs by kind (erase, adopt) and outcome (done, dead_letter). */
  jobs: Counter<'kind' | 'outcome'>;
  /** Seats of stored games handed over (erased or adopted), by job kind. */
  seats: Counter<'kind'>;
  /** Stale account-job entries claimed from a dead finalizer. */
  claimed: Counter;
}

export function createAccountJobMetrics(registry: Registry, redis: RedisClient, deadLetterStream: string): AccountJobMetrics {
  new Gauge({
    name: 'gambit_finalizer_account_job_dead_letters',
    help: 'Entries in the account-jobs dead-letter stream, waiting for replay-dead-letters',
    registers: [registry],
    async collect() {
      this.set(await redis.xlen(deadLetterStream).catch(() => Number.NaN));
    },
  });
  const m = {
    jobs: new Counter({
      name: 'gambit_finalizer_account_jobs_total', help: 'Account jobs handled, by kind and outcome',
      labelNames: ['kind', 'outcome'], registers: [registry],
    }),
    seats: new Counter({
      name: 'gambit_finalizer_account_seats_rewritten_total', help: 'Seats of stored games handed over by account jobs, by kind',
      labelNames: ['kind'], registers: [registry],
    }),
    claimed: new Counter({
      name: 'gambit_finalizer_account_jobs_claimed_total', help: 'Stale account-job entries claimed from a dead finalizer', registers: [registry],
    }),
  };
  for (const kind of ['erase', 'adopt']) {
    for (const outcome of ['done', 'dead_letter']) m.jobs.inc({ kind, outcome }, 0);
    m.seats.inc({ kind }, 0);
  }
  return m;
}
