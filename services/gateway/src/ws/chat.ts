// One socket's chat: it says lines in the rooms it is in (the players' chat when it is a player
// there, the spectators' when it watches), catches up on the lines it missed, mutes players,
// reports lines, and (a player) closes or opens the spectators' chat. Its Client owns it (one per
// socket) and hands it the frames. The lines travel from this gateway to the room's gateways
// (redis/chat-store.ts), never through the engine: chat does not touch the game.
import { chatLineView, isAccountId, type ChatChannel, type ClientFrame, type ErrorCode, type ServerMsg } from '@gambit/protocol';
import type { Identity } from '@gambit/common';
import type { ChatStore } from '../redis/chat-store.js';
import type { GatewayMetrics } from '../metrics.js';
import type { Mutes } from './mutes.js';
import type { WordFilter } from './word-filter.js';
import type { ChatRates } from './chat-rates.js';
import { withId } from './commands.js';

export interface ChatDeps {
  chat: Pick<ChatStore, 'say' | 'lines' | 'mode' | 'report' | 'mute'>;
  /** Lines each player may still say on this pod (all their sockets here together). */
  chatRates: Pick<ChatRates, 'take'>;
  mutes: Pick<Mutes, 'set' | 'has'>;
  wordFilter: WordFilter;
  metrics: Pick<GatewayMetrics, 'chatLines' | 'chatReports' | 'rateLimited'>;
}

/** What Chat needs of its socket's owner. */
export interface ChatSocket {
  readonly id: string;
  send(msg: ServerMsg): void;
  error(code: ErrorCode, message: string, id?: string): void;
  /** The socket's part in `room` here (null: not in its audience). */
  role(room: string): ChatChannel | null;
  /** A new correlation id for a frame (as commands get). */
  cid(): string;
}

export type ChatFrame = Extract<ClientFrame, { t: 'say' | 'chat' | 'mute' | 'report' | 'chat_mode' }>;

/** Lines a sender may say: accounts 5 at once then one every 2 s; guests 3 then one every 5 s. */
const ACCOUNT_LINES = { rate: 0.5, burst: 5 };
const GUEST_LINES = { rate: 0.2, burst: 3 };
/** Reports: 5 at once, then one a minute (per player, as lines). */
const REPORTS = { rate: 1 / 60, burst: 5 };
/** Bidirectional controls: a line could show its words in another order than it was written. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export class Chat {
  constructor(private readonly deps: ChatDeps, private readonly socket: ChatSocket) {}

  async handle(frame: ChatFrame, me: Identity): Promise<void> {
    const { socket } = this;
    if (frame.t === 'mute') return this.mute(frame, me);
    const role = socket.role(frame.room);
    if (!role) return socket.error('not_in_room', `you are not in room ${frame.room}: join or watch it first`, frame.id);
    switch (frame.t) {
      case 'say': return this.say(frame, role, me);
      case 'chat': {
        const { lines, spectators } = await this.deps.chat.lines(frame.room, role, frame.after ?? 0);
        const shown = lines.filter((l) => !this.deps.mutes.has(me.playerId, l.by.playerId)).map(chatLineView);
        return socket.send(withId({ t: 'chat', room: frame.room, channel: role, lines: shown, spectators }, frame.id));
      }
      case 'report': return this.report(frame, role, me);
      case 'chat_mode':
        if (role !== 'players') return socket.error('not_a_player', 'only the players open or close the spectators\' chat', frame.id);
        if (!(await this.deps.chat.mode(frame.room, frame.spectators, socket.id))) return socket.error('room_not_found', `room ${frame.room} does not exist`, frame.id);
        return socket.send(withId({ t: 'chat_mode', room: frame.room, spectators: frame.spectators }, frame.id));
    }
  }

  private async say(frame: Extract<ChatFrame, { t: 'say' }>, channel: ChatChannel, me: Identity): Promise<void> {
    const { socket, deps } = this;
    const account = isAccountId(me.playerId);
    // lichess lets only accounts talk to strangers: a guest talks with their opponent only.
    if (channel === 'spectators' && !account) return socket.error('chat_needs_account', 'sign in to chat with the other spectators', frame.id);
    if (!deps.chatRates.take(me.playerId, account ? ACCOUNT_LINES : GUEST_LINES)) {
      deps.metrics.rateLimited.inc();
      return socket.error('rate_limited', 'too many chat lines: wait a moment', frame.id);
    }
    const text = deps.wordFilter(frame.text.replace(BIDI_CONTROLS, '')).trim();
    if (!text) return socket.error('bad_request', 'text is empty', frame.id);
    const out = await deps.chat.say(frame.room, channel, { playerId: me.playerId, name: me.name }, text, socket.cid());
    if (out === 'chat_closed') return socket.error('chat_closed', 'the players closed the spectators\' chat', frame.id);
    if (out === 'room_not_found') return socket.error('room_not_found', `room ${frame.room} does not exist`, frame.id);
    deps.metrics.chatLines.inc({ channel });
    // No answer of its own: the line comes back as `said`, as to every reader of the channel.
  }

  private async report(frame: Extract<ChatFrame, { t: 'report' }>, role: ChatChannel, me: Identity): Promise<void> {
    const { socket, deps } = this;
    // One reads only one's own channel: a line one never saw is not one's to report.
    if (frame.channel !== role) return socket.error('line_not_found', `you do not read the ${frame.channel}' chat of room ${frame.room}`, frame.id);
    if (!deps.chatRates.take(`report ${me.playerId}`, REPORTS)) {
      deps.metrics.rateLimited.inc();
      return socket.error('rate_limited', 'too many reports: wait a minute', frame.id);
    }
    if (!(await deps.chat.report(me.playerId, frame.room, frame.channel, frame.n, frame.reason ?? ''))) {
      return socket.error('line_not_found', `line ${frame.n} is not kept any more`, frame.id);
    }
    deps.metrics.chatReports.inc();
    socket.send(withId({ t: 'reported', room: frame.room, channel: frame.channel, n: frame.n }, frame.id));
  }

  private async mute(frame: Extract<ChatFrame, { t: 'mute' }>, me: Identity): Promise<void> {
    const on = frame.on ?? true;
    if (frame.playerId === me.playerId) return this.socket.error('bad_request', 'you cannot mute yourself', frame.id);
    if (!(await this.deps.chat.mute(me.playerId, frame.playerId, on))) return this.socket.error('bad_request', 'you muted as many players as allowed: unmute one first', frame.id);
    this.deps.mutes.set(me.playerId, frame.playerId, on);
    this.socket.send(withId({ t: 'muted', playerId: frame.playerId, on }, frame.id));
  }
}
