// The benchmark peer: a chess room on Colyseus 0.18, written the way a team picking Colyseus
// would write it. A process holds its rooms in memory; chess.js validates every move; the clocks
// are Fischer clocks on server time with a flag timer; the result ends the game. It keeps the same
// rules as Gambit's engine (turn, ply, legality, promotion piece, automatic draws, time forfeit)
// and the same reconnection rule (a dropped player's seat is held for a grace period, then the game
// is lost as abandoned), but stores nothing: a finished game is not written anywhere, and a room
// lives and dies with its process (with @colyseus/redis-presence and -driver, any process can
// match a player into it, but only its own process runs it).
import { Room, type Client } from '@colyseus/core';
import { Chess, type Move } from 'chess.js';
import { jwtVerify } from 'jose';

export interface Identity { playerId: string; name: string }
type Side = 'white' | 'black';
interface Clock { white: number; black: number; running: Side | null; at: number }
interface Tc { initialMs: number; incrementMs: number }
interface Seat { sessionId: string; who: Identity; connected: boolean }

const ISSUER = 'gambit-peer';

/** Shared by the rooms and the HTTP guest endpoint of the peer server. */
export const peerAuth = { key: new Uint8Array(), issuer: ISSUER };

/**
 * How long a dropped player's seat is held (Colyseus `allowReconnection`): Gambit's default grace
 * (RECONNECT_GRACE_MS, 12 s). The SDK reconnects by itself with the room's reconnection token.
 */
export const reconnectGrace = { seconds: 12 };

async function verify(token: unknown): Promise<Identity> {
  if (typeof token !== 'string') throw new Error('missing token');
  const { payload } = await jwtVerify(token, peerAuth.key, { issuer: ISSUER, audience: 'gambit-peer-ws' });
  return { playerId: String(payload.sub), name: String(payload.name) };
}

const other = (s: Side): Side => (s === 'white' ? 'black' : 'white');

function kindOf(m: Move): string {
  if (m.isPromotion()) return 'promotion';
  if (m.isKingsideCastle() || m.isQueensideCastle()) return 'castle';
  if (m.isEnPassant()) return 'en_passant';
  if (m.isCapture()) return 'capture';
  return 'move';
}

export class ChessRoom extends Room {
  override maxClients = 2;
  private chess = new Chess();
  private tc: Tc = { initialMs: 600_000, incrementMs: 0 };
  private seats: Partial<Record<Side, Seat>> = {};
  private creatorColor: Side = 'white';
  private clocks: Clock = { white: 0, black: 0, running: null, at: 0 };
  private status: 'waiting' | 'active' | 'ended' = 'waiting';
  private flag?: NodeJS.Timeout;

  override async onAuth(_client: Client, options: { token?: string }): Promise<Identity> {
    return verify(options?.token);
  }

  override onCreate(options: { tc?: Tc; color?: Side | 'random' }): void {
    const tc = options?.tc;
    if (tc && tc.initialMs > 0 && tc.initialMs <= 3 * 3600_000 && tc.incrementMs >= 0 && tc.incrementMs <= 180_000) this.tc = tc;
    this.creatorColor = options?.color === 'black' ? 'black' : options?.color === 'white' ? 'white' : Math.random() < 0.5 ? 'white' : 'black';
    this.clocks = { white: this.tc.initialMs, black: this.tc.initialMs, running: null, at: Date.now() };
    this.onMessage('move', (client, msg: { uci?: unknown; ply?: unknown }) => this.move(client, msg));
    this.onMessage('resign', (client) => {
      const side = this.sideOf(client);
      if (!side) return this.fail(client, 'not_a_player', 'you have no seat here');
      if (this.status !== 'active') return this.fail(client, 'game_over', 'the game is not in play');
      this.end(side === 'white' ? '0-1' : '1-0', 'resign');
    });
  }

  override onJoin(client: Client, _options: unknown, who: Identity): void {
    const side = this.seats[this.creatorColor] ? other(this.creatorColor) : this.creatorColor;
    // The join itself is the answer (the SDK resolves joinById); no `joined` message.
    this.seats[side] = { sessionId: client.sessionId, who, connected: true };
    if (this.seats.white && this.seats.black) {
      void this.lock();
      this.status = 'active';
      this.clocks = { ...this.clocks, running: 'white', at: Date.now() };
      this.armFlag();
      this.broadcast('started', {
        room: this.roomId, white: this.view('white'), black: this.view('black'), fen: this.chess.fen(), clock: this.clocks,
      });
    }
  }

  /** The socket closed without a leave: hold the seat for the grace period (the clock runs on). */
  override async onDrop(client: Client): Promise<void> {
    const side = this.sideOf(client);
    if (side && this.status !== 'ended') {
      this.seats[side]!.connected = false;
      this.broadcast('presence', { room: this.roomId, color: side, connected: false, graceMs: reconnectGrace.seconds * 1000 });
    }
    await holdSeat(this, client);
  }

  /** Back in time: the seat is theirs again, and they get the position they may have missed. */
  override onReconnect(client: Client): void {
    const side = this.sideOf(client);
    if (!side) return;
    this.seats[side]!.connected = true;
    client.send('state', { room: this.roomId, status: this.status, ply: this.plies(), fen: this.chess.fen(), clock: this.clocks });
    this.broadcast('presence', { room: this.roomId, color: side, connected: true }, { except: client });
  }

  /** Left for good: a leave asked for, or a grace run out. A game in play is lost as abandoned. */
  override onLeave(client: Client): void {
    const side = this.sideOf(client);
    if (!side || this.status !== 'active') return;
    this.seats[side]!.connected = false;
    // The player who stayed wins; when the other is away too, nobody stayed: a draw.
    const stayed = this.seats[other(side)]?.connected === true;
    this.end(stayed ? (side === 'white' ? '0-1' : '1-0') : '1/2-1/2', 'abandoned');
  }

  override onDispose(): void {
    clearTimeout(this.flag);
  }

  private view(side: Side) {
    const s = this.seats[side]!;
    return { playerId: s.who.playerId, name: s.who.name, connected: s.connected };
  }

  /** Seats are kept by session: a reconnected player comes back as a new Client with the same sessionId. */
  private sideOf(client: Client): Side | null {
    if (this.seats.white?.sessionId === client.sessionId) return 'white';
    if (this.seats.black?.sessionId === client.sessionId) return 'black';
    return null;
  }

  /** Plies played, O(1) (chess.js history() replays the whole game). */
  private plies(): number {
    return 2 * (this.chess.moveNumber() - 1) + (this.chess.turn() === 'b' ? 1 : 0);
  }

  private fail(client: Client, code: string, message: string): void {
    client.send('error', { code, message });
  }

  private move(client: Client, msg: { uci?: unknown; ply?: unknown }): void {
    const uci = msg?.uci;
    const ply = msg?.ply;
    if (typeof uci !== 'string' || !/^[a-h][1-8][a-h][1-8][qrbn]?$/.test(uci) || typeof ply !== 'number') {
      return this.fail(client, 'bad_request', 'move needs uci and ply');
    }
    const side = this.sideOf(client);
    if (!side) return this.fail(client, 'not_a_player', 'you have no seat here');
    if (this.status !== 'active') return this.fail(client, 'game_over', 'the game is not in play');
    if ((this.chess.turn() === 'w' ? 'white' : 'black') !== side) return this.fail(client, 'not_your_turn', 'wait for your opponent');
    const played = this.plies();
    if (ply !== played) return this.fail(client, 'stale_ply', `ply is ${played}`);
    const now = Date.now();
    const left = this.clocks[side] - (now - this.clocks.at);
    if (left <= 0) {
      this.fail(client, 'game_over', 'your flag fell');
      return this.timeout(side);
    }
    let m: Move;
    try {
      m = this.chess.move({ from: uci.slice(0, 2), to: uci.slice(2, 4), ...(uci[4] ? { promotion: uci[4] } : {}) });
    } catch {
      return this.fail(client, 'illegal_move', `${uci} is not a legal move here`);
    }
    this.clocks = { ...this.clocks, [side]: left + this.tc.incrementMs, running: other(side), at: now };
    this.armFlag();
    this.broadcast('moved', {
      room: this.roomId, ply: played + 1, uci, san: m.san, fen: this.chess.fen(), clock: this.clocks, check: this.chess.inCheck(), kind: kindOf(m),
    });
    const c = this.chess;
    if (c.isCheckmate()) this.end(side === 'white' ? '1-0' : '0-1', 'checkmate');
    else if (c.isStalemate()) this.end('1/2-1/2', 'stalemate');
    else if (c.isInsufficientMaterial()) this.end('1/2-1/2', 'insufficient_material');
    else if (c.isThreefoldRepetition()) this.end('1/2-1/2', 'threefold_repetition');
    else if (c.isDrawByFiftyMoves()) this.end('1/2-1/2', 'fifty_moves');
  }

  private armFlag(): void {
    clearTimeout(this.flag);
    const running = this.clocks.running;
    if (!running) return;
    this.flag = setTimeout(() => this.timeout(running), Math.max(0, this.clocks[running]) + 1);
  }

  private timeout(side: Side): void {
    if (this.status !== 'active') return;
    this.clocks = { ...this.clocks, [side]: 0 };
    // FIDE 6.9 in its clear cases: a side left with a bare king cannot win on time.
    const theirs = this.chess.board().flat().filter((sq) => sq && sq.type !== 'k' && sq.color === (side === 'white' ? 'b' : 'w'));
    this.end(theirs.length === 0 ? '1/2-1/2' : side === 'white' ? '0-1' : '1-0', 'timeout');
  }

  private end(result: string, reason: string): void {
    if (this.status === 'ended') return;
    this.status = 'ended';
    clearTimeout(this.flag);
    const now = Date.now();
    const running = this.clocks.running;
    if (running && reason !== 'timeout') this.clocks = { ...this.clocks, [running]: this.clocks[running] - (now - this.clocks.at) };
    this.clocks = { ...this.clocks, running: null, at: now };
    this.broadcast('ended', { room: this.roomId, result, reason, pgn: this.chess.pgn(), clock: this.clocks });
  }
}

/** Where idle clients wait: Colyseus has no connection outside a room. */
export class IdleRoom extends Room {
  override maxClients = 1000;

  override async onAuth(_client: Client, options: { token?: string }): Promise<Identity> {
    return verify(options?.token);
  }

  override onCreate(): void {
    this.onMessage('ping', (client) => client.send('pong', { serverTime: Date.now() }));
  }

  override async onDrop(client: Client): Promise<void> {
    await holdSeat(this, client);
  }
}

/** allowReconnection for the grace period; when it runs out (or the client never joined), onLeave follows. */
async function holdSeat(room: Room, client: Client): Promise<void> {
  try {
    await room.allowReconnection(client, reconnectGrace.seconds);
  } catch {
    // not back in time
  }
}
