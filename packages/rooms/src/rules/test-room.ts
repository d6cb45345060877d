// A room driven through decide() as the engine drives it, keeping the state as the store would:
// for the rules' tests (decide.test.ts, takeback.test.ts). Not a test itself.
import type { GameRecord, Origin, RoomEvent } from '@gambit/protocol';
import { decide, type Command, type Decision } from './decide.js';
import { replay } from './chess.js';
import type { RoomState } from './state.js';

export const W: Origin = { gw: 'gw1', conn: 'c1', playerId: 'pw', name: 'White' };
export const B: Origin = { gw: 'gw2', conn: 'c2', playerId: 'pb', name: 'Black' };
export const X: Origin = { gw: 'gw1', conn: 'c3', playerId: 'px', name: 'Stranger' };

/** A room driven through decide(), keeping state like the store would. */
export class Room {
  state: RoomState | null = null;
  now = 1_000_000;
  events: RoomEvent[] = [];
  finalized = 0;
  record?: GameRecord;
  private n = 0;
  constructor(readonly tc = { initialMs: 60_000, incrementMs: 0 }, readonly graceMs = 12_000) {}

  run(cmd: Command, cmdId = `cmd-${++this.n}`): Decision {
    const d = decide(this.state, cmd, {
      now: this.now, cmdId, graceMs: this.graceMs, newGameId: () => 'game-1', coin: () => true,
      game: () => replay(this.state?.moves ?? []),
    }, 'ABCDEFGH');
    this.apply(d);
    return d;
  }
  apply(d: Decision): void {
    if (d.kind !== 'commit') return;
    if (d.state !== undefined) this.state = d.state;
    this.events.push(...d.events);
    if (d.finalize) {
      this.finalized += 1;
      this.record = d.finalize;
    }
  }
  move(o: Origin, uci: string, ply = this.state!.moves.length) {
    return this.run({ t: 'move', origin: o, room: 'ABCDEFGH', uci, ply });
  }
  play(...ucis: string[]) {
    for (const u of ucis) {
      const d = this.move(this.state!.moves.length % 2 === 0 ? W : B, u);
      if (d.kind !== 'commit') throw new Error(`${u}: ${JSON.stringify(d)}`);
    }
  }
  started(): this {
    this.run({ t: 'create', origin: W, tc: this.tc, color: 'white' });
    this.run({ t: 'join', origin: B, room: 'ABCDEFGH' });
    return this;
  }
  last(): RoomEvent | undefined { return this.events[this.events.length - 1]; }
}

