// An in-process queue per player for rated games: this finalizer stores the rated games of one
// player one after another instead of letting them race (a lost race costs a cancelled transaction
// and a re-read; a bot with many games at once would lose many). Finalizers in other processes
// still race: the conditional rating write keeps that correct (store.ts).
export class PlayerQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier task of any of these players is done. */
  async run<T>(players: string[], fn: () => Promise<T>): Promise<T> {
    const keys = [...new Set(players)];
    // Waiting only on tasks queued earlier (set synchronously below) cannot deadlock.
    const earlier = keys.map((k) => this.tails.get(k));
    let release!: () => void;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    for (const k of keys) this.tails.set(k, mine);
    await Promise.all(earlier);
    try {
      return await fn();
    } finally {
      release();
      for (const k of keys) if (this.tails.get(k) === mine) this.tails.delete(k);
    }
  }
}
