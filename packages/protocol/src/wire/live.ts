// The games in play, for the live-games list (Redis, written by the engine's commit, read by gateways):
//
//   <prefix>:live             sorted set  room -> start (ms)
//   <prefix>:live:summaries   hash        room -> summary JSON
//     {"room":"T4QMKXRN","white":{"playerId":"g_Ijs6c42OOulj","name":"bob"},"black":{"playerId":"u_3nQm...","name":"alice"},
//      "tc":{"initialMs":180000,"incrementMs":2000},"rated":false,"startedAt":1796095199819}
//   <prefix>:room:<room>:crowd  hash      gateway -> {"n":3,"names":["alice"],"at":1796095199819}: its
//     spectators of the room (a count, and the names of signed-in ones, at most 10), written again
//     by its gateway at least every 10 s (`at`); a share older than CROWD_STALE_MS is a dead
//     gateway's and counts for nothing.
import type { PlayerRef } from '../internal.js';
import type { TimeControl } from '../client.js';

export interface LiveGame { room: string; white: PlayerRef; black: PlayerRef; tc: TimeControl; rated: boolean; startedAt: number }

export function encodeLiveGame(g: LiveGame): string {
  return JSON.stringify({ room: g.room, white: g.white, black: g.black, tc: g.tc, rated: g.rated, startedAt: g.startedAt });
}

export function decodeLiveGame(text: string | null): LiveGame | null {
  if (!text) return null;
  try {
    const g = JSON.parse(text) as Partial<LiveGame>;
    const ok = typeof g.room === 'string' && typeof g.white?.playerId === 'string' && typeof g.black?.playerId === 'string'
      && typeof g.tc?.initialMs === 'number' && typeof g.startedAt === 'number';
    return ok ? (g as LiveGame) : null;
  } catch {
    return null;
  }
}

/** One gateway's share of a room's spectators, as of `at` (ms). */
export interface CrowdShare { n: number; names: string[]; at: number }
export const CROWD_STALE_MS = 30_000;
/** Names shown in a crowd (lila-ws shows names while few watch, a count beyond). */
export const CROWD_NAMES = 10;

export function encodeCrowdShare(c: CrowdShare): string {
  return JSON.stringify({ n: c.n, names: c.names, at: c.at });
}

export function decodeCrowdShare(text: string): CrowdShare | null {
  try {
    const c = JSON.parse(text) as Partial<CrowdShare>;
    return typeof c.n === 'number' && Array.isArray(c.names) && typeof c.at === 'number'
      ? { n: c.n, names: c.names.filter((x): x is string => typeof x === 'string'), at: c.at } : null;
  } catch {
    return null;
  }
}

/**
 * The delivery of a room's shares (GatewayDelivery `crowd`), as halves around the shares: the
 * gateway's crowd script puts the room's shares between them, each as a JSON string, comma-separated.
 */
export function crowdDeliveryHalves(room: string): { pre: string; post: string } {
  return { pre: `{"k":"crowd","room":${JSON.stringify(room)},"shares":[`, post: ']}' };
}

/** A room's crowd from every gateway's share (stale ones left out): the count and up to CROWD_NAMES names. */
export function sumCrowd(shares: readonly string[], now: number): { count: number; names: string[] } {
  let count = 0;
  const names = new Set<string>();
  for (const text of shares) {
    const c = decodeCrowdShare(text);
    if (!c || now - c.at > CROWD_STALE_MS) continue;
    count += c.n;
    for (const n of c.names) if (names.size < CROWD_NAMES) names.add(n);
  }
  return { count, names: [...names].sort() };
}
