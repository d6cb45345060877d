// Sockets that closed in the last minute, by connection id, with who they were. A `join` or
// `resume` the engine answers after its socket closed still seated that socket; this lets the
// gateway send the `disconnect` the seat needs (late-seats.ts).
import type { Origin } from '@gambit/protocol';

export class RecentlyClosed {
  private readonly map = new Map<string, { origin: Origin; at: number }>();
  constructor(private readonly keepMs = 60_000, private readonly max = 50_000) {}

  add(conn: string, origin: Origin, now = Date.now()): void {
    this.map.set(conn, { origin, at: now });
    // Oldest first in a Map: drop what is too old or too many.
    for (const [k, v] of this.map) {
      if (this.map.size <= this.max && now - v.at < this.keepMs) break;
      this.map.delete(k);
    }
  }

  get(conn: string): Origin | undefined {
    const hit = this.map.get(conn);
    return hit?.origin;
  }
}
