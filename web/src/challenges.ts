// Challenges between friends, and friends' presence, as the page keeps them: the open challenges
// to and from this player (the banner on every screen shows them) and, while the Friends screen
// follows it, which friends are online and the room each one plays in. A module of its own so
// live.ts stays about the game: LiveGame owns one, hands it these server messages, tells it when a
// socket is welcomed (a new socket starts from the server's lists) and asks it the time control of
// a challenge that just became a game (`paired` names only the challenge).
import type { ChallengeView, ClientFrame, ErrorMsg, ServerMsg, Side, TimeControl } from '@gambit/protocol';
import type { LiveGame } from './live.js';
import { toast } from './toast.js';

export type ChallengeMsg = Extract<ServerMsg, { t: 'friends' | 'challenge_sent' | 'challenge_received' | 'challenge_gone' | 'challenges' }>;

const CHALLENGE_TYPES: ReadonlySet<string> = new Set<ChallengeMsg['t']>(['friends', 'challenge_sent', 'challenge_received', 'challenge_gone', 'challenges']);
export const isChallengeMsg = (msg: ServerMsg): msg is ChallengeMsg => CHALLENGE_TYPES.has(msg.t);

/** A friend who is online, and the room of the game they play (if any). */
export interface FriendPresence { playing?: string }

type Host = Pick<LiveGame, 'send' | 'conn' | 'frameId' | 'render' | 'identity' | 'serverClock'>;

export class Challenges {
  /** Challenges to us and by us, oldest first. */
  incoming: ChallengeView[] = [];
  outgoing: ChallengeView[] = [];
  /** Online friends by playerId while a screen follows them; null before the first answer or when not following. */
  presence: Map<string, FriendPresence> | null = null;
  private following = false;
  /** Time controls of challenges seen lately: `paired` may come after their `challenge_gone`. */
  private readonly tcs = new Map<string, TimeControl>();
  /** Frame id -> the challenge it acts on, so a refusal can drop a challenge that is gone. */
  private readonly acting = new Map<string, string>();
  private readonly lapse = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly host: Host) {}

  private get signedIn(): boolean {
    return this.host.identity.me?.kind === 'user';
  }

  /** A new socket: its own lists from the server (the old socket's challenges went with it). */
  welcomed(): void {
    if (!this.signedIn) {
      // Signed out (or a session that fell back to a guest): the account's challenges are not ours.
      for (const id of [...this.lapse.keys()]) this.forget(id);
      this.incoming = [];
      this.outgoing = [];
      return;
    }
    this.host.conn.send({ t: 'challenges', id: this.host.frameId('challenges') });
    if (this.following) this.host.conn.send({ t: 'friends', id: this.host.frameId('friends') });
  }

  handle(msg: ChallengeMsg): void {
    switch (msg.t) {
      case 'friends':
        if (!this.following) return; // an answer that crossed our `on: false`
        this.presence = new Map(msg.online.map((f) => [f.playerId, f.playing ? { playing: f.playing } : {}]));
        break;
      case 'challenges':
        for (const id of [...this.lapse.keys()]) this.forget(id);
        this.incoming = [];
        this.outgoing = [];
        for (const c of msg.incoming) this.add(c, 'in');
        for (const c of msg.outgoing) this.add(c, 'out');
        break;
      case 'challenge_sent':
        this.add(msg.challenge, 'out');
        break;
      case 'challenge_received':
        this.add(msg.challenge, 'in');
        break;
      case 'challenge_gone': {
        const out = this.outgoing.find((c) => c.id === msg.challenge);
        const inc = this.incoming.find((c) => c.id === msg.challenge);
        // Only what the other player did is news: our own cancel or decline shows by the challenge going.
        if (out && msg.reason === 'declined') toast(`${out.to.name} declined your challenge`);
        if (inc && msg.reason === 'canceled') toast(`${inc.from.name} withdrew the challenge`);
        this.remove(msg.challenge);
        break;
      }
    }
    this.host.render();
  }

  /** An error answer: a challenge the server no longer has leaves our lists too (toasting is the caller's). */
  failed(msg: ErrorMsg): void {
    const id = msg.id === undefined ? undefined : this.acting.get(msg.id);
    if (id === undefined) return;
    this.acting.delete(msg.id!);
    if (msg.code === 'challenge_not_found') {
      this.remove(id);
      this.host.render();
    }
  }

  /** The challenge became our game: its time control, for the game screen. */
  paired(challenge: string): TimeControl | null {
    this.remove(challenge);
    return this.tcs.get(challenge) ?? null;
  }

  // ---- the Friends screen ----

  /** The screen shows friends: their presence comes now and again on every change, until `unfollow`. */
  follow(): void {
    this.following = true;
    this.presence = null;
    if (this.signedIn) this.host.conn.send({ t: 'friends', id: this.host.frameId('friends') });
  }

  unfollow(): void {
    if (!this.following) return;
    this.following = false;
    this.presence = null;
    this.host.conn.send({ t: 'friends', on: false });
  }

  /** The friends changed (a request accepted): the server reads their presence again at once. */
  refreshPresence(): void {
    if (this.following && this.signedIn) this.host.conn.send({ t: 'friends', id: this.host.frameId('friends') });
  }

  /** Our open challenge to `playerId`, if any. */
  to(playerId: string): ChallengeView | undefined {
    return this.outgoing.find((c) => c.to.playerId === playerId);
  }

  // ---- the player's actions ----

  challenge(to: string, tc: TimeControl, color: Side | 'random', rated: boolean): boolean {
    return this.host.send({ t: 'challenge', id: this.host.frameId('challenge'), to, tc, color, ...(rated ? { rated: true } : {}) });
  }

  accept(id: string): void {
    this.act({ t: 'challenge_accept', id: this.host.frameId('chaccept'), challenge: id });
  }

  decline(id: string): void {
    this.act({ t: 'challenge_decline', id: this.host.frameId('chdecline'), challenge: id });
  }

  cancel(id: string): void {
    this.act({ t: 'challenge_cancel', id: this.host.frameId('chcancel'), challenge: id });
  }

  private act(frame: Extract<ClientFrame, { t: 'challenge_accept' | 'challenge_decline' | 'challenge_cancel' }>): void {
    if (!this.host.send(frame)) return;
    this.acting.set(frame.id!, frame.challenge);
    // Answers are few; the map is only for the refusal of a frame still on its way.
    if (this.acting.size > 20) this.acting.delete(this.acting.keys().next().value!);
  }

  // ---- the lists ----

  private add(c: ChallengeView, dir: 'in' | 'out'): void {
    const list = dir === 'in' ? this.incoming : this.outgoing;
    if (list.some((x) => x.id === c.id)) return;
    const next = [...list, c].sort((a, b) => a.since - b.since);
    if (dir === 'in') this.incoming = next;
    else this.outgoing = next;
    this.tcs.set(c.id, c.tc);
    if (this.tcs.size > 20) this.tcs.delete(this.tcs.keys().next().value!);
    // The server tells nobody when a challenge lapses unanswered: the page drops it at its `until`.
    const left = c.until - this.host.serverClock.now();
    this.lapse.set(c.id, setTimeout(() => {
      this.remove(c.id);
      this.host.render();
    }, Math.max(0, left)));
  }

  private remove(id: string): void {
    this.incoming = this.incoming.filter((c) => c.id !== id);
    this.outgoing = this.outgoing.filter((c) => c.id !== id);
    this.forget(id);
  }

  private forget(id: string): void {
    clearTimeout(this.lapse.get(id));
    this.lapse.delete(id);
  }
}
