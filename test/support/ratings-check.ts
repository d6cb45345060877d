// Stored ratings against the pure module (packages/ratings), for the finalizer's integration and
// chaos tests: per player and speed, the rated games are numbered 1..N with no gap or repeat
// (each counted exactly once), each game's "before" is the previous game's "after", the players
// item holds the last game's state, and each game's "after" is what rateGame gives from both
// players' states before it. Returns what is wrong, one line each (empty: all is well).
import { speedOf, type GameRecord, type Speed } from '@gambit/protocol';
import { newPlayer, rateGame, type PlayerRating } from '@gambit/ratings';
import { countsForRating, ratingField, type SideRating } from '../../services/finalizer/src/rules/ratings.js';

type Stored = GameRecord & { ratings?: Record<'white' | 'black', SideRating> };
interface Seat { game: Stored; side: SideRating }

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

export function ratingProblems(games: Record<string, unknown>[], players: Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  const chains = new Map<string, Seat[]>(); // `${playerId} ${speed}` -> the player's rated games
  const chain = (playerId: string, speed: Speed) => chains.get(`${playerId} ${speed}`) ?? chains.set(`${playerId} ${speed}`, []).get(`${playerId} ${speed}`)!;
  for (const game of games as unknown as Stored[]) {
    if (countsForRating(game) !== Boolean(game.ratings)) problems.push(`${game.gameId}: rated ${game.rated}, ratings ${Boolean(game.ratings)}`);
    if (!game.ratings) continue;
    for (const color of ['white', 'black'] as const) chain(game[color].playerId, speedOf(game.tc)).push({ game, side: game.ratings[color] });
  }
  /** The player's state before their n-th rated game (1-based), from the chain. */
  const before = (list: Seat[], n: number): PlayerRating => {
    const prev = list[n - 2];
    return prev ? { rating: prev.side.after, rd: prev.side.rd, vol: prev.side.vol, ratedAt: prev.game.endedAt } : newPlayer();
  };
  const stateOf = new Map<string, PlayerRating>(); // `${gameId} ${color}` -> state before the game
  for (const [key, list] of chains) {
    list.sort((a, b) => a.side.games - b.side.games);
    list.forEach((seat, i) => {
      if (seat.side.games !== i + 1) problems.push(`${key}: game ${seat.game.gameId} is rated game ${seat.side.games}, expected ${i + 1}`);
      const b = before(list, i + 1);
      if (!close(seat.side.before, b.rating)) problems.push(`${key}: ${seat.game.gameId} starts from ${seat.side.before}, the previous game left ${b.rating}`);
      const color = seat.game.white.playerId === key.split(' ')[0] ? 'white' : 'black';
      stateOf.set(`${seat.game.gameId} ${color}`, b);
    });
  }
  for (const game of (games as unknown as Stored[]).filter((g) => g.ratings)) {
    const w = stateOf.get(`${game.gameId} white`)!, b = stateOf.get(`${game.gameId} black`)!;
    const replay = rateGame(w, b, game.result === '1-0' ? 1 : game.result === '0-1' ? 0 : 0.5, game.endedAt);
    for (const color of ['white', 'black'] as const) {
      const got = game.ratings![color], want = replay[color];
      if (!close(got.after, want.rating) || !close(got.rd, want.rd) || !close(got.vol, want.vol)) {
        problems.push(`${game.gameId} ${color}: stored ${got.after}/${got.rd}/${got.vol}, replay ${want.rating}/${want.rd}/${want.vol}`);
      }
    }
  }
  const known = new Set(players.map((p) => String(p.playerId)));
  for (const key of chains.keys()) if (!known.has(key.split(' ')[0]!)) problems.push(`${key}: rated games stored, no players item`);
  for (const p of players) {
    for (const speed of ['bullet', 'blitz', 'rapid', 'classical'] as const) {
      const list = chains.get(`${String(p.playerId)} ${speed}`) ?? [];
      const count = Number(p[ratingField(speed, 'RatedGames')] ?? 0);
      if (count !== list.length) problems.push(`${String(p.playerId)} ${speed}: counts ${count} rated games, ${list.length} stored`);
      const last = list.at(-1);
      if (last && !close(Number(p[ratingField(speed, 'Rating')]), last.side.after)) problems.push(`${String(p.playerId)} ${speed}: rating is not its last game's`);
    }
  }
  return problems;
}

/** Players whose rated-game count exceeds their stored rated games: a game rated twice. Never allowed. */
export function overCounted(games: Record<string, unknown>[], players: Record<string, unknown>[]): string[] {
  const stored = new Map<string, number>();
  for (const g of games as unknown as Stored[]) {
    if (!g.ratings) continue;
    for (const p of [g.white.playerId, g.black.playerId]) stored.set(`${p} ${speedOf(g.tc)}`, (stored.get(`${p} ${speedOf(g.tc)}`) ?? 0) + 1);
  }
  return players.flatMap((p) => (['bullet', 'blitz', 'rapid', 'classical'] as const).flatMap((speed) => {
    const count = Number(p[ratingField(speed, 'RatedGames')] ?? 0);
    const n = stored.get(`${String(p.playerId)} ${speed}`) ?? 0;
    return count > n ? [`${String(p.playerId)} ${speed}: counts ${count} rated games, ${n} stored`] : [];
  }));
}
