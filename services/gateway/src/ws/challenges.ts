// One socket's challenges to friends (seed 001): make one, answer one (accept, decline), withdraw
// one, list them. Its Client owns it (one per socket) and hands it the frames; the socket's close
// withdraws the challenges it made that still stand (each entry names its socket). The challenge lives
// in Redis (@gambit/pairing's ChallengeStore); both players hear of it on whatever gateway holds
// their sockets (redis/players.ts); an accepted one becomes a `pair` command for the engine, to
// be played in the two friends' own room.
import { challengeView, isAccountId, type ChallengeEntry, type ChallengeGoneMsg, type ClientFrame, type Origin } from '@gambit/protocol';
import type { Identity } from '@gambit/common';
import type { ChallengeAcceptOutcome, ChallengeStore, PoolStore } from '@gambit/pairing';
import type { Players } from '../redis/players.js';
import type { Socket } from './matching.js';
import { withId } from './commands.js';

export interface ChallengeDeps {
  gatewayId: string;
  challenges: Pick<ChallengeStore, 'open' | 'get' | 'list' | 'end' | 'areFriends'> & {
    accept(read: { entry: ChallengeEntry; text: string }, who: Origin): Promise<ChallengeAcceptOutcome>;
  };
  players: Pick<Players, 'sockets' | 'tell'>;
  pools: Pick<PoolStore, 'playing'>;
}

export type ChallengeFrame = Extract<ClientFrame, { t: 'challenge' | 'challenge_accept' | 'challenge_decline' | 'challenge_cancel' | 'challenges' }>;

export class Challenges {
  /** This socket made challenges (its close looks for those that still stand). */
  private made = false;
  private gone = false;

  constructor(private readonly deps: ChallengeDeps, private readonly socket: Socket) {}

  async handle(frame: ChallengeFrame, me: Identity): Promise<void> {
    switch (frame.t) {
      case 'challenge': return this.challenge(frame, me);
      case 'challenge_accept': return this.accept(frame.challenge, me, frame.id);
      case 'challenge_decline': return this.end(frame.challenge, 'in', 'declined', me, frame.id);
      case 'challenge_cancel': return this.end(frame.challenge, 'out', 'canceled', me, frame.id);
      case 'challenges': {
        const { incoming, outgoing } = isAccountId(me.playerId) ? await this.deps.challenges.list(me.playerId) : { incoming: [], outgoing: [] };
        return this.socket.send(withId({ t: 'challenges', incoming: incoming.map(challengeView), outgoing: outgoing.map(challengeView) }, frame.id));
      }
    }
  }

  /** The socket closed: the challenges it made that still stand are withdrawn, and their friends told. */
  closed(me: Identity | null): void {
    this.gone = true;
    if (!me || !this.made) return;
    void this.deps.challenges.list(me.playerId).then(async ({ outgoing }) => {
      for (const c of outgoing) if (c.from.conn === this.socket.id) await this.end(c.id, 'out', 'canceled', me, undefined, false);
    }).catch(() => undefined);
  }

  private async challenge(frame: Extract<ClientFrame, { t: 'challenge' }>, me: Identity): Promise<void> {
    const { deps, socket } = this;
    if (!isAccountId(me.playerId)) return socket.error('not_friends', 'sign in to challenge your friends', frame.id);
    if (frame.to === me.playerId) return socket.error('challenge_self', 'you cannot challenge yourself', frame.id);
    // Friendship first: whether a stranger is online is none of the challenger's business.
    if (!(await deps.challenges.areFriends(me.playerId, frame.to))) return socket.error('not_friends', 'you can challenge only your friends', frame.id);
    const room = await deps.pools.playing(me.playerId);
    if (room) return socket.error('in_game', room === 'pending' ? 'a game of yours is starting' : `you are playing in room ${room}: finish that game first`, frame.id, room === 'pending' ? undefined : room);
    const sockets = await deps.players.sockets(frame.to);
    if (sockets.length === 0) return socket.error('friend_offline', 'your friend is not online: challenge them when they are', frame.id);
    const out = await deps.challenges.open({
      from: { playerId: me.playerId, name: me.name, gw: deps.gatewayId, conn: socket.id }, to: { playerId: frame.to, name: sockets[0]!.name },
      tc: frame.tc, color: frame.color ?? 'random', rated: frame.rated ?? false,
    });
    if ('refused' in out) {
      const why = {
        not_friends: 'you can challenge only your friends',
        already_challenged: 'your challenge to this friend stands already',
        too_many_challenges: 'you have as many open challenges as allowed: withdraw one first',
        rate_limited: 'too many challenges this minute: wait a little',
      }[out.refused];
      return socket.error(out.refused, why, frame.id);
    }
    this.made = true;
    if (this.gone) return this.end(out.id, 'out', 'canceled', me, undefined, false);
    const view = challengeView(out);
    socket.send(withId({ t: 'challenge_sent', challenge: view }, frame.id));
    await deps.players.tell(sockets, { t: 'challenge_received', challenge: view });
  }

  /** The friend accepts: the game is set up (`paired` follows to both), and every socket of both hears the challenge is over. */
  private async accept(id: string, me: Identity, frameId?: string): Promise<void> {
    const { deps, socket } = this;
    const read = await deps.challenges.get(me.playerId, 'in', id);
    if (!read) return socket.error('challenge_not_found', 'that challenge was withdrawn or answered already', frameId);
    // The challenger's socket is gone without its close reaching us (a dead gateway): as if withdrawn.
    const from = await deps.players.sockets(read.entry.from.playerId);
    if (!from.some((s) => s.conn === read.entry.from.conn)) {
      if (await deps.challenges.end(read.entry)) await this.tell(read.entry, 'canceled');
      return socket.error('challenge_not_found', `${read.entry.from.name} left: the challenge is off`, frameId);
    }
    const outcome = await deps.challenges.accept(read, socket.origin(frameId));
    if (outcome === 'accepted') return this.tell(read.entry, 'accepted');
    if (outcome === 'in_game') {
      const room = await deps.pools.playing(me.playerId);
      return socket.error('in_game', 'you are in a game: finish it first', frameId, room && room !== 'pending' ? room : undefined);
    }
    if (outcome === 'friend_in_game') {
      await this.tell(read.entry, 'canceled');
      return socket.error('challenge_not_found', `${read.entry.from.name} started another game: the challenge is off`, frameId);
    }
    if (outcome === 'not_friends') {
      // A block or a removal since it was made (either side): it goes, and says no more than that.
      await this.tell(read.entry, 'canceled');
      return socket.error('challenge_not_found', 'that challenge is off', frameId);
    }
    return socket.error('challenge_not_found', 'that challenge was withdrawn or answered already', frameId);
  }

  /**
   * Declines (`in`) or withdraws (`out`) a challenge of `me`'s. `answer`: the socket asked (a frame),
   * so it gets `challenge_gone` (or the error) directly; a closing socket's withdrawals answer nobody.
   */
  private async end(id: string, dir: 'in' | 'out', reason: ChallengeGoneMsg['reason'], me: Identity, frameId?: string, answer = true): Promise<void> {
    const read = await this.deps.challenges.get(me.playerId, dir, id);
    // Only the caller that removed it tells the players: a decline racing a cancel is told once.
    if (!read || !(await this.deps.challenges.end(read.entry))) {
      if (answer) this.socket.error('challenge_not_found', `no open challenge ${id} ${dir === 'in' ? 'to' : 'by'} you`, frameId);
      return;
    }
    await this.tell(read.entry, reason, answer ? frameId ?? null : undefined);
  }

  /**
   * Every socket of both players hears `challenge_gone`; with `frameId` (null: no id) this socket
   * gets it directly, as the answer, rather than through its event stream.
   */
  private async tell(e: ChallengeEntry, reason: ChallengeGoneMsg['reason'], frameId?: string | null): Promise<void> {
    const gone: ChallengeGoneMsg = { t: 'challenge_gone', challenge: e.id, reason };
    const [a, b] = await Promise.all([this.deps.players.sockets(e.from.playerId), this.deps.players.sockets(e.to.playerId)]);
    const direct = frameId !== undefined;
    await this.deps.players.tell([...a, ...b].filter((s) => !(direct && s.conn === this.socket.id)), gone);
    if (direct) this.socket.send(withId(gone, frameId ?? undefined));
  }
}
