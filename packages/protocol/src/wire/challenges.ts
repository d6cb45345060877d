// Challenges between friends in Redis (not a stream, but a layout between processes all the same):
//
//   <prefix>:player:<playerId>:challenges:in    hash  challengeId -> entry JSON (challenges to this player)
//   <prefix>:player:<playerId>:challenges:out   hash  challengeId -> entry JSON (challenges by this player)
//     {"id":"Hq2Vb7LmP0xZ","from":{"playerId":"u_3nQm...","name":"alice","gw":"gw-1","conn":"Vb3kQ9xZ-4mN"},
//      "to":{"playerId":"u_8Rk2...","name":"bob"},"tc":{"initialMs":300000,"incrementMs":3000},"color":"random",
//      "rated":true,"since":1796067993158,"until":1796068593158}
//     one entry, written to both hashes at once by the challenger's gateway; removed from both by
//     whoever ends it (cancel, decline, accept, the challenger's socket closing); `until` is when
//     it lapses by itself (packages/pairing/src/challenges.ts).
//   <prefix>:player:<playerId>:friends          set   the player's friends (the accounts service
//     copies it from the friends table, as it copies blocks; the gateway checks it for challenges
//     and presence)
import type { Color, TimeControl } from '../client.js';
import type { ChallengeView } from '../server.js';

export interface ChallengeEntry {
  id: string;
  /** The challenger and the socket that challenged (closing it withdraws the challenge). */
  from: { playerId: string; name: string; gw: string; conn: string };
  to: { playerId: string; name: string };
  tc: TimeControl;
  color: Color | 'random';
  rated: boolean;
  since: number;
  until: number;
}

export function encodeChallengeEntry(e: ChallengeEntry): string {
  const { from, to, tc } = e;
  return JSON.stringify({
    id: e.id, from: { playerId: from.playerId, name: from.name, gw: from.gw, conn: from.conn }, to: { playerId: to.playerId, name: to.name },
    tc: { initialMs: tc.initialMs, incrementMs: tc.incrementMs }, color: e.color, rated: e.rated, since: e.since, until: e.until,
  });
}

const str = (v: unknown): v is string => typeof v === 'string';
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** An entry as stored, or null when it is not one (skipped, never fatal). */
export function decodeChallengeEntry(text: string): ChallengeEntry | null {
  let raw: Partial<ChallengeEntry>;
  try {
    raw = JSON.parse(text) as Partial<ChallengeEntry>;
  } catch {
    return null;
  }
  const { from, to, tc } = raw;
  const ok = str(raw.id) && str(from?.playerId) && str(from.name) && str(from.gw) && str(from.conn) && str(to?.playerId) && str(to.name)
    && num(tc?.initialMs) && num(tc.incrementMs) && (raw.color === 'white' || raw.color === 'black' || raw.color === 'random')
    && typeof raw.rated === 'boolean' && num(raw.since) && num(raw.until);
  return ok ? raw as ChallengeEntry : null;
}

/** What both players see of a challenge (never the socket). */
export function challengeView(e: ChallengeEntry): ChallengeView {
  return {
    id: e.id, from: { playerId: e.from.playerId, name: e.from.name }, to: { playerId: e.to.playerId, name: e.to.name },
    tc: e.tc, color: e.color, rated: e.rated, since: e.since, until: e.until,
  };
}
