// The one definition of a stored (game or player) id, checked against the ids Gambit makes.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { isStoredId, STORED_ID_RE } from './ids.js';
import { gameRecordSchema } from './internal-schema.js';

describe('isStoredId', () => {
  it('accepts the ids Gambit makes: engine game ids, guest and OIDC player ids', () => {
    expect(isStoredId(randomUUID())).toBe(true); // packages/rooms/src/engine.ts
    for (let i = 0; i < 50; i++) expect(isStoredId(`g_${randomBytes(9).toString('base64url')}`)).toBe(true); // gateway guest tokens
    expect(isStoredId('oidc:0f7e2b4c-5d6a-4f1e-9c3b-2a1d0e9f8c7b')).toBe(true); // Cognito sub
    expect(isStoredId('oidc:108234567890123456789')).toBe(true); // numeric sub
  });

  it("accepts '.' inside an id: OIDC subs may carry it", () => {
    expect(isStoredId('oidc:jane.doe')).toBe(true);
    expect(isStoredId('a.b')).toBe(true);
    expect(isStoredId('...')).toBe(true);
    expect(isStoredId('.hidden')).toBe(true);
  });

  it("refuses '.' and '..' alone: URL resolution would walk them to another route", () => {
    expect(isStoredId('.')).toBe(false);
    expect(isStoredId('..')).toBe(false);
  });

  it('refuses what would break a row key or a path segment, and bounds the length', () => {
    for (const bad of ['', 'a#white', 'a/b', '../metrics', 'a%2Fb', 'a b', 'a?b', 'a\\b', 'é', 'a\n', '\u0000']) {
      expect([bad, isStoredId(bad)]).toEqual([bad, false]);
    }
    expect(isStoredId('x'.repeat(128))).toBe(true);
    expect(isStoredId('x'.repeat(129))).toBe(false);
  });

  it('is what the finalize record schema checks game and player ids with', () => {
    expect(STORED_ID_RE.test('..')).toBe(false);
    const record = {
      gameId: randomUUID(), room: 'ABCDEFGH', white: { playerId: 'oidc:jane.doe', name: 'Jane' }, black: { playerId: 'g_abc', name: 'Guest' },
      result: null, reason: 'aborted', winner: null, uci: [], san: [], fens: [], pgn: '',
      tc: { initialMs: 60_000, incrementMs: 0 }, clock: { white: 60_000, black: 60_000, running: null, at: 0 },
      clockHistory: [], startedAt: 0, endedAt: 0,
    };
    const ok = gameRecordSchema.safeParse(record);
    expect(ok.error?.issues).toBeUndefined();
    expect(gameRecordSchema.safeParse({ ...record, gameId: '..' }).success).toBe(false);
    expect(gameRecordSchema.safeParse({ ...record, black: { playerId: 'a#b', name: 'x' } }).success).toBe(false);
  });
});
