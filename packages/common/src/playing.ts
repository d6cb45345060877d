// A player's `playing` mark, which keeps them to one game at a time: the room of the game they play,
// or `pending` while a pairing seats them. On a single Redis the engine's commit writes and removes
// the marks with the game itself, so a mark is the truth. On a Redis Cluster the marks live in the
// matchmaking slot (`{mm}`, beside the pools, seeks and challenges that check them), never a room's,
// so the engine writes them after the commit that starts a game and removes them after the one that
// ends it (docs/redis-cluster.md, case a). An engine stopped between the two leaves a mark whose
// room has no game in play; the room is the truth, so readers ask here, which drops such a mark.
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/** KEYS: the players' marks. ARGV: 1 the room. Deletes each mark that still names that room. */
const RELEASE = `#!lua
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1`;

export const PENDING = 'pending';

export class PlayingMarks {
  constructor(private readonly redis: RedisClient, private readonly keys: Keys) {}

  /** The room `playerId` plays in (`pending` while a pairing seats them), or null. */
  async of(playerId: string): Promise<string | null> {
    const mark = await this.redis.get(this.keys.playing(playerId));
    if (!mark || mark === PENDING || !this.keys.cluster) return mark;
    // A game enters the live set before its marks are written and leaves it before they are removed.
    if (await this.inPlay(mark)) return mark;
    await this.release(mark, [playerId]);
    return null;
  }

  /** Whether `room` holds a game in play: in its shard's live set from the commit that started it to the one that ended it. */
  async inPlay(room: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.liveGames(this.keys.shardOf(room)), room)) !== null;
  }

  /** Whether one of `players` is playing or being seated elsewhere than `room` (Cluster: before a rematch's commit). */
  async busyElsewhere(room: string, players: string[]): Promise<boolean> {
    for (const p of players) {
      const mark = await this.of(p);
      if (mark !== null && mark !== room) return true;
    }
    return false;
  }

  /** Names `room` in the players' marks (Cluster: after the commit that started its game). */
  async start(room: string, players: string[], ttlMs: number): Promise<void> {
    // Every mark is in the `{mm}` slot: one transaction.
    const m = this.redis.multi();
    for (const p of players) m.set(this.keys.playing(p), room, 'PX', ttlMs);
    await m.exec();
  }

  /** Removes the marks that still name `room` (a player may be in another game already). */
  async release(room: string, players: string[]): Promise<void> {
    if (players.length) await this.redis.eval(RELEASE, players.length, ...players.map((p) => this.keys.playing(p)), room);
  }
}
