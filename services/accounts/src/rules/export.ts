// What GET /api/account/export gives a player: everything Gambit stores about them (GDPR access),
// in one JSON document with a format name so later versions can add to it. Pure: the route gathers
// the pieces. Sessions are listed by when they began, never by their secrets or tokens.
import type { User } from '../adapters/users.js';

export const EXPORT_FORMAT = 'gambit-export/1';

export interface ExportParts {
  user: User;
  sessions: { createdAt: number; kind: 'guest' | 'user' }[];
  /** The finalizer's stats item, or null before a first finished game. */
  stats: unknown;
  /** Every finished game, whole. */
  games: unknown[];
  now: number;
}

export function exportDocument(p: ExportParts) {
  return {
    format: EXPORT_FORMAT,
    exportedAt: new Date(p.now).toISOString(),
    account: {
      playerId: p.user.playerId, username: p.user.username, email: p.user.email, createdAt: p.user.createdAt,
      usernameChangedAt: p.user.usernameChangedAt, provider: { issuer: p.user.issuer, subject: p.user.sub },
    },
    sessions: p.sessions.map((s) => ({ createdAt: s.createdAt, kind: s.kind })),
    stats: p.stats,
    games: p.games,
  };
}
