// Whom the players on this pod muted in chat: read from Redis when a player's first socket here says
// hello, changed by their `mute` frames, forgotten when their last socket here closes. The hub asks
// it for every chat line, so it answers from memory. A mute made on another pod reaches this one
// when the player's sockets here next connect.
export interface MuteSource {
  mutes(playerId: string): Promise<string[]>;
}

export class Mutes {
  private readonly byPlayer = new Map<string, { sockets: number; muted: Set<string>; read: Promise<void> }>();

  constructor(private readonly source: MuteSource) {}

  /** A socket of `playerId` said hello here. */
  async acquire(playerId: string): Promise<void> {
    const known = this.byPlayer.get(playerId);
    if (known) {
      known.sockets += 1;
      return known.read; // a second socket waits for the first one's read too
    }
    const muted = new Set<string>();
    // Mutes made while this read is in flight are kept (set() below adds to the same Set).
    const read = this.source.mutes(playerId).then((list) => { for (const m of list) muted.add(m); });
    this.byPlayer.set(playerId, { sockets: 1, muted, read });
    await read;
  }

  /** A socket of `playerId` closed. */
  release(playerId: string): void {
    const known = this.byPlayer.get(playerId);
    if (known && --known.sockets <= 0) this.byPlayer.delete(playerId);
  }

  /** `playerId` muted (or unmuted) `other` from a socket here. */
  set(playerId: string, other: string, on: boolean): void {
    const known = this.byPlayer.get(playerId);
    if (!known) return;
    if (on) known.muted.add(other);
    else known.muted.delete(other);
  }

  has(playerId: string, other: string): boolean {
    return this.byPlayer.get(playerId)?.muted.has(other) ?? false;
  }

  /** Players with sockets here (for the tests and metrics). */
  get size(): number {
    return this.byPlayer.size;
  }
}
