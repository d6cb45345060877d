// What an account job changes in one stored game, decided without I/O (the DynamoDB side is
// account-store.ts). Both jobs are one operation: every seat a player had in a stored game is
// handed to another PlayerRef (erase: a tombstone; adopt: the new user), in the game record
// (white/black and the PGN's [White]/[Black] tag), the opponent's row (its `opponent`) and the
// seat's own row (its playerId, which moves the row in the byPlayer index). The plan reads the
// current items, so running it again after a crash or a redelivery finds the work done.
import { createHash } from 'node:crypto';
import type { AccountJob, Color, PlayerRef } from '@gambit/protocol';

/** The seat hand-over a job makes in every game of `from`. */
export interface SeatChange {
  from: string;
  to: PlayerRef;
}

/**
 * The playerId an erased player's games show: `deleted:` and 16 characters of the SHA-256 of the
 * job id. The same for every run of the job (so a rerun is a no-op), different for every erased
 * account (lists are not merged), and it cannot be traced back to the old id.
 */
export function tombstoneId(jobId: string): string {
  return `deleted:${createHash('sha256').update(jobId).digest('base64url').slice(0, 16)}`;
}

export function seatChange(job: AccountJob): SeatChange {
  return job.kind === 'erase'
    ? { from: job.playerId, to: { playerId: tombstoneId(job.jobId), name: job.tombstone } }
    : { from: job.from, to: { playerId: job.to, name: job.name } };
}

const PGN_TAG: Record<Color, string> = { white: 'White', black: 'Black' };

/**
 * The PGN with its `[<tag> "..."]` line set to `value`, escaped as packages/rooms/src/rules/pgn.ts
 * writes it. Unchanged when the tag is absent (nothing else in a PGN carries the names).
 */
export function setPgnTag(pgn: string, tag: string, value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  const line = new RegExp(`^\\[${tag} "(?:[^"\\\\]|\\\\.)*"\\]$`, 'm');
  return pgn.replace(line, () => `[${tag} "${escaped}"]`); // a function: `$&` in a name stays text
}

/** The parts of the game item a rewrite reads. `rev` counts rewrites (absent = 0): the optimistic lock. */
export interface GameSeats {
  white: PlayerRef;
  black: PlayerRef;
  pgn: string;
  rev?: number;
}

export type SeatPlan =
  /** done: the row already moved (it moves last, so the rest is written); foreign: the seat is not `from`'s; missing: no such game. */
  | { write: false; why: 'done' | 'foreign' | 'missing' }
  /** Write the rows; `game` also the game item, at revision `rev` (null: it shows `to` already). */
  | { write: true; game: { ref: PlayerRef; pgn: string; rev: number } | null };

/** What to write for the seat `color` of one game, given the game item and that seat's own row. */
export function planSeatRewrite(game: GameSeats | null, row: { playerId: string } | null, color: Color, change: SeatChange): SeatPlan {
  if (!game || !row) return { write: false, why: 'missing' };
  if (row.playerId === change.to.playerId) return { write: false, why: 'done' };
  if (row.playerId !== change.from) return { write: false, why: 'foreign' };
  const seat = game[color];
  if (seat.playerId !== change.from && seat.playerId !== change.to.playerId) return { write: false, why: 'foreign' };
  const pgn = setPgnTag(game.pgn, PGN_TAG[color], change.to.name);
  const gameDone = seat.playerId === change.to.playerId && seat.name === change.to.name && pgn === game.pgn;
  return { write: true, game: gameDone ? null : { ref: change.to, pgn, rev: game.rev ?? 0 } };
}
