// A room's chat in Redis (layouts: @gambit/protocol wire/chat.ts). Saying a line is one script:
// the room must exist, the spectators' chat must be open for a spectator's line; the line gets the
// channel's next number, is kept (the last 100), and goes to every live gateway of the room in that
// same step, so every reader gets a channel's lines in number order. The script's keys are all in
// the room's shard (docs/redis-cluster.md): its gateway set, the shard's copy of the live gateways
// and the gateways' streams of that shard; `#!lua` holds each script to its first key's slot, so a
// key of another slot fails on a Cluster at once, not when that slot moves. Mutes and reports are
// here too.
import type { RedisClient } from '@gambit/common';
import { GATEWAY_STREAM_RETAIN_MS, type Keys } from '@gambit/common';
import { FAN_OUT, LIVE_BEAT_MS } from './fan-out.js';
import {
  WRITTEN_GATEWAY_FIELDS, chatDeliveryHalves, chatLineHalves, decodeStoredChatLine, encodeChatReport, encodeDelivery,
  type ChatChannel, type ChatLine, type ChatModeMsg, type StoredChatLine,
} from '@gambit/protocol';

/** Lines kept per channel (what a resuming socket can catch up on). */
export const CHAT_KEEP = 100;
/** Players one player may mute (their list is read at every hello). */
export const MAX_MUTES = 500;

/**
 * KEYS: 1 room hash (it keeps the chat's counters and mode: they live and go with the room), 2 the
 * channel's lines, 3 the room's gateways, 4 live gateways (the room's shard's copy). ARGV: 1
 * channel, 2-3 the line's halves, 4 its stored half, 5-6 the delivery's halves, 7 lines kept, 8
 * gateway stream prefix (of the room's shard), 9 how long a gateway stream keeps an entry (ms), 10
 * the delivery field name, 11 oldest live heartbeat. Returns the line's number, 0 (no such room) or -1 (the spectators' chat is closed).
 */
const SAY = `#!lua${FAN_OUT}
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
if ARGV[1] == 'spectators' and redis.call('HGET', KEYS[1], 'chat.closed') == '1' then return -1 end
local n = redis.call('HINCRBY', KEYS[1], 'chat.' .. ARGV[1], 1)
-- A room made anew under an old code (two friends' own room) starts its chat anew too.
if n == 1 then redis.call('DEL', KEYS[2]) end
redis.call('RPUSH', KEYS[2], ARGV[2] .. n .. ARGV[4])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[7]), -1)
redis.call('PEXPIRE', KEYS[2], ttl)
fanOut(KEYS[3], KEYS[4], ARGV[8], ARGV[9], ARGV[11], ARGV[10], ARGV[5] .. ARGV[2] .. n .. ARGV[3] .. ARGV[6])
return n`;

/**
 * KEYS: 1 room hash, 2 the room's gateways, 3 live gateways (the room's shard's copy). ARGV: 1 '1'
 * to close the spectators' chat, '' to open it, 2 the delivery, 3 gateway stream prefix (of the
 * room's shard), 4 how long a gateway stream keeps an entry (ms), 5 the delivery field name, 6
 * oldest live heartbeat. Returns 0 for no
 * such room. The audience is told in the same step, so two players switching at once leave every
 * page as the room ends up.
 */
const MODE = `#!lua${FAN_OUT}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' then redis.call('HSET', KEYS[1], 'chat.closed', '1') else redis.call('HDEL', KEYS[1], 'chat.closed') end
fanOut(KEYS[2], KEYS[3], ARGV[3], ARGV[4], ARGV[6], ARGV[5], ARGV[2])
return 1`;

type Scripts = { gambitChatSay(...a: (string | number)[]): Promise<number>; gambitChatMode(...a: (string | number)[]): Promise<number> };

export class ChatStore {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys) {
    redis.defineCommand('gambitChatSay', { numberOfKeys: 4, lua: SAY });
    redis.defineCommand('gambitChatMode', { numberOfKeys: 3, lua: MODE });
  }

  /** Says a line: its number, or why not. */
  async say(room: string, channel: ChatChannel, by: ChatLine['by'], text: string, cid?: string, now = Date.now()): Promise<number | 'room_not_found' | 'chat_closed'> {
    const k = this.keys;
    const shard = k.shardOf(room);
    const line = chatLineHalves(room, channel, by, text, now, cid);
    const delivery = chatDeliveryHalves(room, channel, by.playerId);
    const n = await (this.redis as unknown as Scripts).gambitChatSay(
      k.room(room), k.chatLines(room, channel), k.roomGateways(room), k.shardGateways(shard),
      channel, line.pre, line.post, line.storedPost, delivery.pre, delivery.post, CHAT_KEEP,
      k.gatewayEvents('', shard), GATEWAY_STREAM_RETAIN_MS, WRITTEN_GATEWAY_FIELDS.delivery, now - LIVE_BEAT_MS,
    );
    return n > 0 ? n : n === 0 ? 'room_not_found' : 'chat_closed';
  }

  /** The channel's kept lines after `after`, and whether spectators may chat. */
  async lines(room: string, channel: ChatChannel, after = 0): Promise<{ lines: StoredChatLine[]; spectators: boolean }> {
    const [texts, closed] = await Promise.all([this.redis.lrange(this.keys.chatLines(room, channel), 0, -1), this.redis.hget(this.keys.room(room), 'chat.closed')]);
    const lines = texts.map(decodeStoredChatLine).filter((l): l is StoredChatLine => l !== null && l.n > after);
    return { lines, spectators: closed !== '1' };
  }

  /**
   * Opens or closes the spectators' chat of a room that exists, and tells its audience on every
   * live gateway (but the socket `except`, which gets its answer). Returns false for no such room.
   */
  async mode(room: string, spectators: boolean, except: string): Promise<boolean> {
    const k = this.keys;
    const shard = k.shardOf(room);
    const msg: ChatModeMsg = { t: 'chat_mode', room, spectators };
    const [field, delivery] = encodeDelivery({ k: 'audience', room, msg, except });
    const ok = await (this.redis as unknown as Scripts).gambitChatMode(
      k.room(room), k.roomGateways(room), k.shardGateways(shard), spectators ? '' : '1', delivery!, k.gatewayEvents('', shard), GATEWAY_STREAM_RETAIN_MS, field!, String(Date.now() - LIVE_BEAT_MS),
    );
    return ok === 1;
  }

  /** Stores a report of line `n` with up to 10 lines before it; false when the line is no longer kept. */
  async report(reporter: string, room: string, channel: ChatChannel, n: number, reason: string, now = Date.now()): Promise<boolean> {
    const { lines } = await this.lines(room, channel);
    const at = lines.findIndex((l) => l.n === n);
    if (at < 0) return false;
    await this.redis.xadd(this.keys.chatReports, 'MAXLEN', '~', 100_000, '*',
      ...(encodeChatReport({ reporter, room, channel, n, reason, at: now, lines: lines.slice(Math.max(0, at - 10), at + 1) }) as [string]));
    return true;
  }

  /** The players `playerId` muted. */
  async mutes(playerId: string): Promise<string[]> {
    return this.redis.smembers(this.keys.mutes(playerId));
  }

  /** Mutes (or unmutes) `other` for `playerId`; kept a year from the last change. False: over MAX_MUTES. */
  async mute(playerId: string, other: string, on: boolean): Promise<boolean> {
    const key = this.keys.mutes(playerId);
    if (!on) return (await this.redis.srem(key, other), true);
    if ((await this.redis.scard(key)) >= MAX_MUTES) return false;
    await this.redis.multi().sadd(key, other).pexpire(key, 365 * 24 * 3_600_000).exec();
    return true;
  }
}
