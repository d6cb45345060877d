// The finalize-stream consumer (one stream per room shard): one durable, idempotent write per
// finished game. A write that keeps failing is retried with exponential backoff, then parked in the
// dead-letter stream of the entry's own shard (replay it with `npm run replay-dead-letters`). The entry is acknowledged only once the
// game is stored or parked, so nothing is lost: if even the dead-letter write fails, the handler
// throws and the entry stays pending, to be claimed again.
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { SpanKind, endSpan, startSpan, tracingOn, type Logger, type Span } from '@gambit/common';
import { FINALIZE_PATTERN, encodeDeadLetter, gameRecordSchema } from '@gambit/protocol';
import type { StreamContext } from '@gambit/streams';
import type { RedisClient } from '@gambit/common';
import type { FinalizerMetrics } from './metrics.js';
import { backoffSchedule } from './rules/backoff.js';
import type { GameStore } from './store.js';

export const FINALIZER_DEPS = Symbol('FinalizerDeps');

export interface FinalizerDeps {
  store: GameStore;
  /** Connection for dead-letter writes. */
  redis: RedisClient;
  /** Each finalize stream's dead-letter stream (the same shard: one slot on a Redis Cluster). */
  deadLetterStreams: ReadonlyMap<string, string>;
  maxAttempts: number;
  backoffBaseMs: number;
  metrics: FinalizerMetrics;
  logger: Logger;
  /** Aborted on shutdown or crash: stops waiting between retries (the entry stays pending). */
  signal: AbortSignal;
}

/** Errors that no retry can fix (an item DynamoDB refuses): straight to the dead letters. */
export function isRetryable(err: unknown): boolean {
  return (err as Error)?.name !== 'ValidationException';
}

@Controller()
export class FinalizeController {
  constructor(@Inject(FINALIZER_DEPS) private readonly deps: FinalizerDeps) {}

  @EventPattern<string>(FINALIZE_PATTERN)
  async gameEnded(@Payload() data: unknown, @Ctx() ctx: StreamContext): Promise<void> {
    if (!tracingOn()) return this.finalize(data, ctx);
    // `finalize game`: the child of the engine span whose commit ended the game (the entry's
    // traceparent), so a game ended by a move is finished in that move's trace.
    const span = startSpan('finalize game', {
      parent: ctx.getTrace(), kind: SpanKind.CONSUMER,
      attributes: { 'messaging.system': 'redis', 'messaging.destination.name': ctx.getStream(), 'messaging.message.id': ctx.getId(), 'gambit.room': ctx.getKey(), 'gambit.claimed': ctx.isClaimed() },
    });
    try {
      await this.finalize(data, ctx, span);
      endSpan(span);
    } catch (err) {
      endSpan(span, err);
      throw err;
    }
  }

  private async finalize(data: unknown, ctx: StreamContext, span?: Span): Promise<void> {
    const { store, metrics, logger, signal } = this.deps;
    const parsed = gameRecordSchema.safeParse(data);
    if (!parsed.success) {
      span?.setAttribute('gambit.outcome', 'dead_letter');
      return this.deadLetter(ctx, data, `invalid GameRecord: ${z.prettifyError(parsed.error)}`);
    }
    const record = parsed.data;
    span?.setAttributes({ 'gambit.game_id': record.gameId, 'gambit.plies': record.uci.length, 'gambit.reason': record.reason });
    const log = logger.child({ cid: record.cid, gameId: record.gameId, room: record.room, entry: ctx.getId(), claimed: ctx.isClaimed() });
    const delays = backoffSchedule(this.deps.maxAttempts, this.deps.backoffBaseMs, 0.1);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.deps.maxAttempts; attempt++) {
      const stop = metrics.writeSeconds.startTimer();
      try {
        const outcome = await store.saveGame(record);
        stop({ result: outcome });
        metrics.games.inc({ outcome });
        if (outcome === 'stored') metrics.lagSeconds.observe(Math.max(0, Date.now() - record.endedAt) / 1000);
        log.info({ outcome, attempt }, outcome === 'stored' ? 'game stored' : 'game was already stored');
        span?.setAttributes({ 'gambit.outcome': outcome, 'gambit.attempts': attempt });
        return;
      } catch (err) {
        stop({ result: 'error' });
        metrics.dynamoErrors.inc({ error: errorKind(err) });
        lastError = err;
        if (!isRetryable(err) || attempt === this.deps.maxAttempts) break;
        log.warn({ err: String(err), attempt }, 'storing game failed; retrying');
        metrics.retries.inc();
        await sleep(delays[attempt - 1], undefined, { signal }); // throws on shutdown: the entry stays pending
      }
    }
    log.error({ err: String(lastError) }, 'storing game failed for good; moving it to the dead-letter stream');
    span?.setAttribute('gambit.outcome', 'dead_letter');
    await this.deadLetter(ctx, data, String(lastError));
  }

  /** The original entry's fields, then the failure's (@gambit/protocol wire/finalize.ts), so a replay puts it back unchanged. */
  private async deadLetter(ctx: StreamContext, data: unknown, error: string): Promise<void> {
    this.deps.signal.throwIfAborted();
    const stream = this.deps.deadLetterStreams.get(ctx.getStream());
    // Never expected (every stream read has one); throwing leaves the entry pending, not lost.
    if (stream === undefined) throw new Error(`no dead-letter stream for ${ctx.getStream()}`);
    const fields = encodeDeadLetter(
      { pattern: FINALIZE_PATTERN, key: ctx.getKey(), json: JSON.stringify(data), ...(ctx.getTrace() ? { trace: ctx.getTrace()! } : {}) },
      { error: error.slice(0, 2000), failedAt: new Date().toISOString(), entry: ctx.getId() },
    );
    await this.deps.redis.xadd(stream, '*', ...(fields as [string]));
    this.deps.metrics.games.inc({ outcome: 'dead_letter' });
    this.deps.logger.warn({ entry: ctx.getId(), stream, error }, 'finalize entry moved to the dead-letter stream');
  }
}

/** A bounded label for DynamoDB failures: throttling is told apart, everything else is grouped. */
export function errorKind(err: unknown): string {
  const name = (err as { name?: string })?.name ?? '';
  if (/Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name)) return 'throttled';
  if (/TransactionCanceled|TransactionConflict/.test(name)) return 'transaction_conflict';
  if (/Timeout|ECONNREFUSED|ECONNRESET|socket|Network/i.test(`${name} ${String(err)}`)) return 'unreachable';
  return 'other';
}
