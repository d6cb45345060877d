// The account-jobs stream ({prefix}:stream:account-jobs) and its dead letters
// ({prefix}:stream:account-jobs:dead): the accounts service asks the finalizers to rewrite
// stored games when an account is deleted (erase) or a guest signs up (adopt).
//
// An entry is a transport entry (stream-entry.ts): pattern `account.<kind>`, key = the account's
// playerId (the one that stays: jobs about one account run one after another, in order), data =
// the job. The accounts service writes it with encodeAccountJob, e.g.
//   redis.xadd(keys(prefix).accountJobs, '*', ...encodeAccountJob(job))
//
//   p account.erase k u_7Hq2kX d {"jobId":"0b6f3c1e-9d2a-4f7e-8c55-1a2b3c4d5e6f","playerId":"u_7Hq2kX","tombstone":"deleted-7f3a"}
//   p account.adopt k u_7Hq2kX d {"jobId":"5d1e8a90-2b7c-4e11-9f0a-6c5d4e3f2a1b","from":"g_PWr_GDi4LAr0","to":"u_7Hq2kX","name":"alice"}
//
// jobId: unique per job and random (not derived from a player id: the finalizer derives the
// erased player's tombstone id from it); the same job written twice carries the same jobId, and
// the finalizer applies it once. A dead letter has the finalize dead letters' layout
// (finalize.ts: the original `p k d`, then `error failedAt entry`), written with
// encodeDeadLetter. This is the first layout of these entries: there is no older one to read.
import { z } from 'zod';
import { storedId } from '../internal-schema.js';
import { decodeEntry, encodeEntry, type MalformedEntry } from './stream-entry.js';

export const ACCOUNT_ERASE_PATTERN = 'account.erase';
export const ACCOUNT_ADOPT_PATTERN = 'account.adopt';

/** A name as stored in a game (the same bound as gameRecordSchema's player names). */
const shownName = z.string().trim().min(1).max(64);

export const eraseJobSchema = z.strictObject({
  jobId: storedId,
  /** The deleted account's playerId. */
  playerId: storedId,
  /** The name its games show from now on, e.g. "deleted-7f3a". */
  tombstone: shownName,
});

export const adoptJobSchema = z
  .strictObject({
    jobId: storedId,
    /** The guest's playerId. */
    from: storedId,
    /** The new user's playerId. */
    to: storedId,
    /** The user's name, shown in the adopted games. */
    name: shownName,
  })
  .refine((j) => j.from !== j.to, { message: 'from and to are the same player', path: ['to'] });

export type EraseJob = z.infer<typeof eraseJobSchema>;
export type AdoptJob = z.infer<typeof adoptJobSchema>;
export type AccountJob = ({ kind: 'erase' } & EraseJob) | ({ kind: 'adopt' } & AdoptJob);
export type AccountJobKind = AccountJob['kind'];

export interface AccountJobEntry {
  id: string;
  job: AccountJob;
}

const PATTERNS: Record<AccountJobKind, string> = { erase: ACCOUNT_ERASE_PATTERN, adopt: ACCOUNT_ADOPT_PATTERN };

/** The job of one entry's pattern and (JSON-parsed) data, or why it is not one. */
export function parseAccountJob(pattern: string, data: unknown): { job: AccountJob } | { error: string } {
  const schema = pattern === ACCOUNT_ERASE_PATTERN ? eraseJobSchema : pattern === ACCOUNT_ADOPT_PATTERN ? adoptJobSchema : null;
  if (!schema) return { error: `pattern ${pattern} is not an account job` };
  const parsed = schema.safeParse(data);
  if (!parsed.success) return { error: `invalid ${pattern} job: ${z.prettifyError(parsed.error)}` };
  const kind: AccountJobKind = pattern === ACCOUNT_ERASE_PATTERN ? 'erase' : 'adopt';
  return { job: { kind, ...parsed.data } as AccountJob };
}

/** The partition key: the account that stays (erase: the deleted one; adopt: the user). */
export function accountJobKey(job: AccountJob): string {
  return job.kind === 'erase' ? job.playerId : job.to;
}

/** The fields of one job entry (pass them to XADD after the id). Throws on an invalid job: nothing is written. */
export function encodeAccountJob(job: AccountJob): string[] {
  const { kind, ...data } = job;
  const checked = parseAccountJob(PATTERNS[kind] ?? `account.${String(kind)}`, data);
  if ('error' in checked) throw new Error(checked.error);
  const { kind: _kind, ...clean } = checked.job; // as validated (names trimmed)
  return encodeEntry(PATTERNS[kind], accountJobKey(checked.job), clean);
}

/** One XRANGE / XREADGROUP row as a job, or why it is not one. */
export function decodeAccountJob(id: string, fields: readonly string[]): AccountJobEntry | MalformedEntry {
  const e = decodeEntry(id, fields);
  if ('malformed' in e) return e;
  const parsed = parseAccountJob(e.pattern, e.data);
  if ('error' in parsed) return { id, key: e.key, malformed: parsed.error };
  return { id, job: parsed.job };
}
