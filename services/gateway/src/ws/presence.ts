// Friends' presence on this pod: sockets that follow it (`friends`) get which of their friends are
// online, and the room each one plays in, at once and again whenever it changes. Polled (every
// PRESENCE_POLL_MS, 2 s by default; three rounds of reads for all the followers here: friends,
// their sockets and games, those sockets' gateways), so nothing has to be told when a friend
// connects on another pod, and a pod that dies takes no notification with it. Only sockets with
// the friends page open pay for it.
import { PlayingMarks, type Keys, type Logger, type RedisClient } from '@gambit/common';
import type { FriendsMsg } from '@gambit/protocol';

export interface PresenceFollower {
  send(msg: FriendsMsg): void;
}

export class Presence {
  /** Each following socket, the player behind it, and the last list it was sent. */
  private readonly followers = new Map<PresenceFollower, { playerId: string; last: string }>();
  private timer?: NodeJS.Timeout;
  private polling = false;

  /** Which room a friend plays in (on a Cluster, a stale mark is dropped rather than shown). */
  private readonly marks: PlayingMarks;

  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly log: Logger, private readonly everyMs = 2_000) {
    this.marks = new PlayingMarks(redis, keys);
  }

  /** `f` follows `playerId`'s friends from now on; it gets the list at once (answering `id`). */
  async follow(f: PresenceFollower, playerId: string, id?: string): Promise<void> {
    const online = (await this.read([playerId])).get(playerId) ?? [];
    this.followers.set(f, { playerId, last: JSON.stringify(online) });
    f.send(id === undefined ? { t: 'friends', online } : { t: 'friends', id, online });
  }

  unfollow(f: PresenceFollower): void {
    this.followers.delete(f);
  }

  start(): void {
    this.timer = setInterval(() => void this.poll(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.followers.size === 0) return;
    this.polling = true;
    try {
      const lists = await this.read([...new Set([...this.followers.values()].map((v) => v.playerId))]);
      for (const [f, v] of this.followers) {
        // A socket that began following during this read is not in it: its answer came from a
        // read of its own (an empty list here would flash "no friends online" at it).
        const online = lists.get(v.playerId);
        if (!online) continue;
        const text = JSON.stringify(online);
        if (text === v.last) continue;
        v.last = text;
        f.send({ t: 'friends', online });
      }
    } catch (err) {
      this.log.warn({ err: String(err) }, 'friends presence poll failed');
    } finally {
      this.polling = false;
    }
  }

  /**
   * Each player's online friends (sorted by id), in three round trips for all of them: online as a
   * challenge sees it (a socket on a live gateway, redis/players.ts), friends both ways. The keys
   * lie in several Redis Cluster slots: one command each, sent together (no pipeline).
   */
  private async read(players: string[]): Promise<Map<string, FriendsMsg['online']>> {
    const k = this.keys;
    const friends = await Promise.all(players.map((p) => this.redis.smembers(k.friends(p))));
    const lists = friends.map((list) => (list ?? []).sort());
    const everyone = [...new Set(lists.flat())];
    if (everyone.length === 0) return new Map(players.map((p) => [p, []]));
    const pairs = players.flatMap((p, i) => lists[i]!.map((f) => [p, f] as const));
    const [conns, playing, backs] = await Promise.all([
      Promise.all(everyone.map((f) => this.redis.smembers(k.playerConns(f)))),
      Promise.all(everyone.map((f) => this.marks.of(f))),
      Promise.all(pairs.map(([p, f]) => this.redis.sismember(k.friends(f), p))),
    ]);
    const back = new Set(pairs.filter((_, j) => backs[j] === 1).map(([p, f]) => `${p} ${f}`));
    const [gws, alive] = await Promise.all([
      Promise.all(conns.flat().map((c) => this.redis.hget(k.conn(c), 'gw'))),
      this.redis.zrangebyscore(k.gateways, Date.now() - 20_000, '+inf'),
    ]);
    const live = new Set(alive);
    let at = 0;
    const state = new Map<string, FriendsMsg['online'][number] | null>();
    everyone.forEach((f, i) => {
      const online = conns[i]!.some((_, j) => live.has(gws[at + j] ?? ''));
      at += conns[i]!.length;
      const room = playing[i];
      state.set(f, online ? { playerId: f, ...(room && room !== 'pending' ? { playing: room } : {}) } : null);
    });
    return new Map(players.map((p, i) => [p, lists[i]!.filter((f) => back.has(`${p} ${f}`)).map((f) => state.get(f))
      .filter((x): x is FriendsMsg['online'][number] => Boolean(x))]));
  }
}
