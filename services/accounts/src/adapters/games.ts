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

  /** Every finished game of the player, newest first: the index pages, then each whole record. */
  async all(playerId: string): Promise<unknown[]> {
    const out: unknown[] = [];
    let cursor: string | undefined;
    do {
      const url = new URL(`/api/players/${encodeURIComponent(playerId)}/games`, this.base);
      url.searchParams.set('limit', '100');
      if (cursor) url.searchParams.set('cursor', cursor);
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`finalizer answered ${res.status} for games`);
      const page = (await res.json()) as { games: { gameId: string }[]; next: string | null };
      for (const g of page.games) {
        const r = await fetch(new URL(`/api/games/${encodeURIComponent(g.gameId)}`, this.base), { signal: AbortSignal.timeout(10_000) });
        out.push(r.ok ? await r.json() : g);
      }
      cursor = page.next ?? undefined;
    } while (cursor);
    return out;
  }
}
