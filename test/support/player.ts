// A scripted WebSocket client for tests: sends frames, waits for the messages it expects.
import WebSocket from 'ws';
import { waitFor } from './redis.js';
import type { ServerMsg } from '@gambit/protocol';

type Msg = ServerMsg & Record<string, unknown>;

export class TestPlayer {
  readonly inbox: Msg[] = [];
  private waiters: { pred: (m: Msg) => boolean; resolve: (m: Msg) => void }[] = [];
  private cursor = 0;
  closed: Promise<{ code: number; reason: string }>;
  playerId = '';
  token = '';

  private constructor(readonly ws: WebSocket, readonly name: string) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Msg;
      this.inbox.push(msg);
      this.waiters = this.waiters.filter((w) => (w.pred(msg) ? (w.resolve(msg), false) : true));
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Opens a socket without saying hello (for handshake tests); `options` for the `ws` client (e.g. no automatic pongs). */
  static async open(wsUrl: string, name = 'anon', options?: WebSocket.ClientOptions): Promise<TestPlayer> {
    const ws = new WebSocket(wsUrl, options);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestPlayer(ws, name);
  }

  /** A guest token from the gateway, a socket, and a welcome. */
  static async connect(httpUrl: string, name: string, opts: { token?: string; resume?: { room: string; seq: number } } = {}): Promise<TestPlayer> {
    const token = opts.token ?? (await guest(httpUrl, name)).token;
    const p = await TestPlayer.open(httpUrl.replace(/^http/, 'ws') + '/ws', name);
    p.token = token;
    p.send({ t: 'hello', token, ...(opts.resume ? { resume: opts.resume } : {}) });
    const welcome = await p.next('welcome');
    p.playerId = String(welcome.playerId);
    return p;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next message (after the ones already taken) of type `t` matching `pred`. */
  next(t: string, pred: (m: Msg) => boolean = () => true, timeoutMs = 5_000): Promise<Msg> {
    const match = (m: Msg) => m.t === t && pred(m);
    for (let i = this.cursor; i < this.inbox.length; i++) {
      if (match(this.inbox[i]!)) {
        this.cursor = i + 1;
        return Promise.resolve(this.inbox[i]!);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${t} within ${timeoutMs} ms; got ${JSON.stringify(this.inbox.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        pred: match,
        resolve: (m) => {
          clearTimeout(timer);
          this.cursor = this.inbox.length;
          resolve(m);
        },
      });
    });
  }

  /** Sends a frame with an id and waits for the direct answer (or error) echoing it. */
  async ask(frame: Record<string, unknown>, timeoutMs = 5_000): Promise<Msg> {
    const id = `q${Math.random().toString(36).slice(2)}`;
    this.send({ ...frame, id });
    return new Promise((resolve, reject) => {
      const found = this.inbox.find((m) => m.id === id);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`${this.name}: no answer to ${JSON.stringify(frame)}`)), timeoutMs);
      this.waiters.push({ pred: (m) => m.id === id, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  close(): void {
    this.ws.close();
  }
}

export async function guest(httpUrl: string, name?: string): Promise<{ token: string; playerId: string; name: string }> {
  const post = () => fetch(`${httpUrl}/api/guest`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(name ? { name } : {}) });
  // A pooled keep-alive socket the server has just closed fails once ("other side closed"): retry.
  const res = await post().catch(() => post()).catch(() => post());
  if (!res.ok) throw new Error(`guest token: ${res.status}`);
  return (await res.json()) as { token: string; playerId: string; name: string };
}

/** Creates a room as `white`, joins it as `black`, and waits until both saw `started`. */
export async function startGame(white: TestPlayer, black: TestPlayer, tc = { initialMs: 60_000, incrementMs: 0 }): Promise<string> {
  const created = await white.ask({ t: 'create', tc, color: 'white' });
  if (created.t !== 'created') throw new Error(`create failed: ${JSON.stringify(created)}`);
  const room = String(created.room);
  const joined = await black.ask({ t: 'join', room });
  if (joined.t !== 'joined') throw new Error(`join failed: ${JSON.stringify(joined)}`);
  await Promise.all([white.next('started'), black.next('started')]);
  return room;
}

/** Plays UCI moves alternately, each waiting for both players to see it. */
export async function play(room: string, white: TestPlayer, black: TestPlayer, moves: string[], fromPly = 0, timeoutMs = 5_000): Promise<void> {
  for (let i = 0; i < moves.length; i++) {
    const ply = fromPly + i;
    const mover = ply % 2 === 0 ? white : black;
    mover.send({ t: 'move', room, uci: moves[i], ply });
    await Promise.all([white.next('moved', (m) => m.ply === ply + 1, timeoutMs), black.next('moved', (m) => m.ply === ply + 1, timeoutMs)]);
  }
}

/**
 * After a flood cut by the socket's rate limit: the mover plays `uci` at `ply` once its bucket has
 * room again. The bucket refills at 20 frames a second, so a ping answered proves room for one
 * frame, not two: the move may be refused as well (with its own rate_limited error, strikes having
 * started again at the ping); then it is sent again, as a page would.
 */
export async function playOnceAllowed(room: string, white: TestPlayer, black: TestPlayer, uci: string, ply: number): Promise<void> {
  const mover = ply % 2 === 0 ? white : black;
  const played = Promise.all([white.next('moved', (m) => m.ply === ply + 1, 30_000), black.next('moved', (m) => m.ply === ply + 1, 30_000)]);
  for (let attempt = 1; attempt <= 5; attempt++) {
    await waitFor(async () => (await mover.ask({ t: 'ping' }, 500).catch(() => null))?.t === 'pong', 10_000, `${mover.name} stayed rate limited`);
    const refused = mover.next('error', (m) => m.code === 'rate_limited', 30_000);
    refused.catch(() => undefined); // left waiting once the move is played
    mover.send({ t: 'move', room, uci, ply });
    if ((await Promise.race([played.then(() => 'played'), refused.then(() => 'refused')])) === 'played') return;
  }
  throw new Error(`${mover.name}'s ${uci} refused by the rate limit five times`);
}

/** The stored game, through a gateway's proxy of the finalizer's read API, once it is there. */
export async function storedGame(httpUrl: string, gameId: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  let body: Record<string, unknown> | null = null;
  await waitFor(async () => {
    const res = await fetch(`${httpUrl}/api/games/${gameId}`);
    if (res.status !== 200) return false;
    body = (await res.json()) as Record<string, unknown>;
    return true;
  }, timeoutMs, `game ${gameId} never reached DynamoDB`);
  return body!;
}
