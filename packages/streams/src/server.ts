// A NestJS transport over Redis Streams consumer groups. Each process is one consumer:
// - entries are read with XREADGROUP, one blocking reader per stream (room shards: a multi-stream
//   read must stay in one Redis Cluster slot), and handed to the @EventPattern handler named by
//   their pattern;
// - entries with the same partition key run one after another, different keys run concurrently;
// - an entry is acknowledged (XACK) only after its handler resolved: a crash leaves it pending
//   (a handler may acknowledge it itself, inside the script that applies it: StreamContext);
// - pending entries idle longer than claimIdleMs (their consumer died) are taken over with XAUTOCLAIM
//   and go through the same per-key chain as entries read with XREADGROUP (one dispatch path);
//   a live consumer keeps the entries it has in flight from looking idle (refreshInFlight);
// - a consumer reads all its streams, or the ones it is told it owns (own(): the engines split the
//   room shards between them, owners.ts), and can be told again at any time;
// - afterRead, if given, runs after each read or claim that returned entries, on the connection
//   that ran it, before any of them reaches a handler (the finalizer's WAIT for a replica).
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { RedisClient } from '@gambit/common';
import type { Logger } from '@gambit/common';
import { StreamContext } from './context.js';
import { parseEntries, type StreamEntry } from './entry.js';

export interface StreamServerOptions {
  /** Makes a new connection; the server needs one per stream (each blocks in XREADGROUP), a writer, and with afterRead a claimer. */
  connect: (role: string) => RedisClient;
  /** The streams (one per room shard), each read by the same group. */
  streams: readonly string[];
  /** The ones this consumer reads from the start (default: all); own() changes them later. */
  owned?: readonly string[];
  group: string;
  consumer: string;
  logger: Logger;
  batch?: number;
  blockMs?: number;
  claimIdleMs?: number;
  claimEveryMs?: number;
  /** Called after each entry with its outcome, for metrics. */
  onHandled?: (pattern: string, outcome: 'ok' | 'error' | 'unknown', seconds: number) => void;
  /** Called with the number of stale entries taken over from dead consumers. */
  onClaimed?: (count: number) => void;
  /**
   * Called after each XREADGROUP or XAUTOCLAIM that returned entries, before they are handed to
   * handlers, with the connection that ran it (a reader's, or the claimer's for a claim): WAIT there
   * covers the read, which replicates (docs/redis-cluster.md, section 4). If it throws, the batch is
   * not handled: its entries stay pending and are claimed again after claimIdleMs.
   */
  afterRead?: (conn: RedisClient, stream: string, count: number) => Promise<void>;
}

/** A stream this consumer reads: its blocking connection and its read loop. */
interface Reading { reader: RedisClient; loop: Promise<void>; on: boolean }

export class RedisStreamsServer extends Server implements CustomTransportStrategy {
  private readonly readings = new Map<string, Reading>();
  /** Released by own() and finishing their last read: close() cuts them short too. */
  private readonly released = new Set<Reading>();
  private owned: readonly string[];
  private writer?: RedisClient;
  /** With afterRead, claims (XAUTOCLAIM and their afterRead) have their own connection: a WAIT there must not hold up the writer's XACKs and refreshes. */
  private claimer?: RedisClient;
  private running = false;
  private readonly loops = new Set<Promise<void>>();
  private claimTimer?: NodeJS.Timeout;
  private refreshTimer?: NodeJS.Timeout;
  /** The claim run in progress, if any: close() waits for it so that what it claimed is handled and acknowledged. */
  private claimRun?: Promise<void>;
  private readonly o: Required<Omit<StreamServerOptions, 'onHandled' | 'onClaimed' | 'owned' | 'afterRead'>> & Pick<StreamServerOptions, 'onHandled' | 'onClaimed' | 'afterRead'>;

  constructor(options: StreamServerOptions) {
    super();
    this.o = { batch: 64, blockMs: 1000, claimIdleMs: 15_000, claimEveryMs: 5_000, ...options };
    if (!this.o.streams.length) throw new Error('RedisStreamsServer needs at least one stream');
    this.owned = this.checked(options.owned ?? this.o.streams);
  }

  private checked(streams: readonly string[]): readonly string[] {
    const unknown = streams.filter((s) => !this.o.streams.includes(s));
    if (unknown.length) throw new Error(`not one of this server's streams: ${unknown.join(', ')}`);
    return [...streams];
  }

  /** The streams read now. */
  ownedStreams(): readonly string[] {
    return this.owned;
  }

  /**
   * Reads `streams` from now on (a subset of the server's streams): a stream no longer owned stops
   * being read (its entries in flight still finish and are acknowledged); a new one starts. A
   * stream's entries read by nobody wait in it, and the pending ones of a consumer that died are
   * claimed by whoever reads the stream next (claimStale).
   */
  own(streams: readonly string[]): void {
    this.owned = this.checked(streams);
    if (!this.running) return;
    for (const [stream, r] of this.readings) {
      if (this.owned.includes(stream)) continue;
      // Its read in progress finishes (within blockMs) and its entries are handled: cutting the
      // connection could lose a delivery, pending on this consumer until claimIdleMs.
      r.on = false;
      this.readings.delete(stream);
      this.released.add(r);
    }
    this.wake(); // a released reader waiting for room stops waiting
    for (const stream of this.owned) if (!this.readings.has(stream)) this.startReading(stream);
  }

  private startReading(stream: string): void {
    const i = this.o.streams.indexOf(stream);
    const reader = this.o.connect(this.o.streams.length === 1 ? `${this.o.consumer}:reader` : `${this.o.consumer}:reader:${i}`);
    const r: Reading = { reader, on: true, loop: Promise.resolve() };
    r.loop = this.readLoop(stream, r);
    this.loops.add(r.loop);
    const forget = () => void this.loops.delete(r.loop);
    r.loop.then(forget, forget);
    this.readings.set(stream, r);
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    try {
      this.writer = this.o.connect(`${this.o.consumer}:writer`);
      if (this.o.afterRead) this.claimer = this.o.connect(`${this.o.consumer}:claimer`);
      // Every stream's group, owned or not: writers and the metrics find them all.
      for (const stream of this.o.streams) await this.ensureGroup(stream);
      this.running = true;
      for (const stream of this.owned) this.startReading(stream);
      // Four refreshes per claimIdleMs: an event loop may stall for most of claimIdleMs before
      // another consumer takes this one's entries for a dead consumer's.
      this.refreshTimer = setInterval(() => void this.refreshInFlight(), Math.max(10, Math.min(this.o.claimEveryMs, this.o.claimIdleMs / 4)));
      this.claimTimer = setInterval(() => {
        this.claimRun ??= this.claimStale().finally(() => (this.claimRun = undefined));
      }, this.o.claimEveryMs);
      callback();
    } catch (err) {
      callback(err);
    }
  }

  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.claimTimer);
    // Unblock XREADGROUP now rather than waiting for blockMs, then let the handlers in flight
    // finish and their acknowledgements go out: a clean stop leaves nothing to claim.
    for (const r of [...this.readings.values(), ...this.released]) r.reader.disconnect();
    this.readings.clear();
    this.wake(); // a reader waiting for room in the budget sees the close
    await Promise.allSettled([...this.loops]);
    // A claim run started before the close still hands its entries to the chains: wait for it
    // first, so that the chains awaited next include them.
    await this.claimRun;
    await Promise.allSettled([...this.chains.values()]);
    await this.flushAcks();
    clearInterval(this.refreshTimer); // kept until here: entries still draining must not look idle
    await this.writer?.quit().catch(() => undefined);
    await this.claimer?.quit().catch(() => undefined);
  }

  /** Stops reading without acknowledging anything in flight, as a crash would (tests use it). */
  crash(): void {
    this.running = false;
    clearInterval(this.claimTimer);
    clearInterval(this.refreshTimer);
    for (const r of [...this.readings.values(), ...this.released]) r.reader.disconnect();
    this.readings.clear();
    this.writer?.disconnect();
    this.claimer?.disconnect();
  }

  on(): never {
    throw new Error('RedisStreamsServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.writer as T;
  }

  private async ensureGroup(stream: string): Promise<void> {
    try {
      // From 0: entries written before the first consumer started are not lost.
      await this.writer!.xgroup('CREATE', stream, this.o.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!String(err).includes('BUSYGROUP')) throw err;
    }
  }

  private async readLoop(stream: string, r: Reading): Promise<void> {
    const reader = r.reader;
    const on = () => this.running && r.on;
    // The in-flight budget is shared by every stream's reader: each reads a share of it, only while
    // there is room, and a read counts against the budget while it is out (so several readers
    // waking at once cannot overshoot it).
    // Rounded down, and the budget at least one slot per stream: shares rounded up overshot it (five
    // streams of a 256 budget asked 52 each) and the last reader to ask waited for good.
    const count = Math.max(1, Math.min(this.o.batch, Math.floor(this.budget / this.o.streams.length)));
    while (on()) {
      for (let full = this.room(count); full && on(); full = this.room(count)) await full;
      if (!on()) break;
      let rows: [string, [string, string[]][]][] | null;
      this.reading += count;
      try {
        rows = (await reader.xreadgroup(
          'GROUP', this.o.group, this.o.consumer, 'COUNT', count, 'BLOCK', this.o.blockMs,
          'STREAMS', stream, '>',
        )) as [string, [string, string[]][]][] | null;
      } catch (err) {
        this.reading -= count;
        this.wake();
        if (!this.running) return;
        if (!r.on) break;
        if (String(err).includes('NOGROUP')) await this.ensureGroup(stream).catch(() => undefined);
        this.o.logger.warn({ err: String(err) }, 'stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      // With afterRead, the read keeps its slots until its entries are in flight (or left pending).
      const read = rows?.flatMap(([, entries]) => entries.map(([id]) => id)) ?? [];
      const passed = read.length ? await this.vetted(reader, stream, read) : true;
      this.reading -= count;
      // A read's slots are free again: a reader waiting for them (another stream's, or this one's
      // successor after an own() within blockMs) reads now rather than when an entry finishes.
      this.wake();
      if (!rows || !passed) continue;
      // Handlers run in the background, chained per key: the next read does not wait for this
      // batch (no head-of-line blocking across rooms), only for room in the in-flight budget.
      for (const [, entries] of rows) this.enqueue(stream, parseEntries(entries), 'first');
    }
    if (this.running) {
      await reader.quit().catch(() => undefined); // released by own(); what it read runs on
      this.released.delete(r);
      return;
    }
    await Promise.allSettled([...this.chains.values()]);
    await this.flushAcks();
  }

  private inFlight = 0;
  /** Resolved when an entry finishes; shared by every waiter (the read loop and a claim run). */
  private roomFreed?: Promise<void>;
  private freeRoom?: () => void;
  private readonly chains = new Map<string, Promise<void>>();
  /** Per stream, ids of the entries chained here and not yet finished: never claimed back, kept fresh for others. */
  private readonly inFlightIds = new Map<string, Set<string>>();
  /** Per stream, the ids to acknowledge. */
  private acks = new Map<string, string[]>();
  private ackScheduled = false;

  /** Slots of the budget held by reads not yet answered. */
  private reading = 0;
  /** Entries read or in flight at most: four batches, and never less than one per stream. */
  private get budget(): number {
    return Math.max(this.o.batch * 4, this.o.streams.length);
  }

  /** Wakes whoever waits for room in the budget (they look again). */
  private wake(): void {
    const free = this.freeRoom;
    if (!free) return;
    this.freeRoom = undefined;
    this.roomFreed = undefined;
    free();
  }

  /** While the in-flight budget (four batches) lacks `slots` free ones, a promise of the next freed; else undefined. */
  private room(slots = 1): Promise<void> | undefined {
    if (this.inFlight + this.reading + slots <= this.budget) return undefined;
    this.roomFreed ??= new Promise<void>((r) => (this.freeRoom = r));
    return this.roomFreed;
  }

  /**
   * The one dispatch path, for entries read (XREADGROUP) and claimed (XAUTOCLAIM) alike: each
   * entry runs after the ones of the same key already in flight (so a claimed entry and a fresh
   * one of the same room never run at once); acknowledges each when done.
   */
  private enqueue(stream: string, entries: StreamEntry[], deliveries: 'first' | 'claimed'): void {
    const ids = this.idsOf(stream);
    for (const entry of entries) {
      this.inFlight += 1;
      ids.add(entry.id);
      const prev = this.chains.get(entry.key) ?? Promise.resolve();
      let acking = false;
      const next = prev.then(async () => {
        acking = (await this.handle(stream, entry, deliveries)) === 'ok';
        if (acking) this.ack(stream, entry.id);
      }).finally(() => {
        this.inFlight -= 1;
        // An entry to acknowledge stays "in flight" until its XACK is sent (flushAcks): handled,
        // it must not be claimed and handled again meanwhile.
        if (!acking) ids.delete(entry.id);
        if (this.chains.get(entry.key) === next) this.chains.delete(entry.key);
        this.wake();
      });
      this.chains.set(entry.key, next);
    }
  }

  private idsOf(stream: string): Set<string> {
    let ids = this.inFlightIds.get(stream);
    if (!ids) this.inFlightIds.set(stream, (ids = new Set()));
    return ids;
  }

  /** XACKs are gathered over one turn of the event loop and sent together (one per stream), without waiting. */
  private ack(stream: string, id: string): void {
    const list = this.acks.get(stream);
    if (list) list.push(id);
    else this.acks.set(stream, [id]);
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => void this.flushAcks());
  }

  private async flushAcks(): Promise<void> {
    this.ackScheduled = false;
    const all = this.acks;
    if (!all.size) return;
    this.acks = new Map();
    await Promise.all([...all].map(async ([stream, ids]) => {
      if (this.writer && this.writer.status !== 'end') {
        await this.writer.xack(stream, this.o.group, ...ids).catch((err: unknown) =>
          this.o.logger.warn({ err: String(err), stream }, 'XACK failed; entries will be claimed again'));
      }
      const inFlight = this.idsOf(stream);
      for (const id of ids) inFlight.delete(id);
    }));
  }

  private refreshing = false;

  /**
   * Idle time in the pending list only says a consumer is dead if a live one keeps its own entries
   * fresh: entries queued here behind others of their room, or in a long handler, would otherwise
   * look idle and be claimed and handled a second time, by this consumer or another (under load
   * that doubles the work exactly when there is least time for it). So four times per claimIdleMs
   * the idle time of each entry in flight here is reset (XCLAIM to itself, JUSTID: no delivery
   * counted), until a close has drained them.
   */
  private async refreshInFlight(): Promise<void> {
    if (this.refreshing || this.writer?.status !== 'ready') return;
    this.refreshing = true;
    try {
      // Each stream on its own: one that fails must not leave the others' entries looking idle.
      for (const [stream, ids] of this.inFlightIds) {
        if (!ids.size) continue;
        try {
          await this.writer.call('XCLAIM', stream, this.o.group, this.o.consumer, 0, ...ids, 'JUSTID');
        } catch (err) {
          this.o.logger.warn({ err: String(err), stream }, 'refreshing entries in flight failed');
        }
      }
    } finally {
      this.refreshing = false;
    }
  }

  /**
   * One run at a time (claimRun); its entries join the per-key chains through enqueue, except those
   * in flight here already (an entry handled but not yet acknowledged counts: see enqueue).
   */
  private async claimStale(): Promise<void> {
    for (const stream of this.owned) await this.claimStaleOf(stream);
  }

  private async claimStaleOf(stream: string): Promise<void> {
    if (!this.running) return;
    try {
      let cursor = '0-0';
      do {
        const [next, entries] = (await (this.claimer ?? this.writer!).xautoclaim(
          stream, this.o.group, this.o.consumer, this.o.claimIdleMs, cursor, 'COUNT', this.o.batch,
        )) as [string, [string, string[]][], string[]];
        cursor = next;
        // Entries deleted from the stream (trimmed) come back as null rows: nothing to do.
        const inFlight = this.idsOf(stream);
        const live = entries.filter((e) => Array.isArray(e) && Array.isArray(e[1]) && !inFlight.has(e[0]));
        if (live.length) {
          this.o.logger.warn({ count: live.length, stream }, 'claimed stale stream entries');
          this.o.onClaimed?.(live.length);
          if (!(await this.vetted(this.claimer ?? this.writer!, stream, live.map(([id]) => id)))) continue;
          this.enqueue(stream, parseEntries(live), 'claimed');
          // The handlers run in the background like read ones; the next page waits only for room.
          const full = this.room();
          if (full) await full;
        }
      } while (cursor !== '0-0' && this.running);
    } catch (err) {
      if (this.running) this.o.logger.warn({ err: String(err) }, 'claiming stale entries failed');
    }
  }

  /**
   * afterRead's verdict on a batch read on `conn`: false when it threw (the entries then stay
   * pending). While it runs the entries count as in flight (refreshInFlight keeps them fresh, a
   * claim skips them), or a WAIT longer than claimIdleMs would have them handled twice. A close()
   * that cuts a WAIT short leaves its batch pending, for a claim: never handled unacknowledged.
   */
  private async vetted(conn: RedisClient, stream: string, ids: string[]): Promise<boolean> {
    if (!this.o.afterRead) return true;
    const inFlight = this.idsOf(stream);
    for (const id of ids) inFlight.add(id);
    try {
      await this.o.afterRead(conn, stream, ids.length);
      return true;
    } catch (err) {
      for (const id of ids) inFlight.delete(id);
      if (this.running) this.o.logger.warn({ err: String(err), stream, count: ids.length }, 'afterRead failed; the entries stay pending and will be claimed again');
      return false;
    }
  }

  private readonly handlers = new Map<string, NonNullable<ReturnType<Server['getHandlerByPattern']>>>();

  /** Nest's lookup normalises the pattern on every call (~4 % of the engine's CPU): found ones are kept. */
  private handlerFor(pattern: string) {
    let handler = this.handlers.get(pattern);
    if (!handler) {
      handler = this.getHandlerByPattern(pattern) ?? undefined;
      if (handler) this.handlers.set(pattern, handler);
    }
    return handler ?? null;
  }

  /** 'ok': to acknowledge; 'acked': the handler did (StreamContext.acknowledged); 'failed': leave pending. */
  private async handle(stream: string, entry: StreamEntry, deliveries: 'first' | 'claimed'): Promise<'ok' | 'acked' | 'failed'> {
    const started = performance.now();
    const handler = entry.pattern ? this.handlerFor(entry.pattern) : null;
    if (!handler) {
      this.o.logger.error({ id: entry.id, pattern: entry.pattern }, 'no handler for stream entry; acknowledging it');
      this.o.onHandled?.(entry.pattern || 'malformed', 'unknown', 0);
      return 'ok';
    }
    try {
      const ctx = new StreamContext([stream, entry.id, entry.key, deliveries, this.o.group, entry.trace]);
      const out = await handler(entry.data, ctx);
      if (isObservable(out)) await lastValueFrom(out, { defaultValue: undefined });
      this.o.onHandled?.(entry.pattern, 'ok', (performance.now() - started) / 1000);
      return ctx.wasAcknowledged() ? 'acked' : 'ok';
    } catch (err) {
      this.o.logger.error({ err, id: entry.id, pattern: entry.pattern }, 'stream handler failed; entry stays pending');
      this.o.onHandled?.(entry.pattern, 'error', (performance.now() - started) / 1000);
      return 'failed';
    }
  }
}
