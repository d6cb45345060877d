// A player that survives faults the way the browser client does: it reconnects to any gateway
// still up, resumes from the last seq it saw, and re-sends a move nobody confirmed (the ply
// check makes that harmless). It records every move it saw confirmed, for the invariants.
import WebSocket from 'ws';

export interface Confirmed { ply: number; uci: string; clock: { white: number; black: number; at: number }; seenAt: number }

export class ResilientPlayer {
  color: 'white' | 'black' | null = null;
  room: string | null = null;
  lastSeq = 0;
  readonly confirmed = new Map<number, Confirmed>();
  ended: Record<string, unknown> | null = null;
  /** The game has started (a `started` event, or a snapshot of an active game): only then is a move owed. */
  private active = false;
  reconnects = 0;
  errors: string[] = [];
  /** The engine answered `room_not_found` for this player's room (Redis lost it): nothing more to play. */
  roomGone = false;
  /**
   * Measurements only: on `stale_ply` (the room is behind what this player saw: Redis went back to
   * an older copy) reload as a person would, resuming from seq 0 to get the room as it is now.
   */
  reloadOnStale = false;
  reloads = 0;
  /** The moves of the room as the server last showed it (after a reload, fewer than confirmed). */
  private readonly position = new Map<number, string>();
  private reloading = false;
  private lastHeard = Date.now();
  /** When this player last saw the opponent's move (ms), and how long it then thought, per ply. */
  readonly thinkStarted = new Map<number, number>();
  readonly sentAt = new Map<number, number>();
  private ws?: WebSocket;
  private pending: number | null = null;
  private stopped = false;
  private waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];

  constructor(
    readonly name: string,
    readonly token: string,
    private readonly gateways: () => string[],
    private readonly line: string[],
    private readonly think: () => number,
    private gatewayIndex: number,
  ) {}

  connect(): Promise<void> {
    if (this.stopped) return Promise.resolve(); // a reconnect timer that fired after the scenario
    const urls = this.gateways();
    if (urls.length === 0) {
      // Every gateway is down (being restarted): try again shortly.
      setTimeout(() => void this.connect().catch(() => undefined), 250);
      return Promise.resolve();
    }
    const url = urls[this.gatewayIndex % urls.length]!.replace('http', 'ws') + '/ws';
    const ws = new WebSocket(url);
    this.ws = ws;
    return new Promise((resolve) => {
      ws.on('open', () => {
        ws.send(JSON.stringify({ t: 'hello', token: this.token, ...(this.room ? { resume: { room: this.room, seq: this.lastSeq } } : {}) }));
      });
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as Record<string, unknown>;
        this.lastHeard = Date.now();
        if (m.t === 'welcome') {
          resolve();
          // After a resume the replay arrives next; then decide whether a move is owed.
          if (this.room) setTimeout(() => { this.pending = null; this.maybeMove(); }, 300);
        }
        this.onMessage(m);
      });
      ws.on('error', () => undefined);
      ws.on('close', () => {
        if (this.stopped || this.ended) return;
        this.reconnects += 1;
        this.gatewayIndex += 1; // the next gateway: the one we were on may be gone
        setTimeout(() => void this.connect().catch(() => undefined), 100 + Math.random() * 400);
        resolve();
      });
    });
  }

  send(frame: Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  next(pred: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }

  private onMessage(m: Record<string, unknown>): void {
    this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    if (typeof m.seq === 'number' && m.room === this.room) this.lastSeq = Math.max(this.lastSeq, m.seq);
    if (m.t === 'created' || m.t === 'joined') {
      this.room = String(m.room);
      this.color = m.color as 'white' | 'black';
    }
    if (m.t === 'moved') {
      const ply = Number(m.ply);
      this.confirmed.set(ply, { ply, uci: String(m.uci), clock: m.clock as Confirmed['clock'], seenAt: Date.now() });
      this.position.set(ply, String(m.uci));
      if (this.pending !== null && ply > this.pending) this.pending = null;
      this.thinkStarted.set(ply, Date.now());
    }
    if (m.t === 'state' && Array.isArray(m.moves)) {
      // A fresh snapshot after a long outage: take its moves as confirmed.
      this.position.clear();
      (m.moves as string[]).forEach((uci, i) => {
        if (!this.confirmed.has(i + 1)) this.confirmed.set(i + 1, { ply: i + 1, uci, clock: m.clock as Confirmed['clock'], seenAt: Date.now() });
        this.position.set(i + 1, uci);
      });
      this.pending = null;
      if (m.status === 'active') this.active = true;
      if (m.status === 'ended') this.ended = m;
    }
    if (m.t === 'started') this.active = true;
    if (m.t === 'ended') this.ended = m;
    if (m.t === 'error') {
      this.errors.push(String(m.code));
      if (m.code === 'room_not_found') this.roomGone = true;
      if (m.code === 'stale_ply' && this.reloadOnStale && !this.reloading) this.reload();
      // Not taken (Redis away, a gateway going down): let the next look decide again.
      if (m.code === 'internal') setTimeout(() => { this.pending = null; this.maybeMove(); }, 250);
    }
    if (m.t === 'started' || m.t === 'moved' || m.t === 'state') this.maybeMove();
  }

  /** Measurements only: a person whose game has been silent for `ms` reloads the page. */
  reloadIfSilent(ms: number): void {
    if (this.reloadOnStale && this.active && !this.ended && !this.roomGone && !this.stopped && !this.reloading && Date.now() - this.lastHeard > ms) this.reload();
  }

  /** As a page reload: a new socket that resumes from nothing, so the room sends all it has. */
  private reload(): void {
    this.reloading = true;
    this.reloads += 1;
    this.lastHeard = Date.now();
    this.lastSeq = 0;
    this.position.clear();
    this.pending = null;
    this.ws?.close(); // the close handler reconnects and resumes from lastSeq
    setTimeout(() => { this.reloading = false; }, 1_000);
  }

  /** Where this player stands, for a stalled game's report. */
  describe(): string {
    return `${this.name} ${this.color ?? '?'}: ${this.plies()} plies seen, seq ${this.lastSeq}, pending ${this.pending}, ` +
      `active ${this.active}, socket ${this.ws?.readyState ?? 'none'}, reconnects ${this.reconnects}, errors [${this.errors.slice(-5).join(',')}]`;
  }

  private plies(): number {
    let n = 0;
    while (this.position.has(n + 1)) n++;
    return n;
  }

  private maybeMove(): void {
    // The snapshot that answers `create` shows a waiting room: moving then would be refused.
    if (this.ended || this.roomGone || !this.active || !this.room || !this.color || this.stopped) return;
    const ply = this.plies();
    const mine = (ply % 2 === 0) === (this.color === 'white');
    if (!mine || this.pending === ply) return;
    this.pending = ply;
    const room = this.room;
    setTimeout(() => {
      if (this.ended || this.plies() !== ply) return;
      this.sentAt.set(ply + 1, Date.now());
      if (ply >= this.line.length) this.send({ t: 'resign', room });
      else this.send({ t: 'move', room, uci: this.line[ply], ply });
    }, this.think());
  }
}
