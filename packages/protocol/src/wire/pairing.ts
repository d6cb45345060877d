// The quick-pairing values in Redis (not streams, but layouts between processes all the same):
//
//   <prefix>:pool:<pool>:<rated|casual>   hash  playerId -> waiting entry JSON
//     {"playerId":"u_3nQm9v0bXh1aT2kLw8cYzA","name":"alice","gw":"gw-1","conn":"Vb3kQ9xZ-4mN","rating":1523,"since":1796067993158}
//     written by the gateway (a `pool` frame), read and removed by matchmakers (packages/pairing).
//   <prefix>:player:<playerId>:ratings    hash  speed -> "<rating> <deviation>"
//     blitz -> "1523.41 87.2", written by the finalizer after a rated game, read by the gateway
//     for the pool entry. A copy of DynamoDB's rating for matching only: missing means 1500.
import type { Speed } from '../speed.js';

export interface PoolEntry { playerId: string; name: string; gw: string; conn: string; rating: number; since: number }

export function encodePoolEntry(e: PoolEntry): string {
  return JSON.stringify({ playerId: e.playerId, name: e.name, gw: e.gw, conn: e.conn, rating: e.rating, since: e.since });
}

/** An entry as stored, or null when it is not one (written by something else: skipped, not fatal). */
export function decodePoolEntry(text: string): PoolEntry | null {
  try {
    const e = JSON.parse(text) as Partial<PoolEntry>;
    const ok = typeof e.playerId === 'string' && typeof e.name === 'string' && typeof e.gw === 'string' && typeof e.conn === 'string'
      && typeof e.rating === 'number' && Number.isFinite(e.rating) && typeof e.since === 'number';
    return ok ? (e as PoolEntry) : null;
  } catch {
    return null;
  }
}

export interface RatingCopy { rating: number; rd: number }

export function encodeRatingCopy(r: RatingCopy): string {
  return `${Math.round(r.rating * 100) / 100} ${Math.round(r.rd * 100) / 100}`;
}

export function decodeRatingCopy(text: string | null | undefined): RatingCopy | null {
  const m = text ? /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(text) : null;
  return m ? { rating: Number(m[1]), rd: Number(m[2]) } : null;
}

export type RatingCopies = Partial<Record<Speed, RatingCopy>>;
