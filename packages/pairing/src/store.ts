// The pools in Redis: one hash per pool (rated and casual apart), playerId -> waiting entry. Three
// small scripts keep the rules that must hold however many gateways and matchmakers run at once:
// a player waits in one pool at most (joining one leaves the others), a closing socket takes only
// its own entry away (not the one another tab of the player made since), and a pair is taken out
// of its pool and handed to the engines as one `pair` command in the same atomic step: both
// entries still as read, or nothing happens (the race with another matchmaker is lost cleanly).
import { PlayingMarks, type Keys, type RedisClient } from '@gambit/common';
import {
  POOL_IDS, decodePoolEntry, decodeRatingCopy, encodeEntry, encodePoolEntry, type EngineCommand, type PoolEntry, type PoolId, type Speed,
} from '@gambit/protocol';

/** KEYS: every pool. ARGV: 1 index (1-based) of the pool to wait in, 2 playerId, 3 entry. */
const JOIN = `#!lua
for i = 1, #KEYS do
  if i ~= tonumber(ARGV[1]) then redis.call('HDEL', KEYS[i], ARGV[2]) end
end
redis.call('HSET', KEYS[tonumber(ARGV[1])], ARGV[2], ARGV[3])
return 1`;

/** KEYS: every pool. ARGV: 1 playerId, 2 connection id ('' = whichever socket made the entry). Returns how many were removed. */
const LEAVE = `#!lua
local n = 0
for i = 1, #KEYS do
  local v = redis.call('HGET', KEYS[i], ARGV[1])
  if v and (ARGV[2] == '' or cjson.decode(v).conn == ARGV[2]) then
    redis.call('HDEL', KEYS[i], ARGV[1])
    n = n + 1
  end
end
return n`;

/**
 * KEYS: 1 the pool, 2 the command stream, 3-4 the two players' "playing" keys. ARGV: 1-2 playerId
 * and entry of one player, 3-4 of the other, 5 the stream's MAXLEN, 6 how long a game being set up
 * holds its players (ms), then the fields of the command's entry. Returns 1 paired, 0 lost.
 * A player already playing (or being seated elsewhere: a seek accepted, another tab's game) leaves
 * the pool instead; the two paired are marked as playing at once, before the engine seats them,
 * so nothing else can seat them meanwhile.
 */
const CLAIM = `#!lua
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] or redis.call('HGET', KEYS[1], ARGV[3]) ~= ARGV[4] then return 0 end
local busy = false
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('HDEL', KEYS[1], ARGV[1]); busy = true end
if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('HDEL', KEYS[1], ARGV[3]); busy = true end
if busy then return 0 end
redis.call('SET', KEYS[3], 'pending', 'PX', ARGV[6])
redis.call('SET', KEYS[4], 'pending', 'PX', ARGV[6])
redis.call('HDEL', KEYS[1], ARGV[1], ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', unpack(ARGV, 7))
return 1`;

/** How long a pair being set up holds its players (the engine's commit names their room well before). */
export const PENDING_MS = 30_000;

export interface PoolRef { pool: PoolId; rated: boolean }
/** An entry as read, with its exact stored text (the claim compares texts). */
export interface Read { entry: PoolEntry; text: string }

type Scripts = {
  gambitPoolJoin(n: number, ...a: (string | number)[]): Promise<number>;
  gambitPoolLeave(n: number, ...a: string[]): Promise<number>;
  gambitPoolClaim(...a: (string | number)[]): Promise<number>;
};

export class PoolStore {
  /** Every pool, rated and casual: the order fixes each pool's index in JOIN. */
  readonly pools: PoolRef[] = POOL_IDS.flatMap((pool) => [{ pool, rated: false }, { pool, rated: true }]);
  private readonly poolKeys: string[];

  private readonly marks: PlayingMarks;

  constructor(private readonly redis: RedisClient, private readonly keys: Keys) {
    this.marks = new PlayingMarks(redis, keys);
    this.poolKeys = this.pools.map((p) => keys.pool(p.pool, p.rated));
    redis.defineCommand('gambitPoolJoin', { lua: JOIN });
    redis.defineCommand('gambitPoolLeave', { lua: LEAVE });
    redis.defineCommand('gambitPoolClaim', { numberOfKeys: 4, lua: CLAIM });
  }

  private get scripts(): Scripts {
    return this.redis as unknown as Scripts;
  }

  /** `entry.playerId` waits in this pool from now on, and in no other. */
  async join(ref: PoolRef, entry: PoolEntry): Promise<void> {
    const index = this.pools.findIndex((p) => p.pool === ref.pool && p.rated === ref.rated) + 1;
    await this.scripts.gambitPoolJoin(this.poolKeys.length, ...this.poolKeys, index, entry.playerId, encodePoolEntry(entry));
  }

  /** The player stops waiting; with `conn`, only if that socket made the entry. Returns whether they waited. */
  async leave(playerId: string, conn = ''): Promise<boolean> {
    return (await this.scripts.gambitPoolLeave(this.poolKeys.length, ...this.poolKeys, playerId, conn)) > 0;
  }

  /** Everyone waiting in one pool (entries that do not decode are skipped). */
  async waiting(ref: PoolRef): Promise<Read[]> {
    const all = await this.redis.hgetall(this.keys.pool(ref.pool, ref.rated));
    const out: Read[] = [];
    for (const text of Object.values(all)) {
      const entry = decodePoolEntry(text);
      if (entry) out.push({ entry, text });
    }
    return out;
  }

  /** Takes both out of the pool and puts `cmd` on the command stream, if both still wait as read. */
  async claim(ref: PoolRef, a: Read, b: Read, stream: string, maxLen: number, cmd: Extract<EngineCommand, { t: 'pair' }>): Promise<boolean> {
    // Keyed by the first player: entries with one key are handled in order, and the pair has no room yet.
    const fields = encodeEntry(cmd.t, cmd.origin.conn, cmd);
    const res = await this.scripts.gambitPoolClaim(
      this.keys.pool(ref.pool, ref.rated), stream, this.keys.playing(a.entry.playerId), this.keys.playing(b.entry.playerId),
      a.entry.playerId, a.text, b.entry.playerId, b.text, maxLen, PENDING_MS, ...fields,
    );
    return res === 1;
  }

  /** The players `playerId` blocked or is blocked by (at most 500). */
  async blocks(playerId: string): Promise<string[]> {
    return (await this.redis.smembers(this.keys.blocks(playerId))).slice(0, 500);
  }

  /** Gateways alive now (a heartbeat within 20 s): entries of sockets on other gateways are ghosts. */
  async liveGateways(now = Date.now()): Promise<Set<string>> {
    return new Set(await this.redis.zrangebyscore(this.keys.gateways, now - 20_000, '+inf'));
  }

  /** The room of the game the player is in now, if any ('pending' while one is set up; a Cluster's stale mark dropped). */
  async playing(playerId: string): Promise<string | null> {
    return this.marks.of(playerId);
  }

  /** A player's rating for one speed, from the finalizer's copy (1500 when there is none yet). */
  async rating(playerId: string, speed: Speed): Promise<number> {
    return decodeRatingCopy(await this.redis.hget(this.keys.ratings(playerId), speed))?.rating ?? 1500;
  }
}
