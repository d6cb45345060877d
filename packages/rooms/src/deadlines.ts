// Deadlines live in Redis sorted sets (flag falls, reconnect graces, room expiry), so a game ends
// on time even when nobody sends anything and whichever engine is alive. Every engine scans
// them; the versioned commit makes a deadline handled twice harmless.
import type { Keys, Logger } from '@gambit/common';
import type { Engine } from './engine.js';
import type { RoomStore } from './store/room-store.js';

export class DeadlineScanner {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly store: RoomStore,
    private readonly engine: Engine,
    private readonly keys: Keys,
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.scan(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async scan(now = Date.now()): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const [flags, graces, expiries] = await Promise.all([
        this.store.due(this.keys.flagDeadlines, now, 100),
        this.store.due(this.keys.reconnectDeadlines, now, 100),
        this.store.due(this.keys.roomExpiries, now, 100),
      ]);
      const rooms = new Set([...flags, ...graces]);
      await Promise.all([...rooms].map((r) => this.engine.tick(r).catch((err) => this.log.error({ err, room: r }, 'deadline failed'))));
      await Promise.all(expiries.map((r) => this.engine.expire(r).catch((err) => this.log.error({ err, room: r }, 'expiry failed'))));
    } catch (err) {
      this.log.warn({ err: String(err) }, 'deadline scan failed');
    } finally {
      this.busy = false;
    }
  }
}
