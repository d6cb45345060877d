// Runs commands against rooms: load, decide (pure rules), commit (atomic, versioned); on a
// version conflict with another engine, decide again from the fresh state.
import { randomUUID, randomInt } from 'node:crypto';
import type { Keys, Logger } from '@gambit/common';
import { newRoomCode, type EngineCommand, type Origin } from '@gambit/protocol';
import { decide, expire, error, type Ctx, type Decision } from './rules/decide.js';
import { replay, type Game } from './rules/chess.js';
import type { RoomState } from './rules/state.js';
import { seatsBoth } from './rules/pair.js';
import type { Ack, Loaded, RoomStore } from './store/room-store.js';
import type { EngineMetrics } from './metrics.js';
import { PositionCache } from './positions.js';

export interface EngineSettings {
  /**
   * RECONNECT_GRACE_MS: how long a disconnected seat is kept. Only a `disconnect` starts a grace,
   * so only an Engine that handles commands needs it; one that only runs deadlines (tick, expire:
   * the room-reaper controller) leaves it out rather than carry a number it never reads.
   */
  graceMs?: number;
  maxAttempts?: number;
}

type Reply = Extract<Decision, { kind: 'reply' }>;
const NOTHING: Reply = { kind: 'reply', replies: [] };
/** A pair room's code holds another room (pairRoom): `run` knows it by identity, so it is never copied. */
const TAKEN: Reply = Object.freeze({ kind: 'reply', replies: [] });

export class Engine {
  private readonly positions = new PositionCache();
  private readonly live = new Map<string, Loaded>();

  constructor(
    private readonly store: RoomStore,
    private readonly settings: EngineSettings,
    private readonly log: Logger,
    private readonly metrics?: EngineMetrics,
  ) {}

  /**
   * Handles one command from the command stream; `cmdId` is its stream entry id. With `ack`
   * (where the entry lives), a commit acknowledges the entry itself; returns whether it did.
   */
  async handle(cmd: EngineCommand, entryId: string, ack?: Omit<Ack, 'id'>): Promise<boolean> {
    if (cmd.t === 'disconnect' && this.settings.graceMs === undefined) throw new Error('this Engine has no graceMs: it cannot handle disconnect');
    const entry = ack && { ...ack, id: entryId };
    // Entry ids are unique within one stream: a pair from a Cluster's matchmaking outbox is known by
    // `mm:<id>` (its once-key, the room's applied list), apart from the shards' command entries.
    const outbox = ack !== undefined && !this.store.acksInCommit(ack.stream);
    const cmdId = outbox ? `mm:${entryId}` : entryId;
    const outcome = cmd.t === 'pair' && cmd.room !== undefined
      ? await this.pairRoom(cmd, cmd.room, cmdId, entry, outbox)
      : cmd.t === 'create' || cmd.t === 'pair'
      ? await this.create(cmd, cmdId, entry)
      : await this.run(cmd.room, cmd.origin, (loaded, game) => decide(loaded.state, cmd, this.ctx(cmdId, game, loaded.state, cmd.origin), cmd.room), entry);
    this.log.debug({ cid: cmd.origin.cid, entry: entryId, t: cmd.t, room: cmd.t === 'create' ? undefined : cmd.room, outcome }, 'command handled');
    // Only a commit carried the acknowledgement; answers, duplicates and the outbox's entries leave it to the transport.
    return entry !== undefined && !outbox && (outcome === 'committed' || outcome.startsWith('created '));
  }

  /** A deadline (flag, grace) passed for `room`. */
  async tick(room: string): Promise<void> {
    await this.run(room, null, (loaded, game) => decide(loaded.state, { t: 'tick' }, this.ctx(`tick-${Date.now()}`, game, loaded.state), room));
  }

  async expire(room: string): Promise<void> {
    await this.run(room, null, (loaded) => (loaded.state ? expire(loaded.state) : NOTHING));
  }

  /** A new room: `create` (one seat) or `pair` (both seats, from the matchmaker). */
  private async create(cmd: Extract<EngineCommand, { t: 'create' | 'pair' }>, cmdId: string, ack?: Ack): Promise<string> {
    // A fresh code until one is free; the once-key makes a redelivered create a no-op. The code is
    // drawn in the shard of the stream the command came on, so the commit's once-key and XACK
    // stay in the room's slot (N draws on average for N shards: microseconds). A pair from the
    // outbox: in the shard its id names, so a redelivery meets its once-key there.
    const shard = ack && (this.store.shardOfStream(ack.stream) ?? (this.store.acksInCommit(ack.stream) ? undefined : this.store.keys.shardOf(cmdId)));
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = newRoomCodeIn(shard, this.store.keys);
      const d = decide(null, cmd, this.ctx(cmdId, () => replay([]), null, cmd.origin), code);
      if (d.kind !== 'commit') return this.reply(d);
      const res = await this.store.commit(code, { version: 0, state: null }, d, cmdId, ack);
      if (res === 'duplicate') return 'duplicate';
      if (res === 'ok') {
        this.metrics?.rooms.inc({ event: 'created' });
        return `created ${code}`;
      }
    }
    return this.reply(error(cmd.origin, 'internal', 'could not find a free room code'));
  }

  /**
   * An accepted challenge: the game is played in the two friends' own room. Should that code hold
   * someone else's room (a random code that happened to be the same: about one in 10^12 per room),
   * the game gets a fresh room instead.
   */
  private async pairRoom(cmd: Extract<EngineCommand, { t: 'pair' }>, room: string, cmdId: string, ack?: Ack, outbox = false): Promise<string> {
    const taken = (s: RoomState | null) => s !== null && !s.applied.includes(cmdId) && !seatsBoth(s, cmd);
    // From the outbox (its entry acknowledged after the commit, not in it), a once-key in the
    // room's shard makes a late redelivery a no-op, even once the room's applied list forgot it.
    const outcome = await this.run(room, cmd.origin, (loaded, game) => (taken(loaded.state)
      ? TAKEN : decide(loaded.state, cmd, this.ctx(cmdId, game, loaded.state, cmd.origin), room)), ack, outbox ? cmdId : undefined);
    if (outcome !== 'taken') return outcome;
    const { room: _, ...elsewhere } = cmd;
    return this.create(elsewhere, cmdId, ack);
  }

  /** `origin` is who to tell when the rules fail; null for deadlines. */
  /** Returns what happened, for the logs: committed, rejected with a code, or nothing to do. */
  private async run(room: string, origin: Origin | null, decideFrom: (loaded: Loaded, game: () => Game) => Decision, ack?: Ack, onceId?: string): Promise<string> {
    const attempts = this.settings.maxAttempts ?? 20;
    for (let attempt = 0; attempt < attempts; attempt++) {
      // The room as this engine last committed it, if it did: commit.lua checks the version, so a
      // room changed by another engine meanwhile comes back as a conflict and is read again.
      const live = attempt === 0 ? this.live.get(room) : undefined;
      if (!live) this.metrics?.roomReads.inc();
      const loaded = live ?? await this.store.load(room);
      if (!loaded.state || loaded.state.status === 'ended') this.positions.delete(room);
      let touched: Game | undefined;
      const game = () => (touched ??= this.positions.get(room, loaded.state));
      let d: Decision;
      try {
        d = decideFrom(loaded, game);
      } catch (err) {
        // A bug in the rules or a broken stored room: answer `internal`, change nothing, and
        // take a broken room off the deadline sets so it cannot block the scan.
        this.log.error({ err, room }, 'rules failed');
        this.positions.delete(room);
        if (origin) await this.reply(error(origin, 'internal', 'the server failed on this command; nothing changed'), room);
        else await this.store.forget(room);
        return 'failed';
      }
      if (d.kind === 'reply' && live) {
        // Only a commit checks the version: an answer (an error, a duplicate) decided from the
        // remembered state could be stale, so it is decided again from Redis. The cached game is
        // kept: the next read checks it against the stored moves and catches it up (dropping it
        // here made every move of a room another engine had touched a whole replay).
        this.live.delete(room);
        continue;
      }
      if (d === TAKEN) return 'taken';
      if (d.kind === 'reply') {
        // A deadline for a room that no longer exists (TTL backstop, manual cleanup): drop it.
        if (!loaded.state && !origin) await this.store.forget(room);
        return this.reply(d, room);
      }
      let res: Awaited<ReturnType<RoomStore['commit']>>;
      try {
        res = await this.store.commit(room, loaded, d, onceId, ack);
      } catch (err) {
        this.live.delete(room);
        if (touched) this.positions.delete(room); // the cached board may hold an uncommitted move
        throw err;
      }
      if (res === 'busy') {
        this.live.delete(room);
        if (touched) this.positions.delete(room);
        return this.reply(error(d.alone!, 'in_game', 'one of you is playing another game: the next game here waits until it ends'), room);
      }
      if (res === 'duplicate') {
        this.live.delete(room);
        if (touched) this.positions.delete(room);
        return 'duplicate';
      }
      if (res === 'conflict') {
        // The cached game may hold this uncommitted move: the next read finds its moves are not a
        // prefix of the stored ones (unless the same move was committed) and replays.
        this.metrics?.conflicts.inc();
        this.live.delete(room);
        continue;
      }
      this.remember(room, loaded, d);
      this.afterCommit(room, d, loaded.state);
      return 'committed';
    }
    throw new Error(`room ${room}: gave up after ${attempts} version conflicts`);
  }

  /** Keeps the committed state of a live game (bounded, least recently used goes first). */
  private remember(room: string, loaded: Loaded, d: Extract<Decision, { kind: 'commit' }>): void {
    this.live.delete(room);
    if (d.state === undefined) {
      if (loaded.state && loaded.state.status === 'active') this.live.set(room, loaded);
    } else if (d.state && d.state.status === 'active') {
      this.live.set(room, { version: loaded.version + 1, state: d.state });
    }
    if (this.live.size > 20_000) this.live.delete(this.live.keys().next().value!);
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

  /**
   * `receivedAt`: when the gateway received the frame, so time spent queued (or waiting for a dead
   * engine's command to be claimed) is not charged to the mover; never earlier than the room's
   * clock was last set, never later than now.
   */
  private ctx(cmdId: string, game: () => Game, state: RoomState | null, origin?: Origin): Ctx {
    const now = Date.now();
    const ctx: Ctx = { now, cmdId, newGameId: randomUUID, coin: () => randomInt(2) === 1, game };
    if (this.settings.graceMs !== undefined) ctx.graceMs = this.settings.graceMs;
    if (origin?.at !== undefined) ctx.receivedAt = Math.max(Math.min(origin.at, now), state?.clock.at ?? 0);
    if (origin?.cid) ctx.cid = origin.cid;
    return ctx;
  }

  /** Answers that change nothing; about `room` (after its events), or about no room yet. */
  private async reply(d: Reply, room?: string): Promise<string> {
    let outcome = 'nothing to do';
    for (const r of d.replies) {
      if (r.msg.t === 'error') {
        this.metrics?.rejected.inc({ code: r.msg.code });
        outcome = `rejected ${r.msg.code}`;
      }
      await this.store.send(r.gw, { k: 'conn', conn: r.conn, msg: r.msg }, room);
    }
    return outcome;
  }
}

/** A fresh room code in `shard` (any code when there is no shard to keep to). */
function newRoomCodeIn(shard: number | undefined, keys: Keys): string {
  for (;;) {
    const code = newRoomCode();
    if (shard === undefined || keys.shardOf(code) === shard) return code;
  }
}
