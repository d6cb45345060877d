// Rooms past a deadline: the controller runs the engine's own transitions (tick: flag fall or
// abandonment; expire: deletion) through the engine's versioned commit script. When an engine
// handles the same room at the same moment, one commit wins and the other sees a newer version,
// decides again from the ended (or deleted) room and does nothing: a game reaches the finalize
// stream once, whoever ends it, and running this twice is harmless.
import type { Keys, Logger } from '@gambit/common';
import type { Engine } from '@gambit/game-engine/dist/engine.js';
import type { RoomStore } from '@gambit/game-engine/dist/store/room-store.js';
import { planReap } from '../logic/reap.js';

export class RoomReaper {
  constructor(
    private readonly store: RoomStore,
    private readonly engine: Engine,
    private readonly keys: Keys,
    private readonly batch: number,
    private readonly log: Logger,
  ) {}

  /** One scan of the deadline sets. Rooms that fail are logged and retried next round; the round then fails. */
  async runOnce(now = Date.now()): Promise<{ ticked: number; expired: number }> {
    const [flags, graces, expiries] = await Promise.all([
      this.store.due(this.keys.flagDeadlines, now, this.batch),
      this.store.due(this.keys.reconnectDeadlines, now, this.batch),
      this.store.due(this.keys.roomExpiries, now, this.batch),
    ]);
    const plan = planReap({ flags, graces, expiries });
    let failures = 0;
    const guard = (room: string, what: string) => (err: unknown) => {
      failures++;
      this.log.error({ err: String(err), room }, `${what} failed`);
    };
    await Promise.all(plan.tick.map((r) => this.engine.tick(r).catch(guard(r, 'deadline'))));
    await Promise.all(plan.expire.map((r) => this.engine.expire(r).catch(guard(r, 'expiry'))));
    if (failures) throw new Error(`${failures} of ${plan.tick.length + plan.expire.length} rooms failed`);
    return { ticked: plan.tick.length, expired: plan.expire.length };
  }
}
