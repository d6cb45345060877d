// Challenges between friends in Redis (seed 001): each open challenge is one entry written to the
// challenger's "out" and the friend's "in" hash at once (wire/challenges.ts), so either player's
// list is one read. Scripts keep the rules whatever runs at once: only friends (the accounts
// service's copy of the friends table), one open challenge per friend, a few open at a time, a
// few a minute; whoever ends a challenge (cancel, decline, accept, close) removes it from both
// hashes, and only the one that removed it tells the players; an accepted challenge's pair command
// goes on the command stream in the same atomic step, only if the entry is still exactly as read.
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@gambit/common';
import type { Keys } from '@gambit/common';
import {
  decodeChallengeEntry, encodeChallengeEntry, encodeEntry, pairRoomCode, type ChallengeEntry, type EngineCommand, type Origin,
} from '@gambit/protocol';
import { PENDING_MS } from './store.js';

/**
 * KEYS: 1 the friend's "in", 2 the challenger's "out", 3 the challenger's counter this minute,
 * 4-5 the challenger's and the friend's friends (both copies must agree). ARGV: 1 id, 2 entry, 3 most open at once, 4 most a minute, 5 now,
 * 6 the friend's id, 7 how long the hashes live (ms), 8 the challenger's id. Returns 'ok' or the refusal's error code.
 */
const OPEN = `#!lua
if redis.call('SISMEMBER', KEYS[4], ARGV[6]) == 0 or redis.call('SISMEMBER', KEYS[5], ARGV[8]) == 0 then return 'not_friends' end
local now = tonumber(ARGV[5])
local out = redis.call('HGETALL', KEYS[2])
local open = 0
for i = 1, #out, 2 do
  local e = cjson.decode(out[i + 1])
  if e['until'] <= now then redis.call('HDEL', KEYS[2], out[i])
  elseif e.to.playerId == ARGV[6] then return 'already_challenged'
  else open = open + 1 end
end
if open >= tonumber(ARGV[3]) then return 'too_many_challenges' end
local n = redis.call('INCR', KEYS[3])
if n == 1 then redis.call('PEXPIRE', KEYS[3], 60000) end
if n > tonumber(ARGV[4]) then return 'rate_limited' end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return 'ok'`;

/** KEYS: 1 the friend's "in", 2 the challenger's "out". ARGV: 1 id. Returns 1 if this call removed it. */
const END = `#!lua
local n = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return n`;

/**
 * KEYS: 1 the accepter's "in", 2 the challenger's "out", 3 command stream, 4-5 the challenger's and
 * the accepter's "playing" keys, 6 the accepter's friends. ARGV: 1 id, 2 entry as read, 3 MAXLEN,
 * 4 how long a game being set up holds its players (ms), 5 the challenger's id, then the entry
 * fields. Returns 1, 0 (gone or changed), 2 (the accepter is playing), 3 (the challenger is: the
 * challenge goes) or 4 (no longer friends, a block or a removal since: it goes). Both are marked as
 * playing at once, as for a pool's pair or a seek.
 */
const ACCEPT = `#!lua
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if redis.call('EXISTS', KEYS[5]) == 1 then return 2 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('SISMEMBER', KEYS[6], ARGV[5]) == 0 then return 4 end
if redis.call('EXISTS', KEYS[4]) == 1 then return 3 end
redis.call('SET', KEYS[4], 'pending', 'PX', ARGV[4])
redis.call('SET', KEYS[5], 'pending', 'PX', ARGV[4])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 6))
return 1`;

export interface ChallengeLimits {
  /** Open challenges a player may hold at once. */
  open: number;
  /** Challenges a player may make in a minute (a flood of challenge and cancel stops here). */
  perMinute: number;
  /** How long an unanswered challenge stands (ms). */
  ttlMs: number;
}

/** A few open, ten a minute, ten minutes each (lichess lets a challenge stand while its author is there). */
export const CHALLENGE_LIMITS: ChallengeLimits = { open: 3, perMinute: 10, ttlMs: 10 * 60_000 };

export type OpenRefusal = 'not_friends' | 'already_challenged' | 'too_many_challenges' | 'rate_limited';
export type ChallengeAcceptOutcome = 'accepted' | 'challenge_not_found' | 'in_game' | 'friend_in_game' | 'not_friends';

type Scripts = {
  gambitChallengeOpen(...a: (string | number)[]): Promise<string>;
  gambitChallengeEnd(...a: string[]): Promise<number>;
  gambitChallengeAccept(...a: (string | number)[]): Promise<number>;
};

export class ChallengeStore {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly limits = CHALLENGE_LIMITS) {
    redis.defineCommand('gambitChallengeOpen', { numberOfKeys: 5, lua: OPEN });
    redis.defineCommand('gambitChallengeEnd', { numberOfKeys: 2, lua: END });
    redis.defineCommand('gambitChallengeAccept', { numberOfKeys: 6, lua: ACCEPT });
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  /** Opens a challenge (a fresh id): the entry as stored, or why not. */
  async open(c: Omit<ChallengeEntry, 'id' | 'since' | 'until'>, now = Date.now()): Promise<ChallengeEntry | { refused: OpenRefusal }> {
    const entry: ChallengeEntry = { ...c, id: randomBytes(9).toString('base64url'), since: now, until: now + this.limits.ttlMs };
    const k = this.keys;
    const out = await this.scripts.gambitChallengeOpen(
      k.challengesIn(c.to.playerId), k.challengesOut(c.from.playerId), k.challengeRate(c.from.playerId), k.friends(c.from.playerId), k.friends(c.to.playerId),
      entry.id, encodeChallengeEntry(entry), this.limits.open, this.limits.perMinute, now, c.to.playerId, this.limits.ttlMs + 60_000, c.from.playerId,
    );
    return out === 'ok' ? entry : { refused: out as OpenRefusal };
  }

  /** Whether `a` and `b` are friends (the accounts service's copies, both ways). */
  async areFriends(a: string, b: string): Promise<boolean> {
    const [ab, ba] = await Promise.all([this.redis.sismember(this.keys.friends(a), b), this.redis.sismember(this.keys.friends(b), a)]);
    return ab === 1 && ba === 1;
  }

  /** A standing challenge to (`in`) or by (`out`) `playerId`, with its text as stored; null when gone or lapsed. */
  async get(playerId: string, dir: 'in' | 'out', id: string, now = Date.now()): Promise<{ entry: ChallengeEntry; text: string } | null> {
    const text = await this.redis.hget(dir === 'in' ? this.keys.challengesIn(playerId) : this.keys.challengesOut(playerId), id);
    const entry = text ? decodeChallengeEntry(text) : null;
    return entry && text && entry.until > now ? { entry, text } : null;
  }

  /** The standing challenges to and by `playerId`, oldest first, then by id (lapsed ones found here are removed). */
  async list(playerId: string, now = Date.now()): Promise<{ incoming: ChallengeEntry[]; outgoing: ChallengeEntry[] }> {
    const [inc, out] = await Promise.all([this.redis.hvals(this.keys.challengesIn(playerId)), this.redis.hvals(this.keys.challengesOut(playerId))]);
    const lapsed: ChallengeEntry[] = [];
    const standing = (texts: string[]) => texts.map(decodeChallengeEntry).filter((e): e is ChallengeEntry => {
      if (e && e.until <= now) lapsed.push(e);
      return e !== null && e.until > now;
    }).sort((a, b) => a.since - b.since || (a.id < b.id ? -1 : 1)); // two in one millisecond: by id, the same every time
    const lists = { incoming: standing(inc), outgoing: standing(out) };
    if (lapsed.length) await Promise.all(lapsed.map((e) => this.end(e)));
    return lists;
  }

  /** Removes the challenge from both players; true for the one caller that removed it (it tells them). */
  async end(e: ChallengeEntry): Promise<boolean> {
    return (await this.scripts.gambitChallengeEnd(this.keys.challengesIn(e.to.playerId), this.keys.challengesOut(e.from.playerId), e.id)) === 1;
  }

  /**
   * `who` (the challenged friend) accepts: the challenge goes and the pair command is on the
   * command stream (the game is in the two friends' own room), or why not.
   */
  async accept(read: { entry: ChallengeEntry; text: string }, who: Origin, stream: string, maxLen: number): Promise<ChallengeAcceptOutcome> {
    const { entry: c, text } = read;
    const challenger: Origin = { gw: c.from.gw, conn: c.from.conn, playerId: c.from.playerId, name: c.from.name, at: who.at ?? Date.now(), ...(who.cid ? { cid: who.cid } : {}) };
    const cmd: Extract<EngineCommand, { t: 'pair' }> = {
      t: 'pair', origin: challenger, opponent: who, tc: c.tc, rated: c.rated, challenge: c.id, room: pairRoomCode(c.from.playerId, c.to.playerId),
      ...(c.color === 'random' ? {} : { color: c.color }),
    };
    const k = this.keys;
    const ok = await this.scripts.gambitChallengeAccept(
      k.challengesIn(who.playerId), k.challengesOut(c.from.playerId), stream, k.playing(c.from.playerId), k.playing(who.playerId), k.friends(who.playerId),
      c.id, text, maxLen, PENDING_MS, c.from.playerId, ...encodeEntry(cmd.t, cmd.room!, cmd), // keyed by the room, as every command for it
    );
    return ok === 1 ? 'accepted' : ok === 2 ? 'in_game' : ok === 3 ? 'friend_in_game' : ok === 4 ? 'not_friends' : 'challenge_not_found';
  }
}
