// Deadlines live in Redis sorted sets (flag falls, reconnect graces, room expiry), so a game ends
// on time even when nobody sends anything and whichever engine is alive. Every engine scans those
// of the shards it owns on a timer (start); the room-reaper controller runs the same scan from its leader loop as the
// backstop (runOnce). The versioned commit makes a deadline handled twice (two engines, or an
// engine and the controller) harmless: one commit wins, the other decides again and does nothing.
import type { Keys, Logger } from '@gambit/common';
import type { Engine } from './engine.js';
import type { RoomStore } from './store/room-store.js';
import { planDeadlines } from './rules/deadlines.js';

export interface DeadlineScanOptions {
  /** Rooms read from each deadline set per round (default 100); the rest wait for the next round. */
  batch?: number;
  /** The shards to scan, asked each round (default: all; an engine scans the shards it owns). */
  shards?: () => readonly number[];
}

/** One round: rooms ticked and rooms expired (attempted), and how many of those failed. */
export interface ScanResult {
  ticked: number;
  expired: number;
  failed: number;
}

export class DeadlineScanner {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private readonly batch: number;
  private readonly shards: () => readonly number[];

  constructor(
    private readonly store: RoomStore,
    private readonly engine: Engine,
    private readonly keys: Keys,
    private readonly log: Logger,
    options: DeadlineScanOptions = {},
  ) {
    this.batch = options.batch ?? 100;
    this.shards = options.shards ?? (() => keys.allShards);
  }

  /**
   * Scans every `everyMs` (the engines). A round still running when the next is due is not
   * overlapped; a round that cannot read the sets is logged and the next one tries again.
   */
  start(everyMs: number): void {
    clearInterval(this.timer);
    this.timer = setInterval(() => void this.round(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One scan of the deadline sets (planned by planDeadlines: each due room once, ticks before
   * expiries). A room that fails is logged and counted in `failed`, and stays in its set for the
   * next round; the other rooms are handled regardless. Throws only when the sets cannot be read.
   */
  async runOnce(now = Date.now()): Promise<ScanResult> {
    // Each shard's sets, each read up to the batch (a shard's backlog does not hold up the others').
    const shards = this.shards();
    const due = (set: (s: number) => string) => Promise.all(shards.map((s) => this.store.due(set(s), now, this.batch))).then((l) => l.flat());
    const [flags, graces, expiries] = await Promise.all([due(this.keys.flagDeadlines), due(this.keys.reconnectDeadlines), due(this.keys.roomExpiries)]);
    const plan = planDeadlines({ flags, graces, expiries });
    let failed = 0;
    const guard = (room: string, what: string) => (err: unknown) => {
      failed++;
      this.log.error({ err, room }, `${what} failed`);
    };
    await Promise.all(plan.tick.map((r) => this.engine.tick(r).catch(guard(r, 'deadline'))));
    await Promise.all(plan.expire.map((r) => this.engine.expire(r).catch(guard(r, 'expiry'))));
    return { ticked: plan.tick.length, expired: plan.expire.length, failed };
  }

  private async round(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.runOnce();
    } catch (err) {
      this.log.warn({ err: String(err) }, 'deadline scan failed');
    } finally {
      this.busy = false;
    }
  }
}
