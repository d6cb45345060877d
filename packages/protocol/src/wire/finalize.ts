// The finalize stream ({prefix}:stream:finalize) and its dead letters ({prefix}:stream:finalize:dead).
//
// A finalize entry is a transport entry (stream-entry.ts) with pattern `game.ended`, key = the
// room code and data = the GameRecord (internal.ts), written by commit.lua in the game's last
// commit and read by the finalizer through the transport:
//
//   p game.ended k HBYKM6HB d {"gameId":"66c773ae-2d08-49e9-b12f-bf94cc8d4912","room":"HBYKM6HB","white":{"playerId":"g_PWr_GDi4LAr0","name":"alice"},...,"endedAt":1796067993203}
//   [traceparent 00-<trace id>-<span id>-01 [tracestate ...]]
//
// While tracing is on, the entry carries the trace context of the engine span whose commit ended
// the game (the last move's trace, for a game ended by a move): the finalizer's span is its child.
//
// A dead letter is the finalize entry's three fields as the finalizer received them, then why and
// when storing it failed for good and which finalize entry it was:
//
//   p game.ended k HBYKM6HB d {"gameId":"66c773ae-...",...} error TimeoutError: connect ETIMEDOUT 10.0.3.17:443 failedAt 2026-11-30T19:46:35.120Z entry 1796067993204-0
//
// `error` is at most 2000 characters. Replaying (services/finalizer/src/replay.ts) puts the first
// three fields back on the finalize stream unchanged; error, failedAt and entry stay behind.
// Dead letters have had this layout since they exist: there is no older one to read.
import type { GameRecord } from '../internal.js';
import { GAME_ENDED } from '../internal-schema.js';
import { decodeEntry, encodeEntry, encodeEntryText, readEntryText, type EntryText, type EntryTrace, type MalformedEntry } from './stream-entry.js';

/** The pattern of a finalize entry (commit.lua writes it with these names). */
export const FINALIZE_PATTERN = GAME_ENDED;

export const DEAD_LETTER_FIELDS = { error: 'error', failedAt: 'failedAt', entry: 'entry' } as const;

export interface FinalizeEntry {
  id: string;
  room: string;
  /** Not checked here: the finalizer validates it (gameRecordSchema) and parks what fails. */
  record: unknown;
  trace?: EntryTrace;
}

export interface DeadLetter {
  id: string;
  /** The finalize entry as it was: what a replay writes back. */
  original: EntryText;
  error: string;
  /** ISO time. */
  failedAt: string;
  /** The finalize entry's id. */
  entry: string;
}

/** The fields of a finalize entry. */
export function encodeFinalize(room: string, record: GameRecord, trace?: EntryTrace): string[] {
  return encodeEntry(FINALIZE_PATTERN, room, record, trace);
}

export function decodeFinalize(id: string, fields: readonly string[]): FinalizeEntry | MalformedEntry {
  const e = decodeEntry(id, fields);
  if ('malformed' in e) return e;
  if (e.pattern !== FINALIZE_PATTERN) return { id, key: e.key, malformed: `pattern ${e.pattern}, not ${FINALIZE_PATTERN}` };
  return e.trace ? { id, room: e.key, record: e.data, trace: e.trace } : { id, room: e.key, record: e.data };
}

/** The fields of a dead letter: the original entry's, then the failure's. */
export function encodeDeadLetter(original: EntryText, failure: Omit<DeadLetter, 'id' | 'original'>): string[] {
  const F = DEAD_LETTER_FIELDS;
  return [...encodeEntryText(original), F.error, failure.error, F.failedAt, failure.failedAt, F.entry, failure.entry];
}

/** A dead letter, or malformed when it lacks the original's pattern or data (not ours: left for a human). */
export function decodeDeadLetter(id: string, fields: readonly string[]): DeadLetter | MalformedEntry {
  const { pattern, key = id, json, trace } = readEntryText(fields);
  if (!pattern || json === undefined) return { id, key, malformed: 'no original pattern or data' };
  let error = '', failedAt = '', entry = '';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const v = fields[i + 1]!;
    switch (fields[i]) {
      case DEAD_LETTER_FIELDS.error: error = v; break;
      case DEAD_LETTER_FIELDS.failedAt: failedAt = v; break;
      case DEAD_LETTER_FIELDS.entry: entry = v; break;
    }
  }
  return { id, original: trace ? { pattern, key, json, trace } : { pattern, key, json }, error, failedAt, entry };
}
