// The matchmaker: every few hundred milliseconds, each pool is read, paired by the rules
// (match.ts) and each pair claimed in Redis together with its `pair` command (store.ts), which an
// engine turns into a room with both seated. Every engine runs one; they race on the same pools
// and the claim lets only one of them have each player, so none needs to be elected.
import { randomBytes } from 'node:crypto';
import { Counter, Gauge, Histogram, type Logger, type Registry } from '@gambit/common';
import { poolTimeControl, type EngineCommand, type Origin } from '@gambit/protocol';
import { pairUp, type Blocked } from './match.js';
import type { PoolRef, PoolStore, Read } from './store.js';

export function pairingMetrics(registry: Registry) {
  return {
    pairs: new Counter({ name: 'gambit_pairing_pairs_total', help: 'Players paired by this matchmaker (pairs), by pool', labelNames: ['pool', 'rated'], registers: [registry] }),
    lost: new Counter({ name: 'gambit_pairing_claims_lost_total', help: 'Pairs another matchmaker (or a leaving player) took first', registers: [registry] }),
    waited: new Histogram({
      name: 'gambit_pairing_wait_seconds', help: 'Time a paired player waited in the pool', labelNames: ['rated'],
      buckets: [0.25, 0.5, 1, 2, 5, 10, 20, 60], registers: [registry],
    }),
    waiting: new Gauge({ name: 'gambit_pairing_waiting', help: 'Players waiting in each pool at the last round', labelNames: ['pool', 'rated'], registers: [registry] }),
  };
}
export type PairingMetrics = ReturnType<typeof pairingMetrics>;

export interface MatchmakerOptions {
  store: PoolStore;
  /**
   * Where a pair's command goes (a command stream, chosen by the first player's id so the games
   * spread over the room shards: the engine draws the room in the stream's shard) and its MAXLEN.
   */
  stream: (playerId: string) => string;
  maxLen: number;
  log: Logger;
  everyMs: number;
  metrics?: PairingMetrics;
  blocked?: Blocked;
}

export class Matchmaker {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private stopped = false;

  constructor(private readonly o: MatchmakerOptions) {}

  start(): void {
    const next = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = this.round().catch((err: unknown) => this.o.log.warn({ err: String(err) }, 'pairing round failed; next round soon')).finally(next);
      }, this.o.everyMs);
    };
    next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One round over every pool, all at once (one pipeline of reads, then the claims); returns how many pairs this matchmaker made. */
  async round(now = Date.now()): Promise<number> {
    const alive = await this.o.store.liveGateways(now);
    const made = await Promise.all(this.o.store.pools.map((ref) => this.pairPool(ref, now, alive)));
    return made.reduce((a, b) => a + b, 0);
  }

  private async pairPool(ref: PoolRef, now: number, alive: Set<string>): Promise<number> {
    const all = await this.o.store.waiting(ref);
    // A socket on a gateway that died (no heartbeat) never closed cleanly: its wait goes.
    const ghosts = all.filter((r) => !alive.has(r.entry.gw));
    for (const g of ghosts) await this.o.store.leave(g.entry.playerId, g.entry.conn);
    const reads = all.filter((r) => alive.has(r.entry.gw));
    const labels = { pool: ref.pool, rated: String(ref.rated) };
    this.o.metrics?.waiting.set(labels, reads.length);
    if (reads.length < 2) return 0;
    const byEntry = new Map(reads.map((r) => [r.entry, r]));
    // The pairs are disjoint: their claims go out together.
    // Blocks as the entries carry them (copied when each joined), and any the options add.
    const blocked = (x: string, y: string) => byId.get(x)?.blocks?.includes(y) === true || byId.get(y)?.blocks?.includes(x) === true || this.o.blocked?.(x, y) === true;
    const byId = new Map(reads.map((r) => [r.entry.playerId, r.entry]));
    const claimed = await Promise.all(pairUp(reads.map((r) => r.entry), now, blocked).map(async ([a, b]) => {
      const ra = byEntry.get(a)!, rb = byEntry.get(b)!;
      if (!(await this.o.store.claim(ref, ra, rb, this.o.stream(a.playerId), this.o.maxLen, pairCommand(ref, ra, rb, now)))) {
        this.o.metrics?.lost.inc();
        return 0;
      }
      this.o.metrics?.pairs.inc(labels);
      for (const w of [a, b]) this.o.metrics?.waited.observe({ rated: String(ref.rated) }, Math.max(0, now - w.since) / 1000);
      return 1;
    }));
    return claimed.reduce<number>((x, y) => x + y, 0);
  }
}

/** The engine command for one pair; its correlation id names it in every service's logs. */
export function pairCommand(ref: PoolRef, a: Read, b: Read, now: number): Extract<EngineCommand, { t: 'pair' }> {
  const cid = `pair.${randomBytes(6).toString('base64url')}`;
  const origin = (r: Read): Origin => ({ gw: r.entry.gw, conn: r.entry.conn, playerId: r.entry.playerId, name: r.entry.name, at: now, cid });
  return { t: 'pair', origin: origin(a), opponent: origin(b), tc: poolTimeControl(ref.pool), rated: ref.rated, pool: ref.pool };
}
