// One socket's ways to find an opponent without a code: quick-pairing pools and the lobby's seeks.
// Its Client owns it (one per socket) and hands it the frames; it remembers what the socket opened
// (a wait in a pool, seeks) so the socket's close takes exactly that away. Everything it does is
// in Redis (@gambit/pairing); the engine only hears of the pair it makes.
import { isAccountId, poolTimeControl, speedOf, type ClientFrame, type ErrorCode, type Origin, type ServerMsg, type TimeControl } from '@gambit/protocol';
import type { Identity } from '@gambit/common';
import type { AcceptOutcome, PoolStore, SeekStore } from '@gambit/pairing';
import type { Lobby } from './lobby.js';
import { withId } from './commands.js';

export interface MatchingDeps {
  gatewayId: string;
  /** The quick-pairing pools: this socket's player waits there after `pool`. */
  pools: Pick<PoolStore, 'join' | 'leave' | 'rating' | 'playing' | 'blocks'>;
  /** The lobby: its open seeks and this pod's followers of them. */
  seeks: Pick<SeekStore, 'add' | 'cancel' | 'removeConn'> & { accept(id: string, who: Origin): Promise<AcceptOutcome> };
  lobby: Pick<Lobby, 'follow' | 'unfollow'>;
}

/** What Matching needs of its socket's owner. */
export interface Socket {
  readonly id: string;
  send(msg: ServerMsg): void;
  sendRaw(text: string | Buffer): void;
  error(code: ErrorCode, message: string, id?: string, room?: string): void;
  origin(id?: string): Origin;
}

export type MatchingFrame = Extract<ClientFrame, { t: 'pool' | 'unpool' | 'lobby' | 'seek' | 'unseek' | 'accept' }>;

export class Matching {
  /** This socket put its player in a pool (they may have been paired since). */
  private pooled = false;
  /** This socket opened seeks. */
  private sought = false;
  /** The socket closed: what a frame still in flight opens is taken away again at once. */
  private gone = false;

  constructor(private readonly deps: MatchingDeps, private readonly socket: Socket) {}

  async handle(frame: MatchingFrame, me: Identity): Promise<void> {
    switch (frame.t) {
      case 'pool': return this.pool(frame, me);
      case 'unpool': return this.unpool(me, frame.id);
      case 'lobby':
        if (frame.on === false) return this.deps.lobby.unfollow(this.socket);
        await this.deps.lobby.follow(this.socket, frame.id, new Set(isAccountId(me.playerId) ? await this.deps.pools.blocks(me.playerId) : []));
        if (this.gone) this.deps.lobby.unfollow(this.socket);
        return;
      case 'seek': return this.seek(frame, me);
      case 'unseek': return this.unseek(frame.seek, me, frame.id);
      case 'accept':
        if (this.pooled) await this.unpool(me);
        return this.accept(frame.seek, me, frame.id);
    }
  }

  /** The socket starts a game another way (`create`, `join`): it leaves its pool (lichess does the same). */
  async startingGame(me: Identity): Promise<void> {
    if (this.pooled) await this.unpool(me);
  }

  /** The socket closed: its wait and its seeks go, and it no longer follows the lobby. */
  closed(me: Identity | null): void {
    this.gone = true;
    this.deps.lobby.unfollow(this.socket);
    if (me && this.pooled) void this.deps.pools.leave(me.playerId, this.socket.id).catch(() => undefined);
    if (this.sought) void this.deps.seeks.removeConn(this.socket.id).catch(() => undefined);
  }

  /** Refuses (with the error) a wait, seek or accept by `me`: rated without an account, or while playing. Returns whether it did. */
  private async refusal(me: Identity, rated: boolean, id?: string): Promise<boolean> {
    // Ratings belong to accounts, as for `create`; a guest is matched as a newcomer (1500).
    if (rated && !isAccountId(me.playerId)) {
      this.socket.error('rated_needs_account', 'sign in to play rated games', id);
      return true;
    }
    const room = await this.deps.pools.playing(me.playerId);
    if (room === 'pending') this.socket.error('in_game', 'a game of yours is starting', id);
    else if (room) this.socket.error('in_game', `you are playing in room ${room}: finish that game first`, id, room);
    return room !== null;
  }

  private rating(me: Identity, tc: TimeControl): Promise<number> {
    return isAccountId(me.playerId) ? this.deps.pools.rating(me.playerId, speedOf(tc)) : Promise.resolve(1500);
  }

  /** Waits in a pool (replacing any other wait of this player): the matchmaker's `paired` ends it. */
  private async pool(frame: Extract<ClientFrame, { t: 'pool' }>, me: Identity): Promise<void> {
    const rated = frame.rated ?? false;
    if (await this.refusal(me, rated, frame.id)) return;
    const [rating, blocks] = await Promise.all([this.rating(me, poolTimeControl(frame.pool)), isAccountId(me.playerId) ? this.deps.pools.blocks(me.playerId) : []]);
    await this.deps.pools.join({ pool: frame.pool, rated }, {
      playerId: me.playerId, name: me.name, gw: this.deps.gatewayId, conn: this.socket.id, rating, since: Date.now(), ...(blocks.length ? { blocks } : {}),
    });
    this.pooled = true;
    if (this.gone) return this.closed(me);
    this.socket.send(withId({ t: 'pooled', pool: frame.pool, rated }, frame.id));
  }

  /** Stops waiting (whichever socket of the player made the entry); answered even if nothing waited. */
  private async unpool(me: Identity, id?: string): Promise<void> {
    await this.deps.pools.leave(me.playerId);
    this.pooled = false;
    this.socket.send(withId({ t: 'unpooled' }, id));
  }

  /** Opens a seek in the lobby; the game starts when someone accepts it (`paired`). */
  private async seek(frame: Extract<ClientFrame, { t: 'seek' }>, me: Identity): Promise<void> {
    const rated = frame.rated ?? false;
    if (await this.refusal(me, rated, frame.id)) return;
    const rating = await this.rating(me, frame.tc);
    const id = await this.deps.seeks.add({
      playerId: me.playerId, name: me.name, gw: this.deps.gatewayId, conn: this.socket.id, rating, since: Date.now(), tc: frame.tc, color: frame.color ?? 'random', rated,
    });
    if (!id) return this.socket.error('too_many_seeks', 'you have as many open seeks as allowed: cancel one first', frame.id);
    this.sought = true;
    if (this.gone) return this.closed(me);
    this.socket.send(withId({ t: 'sought', seek: id }, frame.id));
  }

  private async unseek(seek: string, me: Identity, id?: string): Promise<void> {
    if (!(await this.deps.seeks.cancel(me.playerId, seek))) return this.socket.error('seek_not_found', `no open seek ${seek} of yours`, id);
    this.socket.send(withId({ t: 'unsought', seek }, id));
  }

  /** Accepts another's seek: nothing to answer when it worked, `paired` follows from the engine. */
  private async accept(seek: string, me: Identity, id?: string): Promise<void> {
    if (await this.refusal(me, false, id)) return;
    const outcome = await this.deps.seeks.accept(seek, this.socket.origin(id));
    if (outcome === 'seek_not_found') return this.socket.error(outcome, `seek ${seek} is no longer open`, id);
    if (outcome === 'own_seek') return this.socket.error(outcome, 'that seek is your own', id);
    if (outcome === 'rated_needs_account') return this.socket.error(outcome, 'that seek is rated: sign in to accept it', id);
    if (outcome === 'in_game') return this.socket.error(outcome, 'you are in a game: finish it first', id);
  }
}
