// The quick-pairing values in Redis (not streams, but layouts between processes all the same):
//
//   <prefix>:pool:<pool>:<rated|casual>   hash  playerId -> waiting entry JSON
//     {"playerId":"u_3nQm9v0bXh1aT2kLw8cYzA","name":"alice","gw":"gw-1","conn":"Vb3kQ9xZ-4mN","rating":1523,"since":1796067993158}
//     written by the gateway (a `pool` frame), read and removed by matchmakers (packages/pairing).
//   <prefix>:seeks                        hash  seekId -> seek entry JSON (the lobby), and
//   <prefix>:seeks:version                a counter raised by every change of it
//     {"id":"q7Hc2mXbT0aL","playerId":"u_3nQm...","name":"alice","gw":"gw-1","conn":"Vb3kQ9xZ-4mN","rating":1523,
//      "tc":{"initialMs":300000,"incrementMs":3000},"color":"random","rated":true,"since":1796067993158}
//     written by the seeker's gateway, removed by it (cancel, socket closed) or by the accepter's.
//     An entry may carry "blocks":["u_..."]: players it must never be paired with (see below).
//   <prefix>:player:<playerId>:blocks     set   players blocked by or blocking this one (the
//     accounts service copies it from the friends table; the gateway puts it in pool entries)
//   <prefix>:player:<playerId>:ratings    hash  speed -> "<rating> <deviation>"
//     blitz -> "1523.41 87.2", written by the finalizer after a rated game, read by the gateway
//     for the pool entry. A copy of DynamoDB's rating for matching only: missing means 1500.
import type { Speed } from '../speed.js';
import type { SeekView } from '../server.js';

export interface PoolEntry {
  playerId: string; name: string; gw: string; conn: string; rating: number; since: number;
  /** Players this one blocked or is blocked by, as of joining (never paired with them). */
  blocks?: string[];
}

export function encodePoolEntry(e: PoolEntry): string {
  return JSON.stringify({ playerId: e.playerId, name: e.name, gw: e.gw, conn: e.conn, rating: e.rating, since: e.since, ...(e.blocks?.length ? { blocks: e.blocks } : {}) });
}

/** Parsed JSON, or null when the text is not JSON. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The pool entry in a parsed value, or null. */
function poolEntryOf(raw: unknown): PoolEntry | null {
  const e = (raw ?? {}) as Partial<PoolEntry>;
  const ok = typeof e.playerId === 'string' && typeof e.name === 'string' && typeof e.gw === 'string' && typeof e.conn === 'string'
    && typeof e.rating === 'number' && Number.isFinite(e.rating) && typeof e.since === 'number';
  if (!ok) return null;
  const blocks = Array.isArray(e.blocks) ? e.blocks.filter((b): b is string => typeof b === 'string') : [];
  return { playerId: e.playerId!, name: e.name!, gw: e.gw!, conn: e.conn!, rating: e.rating!, since: e.since!, ...(blocks.length ? { blocks } : {}) };
}

/** An entry as stored, or null when it is not one (written by something else: skipped, not fatal). */
export function decodePoolEntry(text: string): PoolEntry | null {
  return poolEntryOf(parse(text));
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

export interface SeekEntry extends PoolEntry, Omit<SeekView, 'playerId' | 'name' | 'rating'> {}

export function encodeSeekEntry(e: SeekEntry): string {
  return JSON.stringify({ id: e.id, playerId: e.playerId, name: e.name, gw: e.gw, conn: e.conn, rating: e.rating, tc: e.tc, color: e.color, rated: e.rated, since: e.since });
}

export function decodeSeekEntry(text: string): SeekEntry | null {
  const raw = parse(text);
  const base = poolEntryOf(raw);
  if (!base) return null;
  const e = raw as Partial<SeekEntry>;
  const ok = typeof e.id === 'string' && typeof e.tc?.initialMs === 'number' && typeof e.tc.incrementMs === 'number'
    && (e.color === 'white' || e.color === 'black' || e.color === 'random') && typeof e.rated === 'boolean';
  return ok ? { ...base, id: e.id!, tc: { initialMs: e.tc!.initialMs, incrementMs: e.tc!.incrementMs }, color: e.color!, rated: e.rated! } : null;
}

/** What the lobby shows of a seek (never the socket). */
export function seekView(e: SeekEntry): SeekView {
  return { id: e.id, playerId: e.playerId, name: e.name, rating: Math.round(e.rating), tc: e.tc, color: e.color, rated: e.rated };
}
