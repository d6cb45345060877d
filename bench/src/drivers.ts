// How a pair of simulated players talks to a server. The pair logic (load.ts) is the same for
// every target; a driver turns "create a game", "move", "resign" into the target's own protocol
// and reports back the events that matter: moved, ended, errors and closed sockets.
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export type SideIx = 0 | 1;

export interface DriverEvents {
  /** The `moved` for `ply` (after the move) reached side `side` at `at` (performance.now()). */
  moved(side: SideIx, ply: number, at: number): void;
  ended(side: SideIx): void;
  error(side: SideIx, code: string): void;
  closed(side: SideIx, code: number): void;
  /** The socket dropped and the client is reconnecting by itself (counted, the game goes on). */
  dropped(side: SideIx, code: number): void;
}

export interface Tc { initialMs: number; incrementMs: number }

export interface Driver {
  /** Guest tokens and whatever stays open across games. */
  connect(): Promise<void>;
  /** A new game, white = side 0; resolves once it has started. */
  newGame(tc: Tc): Promise<void>;
  move(side: SideIx, uci: string, ply: number): void;
  resign(side: SideIx): void;
  /** The game is over: release what belongs to it. */
  endGame(): Promise<void>;
  close(): Promise<void>;
}

/** gambit-replicated: Gambit with COMMIT_DURABILITY=replicated, a replica beside its Redis (the price of a move's durability). */
export type TargetKind = 'gambit' | 'gambit-replicated' | 'colyseus' | 'colyseus-scaled' | 'flow';

export interface Target {
  kind: TargetKind;
  /** http://host:port of the gateway or the peer (the first process of a scaled peer). */
  httpUrl: string;
  /** Every process a client may start from (a scaled peer's processes); default [httpUrl]. */
  httpUrls?: string[];
}

export interface DriverOptions {
  name: string;
  /** The pair's number among all pairs (spreads pairs over a scaled peer's processes). */
  index?: number;
  /** Source addresses to spread client sockets over (127.0.0.x), against ephemeral port exhaustion. */
  localAddress?: string;
  timeoutMs?: number;
}

export async function guestToken(httpUrl: string, name: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
  if (!res.ok) throw new BenchError('guest_http_' + res.status);
  return ((await res.json()) as { token: string }).token;
}

/** An error with a short code for the error table. */
export class BenchError extends Error {
  constructor(readonly code: string, message?: string) {
    super(message ?? code);
  }
}

/** `p`, or a BenchError(code) after `ms`, or BenchError('closed') once `signal` aborts; no timer outlives it. */
function withTimeout<T>(p: Promise<T>, ms: number, code: string, signal?: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => undefined as void;
  const stop = new Promise<T>((_, reject) => {
    timer = setTimeout(() => reject(new BenchError(code)), ms);
    onAbort = () => reject(new BenchError('closed'));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, stop]).finally(() => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  });
}

type Msg = { t: string; id?: string; room?: string; ply?: number; code?: string } & Record<string, unknown>;

/** One Gambit socket: JSON frames, answers matched by `id`, one-shot waiters for other messages. */
export class GambitSocket {
  private asks = new Map<string, (m: Msg) => void>();
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  /** Rejects whatever still waits on this socket (and clears its timers) when it closes. */
  private readonly abort = new AbortController();
  private nextId = 0;
  onEvent: (m: Msg, at: number) => void = () => undefined;
  onClose: (code: number) => void = () => undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const at = performance.now();
      const m = JSON.parse(String(data)) as Msg;
      if (m.id !== undefined) {
        const ask = this.asks.get(m.id);
        if (ask) {
          this.asks.delete(m.id);
          return ask(m);
        }
      }
      if (this.waiters.length) {
        const i = this.waiters.findIndex((w) => w.pred(m));
        if (i >= 0) {
          const [w] = this.waiters.splice(i, 1);
          w!.resolve(m);
        }
      }
      this.onEvent(m, at);
    });
    ws.on('close', (code) => this.onClose(code));
    ws.on('error', () => undefined);
  }

  static open(wsUrl: string, localAddress?: string, timeoutMs = 10_000): Promise<GambitSocket> {
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
    return withTimeout(new Promise<GambitSocket>((resolve, reject) => {
      ws.once('open', () => resolve(new GambitSocket(ws)));
      ws.once('error', (err) => reject(new BenchError('connect_' + ((err as NodeJS.ErrnoException).code ?? 'failed'), String(err))));
    }), timeoutMs, 'connect_timeout').catch((err: unknown) => {
      ws.terminate();
      throw err;
    });
  }

  send(frame: object): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Sends with a fresh id; resolves with the answer echoing it (an `error` too). */
  ask(frame: Record<string, unknown>, timeoutMs = 10_000): Promise<Msg> {
    const id = `b${++this.nextId}`;
    const p = new Promise<Msg>((resolve) => this.asks.set(id, resolve));
    this.send({ ...frame, id });
    return withTimeout(p, timeoutMs, `no_answer_${String(frame.t)}`, this.abort.signal).finally(() => this.asks.delete(id));
  }

  waitFor(pred: (m: Msg) => boolean, timeoutMs = 10_000, code = 'wait_timeout'): Promise<Msg> {
    const w = { pred, resolve: (_m: Msg) => undefined as void };
    const p = new Promise<Msg>((resolve) => { w.resolve = resolve; });
    this.waiters.push(w);
    return withTimeout(p, timeoutMs, code, this.abort.signal).finally(() => {
      const i = this.waiters.indexOf(w);
      if (i >= 0) this.waiters.splice(i, 1);
    });
  }

  close(): void {
    this.abort.abort();
    this.ws.terminate();
  }
}

/** Connects and says hello; resolves on `welcome`. */
export async function gambitHello(wsUrl: string, token: string, localAddress?: string, timeoutMs = 10_000): Promise<GambitSocket> {
  const s = await GambitSocket.open(wsUrl, localAddress, timeoutMs);
  const welcome = await s.ask({ t: 'hello', token }, timeoutMs).catch((err: unknown) => {
    s.close();
    throw err;
  });
  if (welcome.t !== 'welcome') {
    s.close();
    throw new BenchError(`hello_${welcome.code ?? welcome.t}`);
  }
  return s;
}

export class GambitDriver implements Driver {
  private sides: GambitSocket[] = [];
  private room = '';
  private readonly wsUrl: string;

  constructor(private readonly target: Target, private readonly opts: DriverOptions, private readonly ev: DriverEvents) {
    this.wsUrl = target.httpUrl.replace(/^http/, 'ws') + '/ws';
  }

  async connect(): Promise<void> {
    this.dropSockets();
    const timeout = this.opts.timeoutMs ?? 10_000;
    const names = [`${this.opts.name}w`, `${this.opts.name}b`];
    const tokens = await Promise.all(names.map((n) => guestToken(this.target.httpUrl, n)));
    const opening = tokens.map((t) => gambitHello(this.wsUrl, t, this.opts.localAddress, timeout));
    const settled = await Promise.allSettled(opening);
    const open = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed || this.closed) {
      for (const s of open) s.close();
      throw failed ? failed.reason : new BenchError('closed');
    }
    this.sides = open;
    this.sides.forEach((s, i) => {
      const side = i as SideIx;
      s.onEvent = (m, at) => {
        if (m.t === 'moved') {
          if (m.room === this.room) this.ev.moved(side, m.ply!, at);
        } else if (m.t === 'ended') {
          if (m.room === this.room) this.ev.ended(side);
        } else if (m.t === 'error') {
          this.ev.error(side, String(m.code));
        }
      };
      s.onClose = (code) => this.ev.closed(side, code);
    });
  }

  async newGame(tc: Tc): Promise<void> {
    const [white, black] = this.sides as [GambitSocket, GambitSocket];
    const timeout = this.opts.timeoutMs ?? 10_000;
    const created = await white.ask({ t: 'create', tc, color: 'white' }, timeout);
    if (created.t !== 'created') throw new BenchError(`create_${created.code ?? created.t}`);
    const room = String(created.room);
    this.room = room;
    const started = Promise.all([white, black].map((s) => s.waitFor((m) => m.t === 'started' && m.room === room, timeout, 'no_started')));
    started.catch(() => undefined); // awaited below unless the join fails first
    const joined = await black.ask({ t: 'join', room }, timeout);
    if (joined.t !== 'joined') throw new BenchError(`join_${joined.code ?? joined.t}`);
    await started;
  }

  move(side: SideIx, uci: string, ply: number): void {
    this.sides[side]?.send({ t: 'move', room: this.room, uci, ply });
  }

  resign(side: SideIx): void {
    this.sides[side]?.send({ t: 'resign', room: this.room });
  }

  async endGame(): Promise<void> {
    // Sockets stay open: the pair plays its next game on them.
  }

  private closed = false;

  private dropSockets(): void {
    for (const s of this.sides) {
      s.onClose = () => undefined;
      s.close();
    }
    this.sides = [];
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dropSockets();
  }
}

// @colyseus/sdk picks `globalThis.WebSocket` (undici in Node 22+) when it exists, once, as it
// loads; the harness makes it use `ws`, like our own driver, so both clients cost the load
// generator the same. The global is put back afterwards: @colyseus/core reads it too (a
// reconnecting client's readyState), which matters when a peer runs in the same process (tests).
type ColyseusModule = typeof import('@colyseus/sdk');
let colyseusModule: Promise<ColyseusModule> | undefined;
export function loadColyseusClient(): Promise<ColyseusModule> {
  if (!colyseusModule) {
    const g = globalThis as { WebSocket?: unknown };
    const native = g.WebSocket;
    delete g.WebSocket;
    colyseusModule = import('@colyseus/sdk').finally(() => {
      if (native !== undefined) g.WebSocket = native;
    });
  }
  return colyseusModule;
}

type CClient = InstanceType<ColyseusModule['Client']>;
type CRoom = Awaited<ReturnType<CClient['create']>>;

/** The matchmaking endpoints of a target: every process of a scaled peer, or the one server. */
export function endpointsOf(target: Target): string[] {
  return target.httpUrls?.length ? target.httpUrls : [target.httpUrl];
}

/**
 * A pair on the Colyseus peer: one SDK client per side, each on its own matchmaking endpoint when
 * the peer has several processes (white on process i, black on i + 1: the room is created on
 * whichever process Colyseus picks and the join often reaches it through another one, over Redis),
 * a room per game. The SDK's automatic reconnection is left on, as in a real client: a socket that
 * drops comes back into its room with the room's reconnection token (each drop counts as an error
 * `drop_<code>`; the position it missed arrives as `state`).
 */
export class ColyseusDriver implements Driver {
  private clients: CClient[] = [];
  private abort = new AbortController();
  private tokens: string[] = [];
  private rooms: (CRoom | undefined)[] = [];
  private game = 0;

  constructor(private readonly target: Target, private readonly opts: DriverOptions, private readonly ev: DriverEvents) {}

  async connect(): Promise<void> {
    const { Client } = await loadColyseusClient();
    const urls = endpointsOf(this.target);
    const at = (side: number) => urls[((this.opts.index ?? 0) + side) % urls.length]!;
    this.clients = [0, 1].map((side) => new Client(at(side).replace(/^http/, 'ws')));
    this.tokens = await Promise.all([`${this.opts.name}w`, `${this.opts.name}b`].map((n, side) => guestToken(at(side), n)));
  }

  private attach(side: SideIx, room: CRoom, game: number, started?: (ok: boolean) => void): void {
    const current = () => game === this.game;
    room.onMessage('started', () => started?.(true));
    room.onMessage('moved', (m: { ply: number }) => {
      const at = performance.now();
      if (current()) this.ev.moved(side, m.ply, at);
    });
    room.onMessage('ended', () => {
      if (current()) this.ev.ended(side);
    });
    room.onMessage('error', (m: { code: string }) => this.ev.error(side, m.code));
    room.onMessage('presence', () => undefined);
    // After a reconnection: the position now, which may be past a `moved` this side missed.
    room.onMessage('state', (m: { ply: number }) => {
      const at = performance.now();
      if (current() && m.ply > 0) this.ev.moved(side, m.ply, at);
    });
    room.onDrop((code) => {
      if (current() && this.rooms[side] === room) this.ev.dropped(side, code);
    });
    room.onLeave((code) => {
      if (current() && this.rooms[side] === room) this.ev.closed(side, code);
    });
  }

  async newGame(tc: Tc): Promise<void> {
    void this.endGame();
    const game = ++this.game;
    const timeout = this.opts.timeoutMs ?? 10_000;
    const [wc, bc] = this.clients as [CClient, CClient];
    const signal = this.abort.signal;
    // A room that arrives after this game was given up (timeout, stop) is left at once.
    let givenUp = false;
    const late = (p: Promise<CRoom>) => p.then((r) => {
      if (givenUp || signal.aborted || game !== this.game) void r.leave(true).catch(() => undefined);
    }, () => undefined);
    const creating = wc.create('chess', { token: this.tokens[0], tc, color: 'white' });
    void late(creating);
    const white = await withTimeout(creating, timeout, 'create_timeout', signal)
      .catch((err: unknown) => {
        givenUp = true;
        throw err instanceof BenchError ? err : new BenchError('create_failed', String(err));
      });
    this.rooms[0] = white;
    let onStarted: (ok: boolean) => void = () => undefined;
    const started = new Promise<boolean>((resolve) => { onStarted = resolve; });
    this.attach(0, white, game, onStarted);
    const joining = bc.joinById(white.roomId, { token: this.tokens[1] });
    void late(joining);
    const black = await withTimeout(joining, timeout, 'join_timeout', signal)
      .catch((err: unknown) => {
        givenUp = true;
        throw err instanceof BenchError ? err : new BenchError('join_failed', String(err));
      });
    this.rooms[1] = black;
    this.attach(1, black, game);
    await withTimeout(started, timeout, 'no_started', signal);
  }

  move(side: SideIx, uci: string, ply: number): void {
    this.rooms[side]?.send('move', { uci, ply });
  }

  resign(side: SideIx): void {
    this.rooms[side]?.send('resign');
  }

  async endGame(): Promise<void> {
    const leaving = this.rooms.map((r) => r?.leave(true).catch(() => undefined));
    this.rooms = [];
    await Promise.all(leaving);
  }

  async close(): Promise<void> {
    this.game += 1;
    this.abort.abort();
    this.abort = new AbortController();
    await this.endGame();
  }
}

export function makeDriver(target: Target, opts: DriverOptions, ev: DriverEvents): Driver {
  // The flow peer speaks the part of Gambit's protocol a game needs.
  return target.kind.startsWith('gambit') || target.kind === 'flow' ? new GambitDriver(target, opts, ev) : new ColyseusDriver(target, opts, ev);
}
