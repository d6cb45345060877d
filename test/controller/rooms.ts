// Rooms in a real Redis, made by a test-side engine exactly as the platform makes them.
import type { Redis } from 'ioredis';
import type { Keys } from '@gambit/common';
import { decodeFinalize, type Origin } from '@gambit/protocol';
import { Engine, RoomStore, engineMetrics } from '@gambit/rooms';
import { Registry } from '@gambit/common';
import { log } from './support.js';

let n = 0;
const cmdId = () => `${Date.now()}-${++n}`;

export class RoomMaker {
  readonly store: RoomStore;
  readonly engine: Engine;
  readonly metrics = engineMetrics(new Registry());

  constructor(private readonly redis: Redis, private readonly keys: Keys, opts: { roomTtlMs: number; graceMs: number; gw?: string }) {
    this.store = new RoomStore(redis, keys, { roomTtlMs: opts.roomTtlMs, logCap: 256, gatewayStreamRetainMs: 120_000, finalizeMaxLen: 1_000_000 });
    this.engine = new Engine(this.store, { graceMs: opts.graceMs }, log, this.metrics);
    this.gw = opts.gw ?? 'gw-test';
  }

  private readonly gw: string;

  origin(player: string): Origin {
    return { gw: this.gw, conn: `conn-${player}`, playerId: player, name: player };
  }

  /** A waiting room created by `white`; returns its code. */
  async create(white: string, initialMs = 600_000): Promise<string> {
    const before = await this.codes();
    await this.engine.handle({ t: 'create', origin: this.origin(white), tc: { initialMs, incrementMs: 0 }, color: 'white' }, cmdId());
    const code = [...(await this.codes())].find((c) => !before.has(c));
    if (!code) throw new Error('room not created');
    return code;
  }

  /** An active game white vs black. */
  async game(white: string, black: string, initialMs?: number): Promise<string> {
    const room = await this.create(white, initialMs);
    await this.engine.handle({ t: 'join', origin: this.origin(black), room }, cmdId());
    return room;
  }

  async disconnect(player: string, room: string): Promise<void> {
    await this.engine.handle({ t: 'disconnect', origin: this.origin(player), room }, cmdId());
  }

  /** A move by `player` at the game's current ply. */
  async move(player: string, room: string, uci: string): Promise<void> {
    const ply = ((await this.state(room)) as { moves: string[] }).moves.length;
    await this.engine.handle({ t: 'move', origin: this.origin(player), room, uci, ply }, cmdId());
  }

  async resign(player: string, room: string): Promise<void> {
    await this.engine.handle({ t: 'resign', origin: this.origin(player), room }, cmdId());
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async state(room: string): Promise<any> {
    return (await this.store.load(room)).state;
  }

  private async codes(): Promise<Set<string>> {
    const ks = await this.redis.keys(this.keys.room('*'));
    return new Set(ks.map((k) => k.slice(this.keys.room('').length)).filter((c) => /^[A-Z0-9]{8}$/.test(c)));
  }
}

/** Finalize stream entries by room (of every shard). */
export async function finalizedByRoom(redis: Redis, keys: Keys): Promise<Map<string, number>> {
  const rows: [string, string[]][] = [];
  for (const s of keys.allShards) rows.push(...((await redis.xrange(keys.finalize(s), '-', '+')) as [string, string[]][]));
  const out = new Map<string, number>();
  for (const [id, f] of rows) {
    const e = decodeFinalize(id, f);
    const k = 'malformed' in e ? e.key : e.room;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}
