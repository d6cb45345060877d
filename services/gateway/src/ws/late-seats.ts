// A `join` or `resume` the engine answers after its socket closed has still seated that socket:
// the engine could not know. The close sent `disconnect` only for the rooms the socket was in
// then, so the seat must get its own, or it would count as connected and never start its grace.
import type { EngineCommand } from '@gambit/protocol';
import type { RecentlyClosed } from './recently-closed.js';

export class LateSeats {
  constructor(private readonly closed: RecentlyClosed, private readonly forward: (cmd: EngineCommand) => Promise<void>) {}

  /** The engine put `conn`, which has no socket on this pod, in `room`. */
  seated(conn: string, room: string): void {
    const origin = this.closed.get(conn);
    if (origin) void this.forward({ t: 'disconnect', origin, room }).catch(() => undefined);
  }
}
