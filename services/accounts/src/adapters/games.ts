// The finalizer's read API, for what the accounts service tells a player about their own games
// (the export). Stats and games stay the finalizer's; nothing here writes them.
export class GameRecords {
  constructor(private readonly base: string) {}

  /** The player's stats, or null before a first finished game. */
  async stats(playerId: string): Promise<unknown> {
    const res = await fetch(new URL(`/api/players/${encodeURIComponent(playerId)}`, this.base), { signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`finalizer answered ${res.status} for stats`);
    return res.json();
  }

  /**
   * Every finished game of the player, newest first: the index a page of 100 at a time, then the
   * page's whole records, 8 at once. A record that cannot be read fails the export (a partial
   * export would look complete); `signal` stops the work when the requester gave up.
   */
  async all(playerId: string, signal: AbortSignal): Promise<unknown[]> {
    const out: unknown[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const url = new URL(`/api/players/${encodeURIComponent(playerId)}/games`, this.base);
      url.searchParams.set('limit', '100');
      if (cursor) url.searchParams.set('cursor', cursor);
      const page = (await this.get(url, signal)) as { games: { gameId: string }[]; next: string | null };
      for (let i = 0; i < page.games.length; i += 8) {
        const batch = page.games.slice(i, i + 8).map((g) => this.get(new URL(`/api/games/${encodeURIComponent(g.gameId)}`, this.base), signal));
        out.push(...(await Promise.all(batch)));
      }
      cursor = page.next ?? undefined;
      if (cursor && seen.has(cursor)) throw new Error('the finalizer repeated a cursor');
      if (cursor) seen.add(cursor);
    } while (cursor);
    return out;
  }

  private async get(url: URL, signal: AbortSignal): Promise<unknown> {
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) });
    if (!res.ok) throw new Error(`finalizer answered ${res.status} for ${url.pathname}`);
    return res.json();
  }
}
