// The lobby's seeks in Redis: one hash of open challenges and a version counter raised by every
// change, so gateways polling the lobby read the whole hash only when something changed. Scripts
// keep the rules whatever runs at once: a player holds at most `max` seeks; a closing socket takes
// its own away; an accepted seek is removed and its pair command put on the command stream in one
// atomic step, only if it is still exactly as the accepter read it (two accepters: one wins).
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@gambit/common';
import type { Keys } from '@gambit/common';
import { PENDING_MS } from './store.js';
import { decodeSeekEntry, encodeEntry, isAccountId, encodeSeekEntry, type EngineCommand, type Origin, type SeekEntry } from '@gambit/protocol';

/** KEYS: 1 seeks, 2 version. ARGV: 1 playerId, 2 seekId, 3 entry, 4 max per player. Returns 1, or 0 over the cap. */
const ADD = `#!lua
local n = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  if cjson.decode(v).playerId == ARGV[1] then n = n + 1 end
end
if n >= tonumber(ARGV[4]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
redis.call('INCR', KEYS[2])
return 1`;

/** KEYS: 1 seeks, 2 version. ARGV: 1 field to match (playerId or conn), 2 its value, 3 seekId ('' = all that match). Returns how many went. */
const REMOVE = `#!lua
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  if (ARGV[3] == '' or all[i] == ARGV[3]) and cjson.decode(all[i + 1])[ARGV[1]] == ARGV[2] then
    redis.call('HDEL', KEYS[1], all[i])
    n = n + 1
  end
end
if n > 0 then redis.call('INCR', KEYS[2]) end
return n`;

/**
 * KEYS: 1 seeks, 2 version, 3 command stream, 4-5 the author's and the accepter's "playing" keys.
 * ARGV: 1 seekId, 2 entry as read, 3 MAXLEN, 4 how long a game being set up holds its players
 * (ms), then the entry fields. Returns 1, 0 (gone or changed), 2 (the accepter is playing) or 3
 * (the author is: the seek goes). Both are marked as playing at once, as for a pool's pair.
 */
const ACCEPT = `#!lua
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
if redis.call('EXISTS', KEYS[5]) == 1 then return 2 end
if redis.call('EXISTS', KEYS[4]) == 1 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('INCR', KEYS[2])
  return 3
end
redis.call('SET', KEYS[4], 'pending', 'PX', ARGV[4])
redis.call('SET', KEYS[5], 'pending', 'PX', ARGV[4])
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 5))
return 1`;

/** Open seeks a player may hold at once (lichess allows a few). */
export const MAX_SEEKS = 3;

type Scripts = {
  gambitSeekAdd(...a: (string | number)[]): Promise<number>;
  gambitSeekRemove(...a: string[]): Promise<number>;
  gambitSeekAccept(...a: (string | number)[]): Promise<number>;
};

export type AcceptOutcome = 'accepted' | 'seek_not_found' | 'own_seek' | 'rated_needs_account' | 'in_game';

export class SeekStore {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly max = MAX_SEEKS) {
    redis.defineCommand('gambitSeekAdd', { numberOfKeys: 2, lua: ADD });
    redis.defineCommand('gambitSeekRemove', { numberOfKeys: 2, lua: REMOVE });
    redis.defineCommand('gambitSeekAccept', { numberOfKeys: 5, lua: ACCEPT });
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  /** Opens a seek (a fresh id); null when the player already holds the most allowed. */
  async add(seek: Omit<SeekEntry, 'id'>): Promise<string | null> {
    const id = randomBytes(9).toString('base64url');
    const ok = await this.scripts.gambitSeekAdd(this.keys.seeks, this.keys.seeksVersion, seek.playerId, id, encodeSeekEntry({ ...seek, id }), this.max);
    return ok === 1 ? id : null;
  }

  /** The player's seek `id` is withdrawn; returns whether it was open. */
  async cancel(playerId: string, id: string): Promise<boolean> {
    return (await this.scripts.gambitSeekRemove(this.keys.seeks, this.keys.seeksVersion, 'playerId', playerId, id)) > 0;
  }

  /** Every seek a closing socket opened. */
  async removeConn(conn: string): Promise<number> {
    return this.scripts.gambitSeekRemove(this.keys.seeks, this.keys.seeksVersion, 'conn', conn, '');
  }

  /** The version of the lobby (changes with every seek opened or gone). */
  async version(): Promise<string> {
    return (await this.redis.get(this.keys.seeksVersion)) ?? '0';
  }

  /** All open seeks whose gateway is alive, newest first. */
  async list(now = Date.now()): Promise<SeekEntry[]> {
    const [all, alive] = await Promise.all([this.redis.hgetall(this.keys.seeks), this.redis.zrangebyscore(this.keys.gateways, now - 20_000, '+inf')]);
    const live = new Set(alive);
    return Object.values(all).map(decodeSeekEntry).filter((e): e is SeekEntry => e !== null && live.has(e.gw)).sort((a, b) => b.since - a.since);
  }

  /** `who` accepts seek `id`: the seek goes and its game is on the command stream, or why not. */
  async accept(id: string, who: Origin, stream: string, maxLen: number): Promise<AcceptOutcome> {
    const text = await this.redis.hget(this.keys.seeks, id);
    const seek = text ? decodeSeekEntry(text) : null;
    if (!text || !seek) return 'seek_not_found';
    if (seek.playerId === who.playerId) return 'own_seek';
    // Its author's gateway died (the socket never closed cleanly), or one blocked the other: as
    // if it were gone (the blocked player is not told of the block).
    const [beat, blocked] = await Promise.all([this.redis.zscore(this.keys.gateways, seek.gw), this.redis.sismember(this.keys.blocks(who.playerId), seek.playerId)]);
    if (beat === null || Number(beat) < Date.now() - 20_000) {
      await this.cancel(seek.playerId, id);
      return 'seek_not_found';
    }
    if (blocked) return 'seek_not_found';
    if (seek.rated && !isAccountId(who.playerId)) return 'rated_needs_account';
    const seeker: Origin = { gw: seek.gw, conn: seek.conn, playerId: seek.playerId, name: seek.name, at: who.at ?? Date.now(), ...(who.cid ? { cid: who.cid } : {}) };
    const cmd: Extract<EngineCommand, { t: 'pair' }> = {
      t: 'pair', origin: seeker, opponent: who, tc: seek.tc, rated: seek.rated, seek: id, ...(seek.color === 'random' ? {} : { color: seek.color }),
    };
    const fields = encodeEntry(cmd.t, seeker.conn, cmd);
    const k = this.keys;
    const ok = await this.scripts.gambitSeekAccept(k.seeks, k.seeksVersion, stream, k.playing(seek.playerId), k.playing(who.playerId), id, text, maxLen, PENDING_MS, ...fields);
    return ok === 1 ? 'accepted' : ok === 2 ? 'in_game' : 'seek_not_found';
  }
}
