// Runtime check of the finalize-stream payload (GameRecord), so a malformed record is parked in the
// dead-letter stream instead of reaching DynamoDB. `satisfies` keeps it in step with the interface.
import { z } from 'zod';
import { color, roomCode, timeControl, uci } from './client.js';
import { STORED_ID_RE, STORED_ID_RULE } from './ids.js';
import type { GameRecord } from './internal.js';

/** The stream pattern of a finished game on the finalize stream. */
export const GAME_ENDED = 'game.ended';

/** Game and player ids as stored in DynamoDB and used in HTTP paths (ids.ts says why they look so). */
export const storedId = z.string().regex(STORED_ID_RE, `ids are ${STORED_ID_RULE}`);

const MAX_PLIES = 2000; // keeps the stored item far below DynamoDB's 400 KB item limit
const playerRef = z.object({ playerId: storedId, name: z.string().min(1).max(64) });
const ms = z.number().int().min(0);

export const gameRecordSchema = z
  .object({
    gameId: storedId,
    room: roomCode,
    white: playerRef,
    black: playerRef,
    result: z.enum(['1-0', '0-1', '1/2-1/2']).nullable(),
    reason: z.enum([
      'checkmate', 'resign', 'timeout', 'stalemate', 'agreement', 'insufficient_material',
      'threefold_repetition', 'fifty_moves', 'abandoned', 'aborted',
    ]),
    winner: color.nullable(),
    uci: z.array(uci).max(MAX_PLIES),
    san: z.array(z.string().min(1).max(16)).max(MAX_PLIES),
    fens: z.array(z.string().min(1).max(100)).max(MAX_PLIES + 1),
    pgn: z.string().max(200_000),
    tc: timeControl,
    clock: z.object({ white: z.number(), black: z.number(), running: color.nullable(), at: ms }),
    clockHistory: z.array(z.number()).max(MAX_PLIES),
    lagHistory: z.array(ms).max(MAX_PLIES).optional(),
    compHistory: z.array(ms).max(MAX_PLIES).optional(),
    startedAt: ms,
    endedAt: ms,
    cid: z.string().max(128).optional(),
    rated: z.boolean().optional(),
  })
  .refine((r) => r.san.length === r.uci.length, { message: 'san and uci must have one entry per ply', path: ['san'] })
  .refine((r) => [r.lagHistory, r.compHistory].every((h) => h === undefined || h.length === r.uci.length), {
    message: 'lagHistory and compHistory must have one entry per ply', path: ['lagHistory'],
  })
  .refine((r) => (r.compHistory ?? []).every((c, i) => c <= (r.lagHistory?.[i] ?? 0)), {
    message: 'a compensation is never more than its lag', path: ['compHistory'],
  })
  .refine((r) => r.endedAt >= r.startedAt, { message: 'endedAt is before startedAt', path: ['endedAt'] })
  .refine((r) => r.winner === (r.result === '1-0' ? 'white' : r.result === '0-1' ? 'black' : null), {
    message: 'winner does not match result', path: ['winner'],
  }) satisfies z.ZodType<GameRecord>;
