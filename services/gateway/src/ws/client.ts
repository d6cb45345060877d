// One player's (or watcher's) socket: the hello handshake, frame checks (size, rate, schema),
// and turning frames into engine commands. Answers that need no engine (pong, errors about
// the frame itself) are sent from here.
import type { WebSocket } from 'ws';
import {
  CLOSE, MAX_FRAME_BYTES, parseClientFrame, type ClientFrame, type EngineCommand, type ErrorCode, type Origin, type ServerMsg,
} from '@gambit/protocol';
import type { Logger } from '@gambit/common';
import type { Authenticator, Identity } from '../auth/index.js';
import type { GatewayMetrics } from '../metrics.js';
import { TokenBucket } from './rate-limit.js';

export interface ClientDeps {
  gatewayId: string;
  auth: Authenticator;
  log: Logger;
  settings: { helloTimeoutMs: number; ratePerSec: number; rateBurst: number; rateStrikes: number };
  /** Puts a command on the command stream. */
  forward(cmd: EngineCommand): Promise<void>;
  onAuthenticated(client: Client): void;
  onClosed(client: Client): void;
  metrics: GatewayMetrics;
  /** May this socket's address try another room code now (join/watch)? */
  allowJoin(client: Client): boolean;
  /** Warnings and errors about sockets go through this budget (floods must not flood the logs). */
  logBudget: () => { ok: boolean; dropped: number };
}

export class Client {
  identity: Identity | null = null;
  /** Rooms whose events this socket receives. */
  readonly rooms = new Set<string>();
  alive = true;
  private readonly bucket: TokenBucket;
  private strikes = 0;
  private helloTimer: NodeJS.Timeout | undefined;
  private helloPending = false;
  /** Commands sent so far: the second half of each command's correlation id. */
  private commands = 0;

  constructor(readonly id: string, readonly ip: string, private readonly ws: WebSocket, private readonly deps: ClientDeps) {
    this.bucket = new TokenBucket(deps.settings.ratePerSec, deps.settings.rateBurst, Date.now());
    this.helloTimer = setTimeout(() => {
      deps.metrics.authFailures.inc({ reason: 'hello_timeout' });
      this.close(CLOSE.helloTimeout, 'no hello in time');
    }, deps.settings.helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('pong', () => { this.alive = true; });
    ws.on('close', () => {
      clearTimeout(this.helloTimer);
      deps.onClosed(this);
    });
    ws.on('error', (err) => deps.log.debug({ err: String(err), conn: id }, 'socket error'));
  }

  send(msg: ServerMsg): void {
    const text = JSON.stringify(msg);
    this.deps.metrics.framesOut.inc({ type: msg.t });
    this.deps.metrics.bytesOut.inc(text.length);
    this.sendRaw(text);
  }

  /** A text frame already serialised (a Buffer holds UTF-8 text encoded once for many sockets). */
  sendRaw(text: string | Buffer): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text, { binary: false });
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  ping(): void {
    this.alive = false;
    this.ws.ping();
  }

  private error(code: ErrorCode, message: string, id?: string): void {
    this.deps.metrics.errors.inc({ code });
    this.send(id === undefined ? { t: 'error', code, message } : { t: 'error', id, code, message });
  }

  /** Frames are checked for rate and size on arrival, then handled strictly in order. */
  private queue: Promise<void> = Promise.resolve();

  private onFrame(data: Buffer, isBinary: boolean): void {
    this.deps.metrics.bytesIn.inc(data.length);
    if (!this.bucket.take(Date.now())) {
      this.deps.metrics.rateLimited.inc();
      this.strikes += 1;
      if (this.strikes === 1) this.error('rate_limited', 'too many frames: slow down');
      if (this.strikes >= this.deps.settings.rateStrikes) this.close(CLOSE.rateLimited, 'rate limit');
      return;
    }
    this.strikes = 0;
    if (data.length > MAX_FRAME_BYTES) {
      this.error('too_large', `frames are limited to ${MAX_FRAME_BYTES} bytes`);
      this.close(CLOSE.tooLarge, 'frame too large');
      return;
    }
    if (isBinary) return this.error('bad_request', 'frames must be text');
    this.queue = this.queue.then(() => this.handle(data)).catch((err: unknown) => {
      this.logError(err, 'frame handling failed');
      this.error('internal', 'the server could not take the frame; try again');
    });
  }

  private async handle(data: Buffer): Promise<void> {
    const parsed = parseClientFrame(data.toString('utf8'));
    if (!parsed.ok) {
      this.error(parsed.t === 'hello' && !this.identity ? 'unauthorized' : 'bad_request', parsed.message, parsed.id);
      if (parsed.t === 'hello' && !this.identity) this.deps.metrics.authFailures.inc({ reason: 'missing_token' });
      // A hello without a usable token is a missing token (PROTOCOL.md: close 4401).
      if (parsed.t === 'hello' && !this.identity) this.close(CLOSE.badToken, 'bad or missing token');
      return;
    }
    const frame = parsed.frame;
    this.deps.metrics.frames.inc({ type: frame.t });
    if (frame.t === 'hello') return this.hello(frame);
    if (!this.identity) return this.error('unauthorized', 'send hello with a token first', frame.id);
    if (frame.t === 'ping') return this.send(withId({ t: 'pong', serverTime: Date.now() }, frame.id));
    if ((frame.t === 'join' || frame.t === 'watch') && !this.deps.allowJoin(this)) {
      this.deps.metrics.rateLimited.inc();
      return this.error('rate_limited', 'too many rooms tried from your address: wait a minute', frame.id);
    }
    const cmd = this.command(frame);
    try {
      await this.deps.forward(cmd);
      this.deps.log.debug({ cid: cmd.origin.cid, conn: this.id, t: cmd.t, room: 'room' in cmd ? cmd.room : undefined }, 'command forwarded');
    } catch (err) {
      this.logError(err, 'could not forward a command', cmd.origin.cid);
      this.error('internal', 'the server could not take the command; try again', frame.id);
    }
  }

  private async hello(frame: Extract<ClientFrame, { t: 'hello' }>): Promise<void> {
    if (this.identity || this.helloPending) return this.error('bad_request', 'hello was already sent', frame.id);
    this.helloPending = true;
    const identity = await this.deps.auth.verify(frame.token);
    this.helloPending = false;
    if (this.ws.readyState !== this.ws.OPEN) return; // closed while the token was checked
    if (!identity) {
      this.deps.metrics.authFailures.inc({ reason: 'bad_token' });
      this.error('unauthorized', 'the token is invalid or expired', frame.id);
      return this.close(CLOSE.badToken, 'bad token');
    }
    clearTimeout(this.helloTimer);
    this.helloTimer = undefined;
    this.identity = identity;
    this.deps.onAuthenticated(this);
    this.send(withId({ t: 'welcome', playerId: identity.playerId, name: identity.name, serverTime: Date.now() }, frame.id));
    if (frame.resume) await this.deps.forward({ t: 'resume', origin: this.origin(frame.id), room: frame.resume.room, seq: frame.resume.seq });
  }

  /** Who a command comes from; every call is a new command with its own correlation id. */
  origin(id?: string): Origin {
    const o: Origin = {
      gw: this.deps.gatewayId, conn: this.id, playerId: this.identity!.playerId, name: this.identity!.name,
      at: Date.now(), cid: `${this.id}.${++this.commands}`,
    };
    if (id !== undefined) o.id = id;
    return o;
  }

  private logError(err: unknown, msg: string, cid?: string): void {
    const budget = this.deps.logBudget();
    if (budget.ok) this.deps.log.error({ err: String(err), conn: this.id, cid, droppedSinceLast: budget.dropped || undefined }, msg);
  }

  private command(f: Exclude<ClientFrame, { t: 'hello' | 'ping' }>): EngineCommand {
    const origin = this.origin(f.id);
    switch (f.t) {
      case 'create': return { t: 'create', origin, tc: f.tc, color: f.color ?? 'random' };
      case 'move': return { t: 'move', origin, room: f.room, uci: f.uci, ply: f.ply };
      case 'draw': return { t: 'draw', origin, room: f.room, action: f.action };
      default: return { t: f.t, origin, room: f.room };
    }
  }
}

function withId<M extends ServerMsg>(msg: M, id: string | undefined): M {
  return id === undefined ? msg : { ...msg, id };
}
