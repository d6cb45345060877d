// The live-games list (`GET /api/live`): the games in play, highest rated first, each with its crowd.
// The engine's commit keeps the games in play and a summary of each (wire/live.ts), per room shard;
// ratings come from the finalizer's copies (a player without one shows none and ranks as 1500).
// Only the newest SCAN_GAMES games in play (of all shards) are ranked, and the answer is kept a
// second: one read per second per pod whatever the number of visitors.
import type { RedisClient } from '@gambit/common';
import type { Keys } from '@gambit/common';
import { decodeLiveGame, decodeRatingCopy, speedOf, sumCrowd, type LiveGame, type LiveGameView } from '@gambit/protocol';

const SCAN_GAMES = 500;
const CACHE_MS = 1000;

export class LiveGames {
  private cached: { at: number; games: Promise<LiveGameView[]> } | null = null;

  constructor(private readonly redis: RedisClient, private readonly keys: Keys, private readonly limit = 50) {}

  list(now = Date.now()): Promise<LiveGameView[]> {
    if (!this.cached || now - this.cached.at >= CACHE_MS) {
      const games = this.read(now);
      this.cached = { at: now, games };
      games.catch(() => { this.cached = null; });
    }
    return this.cached.games;
  }

  private async read(now: number): Promise<LiveGameView[]> {
    const k = this.keys;
    // Each shard's newest SCAN_GAMES, merged by start: the newest SCAN_GAMES of all (with one
    // shard, its list as it is; the sort is stable, so ties keep Redis's order within a shard).
    const lists = await Promise.all(k.allShards.map(async (shard) => {
      const flat = await this.redis.zrevrange(k.liveGames(shard), 0, SCAN_GAMES - 1, 'WITHSCORES');
      const newest: { room: string; start: number; shard: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) newest.push({ room: flat[i]!, start: Number(flat[i + 1]), shard });
      return newest;
    }));
    const newest = lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => b.start - a.start).slice(0, SCAN_GAMES);
    if (newest.length === 0) return [];
    const texts = await Promise.all(k.allShards.map(async (shard) => {
      const rooms = newest.filter((g) => g.shard === shard).map((g) => g.room);
      const summaries = rooms.length ? await this.redis.hmget(k.liveSummaries(shard), ...rooms) : [];
      return new Map(rooms.map((room, i) => [room, summaries[i] ?? null]));
    }));
    const games = newest.map((g) => decodeLiveGame(texts[g.shard]!.get(g.room) ?? null)).filter((g): g is LiveGame => g !== null);
    // Ratings and crowds lie in several Cluster slots: one command each, sent together.
    const extras = await Promise.all(games.map((g) => {
      const speed = speedOf(g.tc);
      return Promise.all([this.redis.hget(k.ratings(g.white.playerId), speed), this.redis.hget(k.ratings(g.black.playerId), speed), this.redis.hvals(k.crowd(g.room))]);
    }));
    const views = games.map((g, i): LiveGameView => {
      const [white, black, crowd] = extras[i]!;
      const rating = (text: string | null) => {
        const copy = decodeRatingCopy(text);
        return copy ? Math.round(copy.rating) : null;
      };
      const watchers = sumCrowd(crowd ?? [], now).count;
      return { room: g.room, white: { ...g.white, rating: rating(white) }, black: { ...g.black, rating: rating(black) }, tc: g.tc, rated: g.rated, startedAt: g.startedAt, watchers };
    });
    const strength = (v: LiveGameView) => ((v.white.rating ?? 1500) + (v.black.rating ?? 1500)) / 2;
    return views.sort((a, b) => strength(b) - strength(a) || b.startedAt - a.startedAt).slice(0, this.limit);
  }
}
