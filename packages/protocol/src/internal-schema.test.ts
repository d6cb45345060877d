// The finalize record's lag fields: optional (records from before lag compensation), one entry per
// ply when present, and never a compensation larger than its lag.
import { describe, expect, test } from '@jest/globals';
import { gameRecordSchema } from './internal-schema.js';

const record = {
  gameId: 'g-1', room: 'ABCDEFGH', white: { playerId: 'g_w', name: 'W' }, black: { playerId: 'g_b', name: 'B' },
  result: '1-0', reason: 'resign', winner: 'white', uci: ['e2e4', 'e7e5'], san: ['e4', 'e5'], fens: [], pgn: '',
  tc: { initialMs: 60_000, incrementMs: 0 }, clock: { white: 1, black: 1, running: null, at: 0 }, clockHistory: [59_000, 58_000],
  startedAt: 0, endedAt: 0,
};

describe('game record: lag', () => {
  test('absent, or one entry per ply with each compensation at most its lag', () => {
    expect(gameRecordSchema.safeParse(record).success).toBe(true);
    expect(gameRecordSchema.safeParse({ ...record, lagHistory: [300, 2_000], compHistory: [300, 390] }).success).toBe(true);
  });

  test('refused: a history of another length, a compensation over its lag, a negative lag', () => {
    expect(gameRecordSchema.safeParse({ ...record, lagHistory: [300], compHistory: [300] }).success).toBe(false);
    expect(gameRecordSchema.safeParse({ ...record, lagHistory: [300, 100], compHistory: [300, 101] }).success).toBe(false);
    expect(gameRecordSchema.safeParse({ ...record, lagHistory: [-1, 0], compHistory: [0, 0] }).success).toBe(false);
  });
});
