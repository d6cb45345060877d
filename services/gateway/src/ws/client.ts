// One player's (or watcher's) socket, owned from the upgrade to the close, as a lila-ws client
// actor owns its socket: it counts itself in (hub, per-address count, metrics), runs the hello
// handshake (timer, registry entry), checks frames (size, rate, schema) and turns them into
// engine commands, and on close undoes all of it in order and sends the `disconnect` its seats
// need. Answers that need no engine (pong, errors about the frame itself) are sent from here.
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import {
  CLOSE, MAX_FRAME_BYTES, MAX_SIGNAL_FRAME_BYTES, parseClientFrame, type ClientFrame, type EngineCommand, type EntryTrace, type ErrorCode, type Origin, type ServerMsg,
} from '@gambit/protocol';
import { Matching, type MatchingDeps } from './matching.js';
import { Challenges, type ChallengeDeps } from './challenges.js';
import { Chat, type ChatDeps } from './chat.js';
import type { Mutes } from './mutes.js';
import { Video, type VideoDeps } from './video.js';
import type { Presence } from './presence.js';
import { SpanKind, endSpan, injectTrace, startCommandSpan, tracingOn, type Logger } from '@gambit/common';
import type { Authenticator, Identity } from '../auth/index.js';
import type { GatewayMetrics } from '../metrics.js';
import type { ConnectionRegistry } from '../redis/registry.js';
import type { Hub } from './hub.js';
import type { MoveLatency } from './move-latency.js';
import type { PerIp } from './per-ip.js';
import type { RecentlyClosed } from './recently-closed.js';
import { TokenBucket } from './rate-limit.js';
import { toCommand, withId } from './commands.js';
import { LagEstimate } from './lag-estimate.js';

export interface ClientDeps extends MatchingDeps, Omit<ChallengeDeps, 'pools'>, Omit<ChatDeps, 'metrics' | 'mutes'>, Omit<VideoDeps, 'metrics'> {
  /** Whom the players here muted in chat: loaded at hello, let go at close. */
  mutes: Pick<Mutes, 'acquire' | 'release' | 'set' | 'has'>;
  gatewayId: string;
  /** Friends' presence, for the sockets that follow it. */
  presence: Pick<Presence, 'follow' | 'unfollow'>;
  auth: Pick<Authenticator, 'verify'>;
  log: Logger;
  settings: { helloTimeoutMs: number; ratePerSec: number; rateBurst: number; rateStrikes: number };
  /** Puts a command on the command stream. */
  /** Puts a command on the command stream; with `trace`, the entry carries that trace context. */
  forward(cmd: EngineCommand, trace?: EntryTrace): Promise<void>;
  metrics: GatewayMetrics;
  /** This pod's sockets, by id and by room. */
  hub: Hub;
  /** Sockets and room-code attempts (join/watch) per client address. */
  perIp: PerIp;
  registry: Pick<ConnectionRegistry, 'add' | 'rooms' | 'remove'>;
  /** Who this socket was, kept after its close for a seat the engine gives it late (late-seats.ts). */
  closedRecently: RecentlyClosed;
  moveLatency: MoveLatency;
  /** Warnings and errors about sockets go through this budget (floods must not flood the logs). */
  logBudget: () => { ok: boolean; dropped: number };
}

export class Client {
  identity: Identity | null = null;
  private sessionEnded = false;
  /** Rooms whose events this socket receives (the hub keeps it in step with its audiences). */
  readonly rooms = new Set<string>();
  alive = true;
  private readonly bucket: TokenBucket;
  private strikes = 0;
  private helloTimer: NodeJS.Timeout | undefined;
  private helloPending = false;
  /** Commands sent so far: the second half of each command's correlation id. */
  private commands = 0;
  /** Its pools and seeks (ws/matching.ts): what it opened goes with it. */
  private readonly matching: Matching;
  /** Its challenges to friends (ws/challenges.ts): those it made go with it. */
  private readonly challenges: Challenges;
  /** Its chat (ws/chat.ts): lines, catching up, mutes, reports. */
  private readonly chat: Chat;
  /** ICE servers and call reports (ws/video.ts); the calls' signals go through the room. */
  private readonly video: Video;
  /** This socket's round trip, from our pings: the lag its moves are compensated for (ws/lag-estimate.ts). */
  readonly lag = new LagEstimate();
  /** A move went out since the last frame to it: a ping goes with the next frame (sendRaw). */
  private probeDue = false;

  /** Takes over a socket the upgrade accepted (the address was checked with `perIp.full`). */
  constructor(private readonly ws: WebSocket, readonly ip: string, private readonly deps: ClientDeps, readonly id = randomBytes(9).toString('base64url')) {
    deps.perIp.open(ip);
    const socket = {
      id, send: (m: ServerMsg) => this.send(m), sendRaw: (t: string | Buffer) => this.sendRaw(t),
      error: (c: ErrorCode, m: string, i?: string, r?: string) => this.error(c, m, i, r), origin: (i?: string) => this.origin(i),
    };
    this.matching = new Matching(deps, socket);
    this.challenges = new Challenges(deps, socket);
    this.video = new Video(deps, {
      send: socket.send, error: (c, m, i) => this.error(c, m, i), seatedIn: () => [...this.rooms].filter((r) => deps.hub.roleIn(this, r) === 'players'),
    });
    this.chat = new Chat(deps, {
      id, send: socket.send, error: (c, m, i) => this.error(c, m, i), role: (room) => deps.hub.roleIn(this, room), cid: () => `${this.id}.${++this.commands}`,
    });
    this.bucket = new TokenBucket(deps.settings.ratePerSec, deps.settings.rateBurst, Date.now());
    this.helloTimer = setTimeout(() => {
      deps.metrics.authFailures.inc({ reason: 'hello_timeout' });
      this.close(CLOSE.helloTimeout, 'no hello in time');
    }, deps.settings.helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on('pong', (data: Buffer) => {
      this.alive = true;
      this.lag.pong(data, performance.now());
    });
    ws.on('close', (code) => this.onClose(code));
    ws.on('error', (err) => deps.log.debug({ err: String(err), conn: this.id }, 'socket error'));
    deps.hub.add(this);
    deps.metrics.opened.inc();
    deps.metrics.connections.set(deps.hub.clients.size);
  }

  send(msg: ServerMsg): void {
    const text = JSON.stringify(msg);
    this.deps.metrics.framesOut.inc({ type: msg.t });
    this.deps.metrics.bytesOut.inc(text.length);
    this.sendRaw(text);
  }

  /** A text frame already serialised (a Buffer holds UTF-8 text encoded once for many sockets). */
  sendRaw(text: string | Buffer): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (!this.probeDue) return this.ws.send(text, { binary: false });
    // The ping owed since this socket's last move leaves with this frame (usually the move's own
    // `moved`), corked into one write: a write is a system call, ~50 us on the VMs we measured.
    this.probeDue = false;
    const raw = (this.ws as unknown as { _socket?: Duplex })._socket;
    raw?.cork();
    try {
      this.ws.send(text, { binary: false });
      this.probe();
    } finally {
      raw?.uncork(); // a throw must not leave the socket's later writes buffered
    }
  }

  /** Its session ended (sign-out, account deleted): closed as a bad token would be, leaving no "last seen". */
  endSession(): void {
    this.sessionEnded = true;
    this.close(CLOSE.badToken, 'signed out');
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** The heartbeat's ping (keep-alive.ts): unanswered by the next one, the socket is dropped. */
  ping(): void {
    this.alive = false;
    this.probe();
  }

  /** A ping that only measures the round trip (lag-estimate.ts); any pong also shows the socket alive. */
  private probe(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping(this.lag.ping(performance.now()));
  }

  /** The engine seated this socket in a room or took it out (the hub changed `rooms`): the registry follows. */
  roomsChanged(): void {
    void this.deps.registry.rooms(this.id, this.rooms).catch(() => undefined);
  }

  /** Whoever closed it and why: everything the constructor and the hello set up is undone here, once. */
  private onClose(code: number): void {
    const { hub, metrics } = this.deps;
    clearTimeout(this.helloTimer);
    const rooms = [...this.rooms]; // the hub empties `rooms`
    hub.remove(this);
    this.matching.closed(this.identity);
    this.challenges.closed(this.identity);
    this.deps.presence.unfollow(this);
    metrics.connections.set(hub.clients.size);
    metrics.rooms.set(hub.roomCount());
    if (this.identity) {
      this.deps.closedRecently.add(this.id, this.origin());
      // Seats keep their grace period from now on; the engine tells the opponent.
      for (const room of rooms) {
        void this.deps.forward({ t: 'disconnect', origin: this.origin(), room }).catch((err) => this.deps.log.error({ err: String(err), room }, 'disconnect not forwarded'));
      }
      void this.deps.registry.remove(this.id, this.identity.playerId, !this.sessionEnded).catch(() => undefined);
      this.deps.mutes.release(this.identity.playerId);
    }
    this.deps.perIp.closed(this.ip);
    metrics.closes.inc({ code: String(code) });
  }

  private error(code: ErrorCode, message: string, id?: string, room?: string): void {
    this.deps.metrics.errors.inc({ code });
    this.send({ t: 'error', ...(id === undefined ? {} : { id }), code, message, ...(room === undefined ? {} : { room }) });
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
    // The larger `signal` frames only from a socket that said hello (a call needs a seat anyway).
    if (data.length > MAX_FRAME_BYTES && !(this.identity && data.length <= MAX_SIGNAL_FRAME_BYTES && isSignal(data))) {
      this.error('too_large', `frames are limited to ${MAX_FRAME_BYTES} bytes`);
      this.close(CLOSE.tooLarge, 'frame too large');
      return;
    }
    if (isBinary) return this.error('bad_request', 'frames must be text');
    // With tracing on, a command's span starts at its frame's arrival (queueing included).
    const arrived = tracingOn() ? Date.now() : undefined;
    this.queue = this.queue.then(() => this.handle(data, arrived)).catch((err: unknown) => {
      this.logError(err, 'frame handling failed');
      this.error('internal', 'the server could not take the frame; try again');
    });
  }

  private async handle(data: Buffer, arrived?: number): Promise<void> {
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
    switch (frame.t) {
      case 'pool': case 'unpool': case 'lobby': case 'seek': case 'unseek': case 'accept':
        return this.matching.handle(frame, this.identity);
      case 'challenge': case 'challenge_accept': case 'challenge_decline': case 'challenge_cancel': case 'challenges':
        return this.challenges.handle(frame, this.identity);
      case 'say': case 'chat': case 'mute': case 'report': case 'chat_mode':
        return this.chat.handle(frame, this.identity);
      case 'ice': case 'video':
        return this.video.handle(frame, this.identity);
      case 'friends':
        if (frame.on === false) return this.deps.presence.unfollow(this);
        await this.deps.presence.follow(this, this.identity.playerId, frame.id);
        if (this.ws.readyState !== this.ws.OPEN) this.deps.presence.unfollow(this); // closed meanwhile
        return;
      case 'create': case 'join':
        await this.matching.startingGame(this.identity);
    }
    if ((frame.t === 'join' || frame.t === 'watch') && !this.deps.perIp.join(this.ip)) {
      this.deps.metrics.rateLimited.inc();
      return this.error('rate_limited', 'too many rooms tried from your address: wait a minute', frame.id);
    }
    const cmd = toCommand(frame, this.origin(frame.id), (claim) => this.lag.forMove(claim));
    // Tracing on: a span per command, from the frame's arrival to its XADD; the entry carries its
    // context, so the engine's span (and, at a game's end, the finalizer's) joins its trace.
    const span = arrived === undefined ? undefined : startCommandSpan(cmd.t, cmd, { kind: SpanKind.SERVER, startTime: arrived, attributes: { 'gambit.conn': this.id } });
    try {
      // Only moves in a room this socket is in: others are refused and would never be answered.
      if (cmd.t === 'move' && this.rooms.has(cmd.room)) this.deps.moveLatency.sent(cmd.room, cmd.ply);
      await this.deps.forward(cmd, injectTrace(span));
      endSpan(span);
      // A fresh round trip while the opponent thinks, the estimate for this player's next move:
      // a ping with the next frame to this socket, its move's `moved` or `error`.
      if (cmd.t === 'move') this.probeDue = true;
      this.deps.log.debug({ cid: cmd.origin.cid, conn: this.id, t: cmd.t, room: 'room' in cmd ? cmd.room : undefined }, 'command forwarded');
    } catch (err) {
      endSpan(span, err);
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
    void this.deps.registry.add(this.id, identity.playerId, identity.name).catch((err) => this.deps.log.warn({ err: String(err) }, 'registry add failed'));
    // Before `welcome`: no chat line reaches this socket before its player's mutes are known.
    await this.deps.mutes.acquire(identity.playerId).catch((err) => this.deps.log.warn({ err: String(err) }, 'mutes not read'));
    if (this.ws.readyState !== this.ws.OPEN) return; // closed meanwhile (its close let the mutes go: `identity` was set)
    this.send(withId({ t: 'welcome', playerId: identity.playerId, name: identity.name, serverTime: Date.now() }, frame.id));
    this.probe(); // a first round trip now, not at the next heartbeat: a game may start at once
    if (frame.resume) await this.deps.forward({ t: 'resume', origin: this.origin(frame.id), room: frame.resume.room, seq: frame.resume.seq });
  }

  /** Who a command comes from; every call is a new command with its own correlation id. */
  private origin(id?: string): Origin {
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
}

/** A `signal` frame (the one kind allowed past MAX_FRAME_BYTES): parsed only for frames that large. */
function isSignal(data: Buffer): boolean {
  try {
    return (JSON.parse(data.toString('utf8')) as { t?: unknown }).t === 'signal';
  } catch {
    return false;
  }
}
