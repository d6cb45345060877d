// The shown room's chat as the page keeps it: the lines of this socket's channel (the players' chat
// for a seated player, the spectators' for a watcher) merged by their number `n` however they came
// (live `said`, or a `chat` catch-up), whom this person muted, whether the spectators' chat is open,
// and the line being typed. A module of its own so live.ts stays about the game: LiveGame owns one,
// hands it the chat messages and chat errors, and tells it of every message of the shown room.
// Chat lines are not room events: a resume replays none of them. So after every new socket (or a
// new room) the first message of the room, which shows the socket is in it, makes this module ask
// for the lines after the highest `n` it has.
import type { ChatChannel, ChatLine, ErrorMsg, ServerMsg } from '@gambit/protocol';
import type { LiveGame } from './live.js';
import { toast } from './toast.js';

/**
 * A line's most characters: MAX_CHAT_CHARS of @gambit/protocol, not imported from there because
 * that module brings zod into the page (chat.test.ts checks they agree).
 */
export const CHAT_MAX = 140;
/** From this many characters on, the input shows its count. */
export const CHAT_COUNT_FROM = 120;
/** Lines kept in the page (the server keeps the last 100 per channel). */
const KEEP = 200;
/** A catch-up that came before the socket was in the room is asked again after this, a few times. */
export const RETRY_MS = 1_500;
const RETRIES = 4;
const MUTES_KEY = 'gambit.mutes.';

export type ChatServerMsg = Extract<ServerMsg, { t: 'said' | 'chat' | 'muted' | 'reported' | 'chat_mode' }>;

const CHAT_TYPES: ReadonlySet<string> = new Set<ChatServerMsg['t']>(['said', 'chat', 'muted', 'reported', 'chat_mode']);
export const isChatMsg = (msg: ServerMsg): msg is ChatServerMsg => CHAT_TYPES.has(msg.t);

/** `have` and `more` by `n`, oldest first, each number once (a newer copy wins). */
export function mergeLines(have: readonly ChatLine[], more: readonly ChatLine[]): ChatLine[] {
  if (more.length === 0) return [...have];
  const byN = new Map(have.map((l) => [l.n, l]));
  for (const l of more) byN.set(l.n, l);
  return [...byN.values()].sort((a, b) => a.n - b.n).slice(-KEEP);
}

/** The line of a `said` (without its `t`). */
const lineOf = (m: Extract<ServerMsg, { t: 'said' }>): ChatLine =>
  ({ room: m.room, channel: m.channel, n: m.n, by: { playerId: m.by.playerId, name: m.by.name }, text: m.text, at: m.at });

type Host = Pick<LiveGame, 'send' | 'conn' | 'frameId' | 'render' | 'identity' | 'view'>;
export type MuteStorage = Pick<Storage, 'getItem' | 'setItem'>;

function browserStorage(): MuteStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled: mutes last as long as the page (the server keeps them anyway)
  }
}

export class Chat {
  /** The room these lines are of (null: none). */
  room: string | null = null;
  /** This socket's channel there, as the server's `chat` answer said (null before it). */
  channel: ChatChannel | null = null;
  /** Every line received, muted authors' too (`shown` leaves them out: unmuting shows them again). */
  lines: ChatLine[] = [];
  spectatorsOpen = true;
  /** A `chat` answer came on this socket for this room: the lines are complete. */
  ready = false;
  /**
   * Players this person muted, playerId -> name (for the unmute list). The server keeps mutes and
   * leaves their lines out, but never lists them: the page keeps its own copy (localStorage).
   */
  muted = new Map<string, string>();
  /** What the chat input holds: here, so a refused line can come back to it. */
  draft = '';
  private due = false; // a catch-up is owed on this socket
  /** The channel's lines are all here up to this number: a catch-up asks for the lines after it. */
  private contiguous = 0;
  private tries = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private mutesOf: string | null = null; // the player whose mutes `muted` holds
  /** Frame id -> the text of a `say` or the name of a `mute` on its way (for the error or the answer). */
  private readonly pending = new Map<string, string>();

  constructor(private readonly host: Host, private readonly storage: MuteStorage | null = browserStorage()) {}

  /** The lines to show: muted authors' left out. */
  get shown(): ChatLine[] {
    return this.lines.filter((l) => !this.muted.has(l.by.playerId));
  }

  /**
   * The number up to which this page has every line of its channel (a line heard live beyond a
   * gap, while a catch-up is owed, does not move it): a catch-up asks for the lines after it.
   */
  get lastN(): number {
    return this.contiguous;
  }

  // ---- from LiveGame ----

  /** A new socket: it hears nothing of the chat until it asks (the old socket's lines may have gone by). */
  welcomed(): void {
    this.loadMutes();
    this.ready = false;
    this.tries = 0;
    const { room, status } = this.host.view;
    if (!room || status === 'none') return this.reset();
    this.enter(room);
    this.due = true;
    // A resume with nothing to replay brings no message of the room: ask anyway after a while.
    this.later();
  }

  /** A message of the shown room came: this socket is in it now. */
  seen(room: string): void {
    if (room !== this.room) {
      this.enter(room);
      this.due = true;
    }
    if (this.due) this.sync();
  }

  /** The page left the room (or shows another one). */
  reset(): void {
    clearTimeout(this.retry);
    this.room = this.channel = null;
    this.lines = [];
    this.spectatorsOpen = true;
    this.ready = this.due = false;
    this.tries = 0;
    this.contiguous = 0;
    this.draft = '';
  }

  handle(msg: ChatServerMsg): void {
    switch (msg.t) {
      case 'said':
        if (msg.room !== this.room || (this.channel && msg.channel !== this.channel)) return;
        this.lines = mergeLines(this.lines, [lineOf(msg)]);
        if (!this.ready) break; // the catch-up on its way fills in up to here
        if (msg.n === this.contiguous + 1) this.contiguous = msg.n;
        else if (msg.n > this.contiguous + 1) this.ask(this.contiguous); // a gap (a muted author's line, a gateway that missed one)
        break;
      case 'chat':
        if (msg.room !== this.room) return;
        // Another part in the room than before (a player of a finished game who came back as a watcher): another chat.
        if (this.channel && msg.channel !== this.channel) { this.lines = []; this.contiguous = 0; }
        this.channel = msg.channel;
        this.lines = mergeLines(this.lines, msg.lines.filter((l) => l.channel === msg.channel));
        // The answer holds every line after what was asked for, up to the channel's latest.
        this.contiguous = Math.max(this.contiguous, msg.lines.at(-1)?.n ?? 0);
        this.spectatorsOpen = msg.spectators;
        this.ready = true;
        this.tries = 0;
        clearTimeout(this.retry);
        break;
      case 'muted': {
        this.loadMutes();
        const asked = msg.id === undefined ? undefined : this.pending.get(msg.id);
        if (msg.id !== undefined) this.pending.delete(msg.id);
        if (msg.on) {
          this.muted.set(msg.playerId, asked ?? this.nameOf(msg.playerId) ?? this.muted.get(msg.playerId) ?? msg.playerId);
        } else {
          this.muted.delete(msg.playerId);
          // The server left their lines out of our catch-ups: the whole channel again (merged by n).
          if (this.room && this.ready) this.ask(0);
        }
        this.saveMutes();
        break;
      }
      case 'reported':
        toast('Reported');
        return;
      case 'chat_mode':
        if (msg.room !== this.room) return;
        this.spectatorsOpen = msg.spectators;
        break;
    }
    this.host.render();
  }

  /** An error answer to a chat frame: true when it is handled here and says nothing to the player. */
  failed(msg: ErrorMsg): boolean {
    const id = msg.id ?? '';
    const asked = this.pending.get(id);
    this.pending.delete(id);
    if (id.startsWith('chat-')) {
      if (msg.code !== 'not_in_room') return false;
      // Asked before the server had put this socket in the room (its resume or watch still on the way): again, a few times.
      if (this.room && this.tries < RETRIES) {
        this.tries += 1;
        this.due = true;
        this.later();
      }
      return true;
    }
    // A refused line comes back to the input (unless something new was typed meanwhile).
    if (id.startsWith('say-') && asked !== undefined && this.draft === '') this.draft = asked;
    // The switch moved before the answer: the server's word on it comes with the lines.
    if (id.startsWith('chatmode-') && this.room) this.ask(this.lastN);
    return false;
  }

  // ---- the person's actions ----

  /** Sends the draft, trimmed; false when there is nothing to send or no socket. */
  say(): boolean {
    const text = this.draft.trim();
    if (!this.room || text === '' || text.length > CHAT_MAX) return false;
    const id = this.host.frameId('say');
    if (!this.host.send({ t: 'say', id, room: this.room, text })) return false;
    // No answer of its own: the line comes back as `said`, numbered.
    this.remember(id, text);
    this.draft = '';
    this.host.render();
    return true;
  }

  /** Mutes the author of a line: their lines go once the server confirms (`muted`). */
  mute(by: ChatLine['by']): void {
    if (by.playerId === this.host.identity.me?.playerId) return;
    const id = this.host.frameId('mute');
    if (this.host.send({ t: 'mute', id, playerId: by.playerId })) this.remember(id, by.name);
  }

  unmute(playerId: string): void {
    this.host.send({ t: 'mute', id: this.host.frameId('mute'), playerId, on: false });
  }

  report(line: ChatLine): void {
    this.host.send({ t: 'report', id: this.host.frameId('report'), room: line.room, channel: line.channel, n: line.n });
  }

  /** A seated player opens or closes the spectators' chat (shown at once; an error asks the server again). */
  setSpectators(open: boolean): void {
    if (!this.room || !this.host.send({ t: 'chat_mode', id: this.host.frameId('chatmode'), room: this.room, spectators: open })) return;
    this.spectatorsOpen = open;
    this.host.render();
  }

  // ---- inside ----

  private enter(room: string): void {
    if (room === this.room) return;
    this.reset();
    this.room = room;
  }

  private sync(): void {
    clearTimeout(this.retry);
    this.due = false;
    if (this.room) this.ask(this.lastN);
  }

  private ask(after: number): void {
    if (!this.room) return;
    // Not online: the next `welcome` asks again.
    if (!this.host.conn.send({ t: 'chat', id: this.host.frameId('chat'), room: this.room, after })) this.due = true;
  }

  private later(): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (this.due && this.room && this.host.view.room === this.room) this.sync();
    }, RETRY_MS);
  }

  private remember(id: string, value: string): void {
    this.pending.set(id, value);
    // Answers come quickly; the map only bridges a frame still on its way.
    if (this.pending.size > 20) this.pending.delete(this.pending.keys().next().value!);
  }

  private nameOf(playerId: string): string | undefined {
    // Not findLast: the build targets Firefox 100, which lacks it.
    for (let i = this.lines.length - 1; i >= 0; i--) if (this.lines[i]!.by.playerId === playerId) return this.lines[i]!.by.name;
    return undefined;
  }

  private loadMutes(): void {
    const me = this.host.identity.me?.playerId ?? null;
    if (me === this.mutesOf) return;
    this.mutesOf = me;
    this.muted = new Map();
    if (!me) return;
    try {
      const saved: unknown = JSON.parse(this.storage?.getItem(MUTES_KEY + me) ?? 'null');
      if (saved && typeof saved === 'object') {
        for (const [id, name] of Object.entries(saved)) if (typeof name === 'string') this.muted.set(id, name);
      }
    } catch {
      /* garbage: start empty (the server still leaves their lines out) */
    }
  }

  private saveMutes(): void {
    if (!this.mutesOf) return;
    try {
      this.storage?.setItem(MUTES_KEY + this.mutesOf, JSON.stringify(Object.fromEntries(this.muted)));
    } catch {
      /* full or disabled: the list lasts as long as the page */
    }
  }
}
