// The load itself: pairs of simulated players playing the seeded games back to back, each side
// thinking (mean thinkMs, uniform jitter) before every move, and an idle-connection holder.
// One LoadRunner per worker process; the coordinator merges what the workers measure.
// Latency is the time from the mover sending `move` to the opponent receiving the `moved`.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Histogram, type HistogramJson } from './hist.js';
import { loadGames, movesOf, rng, type GameSeq } from './games.js';
import {
  BenchError, endpointsOf, gambitHello, guestToken, loadColyseusClient, makeDriver, type Driver, type GambitSocket, type SideIx, type Target, type Tc,
} from './drivers.js';

export interface LoadOptions {
  target: Target;
  /** Pairs playing at once. */
  games: number;
  /** Mean think time before each move (ms). Offered rate = games * 1000 / thinkMs moves/s. */
  thinkMs: number;
  /** Think time is uniform in thinkMs * [1 - jitter, 1 + jitter]. */
  jitter?: number;
  tc?: Tc;
  /** This runner's pairs are firstPair, firstPair + stride, ... among all workers (picks sequences, names players). */
  firstPair?: number;
  stride?: number;
  seed?: number;
  /** Play at most this many plies of each sequence, then resign (short games: finalizer load). */
  maxPlies?: number;
  /** Pairs connecting at once while ramping up. */
  setupConcurrency?: number;
  localAddresses?: string[];
  /** A pair with no progress for this long counts `stalled` and starts a new game. */
  stallMs?: number;
}

/** What one window counted; a worker's own (WindowStats) and the fleet's merge (MergedWindow) share it. */
export interface WindowCounts {
  ms: number;
  moves: number;
  sent: number;
  started: number;
  ended: number;
  errors: Record<string, number>;
  samples: Record<string, string>;
  pairs: number;
}

export interface WindowStats extends WindowCounts {
  latency: HistogramJson;
  /** Time from `create` to both sides seeing the game start. */
  start: HistogramJson;
  cpuMs: number;
  eld: { p50: number; p99: number; max: number };
  rssKiB: number;
}

export const DEFAULT_TC: Tc = { initialMs: 600_000, incrementMs: 5_000 };

/** Resign the mover is told to; a sequence that ends by position waits for `ended`. */
class Pair {
  private driver: Driver;
  private seq: string[] = [];
  private seqEnd: GameSeq['end'] = 'resign';
  private ply = 0;
  private sentAt = 0;
  private gen = 0;
  private active = false;
  private timer?: NodeJS.Timeout;
  lastProgress = performance.now();
  private stopped = false;
  private gamesPlayed = 0;

  constructor(private readonly r: LoadRunner, readonly index: number, target: Target, localAddress?: string) {
    const ix = index;
    this.driver = makeDriver(target, { name: `b${ix}`, index: ix, ...(localAddress ? { localAddress } : {}) }, {
      moved: (side, ply, at) => this.onMoved(side, ply, at),
      ended: () => this.onEnded(),
      error: (_side, code) => this.onError(code),
      closed: (_side, code) => this.onClosed(code),
      // Counted as an error of the window; the client reconnects into the room and the game goes on.
      dropped: (_side, code) => this.r.error(`drop_${code}`),
    });
  }

  get expectingProgress(): boolean {
    return this.active;
  }

  async start(): Promise<void> {
    await this.driver.connect();
    await this.newGame(true);
  }

  private schedule(fn: () => void, delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.stopped) fn();
    }, delay);
  }

  private async newGame(first = false): Promise<void> {
    if (this.stopped) return;
    const gen = ++this.gen;
    this.active = false;
    const games = this.r.games;
    const pick = games[(this.index * 7 + this.gamesPlayed * 13 + this.r.seed) % games.length]!;
    this.gamesPlayed += 1;
    this.seq = movesOf(pick);
    this.seqEnd = pick.end;
    if (this.r.opts.maxPlies !== undefined && this.seq.length > this.r.opts.maxPlies) {
      this.seq = this.seq.slice(0, this.r.opts.maxPlies);
      this.seqEnd = 'resign';
    }
    this.ply = 0;
    const t0 = performance.now();
    try {
      await this.driver.newGame(this.r.opts.tc ?? DEFAULT_TC);
    } catch (err) {
      if (this.stopped || gen !== this.gen) return;
      this.r.error(err instanceof BenchError ? err.code : 'new_game_failed', String(err));
      return this.schedule(() => void this.newGame(), 1000);
    }
    if (this.stopped || gen !== this.gen) return;
    this.r.cur.start.record(performance.now() - t0);
    this.r.cur.started += 1;
    this.active = true;
    this.lastProgress = performance.now();
    // The first game of each pair starts at a random phase, so moves do not come in waves.
    this.schedule(() => this.next(), first ? this.r.rand() * this.r.thinkMs : this.r.think());
  }

  /** The side to move moves (or resigns, at the end of a sequence that ends by resignation). */
  private next(): void {
    if (!this.active) return;
    const side = (this.ply % 2) as SideIx;
    if (this.ply >= this.seq.length) {
      if (this.seqEnd === 'resign') this.driver.resign(side);
      return;
    }
    this.sentAt = performance.now();
    this.r.cur.sent += 1;
    this.driver.move(side, this.seq[this.ply]!, this.ply);
  }

  private onMoved(side: SideIx, ply: number, at: number): void {
    if (!this.active || ply !== this.ply + 1) return;
    const mover = (ply - 1) % 2;
    if (side === mover) return; // the mover's own copy
    if (this.sentAt >= this.r.windowStart) {
      this.r.cur.latency.record(at - this.sentAt);
      this.r.cur.moves += 1;
      this.r.progressed();
    }
    this.ply = ply;
    this.lastProgress = at;
    if (this.ply < this.seq.length || this.seqEnd === 'resign') this.schedule(() => this.next(), this.r.think());
    // Otherwise the position ended the game: `ended` follows.
  }

  private onEnded(): void {
    if (!this.active) return;
    this.active = false;
    this.r.cur.ended += 1;
    this.r.progressed();
    void this.driver.endGame();
    this.schedule(() => void this.newGame(), this.r.think());
  }

  private onError(code: string): void {
    this.r.error(code);
    if (!this.active) return;
    // An answer we did not expect means the pair and the server disagree: start over.
    this.active = false;
    this.schedule(() => void this.newGame(), 500);
  }

  private onClosed(code: number): void {
    if (this.stopped) return;
    this.r.error(`close_${code}`);
    this.active = false;
    this.gen += 1;
    this.schedule(() => void this.start().catch((err: unknown) => this.r.error(err instanceof BenchError ? err.code : 'reconnect_failed')), 1000);
  }

  restartStalled(): void {
    this.r.error('stalled');
    this.active = false;
    void this.newGame();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.active = false;
    clearTimeout(this.timer);
    return this.driver.close();
  }
}

function emptyWindow(): { latency: Histogram; start: Histogram; moves: number; sent: number; started: number; ended: number; errors: Record<string, number> } {
  return { latency: new Histogram(), start: new Histogram(), moves: 0, sent: 0, started: 0, ended: 0, errors: {} };
}

/** Samples this process: CPU time and event-loop delay since the last mark. */
class SelfMeter {
  private eld = monitorEventLoopDelay({ resolution: 10 });
  private cpu = process.cpuUsage();
  private t = performance.now();

  constructor() {
    this.eld.enable();
  }

  mark(): void {
    this.eld.reset();
    this.cpu = process.cpuUsage();
    this.t = performance.now();
  }

  read(): { ms: number; cpuMs: number; eld: WindowStats['eld']; rssKiB: number } {
    const c = process.cpuUsage(this.cpu);
    // Sampled every 10 ms; Node's figures include that interval: what is reported is the delay beyond it.
    const ms = (ns: number) => Math.max(0, ns / 1e6 - 10);
    const pct = (q: number) => (this.eld.count ? ms(this.eld.percentile(q)) : 0);
    return {
      ms: performance.now() - this.t,
      cpuMs: (c.user + c.system) / 1000,
      eld: { p50: pct(50), p99: pct(99), max: this.eld.count ? ms(this.eld.max) : 0 },
      rssKiB: Math.round(process.memoryUsage.rss() / 1024),
    };
  }

  stop(): void {
    this.eld.disable();
  }
}

export class LoadRunner {
  readonly games: GameSeq[];
  readonly seed: number;
  thinkMs: number;
  windowStart = 0;
  cur = emptyWindow();
  readonly rand: () => number;
  private pairs: Pair[] = [];
  private meter = new SelfMeter();
  private watchdog?: NodeJS.Timeout;
  private readonly jitter: number;

  constructor(readonly opts: LoadOptions) {
    this.games = loadGames().games;
    this.seed = opts.seed ?? 0;
    this.thinkMs = opts.thinkMs;
    this.jitter = opts.jitter ?? 0.5;
    this.rand = rng(1 + (opts.firstPair ?? 0) + this.seed * 7919);
  }

  think(): number {
    return this.thinkMs * (1 + this.jitter * (2 * this.rand() - 1));
  }

  private waiters: { pred: (w: LoadRunner['cur']) => boolean; resolve: () => void }[] = [];

  /** Resolves once `pred` holds for the current window (checked after every move and game end). */
  until(pred: (w: LoadRunner['cur']) => boolean): Promise<void> {
    if (pred(this.cur)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  progressed(): void {
    if (!this.waiters.length) return;
    this.waiters = this.waiters.filter((w) => (w.pred(this.cur) ? (w.resolve(), false) : true));
  }

  /** First message seen for each error code (for the report). */
  readonly samples: Record<string, string> = {};

  error(code: string, detail?: string): void {
    this.cur.errors[code] = (this.cur.errors[code] ?? 0) + 1;
    if (detail && !(code in this.samples)) this.samples[code] = detail.slice(0, 300);
  }

  /** Connects the pairs (a few at a time) and starts their first games; resolves when all tried. */
  start(): Promise<{ ready: number; failed: number; ms: number }> {
    return this.addPairs(this.opts.games);
  }

  /** Adds pairs to a running load up to `games` in all (the next rung of a ladder). */
  grow(games: number): Promise<{ ready: number; failed: number; ms: number }> {
    return this.addPairs(Math.max(0, games - this.pairs.length));
  }

  private async addPairs(count: number): Promise<{ ready: number; failed: number; ms: number }> {
    const t0 = performance.now();
    const first = this.opts.firstPair ?? 0;
    const addrs = this.opts.localAddresses ?? [];
    const fresh: Pair[] = [];
    for (let i = 0; i < count; i++) {
      const ix = first + (this.opts.stride ?? 1) * (this.pairs.length + fresh.length);
      fresh.push(new Pair(this, ix, this.opts.target, addrs.length ? addrs[ix % addrs.length] : undefined));
    }
    this.pairs.push(...fresh);
    let ready = 0;
    let failed = 0;
    let next = 0;
    const lane = async () => {
      while (next < fresh.length) {
        const p = fresh[next++]!;
        try {
          await p.start();
          ready += 1;
        } catch (err) {
          failed += 1;
          this.error(err instanceof BenchError ? err.code : 'setup_failed', String(err));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(fresh.length, this.opts.setupConcurrency ?? 50) }, lane));
    const stallMs = this.opts.stallMs ?? 15_000;
    this.watchdog ??= setInterval(() => {
      const now = performance.now();
      for (const p of this.pairs) if (p.expectingProgress && now - p.lastProgress > stallMs + 3 * this.thinkMs) p.restartStalled();
    }, 1000);
    return { ready, failed, ms: performance.now() - t0 };
  }

  setThink(ms: number): void {
    this.thinkMs = ms;
  }

  /** Starts a measurement window: only moves sent from now on count. */
  mark(): void {
    this.cur = emptyWindow();
    this.windowStart = performance.now();
    this.meter.mark();
  }

  collect(): WindowStats {
    const self = this.meter.read();
    const c = this.cur;
    return {
      ms: self.ms, latency: c.latency.toJSON(), start: c.start.toJSON(), moves: c.moves, sent: c.sent, started: c.started, ended: c.ended,
      errors: { ...c.errors }, samples: { ...this.samples }, cpuMs: self.cpuMs, eld: self.eld, rssKiB: self.rssKiB, pairs: this.pairs.length,
    };
  }

  /** Stops every pair; resolves once their connections are closed (or after 5 s). */
  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    const closing = Promise.all(this.pairs.map((p) => p.stop().catch(() => undefined)));
    this.pairs = [];
    this.meter.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closing, new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
  }
}

export interface IdleOptions {
  target: Target;
  connections: number;
  /** Distinct guest players; sockets beyond that share tokens (a player may hold several). */
  players?: number;
  concurrency?: number;
  localAddresses?: string[];
  firstIndex?: number;
}

export interface IdleStats {
  opened: number;
  failed: number;
  closed: number;
  errors: Record<string, number>;
  ms: number;
  rssKiB: number;
  cpuMs: number;
  eld: WindowStats['eld'];
}

/** Opens authenticated connections that then only answer heartbeats. */
export class IdleRunner {
  private closers: (() => unknown)[] = [];
  private errors: Record<string, number> = {};
  private closed = 0;
  private meter = new SelfMeter();
  private opening = false;

  constructor(private readonly opts: IdleOptions) {}

  async open(): Promise<IdleStats> {
    const t0 = performance.now();
    this.meter.mark();
    this.opening = true;
    const { target, connections } = this.opts;
    const players = Math.max(1, Math.min(connections, this.opts.players ?? 500));
    const first = this.opts.firstIndex ?? 0;
    const tokens: string[] = [];
    for (let i = 0; i < players; i += 50) {
      tokens.push(...(await Promise.all(Array.from({ length: Math.min(50, players - i) }, (_, k) => guestToken(target.httpUrl, `idle${first + i + k}`)))));
    }
    const addrs = this.opts.localAddresses ?? [];
    const wsUrl = target.httpUrl.replace(/^http/, 'ws') + '/ws';
    // Colyseus: idle rooms (it has no connection outside a room) matched through every process in turn.
    const Client = target.kind === 'gambit' ? null : (await loadColyseusClient()).Client;
    const colyseus = Client ? endpointsOf(target).map((u) => new Client(u.replace(/^http/, 'ws'))) : null;
    let next = 0;
    let opened = 0;
    let failed = 0;
    const fail = (err: unknown) => {
      failed += 1;
      const code = err instanceof BenchError ? err.code : (err as { code?: unknown })?.code !== undefined ? `code_${String((err as { code: unknown }).code)}` : 'open_failed';
      this.errors[code] = (this.errors[code] ?? 0) + 1;
    };
    const lane = async () => {
      while (next < connections) {
        const i = next++;
        const token = tokens[i % tokens.length]!;
        try {
          if (colyseus) {
            const room = await colyseus[(first + i) % colyseus.length]!.joinOrCreate('idle', { token });
            const lost = () => {
              if (!this.opening) this.closed += 1;
            };
            room.onDrop(lost);
            room.onLeave(lost);
            this.closers.push(() => room.leave(true).catch(() => undefined));
          } else {
            const s: GambitSocket = await gambitHello(wsUrl, token, addrs.length ? addrs[(first + i) % addrs.length] : undefined);
            s.onClose = () => {
              this.closed += 1;
            };
            this.closers.push(() => {
              s.onClose = () => undefined;
              s.close();
            });
          }
          opened += 1;
        } catch (err) {
          fail(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(connections, this.opts.concurrency ?? 100) }, lane));
    this.opening = false;
    const self = this.meter.read();
    return { opened, failed, closed: this.closed, errors: { ...this.errors }, ms: performance.now() - t0, rssKiB: self.rssKiB, cpuMs: self.cpuMs, eld: self.eld };
  }

  /** Stats of the hold since `open` returned (closes seen, CPU, event-loop delay). */
  markHold(): void {
    this.meter.mark();
    this.closed = 0;
  }

  readHold(): IdleStats {
    const self = this.meter.read();
    return { opened: this.closers.length, failed: 0, closed: this.closed, errors: { ...this.errors }, ms: self.ms, rssKiB: self.rssKiB, cpuMs: self.cpuMs, eld: self.eld };
  }

  async close(): Promise<void> {
    this.opening = true;
    const closing = this.closers.map((c) => c());
    this.closers = [];
    this.meter.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closing), new Promise((r) => { timer = setTimeout(r, 5000); })]);
    clearTimeout(timer);
  }
}
