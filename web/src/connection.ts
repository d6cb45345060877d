// One WebSocket to the gateway that keeps itself alive: a fresh token and hello on every
// (re)connect, a heartbeat ping (which also measures the server-time offset), reconnect with
// backoff, and a visible state. The page's only socket: every screen shares it.
import type { ClientFrame, ServerMsg } from '@gambit/protocol';
import { timeSample, type TimeSample } from './clock.js';

export type ConnState = 'connecting' | 'online' | 'reconnecting' | 'offline';
type HelloFrame = Extract<ClientFrame, { t: 'hello' }>;

export interface ConnectionOptions {
  /** The socket's URL: the page's own origin, or the gateway config.json names (server-origin.ts). */
  url: string;
  /** Runs before every (re)connect (a fresh short-lived token); a rejection retries with backoff. */
  beforeConnect?(): Promise<void>;
  /** Built on every (re)connect, so it carries the latest token and resume point. */
  hello(): HelloFrame;
  onMessage(msg: ServerMsg): void;
  onState(state: ConnState): void;
  onTimeSample(sample: TimeSample): void;
  /** Close code 4401: the token is bad. Get a new one; we reconnect when it resolves. */
  onAuthFailed(): Promise<void>;
  pingEveryMs?: number;
}

const BAD_TOKEN = 4401;
const RATE_LIMITED = 4429;

export class Connection {
  state: ConnState = 'connecting';
  private ws: WebSocket | null = null;
  private everOnline = false;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pings = new Map<string, number>(); // ping id -> local send time
  private pingSeq = 0;
  private helloSentAt = 0;
  private lastHeard = 0;
  private attemptNo = 0; // bumped by every open and drop: a slow beforeConnect of an old attempt opens nothing
  private preparing = false;
  private readonly pingEveryMs: number;

  constructor(private readonly opts: ConnectionOptions) {
    this.pingEveryMs = opts.pingEveryMs ?? 10_000;
    addEventListener('online', () => this.reconnectNow());
    addEventListener('offline', () => {
      this.drop();
      this.scheduleRetry();
    });
    // Background tabs get throttled timers: check the socket as soon as the page is looked at again.
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.reconnectNow();
    });
  }

  start(): void {
    this.open();
  }

  /** Sends a frame if we are past `welcome`; returns false (and sends nothing) otherwise. */
  send(frame: ClientFrame): boolean {
    if (this.state !== 'online' || this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Drops the socket (if any) and connects again at once, e.g. after a new token. */
  restart(): void {
    this.attempt = 0;
    this.drop();
    this.open();
  }

  private reconnectNow(): void {
    if (this.preparing || (this.ws && this.ws.readyState <= WebSocket.OPEN)) return; // on its way already
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    this.open();
  }

  private open(): void {
    clearTimeout(this.retryTimer);
    this.setState(navigator.onLine === false ? 'offline' : this.everOnline ? 'reconnecting' : 'connecting');
    const attempt = ++this.attemptNo;
    if (!this.opts.beforeConnect) return this.connect();
    this.preparing = true;
    this.opts.beforeConnect().then(
      () => {
        if (attempt !== this.attemptNo) return; // dropped or restarted meanwhile
        this.preparing = false;
        this.connect();
      },
      () => {
        if (attempt !== this.attemptNo) return;
        this.preparing = false;
        this.scheduleRetry();
      },
    );
  }

  private connect(): void {
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.onopen = () => {
      this.helloSentAt = Date.now();
      ws.send(JSON.stringify(this.opts.hello()));
    };
    ws.onmessage = (ev) => {
      if (ws !== this.ws) return;
      this.lastHeard = Date.now();
      let msg: ServerMsg;
      try {
        msg = JSON.parse(String(ev.data)) as ServerMsg;
      } catch {
        return;
      }
      if (msg.t === 'welcome') this.onWelcome(msg.serverTime);
      if (msg.t === 'pong') this.onPong(msg.id, msg.serverTime);
      this.opts.onMessage(msg);
    };
    ws.onclose = (ev) => {
      if (ws !== this.ws) return; // a socket we already replaced
      this.ws = null;
      this.stopHeartbeat();
      if (ev.code === BAD_TOKEN) {
        this.setState('connecting');
        this.opts.onAuthFailed().then(() => this.open(), () => this.scheduleRetry());
        return;
      }
      this.scheduleRetry(ev.code === RATE_LIMITED ? 5_000 : 0);
    };
  }

  private onWelcome(serverTime: number): void {
    this.opts.onTimeSample(timeSample(this.helloSentAt, serverTime, Date.now()));
    this.everOnline = true;
    this.attempt = 0;
    this.setState('online');
    this.startHeartbeat();
    this.ping(); // a second, cleaner time sample: welcome includes the server's auth work
  }

  private onPong(id: string | undefined, serverTime: number): void {
    const sentAt = id ? this.pings.get(id) : undefined;
    if (sentAt === undefined || !id) return;
    this.pings.delete(id);
    this.opts.onTimeSample(timeSample(sentAt, serverTime, Date.now()));
  }

  private ping(): void {
    const id = `ping-${++this.pingSeq}`;
    if (this.send({ t: 'ping', id })) this.pings.set(id, Date.now());
    if (this.pings.size > 10) this.pings.delete(this.pings.keys().next().value as string);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.lastHeard = Date.now();
    this.pingTimer = setInterval(() => {
      // Silence for two and a half beats means the socket is dead even if the browser has not noticed.
      if (Date.now() - this.lastHeard > this.pingEveryMs * 2.5) {
        this.drop();
        this.scheduleRetry();
        return;
      }
      this.ping();
    }, this.pingEveryMs);
  }

  private stopHeartbeat(): void {
    clearInterval(this.pingTimer);
    this.pings.clear();
  }

  private drop(): void {
    this.attemptNo++;
    this.preparing = false;
    const ws = this.ws;
    this.ws = null;
    this.stopHeartbeat();
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close();
  }

  /** Exponential backoff with jitter (0.25 s doubling to 8 s), so a restarted gateway is not stampeded. */
  private scheduleRetry(minDelayMs = 0): void {
    clearTimeout(this.retryTimer);
    const base = Math.min(8_000, 250 * 2 ** this.attempt++);
    const delay = Math.max(minDelayMs, base / 2 + Math.random() * (base / 2));
    this.setState(navigator.onLine === false ? 'offline' : this.everOnline ? 'reconnecting' : 'connecting');
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private setState(state: ConnState): void {
    if (state === this.state) return;
    this.state = state;
    this.opts.onState(state);
  }
}
