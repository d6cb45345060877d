// Shared by the k6 scripts: the target, guest tokens, the seeded games of the Node harness
// (bench/data/games.json, the same move sequences) and the protocol frames (../../../shared/PROTOCOL.md).
import http from 'k6/http';
import { SharedArray } from 'k6/data';

export interface GameSeq { moves: string; end: string; result: string }

/** BASE_URL: the gateway's public address, e.g. https://chess.example.com or http://localhost:8080. */
export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '');
export const WS_URL = `${BASE_URL.replace(/^http/, 'ws')}/ws`;

/** The committed, seeded game set: legal sequences that end by checkmate, a draw rule or a resignation. */
export const GAMES: GameSeq[] = new SharedArray('games', () => (JSON.parse(open('../../bench/data/games.json')) as { games: GameSeq[] }).games);

export const num = (name: string, fallback: number): number => {
  const v = __ENV[name];
  return v === undefined || v === '' ? fallback : Number(v);
};

/** POST /api/guest: a signed guest token (null when the gateway refused). */
export function guestToken(name: string): string | null {
  const res = http.post(`${BASE_URL}/api/guest`, JSON.stringify({ name }), { headers: { 'content-type': 'application/json' }, tags: { name: 'guest' } });
  if (res.status !== 200) return null;
  return (res.json() as { token: string }).token;
}

/** Mean think time with uniform jitter: mean * [1 - j, 1 + j]. */
export function think(meanMs: number, jitter = 0.5): number {
  return meanMs * (1 + jitter * (2 * Math.random() - 1));
}

export interface ServerMsg { t: string; id?: string; room?: string; ply?: number; code?: string; [k: string]: unknown }

export function parse(data: unknown): ServerMsg | null {
  try {
    return JSON.parse(String(data)) as ServerMsg;
  } catch {
    return null;
  }
}
