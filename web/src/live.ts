// The live game, for the whole page: the socket (Connection is its single owner), server messages
// into the view model (game.ts), the view model onto the board, and the player's actions into
// protocol frames. Screens subscribe and render from its fields; the router follows its `goTo`
// (a created or joined room) and `leftRoom` events. The name switching that keeps a name typed
// just before Create in force first is in names.ts; challenges between friends are in challenges.ts;
// the room's chat is in chat.ts; the players' video call is in video.ts.
import type { ClientFrame, ErrorMsg, PoolId, SeekView, ServerMsg, Side, TimeControl } from '@gambit/protocol';
import { poolTimeControl } from '@gambit/protocol/pools';
import type { Board } from './board.js';
import { Challenges, isChallengeMsg } from './challenges.js';
import { Chat, isChatMsg } from './chat.js';
import { remainingMs, ServerClock } from './clock.js';
import { Connection, type ConnState } from './connection.js';
import { actionOf, errorText } from './errors.js';
import { canMove, emptyView, lastMove, reduce, roomView, START_FEN, type GameView } from './game.js';
import { Identity } from './identity.js';
import { Names } from './names.js';
import { looksLikeCode, normalizeCode, roomFromUrl } from './routes.js';
import { socketUrl } from './server-origin.js';
import { loadRoom, saveRoom } from './session.js';
import { cueOf, Sounds } from './sounds.js';
import { toast } from './toast.js';
import { isVideoMsg, Video } from './video.js';

export const isLiveStatus = (status: GameView['status']): boolean => status === 'waiting' || status === 'active';
export const isLive = (v: GameView): boolean => isLiveStatus(v.status);

/** Where the router is told to go. */
export interface Navigator {
  toRoom(room: string): void;
  /** We are out of `room` (closed, refused, New game): a screen showing it goes home. */
  leftRoom(room: string): void;
}

export class LiveGame {
  readonly identity = new Identity();
  readonly serverClock = new ServerClock();
  readonly conn: Connection;
  readonly names: Names;
  readonly challenges: Challenges;
  readonly chat: Chat;
  readonly video: Video;
  readonly sounds = new Sounds();
  view: GameView = emptyView(null);
  connState: ConnState = 'connecting';
  pendingMove = false; // a move of ours is on its way: no second one until the server answers
  offerSent = false; // we offered a draw (the server may not echo our own offer back)
  joining: string | null = null; // the room we asked to join, until the answer
  hostOf: string | null = null; // the room we created: we see its waiting screen
  seeking: { pool: PoolId; rated: boolean } | null = null; // the quick-pairing pool we wait in
  /** Who watches the shown room (its crowd), as the server last said. */
  crowd: { room: string; count: number; names: string[] } | null = null;
  /** The lobby's open seeks while a screen follows them (null: not following). */
  lobby: SeekView[] | null = null;
  flipped = false;
  /** Set for good when this stack offers neither sessions nor guest tokens: only signing in helps. */
  noSession = false;
  navigator: Navigator | null = null;
  private requestedTc: TimeControl | null = null;
  /** The room an accepted challenge just seated us in: its `started` is a new game, not a rematch. */
  private challengeRoom: string | null = null;
  private board: Board | null = null;
  private frameNo = 0;
  private readonly listeners = new Set<() => void>();

  constructor() {
    // A reload (or a return to a room's URL) finds the tab's game again; an ended game elsewhere is forgotten.
    const urlRoom = roomFromUrl(location.pathname, location.search);
    const saved = loadRoom();
    if (saved && (urlRoom ? urlRoom === saved.room : isLiveStatus(saved.status) && saved.color !== null)) {
      this.view = roomView(this.view, saved.room, saved.color, saved.status);
      if (saved.status === 'waiting' && saved.color) this.hostOf = saved.room; // only the creator sits in a waiting room
    } else if (saved && !urlRoom) saveRoom(null);

    this.conn = new Connection({
      url: socketUrl(), // the page's own origin, or the gateway config.json names (server-origin.ts)
      beforeConnect: async () => {
        const before = this.identity.me;
        await this.identity.beforeConnect();
        if (this.identity.me !== before) this.emit(); // a user renamed elsewhere, a session that ended
      },
      hello: () => {
        const frame: Extract<ClientFrame, { t: 'hello' }> = { t: 'hello', id: 'hello', token: this.identity.helloToken };
        // Players resume from the last event they saw; the server replays the rest (or sends a fresh state).
        if (this.view.room && this.view.color && isLive(this.view)) frame.resume = { room: this.view.room, seq: this.view.seq };
        return frame;
      },
      onMessage: (msg) => this.onMessage(msg),
      onState: (state) => {
        this.connState = state;
        this.render();
      },
      onTimeSample: (s) => this.serverClock.add(s),
      onAuthFailed: async () => {
        await this.identity.renew();
        this.view = { ...this.view, me: this.identity.me?.playerId ?? null };
      },
    });
    this.names = new Names(this);
    this.challenges = new Challenges(this);
    this.chat = new Chat(this);
    this.video = new Video(this);
    // A closed tab or a reload hangs up at once (the opponent's page would otherwise wait for ICE to give up).
    addEventListener('pagehide', () => this.video.leave());
    setInterval(() => this.watchLowTime(), 250);
  }

  /** Low time: our clock in a game in play under the threshold (sounds.ts). */
  private watchLowTime(): void {
    const v = this.view;
    if (v.status !== 'active' || !v.color || !v.clock || !v.tc || !v.room) return;
    this.sounds.watchClock(`${v.room}:${v.series?.game ?? 1}`, remainingMs(v.clock, v.color, this.serverClock.now()), v.tc);
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Raised by every emit: a component subscribing late renders again if it moved (hooks.ts). */
  changes = 0;

  emit(): void {
    this.changes += 1;
    for (const fn of this.listeners) fn();
  }

  get online(): boolean {
    return this.connState === 'online';
  }

  orientation(): Side {
    const base: Side = this.view.color ?? 'white';
    return this.flipped ? (base === 'white' ? 'black' : 'white') : base;
  }

  /** Gets an identity (retrying while the server is away), then connects. */
  async boot(): Promise<boolean> {
    while (!this.identity.me) {
      try {
        await this.identity.start();
      } catch (err) {
        if (err instanceof Error && err.name === 'NoSessionError') {
          this.noSession = true;
          this.connState = 'offline';
          this.names.failed();
          this.emit();
          return false;
        }
        toast('Cannot reach the server, retrying…', 2000);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
    this.view = { ...this.view, me: this.identity.me.playerId };
    this.names.booted(this.identity.me.name);
    this.conn.start();
    this.emit();
    return true;
  }

  send(frame: ClientFrame): boolean {
    if (this.conn.send(frame)) return true;
    toast('Not connected: try again in a moment');
    return false;
  }

  frameId(kind: string): string {
    return `${kind}-${++this.frameNo}`;
  }

  // ---- the board (mounted by the game screen) ----

  attachBoard(board: Board | null): void {
    this.board = board;
    if (!board) return;
    board.setOrientation(this.orientation());
    board.show(this.view.fen, lastMove(this.view), false);
    this.render();
  }

  onBoardMove(uci: string): void {
    const v = this.view;
    if (this.pendingMove || !canMove(v)) return; // a second Enter in the move box before the answer
    if (!v.room) return this.board?.revert();
    // `lag`: our round trip, for the server's lag compensation (it bounds what it believes of it).
    const lag = this.serverClock.lag;
    if (!this.send({ t: 'move', id: this.frameId('move'), room: v.room, uci, ply: v.moves.length, ...(lag === null ? {} : { lag }) })) return this.board?.revert();
    this.pendingMove = true;
    this.render();
  }

  // ---- server messages ----

  private onMessage(msg: ServerMsg): void {
    if (isChallengeMsg(msg)) return this.challenges.handle(msg);
    if (isChatMsg(msg)) return this.chat.handle(msg);
    if (isVideoMsg(msg)) return this.video.handle(msg);
    const before = this.view;
    this.view = reduce(this.view, msg, this.serverClock.now());
    // The server's events make the sounds, once each: only what changed the shown game.
    const cue = this.view.seq !== before.seq ? cueOf(msg) : null;
    if (cue) this.sounds.play(cue);
    // A message of the shown room means this socket is in it: the chat catches up then (chat.ts).
    // (`paired` comes before the seat's `started`; `closed` ends the room; an error is no sign.)
    if ('room' in msg && msg.room === this.view.room && msg.t !== 'paired' && msg.t !== 'closed' && msg.t !== 'error') this.chat.seen(msg.room);
    switch (msg.t) {
      case 'welcome':
        return this.onWelcome();
      case 'created':
        this.view = { ...this.view, tc: this.requestedTc };
        this.hostOf = msg.room;
        this.navigator?.toRoom(msg.room);
        break;
      case 'joined':
        this.joining = null;
        break;
      case 'paired': {
        this.seeking = null;
        const tc = msg.pool ? poolTimeControl(msg.pool)
          : msg.challenge ? this.challenges.paired(msg.challenge)
          : this.lobby?.find((s) => s.id === msg.seek)?.tc ?? null;
        this.view = { ...this.view, tc };
        // Friends who played before meet in their room again: its next game, yet no rematch (see `started`).
        this.challengeRoom = msg.challenge ? msg.room : null;
        this.navigator?.toRoom(msg.room);
        break;
      }
      case 'crowd':
        this.crowd = { room: msg.room, count: msg.count, names: msg.names };
        return this.render();
      case 'lobby':
        if (!this.lobby) return;
        this.lobby = msg.seeks;
        return this.render();
      case 'unpooled':
        this.seeking = null; // we asked, or started another game
        break;
      case 'state':
      case 'moved':
        this.pendingMove = false; // the server's position is what counts now, whatever became of ours
        break;
      case 'draw_declined':
        if (msg.room === this.view.room) this.offerSent = false;
        break;
      case 'takeback_declined':
        if (msg.room === before.room && before.color && before.takebackOffer === before.color && msg.by !== before.color) toast('Your opponent declined the takeback');
        break;
      case 'moretime':
        if (msg.room === before.room && before.color === msg.color) toast('Your opponent gave you 15 seconds');
        break;
      case 'rematch_declined':
        // `by` is a side of the finished game: the opponent's is the one that is not ours.
        if (msg.room === before.room && before.color && msg.by !== before.color) {
          toast(msg.reason === 'left' ? 'Your opponent left: no rematch' : 'Your opponent declined the rematch');
        }
        break;
      case 'started':
        if (msg.room === before.room && before.status === 'ended' && this.view.color) {
          toast(`${this.challengeRoom === msg.room ? 'New game' : 'Rematch'}: you play ${this.view.color === 'white' ? 'White' : 'Black'}`);
        }
        if (msg.room === this.challengeRoom) this.challengeRoom = null;
        break;
      case 'closed':
        if (msg.room === before.room) {
          toast(msg.reason === 'expired' ? 'The room expired' : 'The room was closed');
          return this.leaveRoom();
        }
        break;
      case 'error':
        return this.onError(msg);
    }
    if (this.view.moves.length !== before.moves.length || this.view.status === 'ended') this.offerSent = false;
    if (this.view !== before) this.update(before);
  }

  private onWelcome(): void {
    this.names.welcomed();
    if (this.pendingMove) {
      // Sent on the old socket, answer lost: show the server's position; a replayed `moved` brings it back.
      this.pendingMove = false;
      this.board?.revert();
    }
    const v = this.view;
    // A closed socket left its pool: waiting goes on from the new one.
    if (this.seeking) this.send({ t: 'pool', id: this.frameId('pool'), ...this.seeking });
    if (this.lobby) this.send({ t: 'lobby', id: this.frameId('lobby') }); // our seeks went with the old socket
    this.challenges.welcomed();
    this.chat.welcomed();
    if (this.joining) {
      this.send({ t: 'join', id: this.frameId('join'), room: this.joining });
    } else if (v.room && (v.status === 'ended' || (!v.color && isLive(v)))) {
      // Spectators watch again; a reloaded finished game fetches its final state (result, PGN) the same way.
      this.send({ t: 'watch', id: this.frameId('watch'), room: v.room });
    }
    this.render();
  }

  private onError(msg: ErrorMsg): void {
    const id = msg.id ?? '';
    const v = this.view;
    if (id.startsWith('leave-')) return; // we are gone already; nothing to show
    if (id === 'hello') {
      if (msg.code === 'unauthorized') return; // the socket closes with 4401: Connection fetches a new token
      toast(`Could not resume the game: ${errorText(msg.code, v.room, 'hello')}`);
      return this.leaveRoom();
    }
    if (id.startsWith('join-') && this.joining) {
      const room = this.joining;
      this.joining = null;
      if (msg.code === 'room_full' || msg.code === 'game_over') {
        this.view = roomView(v, room, null, 'none'); // the `state` answer is only accepted for our room
        this.send({ t: 'watch', id: this.frameId('watch'), room });
        return this.render();
      }
      toast(errorText(msg.code, room, 'join'));
      return this.leaveRoom(room);
    }
    if (id.startsWith('watch-')) {
      if (v.status !== 'ended') toast(errorText(msg.code, v.room, 'watch'));
      return this.leaveRoom();
    }
    if (id.startsWith('move-')) {
      this.pendingMove = false;
      this.board?.revert();
      // A premove (or a move) that met the end of the game: the game-over panel says it already.
      if (msg.code === 'game_over' && v.status === 'ended') return this.render();
    }
    if (id.startsWith('draw-')) this.offerSent = false;
    if (id.startsWith('pool-')) this.seeking = null;
    this.challenges.failed(msg);
    if (this.chat.failed(msg)) return this.render();
    if (this.video.failed(msg)) return this.render();
    // Waiting again after a reconnect, or a second tab: the player is in a game already (its
    // `paired` may have gone with the old socket). Back to it, before the grace runs out.
    if (msg.code === 'in_game' && msg.room && ['pool-', 'seek-', 'accept-', 'chaccept-'].some((p) => id.startsWith(p))) {
      if (id.startsWith('chaccept-')) toast(errorText(msg.code, msg.room, 'chaccept')); // the challenge stands: say why it did not start
      this.navigator?.toRoom(msg.room);
      return this.render();
    }
    toast(errorText(msg.code, v.room, actionOf(id)));
    this.render();
  }

  /** After the view changed: board position and orientation, what to remember, the page. */
  private update(before: GameView): void {
    const v = this.view;
    const sameRoom = before.room === v.room;
    if (!sameRoom || before.color !== v.color) this.flipped = false;
    this.board?.setOrientation(this.orientation());
    if (!sameRoom || before.fen !== v.fen || before.moves !== v.moves) {
      this.board?.show(v.fen, lastMove(v), sameRoom && v.moves.length === before.moves.length + 1);
      // The opponent moved (one ply more and our turn): a queued premove is played the same
      // instant, if still legal. Our own move confirmed keeps it; a takeback or a jump drops it.
      const oneMore = sameRoom && v.moves.length === before.moves.length + 1;
      const premove = oneMore && canMove(v) && !this.pendingMove && this.online ? this.board?.takePremove() : null;
      if (premove) this.onBoardMove(premove);
      else if (!oneMore) this.board?.dropPremove();
    }
    saveRoom(v.room && v.status !== 'none' ? { room: v.room, color: v.color, status: v.status } : null);
    this.render();
  }

  /** Board input follows the state; then every subscribed screen renders. */
  render(): void {
    const v = this.view;
    // Our turn: moves; the opponent's (or ours on its way): one premove may be queued.
    const playing = this.online && v.status === 'active' && v.color !== null;
    this.board?.setInput(playing ? v.color : null, playing && !this.pendingMove && canMove(v) ? 'move' : 'premove');
    this.video.sync(); // a call ends with the room, or when the opponent is gone
    this.emit();
  }

  private leaveRoom(room: string | null = this.view.room): void {
    this.view = emptyView(this.view.me);
    this.chat.reset();
    this.pendingMove = this.offerSent = false;
    this.joining = this.hostOf = null;
    saveRoom(null);
    this.board?.show(START_FEN, null, false);
    this.board?.setOrientation('white');
    if (room) this.navigator?.leftRoom(room);
    this.render();
  }

  // ---- rooms by URL ----

  /** The game screen shows `raw`: resume it, or join it (watching if it is full or over). */
  open(raw: string): void {
    const code = normalizeCode(raw);
    if (!looksLikeCode(code) || this.view.room === code || this.joining === code) return;
    this.stopWatching();
    this.view = emptyView(this.view.me);
    this.pendingMove = this.offerSent = false;
    this.hostOf = null;
    this.joining = code;
    this.chat.reset();
    saveRoom(null);
    // Now if the socket is ready for it; otherwise `welcome` sends it (after a pending name switch, too).
    if (this.online && !this.names.switching) this.send({ t: 'join', id: this.frameId('join'), room: code });
    this.render();
  }

  /** The game screen goes away: a spectator stops watching; a player keeps the seat (Home links back). */
  close(code: string): void {
    if (this.view.room !== code || this.view.color) return;
    this.stopWatching();
    this.view = emptyView(this.view.me);
    this.chat.reset();
    saveRoom(null);
    this.render();
  }

  private stopWatching(): void {
    if (this.view.room && !this.view.color && this.view.status !== 'none') {
      this.conn.send({ t: 'leave', id: this.frameId('leave'), room: this.view.room });
    }
  }

  // ---- the player's actions ----

  /** Create (from the home screen), after the name typed there is in force. */
  create(tc: TimeControl, color: Side | 'random', rated = false): void {
    void this.names.act(() => {
      this.requestedTc = tc;
      this.send({ t: 'create', id: this.frameId('create'), tc, color, ...(rated ? { rated: true } : {}) });
    });
  }

  join(code: string): void {
    void this.names.act(() => {
      this.joining = code;
      if (!this.send({ t: 'join', id: this.frameId('join'), room: code })) this.joining = null;
      else this.navigator?.toRoom(code);
    });
  }

  /** Quick pairing: wait in a pool (after the name typed there is in force) until the server pairs us. */
  quickPair(pool: PoolId, rated: boolean): void {
    void this.names.act(() => {
      this.seeking = { pool, rated };
      if (!this.send({ t: 'pool', id: this.frameId('pool'), pool, ...(rated ? { rated: true } : {}) })) this.seeking = null;
      this.render();
    });
  }

  /** A screen shows the lobby: follow its seeks (until `unfollowLobby`). */
  followLobby(): void {
    this.lobby = [];
    this.conn.send({ t: 'lobby', id: this.frameId('lobby') });
    this.render();
  }

  unfollowLobby(): void {
    this.lobby = null;
    this.conn.send({ t: 'lobby', on: false });
  }

  /** Opens a seek in the lobby (after the name typed there is in force). */
  seek(tc: TimeControl, color: Side | 'random', rated: boolean): void {
    void this.names.act(() => {
      this.send({ t: 'seek', id: this.frameId('seek'), tc, color, ...(rated ? { rated: true } : {}) });
    });
  }

  unseek(id: string): void {
    this.send({ t: 'unseek', id: this.frameId('seek'), seek: id });
  }

  accept(id: string): void {
    void this.names.act(() => {
      this.send({ t: 'accept', id: this.frameId('accept'), seek: id });
    });
  }

  cancelQuickPair(): void {
    this.seeking = null;
    this.conn.send({ t: 'unpool', id: this.frameId('unpool') });
    this.render();
  }

  /** Whether a create or join may start now (nothing else put us in a room meanwhile). */
  get free(): boolean {
    return !this.view.room && !this.joining;
  }

  cancelRoom(): void {
    if (this.view.room) this.send({ t: 'leave', id: this.frameId('leave'), room: this.view.room });
    this.leaveRoom();
  }

  newGame(): void {
    this.stopWatching();
    // A player of a finished game leaves its room for good: a rematch offer to or from us is off.
    const v = this.view;
    if (v.room && v.color && v.status === 'ended') this.conn.send({ t: 'leave', id: this.frameId('leave'), room: v.room });
    this.leaveRoom();
  }

  /** After the end: offer the next game in this room, or answer the opponent's offer. */
  rematch(action: 'offer' | 'accept' | 'decline'): void {
    if (this.view.room) this.send({ t: 'rematch', id: this.frameId('rematch'), room: this.view.room, action });
  }

  resign(): void {
    if (this.view.room) this.send({ t: 'resign', id: this.frameId('resign'), room: this.view.room });
  }

  abort(): void {
    if (this.view.room) this.send({ t: 'abort', id: this.frameId('abort'), room: this.view.room });
  }

  draw(action: 'offer' | 'accept' | 'decline'): void {
    if (!this.view.room || !this.send({ t: 'draw', id: this.frameId('draw'), room: this.view.room, action })) return;
    if (action === 'offer') this.offerSent = true;
    this.render();
  }

  /** Courtesies (protocol 6g): 15 s more for the opponent; ask to take back our last move, or answer their ask. */
  moretime(): void {
    if (this.view.room) this.send({ t: 'moretime', id: this.frameId('moretime'), room: this.view.room });
  }

  takeback(action: 'offer' | 'accept' | 'decline'): void {
    if (this.view.room) this.send({ t: 'takeback', id: this.frameId('takeback'), room: this.view.room, action });
  }

  flip(): void {
    this.flipped = !this.flipped;
    this.board?.setOrientation(this.orientation());
    this.render();
  }

  /** After the account page changed the username: the header shows the new one. */
  async refreshIdentity(): Promise<void> {
    await this.identity.renew().catch(() => undefined);
    this.emit();
  }
}
