// The account-jobs consumer (erase, adopt; layout in @gambit/protocol wire/account-jobs.ts), beside
// the finalize consumer and with its handling: a job that keeps failing is retried with the same
// exponential backoff, then parked in its dead-letter stream (replay-dead-letters puts it back).
// The entry is acknowledged only once the job is done or parked; a rerun is harmless (account-jobs.ts).
import { Controller, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@gambit/common';
import { ACCOUNT_ADOPT_PATTERN, ACCOUNT_ERASE_PATTERN, encodeDeadLetter, parseAccountJob, type AccountJob } from '@gambit/protocol';
import type { StreamContext } from '@gambit/streams';
import type { RedisClient } from '@gambit/common';
import { runAccountJob } from './account-jobs.js';
import type { AccountStore } from './account-store.js';
import { errorKind, isRetryable } from './finalize.controller.js';
import type { AccountJobMetrics, FinalizerMetrics } from './metrics.js';
import { backoffSchedule } from './rules/backoff.js';

export const ACCOUNT_JOB_DEPS = Symbol('AccountJobDeps');

export interface AccountJobDeps {
  accounts: AccountStore;
  redis: RedisClient;
  deadLetterStream: string;
  maxAttempts: number;
  backoffBaseMs: number;
  /** retries and dynamoErrors are shared with the finalize consumer. */
  metrics: FinalizerMetrics;
  jobMetrics: AccountJobMetrics;
  logger: Logger;
  signal: AbortSignal;
}

@Controller()
export class AccountJobsController {
  constructor(@Inject(ACCOUNT_JOB_DEPS) private readonly deps: AccountJobDeps) {}

  @EventPattern<string>(ACCOUNT_ERASE_PATTERN)
  erase(@Payload() data: unknown, @Ctx() ctx: StreamContext): Promise<void> {
    return this.handle(ACCOUNT_ERASE_PATTERN, data, ctx);
  }

  @EventPattern<string>(ACCOUNT_ADOPT_PATTERN)
  adopt(@Payload() data: unknown, @Ctx() ctx: StreamContext): Promise<void> {
    return this.handle(ACCOUNT_ADOPT_PATTERN, data, ctx);
  }

  private async handle(pattern: string, data: unknown, ctx: StreamContext): Promise<void> {
    const { accounts, metrics, jobMetrics, logger, signal } = this.deps;
    const parsed = parseAccountJob(pattern, data);
    if ('error' in parsed) return this.deadLetter(ctx, pattern, pattern.replace('account.', ''), data, parsed.error);
    const job: AccountJob = parsed.job;
    const log = logger.child({ job: job.jobId, kind: job.kind, key: ctx.getKey(), entry: ctx.getId(), claimed: ctx.isClaimed() });
    const delays = backoffSchedule(this.deps.maxAttempts, this.deps.backoffBaseMs, 0.1);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.deps.maxAttempts; attempt++) {
      try {
        const report = await runAccountJob(accounts, job, signal);
        jobMetrics.jobs.inc({ kind: job.kind, outcome: 'done' });
        jobMetrics.seats.inc({ kind: job.kind }, report.rewritten);
        if (report.foreign) log.warn({ foreign: report.foreign }, 'index rows that were not the player\'s seat were left alone');
        log.info({ ...report, attempt }, 'account job done');
        return;
      } catch (err) {
        signal.throwIfAborted(); // shutdown mid-job: leave it pending, another finalizer finishes it
        metrics.dynamoErrors.inc({ error: errorKind(err) });
        lastError = err;
        if (!isRetryable(err) || attempt === this.deps.maxAttempts) break;
        log.warn({ err: String(err), attempt }, 'account job failed; retrying');
        metrics.retries.inc();
        await sleep(delays[attempt - 1], undefined, { signal });
      }
    }
    log.error({ err: String(lastError) }, 'account job failed for good; moving it to the dead-letter stream');
    await this.deadLetter(ctx, pattern, job.kind, data, String(lastError));
  }

  /** The finalize dead letters' layout (wire/finalize.ts), so the same replay puts it back unchanged. */
  private async deadLetter(ctx: StreamContext, pattern: string, kind: string, data: unknown, error: string): Promise<void> {
    this.deps.signal.throwIfAborted();
    const fields = encodeDeadLetter(
      { pattern, key: ctx.getKey(), json: JSON.stringify(data) },
      { error: error.slice(0, 2000), failedAt: new Date().toISOString(), entry: ctx.getId() },
    );
    await this.deps.redis.xadd(this.deps.deadLetterStream, '*', ...(fields as [string]));
    // kind is a label: only the two known ones (an invalid entry has one of the two patterns).
    this.deps.jobMetrics.jobs.inc({ kind: kind === 'adopt' ? 'adopt' : 'erase', outcome: 'dead_letter' });
    this.deps.logger.warn({ entry: ctx.getId(), error }, 'account job moved to the dead-letter stream');
  }
}
