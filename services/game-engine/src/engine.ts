// Runs commands against rooms: load, decide (pure rules), commit (atomic, versioned); on a
// version conflict with another engine, decide again from the fresh state.
import { randomUUID, randomInt } from 'node:crypto';
import type { Logger } from '@gambit/common';
import { newRoomCode, type EngineCommand } from '@gambit/protocol';
import { decide, expire, error, type Decision } from './rules/decide.js';
import { replay, type Chess } from './rules/chess.js';
import type { RoomState } from './rules/state.js';
import type { Loaded, RoomStore } from './store/room-store.js';
import type { EngineMetrics } from './metrics.js';

export interface EngineSettings { graceMs: number; maxAttempts?: number }

export class Engine {
  /** Live positions by room, so a move does not replay the whole game (chess.js ~0.1 ms a ply). */
  private readonly positions = new Map<string, Chess>();

  constructor(
    private readonly store: RoomStore,
    private readonly settings: EngineSettings,
    private readonly log: Logger,
    private readonly metrics?: EngineMetrics,
  ) {}

  /** Handles one command from the command stream; `cmdId` is its stream entry id. */
  async handle(cmd: EngineCommand, cmdId: string): Promise<void> {
    if (cmd.t === 'create') return this.create(cmd, cmdId);
    await this.run(cmd.room, cmdId, (loaded, chess) => decide(loaded.state, cmd, this.ctx(cmdId, chess), cmd.room));
  }

  /** A deadline (flag, grace) passed for `room`. */
  async tick(room: string): Promise<void> {
    await this.run(room, `tick-${Date.now()}`, (loaded, chess) => decide(loaded.state, { t: 'tick' }, this.ctx('tick', chess), room));
  }

  async expire(room: string): Promise<void> {
    await this.run(room, 'expire', (loaded) => (loaded.state ? expire(loaded.state) : { kind: 'reply', replies: [] }));
  }

  private async create(cmd: Extract<EngineCommand, { t: 'create' }>, cmdId: string): Promise<void> {
    // A fresh code until one is free; the once-key makes a redelivered create a no-op.
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newRoomCode();
      const d = decide(null, cmd, this.ctx(cmdId, () => replay([])), code);
      if (d.kind !== 'commit') return this.reply(d);
      const res = await this.store.commit(code, { version: 0, state: null }, d, `${cmdId}:create`);
      if (res !== 'conflict') {
        this.metrics?.rooms.inc({ event: 'created' });
        return;
      }
    }
    await this.reply(error(cmd.origin, 'internal', 'could not find a free room code'));
  }

  private async run(room: string, cmdId: string, decideFrom: (loaded: Loaded, chess: () => Chess) => Decision): Promise<void> {
    const attempts = this.settings.maxAttempts ?? 20;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const loaded = await this.store.load(room);
      let touched: Chess | undefined;
      const chess = () => (touched ??= this.position(room, loaded.state));
      let d: Decision;
      try {
        d = decideFrom(loaded, chess);
      } catch (err) {
        // A bug in the rules or a malformed command: answer `internal`, keep the room as it is.
        this.log.error({ err, room, cmdId }, 'rules failed');
        this.positions.delete(room);
        return;
      }
      if (d.kind === 'reply') return this.reply(d);
      const res = await this.store.commit(room, loaded, d);
      if (res === 'conflict') {
        this.metrics?.conflicts.inc();
        this.positions.delete(room);
        continue;
      }
      this.afterCommit(room, d, loaded.state);
      return;
    }
    throw new Error(`room ${room}: gave up after ${attempts} version conflicts`);
  }

  private afterCommit(room: string, d: Extract<Decision, { kind: 'commit' }>, before: RoomState | null): void {
    if (!d.state || d.state.status === 'ended') this.positions.delete(room);
    for (const ev of d.events) {
      if (ev.t === 'moved') this.metrics?.moves.inc({ kind: ev.kind });
      if (ev.t === 'ended') this.metrics?.games.inc({ reason: ev.reason });
      if (ev.t === 'started') this.metrics?.rooms.inc({ event: 'started' });
    }
    if (d.state === null && before) this.metrics?.rooms.inc({ event: 'gone' });
  }

  /** The cached position if it is at the stored ply, otherwise a replay of the stored moves. */
  private position(room: string, state: RoomState | null): Chess {
    const moves = state?.moves ?? [];
    const cached = this.positions.get(room);
    if (cached && cached.history().length === moves.length) return cached;
    const chess = replay(moves);
    this.positions.set(room, chess);
    return chess;
  }

  private ctx(cmdId: string, chess: () => Chess) {
    return { now: Date.now(), cmdId, graceMs: this.settings.graceMs, newGameId: randomUUID, coin: () => randomInt(2) === 1, chess };
  }

  private async reply(d: Extract<Decision, { kind: 'reply' }>): Promise<void> {
    for (const r of d.replies) {
      if (r.msg.t === 'error') this.metrics?.rejected.inc({ code: r.msg.code });
      await this.store.send(r.gw, { k: 'conn', conn: r.conn, msg: r.msg });
    }
  }
}
