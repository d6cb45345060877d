// Redis adapter of the engine: loads a room, and commits a decision of the rules atomically
// (commit.lua) so that state, event log, fan-out, deadlines and the finalize entry never disagree.
import { readFileSync } from 'node:fs';
import { PlayingMarks, STREAM_MAXLEN, type Keys, type RedisClient } from '@gambit/common';
import { ENTRY_FIELDS, FINALIZE_PATTERN, type EntryTrace, WRITTEN_GATEWAY_FIELDS, encodeDelivery, encodeLiveGame, firstMoveDeadline, type GatewayDelivery, type LiveGame, type RoomEvent } from '@gambit/protocol';
import { stateMsg, upgradeState, type RoomState } from '../rules/state.js';
import type { Decision, Reply } from '../rules/decide.js';
import { flagAt } from '../rules/clock.js';
import { runningGrace } from '../rules/lag.js';

/** A Lua string literal of a field name (plain names only: nothing to escape). */
function luaString(s: string): string {
  if (!/^[A-Za-z0-9_.:-]+$/.test(s)) throw new Error(`not a plain field name: ${s}`);
  return `'${s}'`;
}
const luaTable = (o: Record<string, string>) => `{ ${Object.entries(o).map(([k, v]) => `${k} = ${luaString(v)}`).join(', ')} }`;

/**
 * commit.lua with, on a first line of its own, the entry field names and the finalize pattern it
 * writes, taken from the codecs in @gambit/protocol (wire/): the names exist in one place, and it
 * costs nothing per commit (the script is loaded once; EVALSHA after that).
 */
const COMMIT_SCRIPT =
  // `#!lua` (Redis 7 flags) holds the script to its first key's slot, also for the gateway streams
  // it names itself: a slip fails on a Redis Cluster every time, not only once a slot moves.
  '#!lua\n' +
  `local GW, ENTRY, GAME_ENDED = ${luaTable(WRITTEN_GATEWAY_FIELDS)}, ${luaTable(ENTRY_FIELDS)}, ${luaString(FINALIZE_PATTERN)}\n` +
  // Next to this module: src/store/ under jest, dist/store/ once built (the package's build copies it).
  readFileSync(new URL('./commit.lua', import.meta.url), 'utf8');

export interface StoreSettings {
  roomTtlMs: number;
  logCap: number;
  /** How long a gateway event stream keeps an entry written by a commit (GATEWAY_STREAM_RETAIN_MS). */
  gatewayStreamRetainMs: number;
  finalizeMaxLen: number;
  /**
   * Each commit followed by WAIT <replicas> <timeoutMs> in the same pipeline (COMMIT_DURABILITY
   * replicated): WAIT covers every write the primary had taken before it, so this commit too.
   * `unreplicated` is told when the timeout passed first (the commit stands; it may be lost in a failover).
   */
  waitFor?: { replicas: number; timeoutMs: number; unreplicated: (acked: number) => void };
}

export interface Loaded { version: number; state: RoomState | null }

/**
 * The command stream entry a commit acknowledges along with its writes; `trace`: the trace context
 * of the command's handling (the engine's span), which a finalize entry written by this commit
 * carries on to the finalizer.
 */
export interface Ack { stream: string; group: string; id: string; trace?: EntryTrace }

/** Serialises an event with `t` and `seq` first: the commit script reads `seq` from the text. */
export function serializeEvent(ev: RoomEvent): string {
  const { t, seq, ...rest } = ev;
  return JSON.stringify({ t, seq, ...rest });
}

export class RoomStore {
  /** Each shard's command stream -> the shard: a room created from a command is drawn in its stream's shard. */
  private readonly commandShards: Map<string, number>;
  /** The players' `playing` marks, written around the commit on a Cluster (in the commit on a single Redis). */
  private readonly marks: PlayingMarks;

  constructor(private readonly redis: RedisClient, readonly keys: Keys, private readonly settings: StoreSettings) {
    redis.defineCommand('gambitCommit', { numberOfKeys: 14, lua: COMMIT_SCRIPT });
    this.commandShards = new Map(keys.allShards.map((s) => [keys.commands(s), s]));
    this.marks = new PlayingMarks(redis, keys);
  }

  /**
   * Whether a commit acknowledges an entry of `stream` itself: always on a single Redis; on a
   * Cluster only a shard's command stream (a room's commands come on their room's shard, and a room
   * is created in the shard its command came on), not the matchmaking outbox, whose entries the
   * transport acknowledges after the commit.
   */
  acksInCommit(stream: string): boolean {
    return !this.keys.cluster || this.commandShards.has(stream);
  }

  /** The shard whose command stream `stream` is (undefined: not one of them, e.g. a test's). */
  shardOfStream(stream: string): number | undefined {
    return this.commandShards.get(stream);
  }

  async load(code: string): Promise<Loaded> {
    const [v, s] = await this.redis.hmget(this.keys.room(code), 'v', 's');
    return { version: v ? Number(v) : 0, state: s ? upgradeState(JSON.parse(s) as RoomState) : null };
  }

  /**
   * Applies a commit decision made from `loaded`. Returns 'conflict' when another engine changed
   * the room first (the caller decides again), 'duplicate' when the command `onceId` (a create)
   * was already applied. With `ack`, the command's stream entry is acknowledged in the same
   * atomic step (applied and acknowledged together; one round trip less per command).
   */
  async commit(code: string, loaded: Loaded, d: Extract<Decision, { kind: 'commit' }>, onceId?: string, ack?: Ack): Promise<'ok' | 'conflict' | 'duplicate' | 'busy'> {
    const k = this.keys;
    // Every key of the commit is in the room's shard (one Redis Cluster slot); on a single Redis
    // the two players' `playing` marks too (docs/redis-cluster.md, case a).
    const s = k.shardOf(code);
    const next = d.state === undefined ? loaded.state : d.state;
    const ttl = this.settings.roomTtlMs + 6 * 3600_000;
    // Small fields go in the plan; every text (state, answers, events, record) is its own
    // argument so it is neither escaped into the plan here nor decoded in the script.
    const plan: Record<string, unknown> = {
      v: loaded.version,
      room: code,
      ttl,
      gwPrefix: k.gatewayEvents('', s),
      gwRetainMs: this.settings.gatewayStreamRetainMs,
      logCap: this.settings.logCap,
      finalizeMaxLen: this.settings.finalizeMaxLen,
      seqBefore: loaded.state?.seq ?? 0,
      replies: d.replies.length,
      events: d.events.length,
    };
    if (onceId) plan.once = true;
    const acking = ack !== undefined && this.acksInCommit(ack.stream);
    if (acking) plan.ack = { group: ack.group, id: ack.id };
    if (ack?.trace && d.finalize) {
      plan.tp = ack.trace.traceparent;
      if (ack.trace.tracestate) plan.ts = ack.trace.tracestate;
    }
    // Only a socket that will hear the room's events puts its gateway on the room's list (both
    // players' gateways for a paired room).
    const gws = new Set(d.replies.filter((r) => r.sub).map((r) => r.gw));
    if (d.replay) gws.add(d.replay.origin.gw);
    if (gws.size) plan.gws = [...gws];
    if (d.state === null) plan.del = true;
    // Who is playing now (the gateway refuses a pool to a player in a game): a game that starts
    // (first game or rematch) names the room for both players; one that stops playing removes it.
    const before = loaded.state;
    const playingNow = next?.status === 'active' && d.state !== null;
    const wasPlaying = before?.status === 'active';
    if (playingNow && (!wasPlaying || before.gameId !== next.gameId)) {
      plan.playing = 'start';
      if (d.alone) plan.alone = true;
      plan.startedAt = next.startedAt ?? 0; // its place in the live games
    }
    else if (wasPlaying && !playingNow) plan.playing = 'end';
    const seats = next ?? before;
    const players = [seats?.white?.playerId, seats?.black?.playerId].filter((p): p is string => p !== undefined);
    // On a Cluster the marks are in another slot (case a): checked before the commit (not atomically
    // with it: two rematches of one player at the same instant could both start) and written after.
    const cluster = this.keys.cluster;
    if (cluster && plan.alone) {
      delete plan.alone;
      if (await this.marks.busyElsewhere(code, players)) return 'busy';
    }
    if (!cluster && plan.playing) plan.marks = true;
    if (next && d.state !== null) Object.assign(plan, this.deadlines(next));
    let fallback = '';
    if (d.replay && loaded.state) {
      const { origin, after } = d.replay;
      // The snapshot as it was before this decision: its own events follow it.
      const watch = d.replay.watch ? { watch: true as const } : {};
      fallback = JSON.stringify({ k: 'conn', conn: origin.conn, msg: stateMsg(loaded.state), sub: code, ...watch } satisfies GatewayDelivery);
      plan.replay = { gw: origin.gw, conn: origin.conn, after, ...watch };
    }
    const args = [
      JSON.stringify(plan),
      d.state ? JSON.stringify(d.state) : '',
      d.finalize ? JSON.stringify(d.finalize) : '',
      fallback,
    ];
    for (const r of d.replies) args.push(r.gw, JSON.stringify(delivery(r)));
    for (const ev of d.events) args.push(ev.t, ev.t === 'moved' ? String(ev.ply) : '', serializeEvent(ev));
    if (plan.playing === 'start') args.push(encodeLiveGame(liveGameOf(next!)));
    const keys = [
      k.room(code), k.roomLog(code), k.roomGateways(code), k.flagDeadlines(s), k.reconnectDeadlines(s), k.roomExpiries(s), k.finalize(s),
      k.once(onceId ?? 'none', s), k.shardGateways(s), acking ? ack.stream : k.commands(s),
      // (On a Cluster, unused names in the room's slot in place of the marks.)
      cluster ? k.room(code) : k.playing(seats?.white?.playerId ?? 'none'), cluster ? k.room(code) : k.playing(seats?.black?.playerId ?? 'none'),
      k.liveGames(s), k.liveSummaries(s),
    ];
    const res = this.settings.waitFor ? await this.commitReplicated(keys, args, this.settings.waitFor) : await (this.redis as unknown as Committing).gambitCommit(...keys, ...args);
    if (res === 1 && cluster && plan.playing === 'start') await this.afterCommit(() => this.marks.start(code, players, ttl));
    if (res === 1 && cluster && plan.playing === 'end') await this.afterCommit(() => this.marks.release(code, players));
    // A redone command that had made its game (an engine stopped after the commit, before the
    // marks): the once-key names that room; while its game is in play, its marks are written again.
    if (res === 2 && cluster && plan.playing === 'start') {
      const made = await this.redis.get(k.once(onceId ?? 'none', s));
      if (made && (await this.marks.inPlay(made))) await this.afterCommit(() => this.marks.start(made, players, ttl));
    }
    return res === 1 ? 'ok' : res === 2 ? 'duplicate' : res === 3 ? 'busy' : 'conflict';
  }

  /**
   * A write that must follow a commit already made (and maybe already acknowledged): tried again
   * through a failover of its slot's primary (up to about 30 s), as nothing would redo it later.
   */
  private async afterCommit(write: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (err) {
        if (attempt >= 15) throw err;
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  }

  /** The commit script and WAIT in one pipeline: one round trip, plus the replica's. */
  private async commitReplicated(keys: string[], args: string[], w: NonNullable<StoreSettings['waitFor']>): Promise<number> {
    const p = this.redis.pipeline() as unknown as Committing & { wait(n: number, ms: number): unknown; exec(): Promise<[Error | null, unknown][] | null> };
    p.gambitCommit(...keys, ...args);
    p.wait(w.replicas, w.timeoutMs);
    const [committed, waited] = (await p.exec()) ?? [];
    const [commitErr, res] = committed ?? [new Error('the commit pipeline was not run')];
    const [waitErr, acked] = waited ?? [new Error('the commit pipeline was not run')];
    if (commitErr) throw commitErr;
    if (waitErr) throw waitErr;
    if (Number(acked) < w.replicas) w.unreplicated(Number(acked));
    return res as number;
  }

  /** Scores for the deadline sorted sets ('' removes the room from a set). */
  private deadlines(s: RoomState): { flagAt: string; graceAt: string; expireAt: string } {
    // The flag set holds the game's next clock deadline: the first-move timer's, then the flag's.
    // The flag's is past zero by the grace a late move could still be compensated (rules/lag.ts).
    const flags = [s.status === 'active' ? flagAt(s.clock, runningGrace(s)) : null, firstMoveDeadline(s)].filter((n): n is number => n !== null);
    const flag = flags.length ? Math.min(...flags) : null;
    const graces = [s.white?.graceUntil, s.black?.graceUntil].filter((g): g is number => g != null);
    const grace = graces.length && s.status !== 'ended' ? Math.min(...graces) : null;
    // Rooms in play do not expire: their clocks and graces end them. Others live for the TTL.
    const last = s.endedAt ?? s.createdAt;
    const expire = s.status === 'active' ? null : last + this.settings.roomTtlMs;
    const str = (n: number | null) => (n === null ? '' : String(Math.ceil(n)));
    return { flagAt: str(flag), graceAt: str(grace), expireAt: str(expire) };
  }

  /**
   * Sends an answer that changes nothing (an error) straight to its gateway, on the stream of the
   * room it is about (after that room's events), or shard 0's for a command without a room.
   */
  async send(gw: string, d: GatewayDelivery, room?: string): Promise<void> {
    const shard = room === undefined ? 0 : this.keys.shardOf(room);
    await this.redis.xadd(this.keys.gatewayEvents(gw, shard), 'MAXLEN', '~', STREAM_MAXLEN.gatewayEvents, '*', ...(encodeDelivery(d) as [string]));
  }

  /** Takes a room off every deadline set and the games in play (its state is gone or broken). */
  async forget(code: string): Promise<void> {
    const k = this.keys;
    const s = k.shardOf(code);
    await this.redis.multi().zrem(k.flagDeadlines(s), code).zrem(k.reconnectDeadlines(s), code).zrem(k.roomExpiries(s), code)
      .zrem(k.liveGames(s), code).hdel(k.liveSummaries(s), code).exec();
  }

  /** Rooms whose deadline in `set` has passed. */
  async due(set: string, now: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(set, '-inf', now, 'LIMIT', 0, limit);
  }
}

type Committing = { gambitCommit: (...a: string[]) => Promise<number> };

function delivery(r: Reply): GatewayDelivery {
  const d: GatewayDelivery = { k: 'conn', conn: r.conn, msg: r.msg };
  if (r.sub) d.sub = r.sub;
  if (r.sub && r.watcher) d.watch = true;
  if (r.unsub) d.unsub = r.unsub;
  return d;
}

/** What the live-games list shows of a game in play (wire/live.ts). */
function liveGameOf(s: RoomState): LiveGame {
  const ref = (seat: RoomState['white']) => ({ playerId: seat!.playerId, name: seat!.name });
  return { room: s.code, white: ref(s.white), black: ref(s.black), tc: s.tc, rated: s.rated === true, startedAt: s.startedAt ?? 0 };
}
