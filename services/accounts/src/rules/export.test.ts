import { describe, expect, it } from '@jest/globals';
import { EXPORT_FORMAT, exportDocument } from './export.js';

const user = {
  playerId: 'u_abc', username: 'alice', email: 'alice@example.com', issuer: 'https://idp.example', sub: 'sub-1',
  createdAt: Date.UTC(2026, 0, 1), usernameChangedAt: null,
};

describe('exportDocument', () => {
  it('holds the account with its provider identity, the sessions by date, the stats and every game as stored', () => {
    const games = [{ gameId: 'g1', pgn: '1. e4' }, { gameId: 'g2', pgn: '1. d4' }];
    const stats = { games: 2, wins: 1 };
    const doc = exportDocument({ user, sessions: [{ createdAt: 5, kind: 'user' }], stats, games, now: Date.UTC(2026, 10, 30) });
    expect(doc).toEqual({
      format: EXPORT_FORMAT,
      exportedAt: '2026-11-30T00:00:00.000Z',
      account: {
        playerId: 'u_abc', username: 'alice', email: 'alice@example.com', createdAt: user.createdAt, usernameChangedAt: null,
        provider: { issuer: 'https://idp.example', subject: 'sub-1' },
      },
      sessions: [{ createdAt: 5, kind: 'user' }],
      stats,
      games,
    });
  });

  it('never carries a session’s handle, secret or ID token', () => {
    const session = { createdAt: 5, kind: 'user' as const, handle: 'HANDLE', idToken: 'ey.ID.TOKEN' };
    const text = JSON.stringify(exportDocument({ user, sessions: [session], stats: null, games: [], now: 0 }));
    expect(text).not.toContain('HANDLE');
    expect(text).not.toContain('ey.ID.TOKEN');
  });
});
