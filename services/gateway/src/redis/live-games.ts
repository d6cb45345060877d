// The live-games list (`GET /api/live`): the games in play, highest rated first, each with its crowd.
// The engine's commit keeps the games in play and a summary of each (wire/live.ts); ratings come
// from the finalizer's copies (a player without one shows none and ranks as 1500). Only the newest
// SCAN_GAMES games in play are ranked, and the answer is kept a second: one read per second per pod
// whatever the number of visitors.
import type { Redis } from 'ioredis';
import type { Keys } from '@gambit/common';
import { decodeLiveGame, decodeRatingCopy, speedOf, sumCrowd, type LiveGame, type LiveGameView } from '@gambit/protocol';

const SCAN_GAMES = 500;
const CACHE_MS = 1000;

export class LiveGames {
  private cached: { at: number; games: Promise<LiveGameView[]> } | null = null;

  constructor(private readonly redis: Redis, private readonly keys: Keys, private readonly limit = 50) {}

  list(now = Date.now()): Promise<LiveGameView[]> {
    if (!this.cached || now - this.cached.at >= CACHE_MS) {
      const games = this.read(now);
      this.cached = { at: now, games };
      games.catch(() => { this.cached = null; });
    }
    return this.cached.games;
  }

  private async read(now: number): Promise<LiveGameView[]> {
    const rooms = await this.redis.zrevrange(this.keys.liveGames, 0, SCAN_GAMES - 1);
    if (rooms.length === 0) return [];
    const games = (await this.redis.hmget(this.keys.liveSummaries, ...rooms)).map(decodeLiveGame).filter((g): g is LiveGame => g !== null);
    const read = this.redis.pipeline();
    for (const g of games) {
      const speed = speedOf(g.tc);
      read.hget(this.keys.ratings(g.white.playerId), speed).hget(this.keys.ratings(g.black.playerId), speed).hvals(this.keys.crowd(g.room));
    }
    const r = (await read.exec()) ?? [];
    const views = games.map((g, i): LiveGameView => {
      const rating = (j: number) => {
        const copy = decodeRatingCopy(r[3 * i + j]?.[1] as string | null);
        return copy ? Math.round(copy.rating) : null;
      };
      const watchers = sumCrowd((r[3 * i + 2]?.[1] as string[] | undefined) ?? [], now).count;
      return { room: g.room, white: { ...g.white, rating: rating(0) }, black: { ...g.black, rating: rating(1) }, tc: g.tc, rated: g.rated, startedAt: g.startedAt, watchers };
    });
    const strength = (v: LiveGameView) => ((v.white.rating ?? 1500) + (v.black.rating ?? 1500)) / 2;
    return views.sort((a, b) => strength(b) - strength(a) || b.startedAt - a.startedAt).slice(0, this.limit);
  }
}
