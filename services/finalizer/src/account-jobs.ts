// One account job from start to end, over the account store. Every step is safe to run again:
// a rerun (a redelivery, a claim after a crash, a retry, the same job written twice) finds the
// games already handed over (rules/account-jobs.ts) and the stats already merged (the job id
// recorded on the user's item) or deleted.
import type { AccountJob } from '@gambit/protocol';
import type { AccountStore, MergeOutcome, RewriteOutcome } from './account-store.js';
import { seatChange } from './rules/account-jobs.js';

export interface JobReport {
  /** Seats handed over by this run. */
  rewritten: number;
  /** Rows in the index that were not the player's seat after all (left alone; logged). */
  foreign: number;
  stats: MergeOutcome | 'deleted';
}

/** The index is eventually consistent: a pass after one that changed something catches late rows. */
const MAX_PASSES = 3;

export async function runAccountJob(store: AccountStore, job: AccountJob, signal: AbortSignal, now = Date.now): Promise<JobReport> {
  const change = seatChange(job);
  let stats: JobReport['stats'] = 'nothing';
  // The stats item holds the name: gone first, before the (longer) rewrite of the games.
  if (job.kind === 'erase' && (await store.deletePlayer(job.playerId))) stats = 'deleted';
  let rewritten = 0, foreign = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const counts: Partial<Record<RewriteOutcome, number>> = {};
    for (const seat of await store.listSeats(change.from)) {
      signal.throwIfAborted(); // shutdown: stop between games, the entry stays pending
      const outcome = await store.rewriteSeat(seat.gameId, seat.color, change);
      counts[outcome] = (counts[outcome] ?? 0) + 1;
    }
    rewritten += counts.rewritten ?? 0;
    foreign = counts.foreign ?? 0;
    if (!counts.rewritten) break;
  }
  if (job.kind === 'adopt') stats = await store.mergeStats(job.jobId, job.from, change.to, now());
  return { rewritten, foreign, stats };
}
