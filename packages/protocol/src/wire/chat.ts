// A room's chat in Redis, and the chat's deliveries between gateways (not the room's events: chat
// never touches the game, so it goes from gateway to gateways without the engine):
//
//   <prefix>:room:<code>                       the room's hash (the engine's `v` and `s`) also keeps
//                                              chat.players and chat.spectators -> each channel's
//                                              last line number, chat.closed -> "1" while the
//                                              spectators' chat is closed: they live and go with the
//                                              room (the engine reads and writes only `v` and `s`)
//   <prefix>:room:<code>:chat:<channel>        list  the channel's last 100 lines, oldest first:
//     {"t":"said","room":"NMK3JRBN","channel":"players","n":3,"by":{"playerId":"u_ada...","name":"ada"},"text":"good luck","at":1796103059214,"cid":"Vb3kQ9xZ-4mN.7"}
//     the line as sockets receive it, plus the correlation id of the frame that said it (kept for
//     reports, never sent). Its time to live is the room's as of its last line (the numbering goes
//     on in the room's hash even if lines lapse in a long silence).
//   <prefix>:stream:chat-reports               stream  one entry per report, for review:
//     reporter <playerId> room <code> channel <channel> n <line> reason <text> at <ms> lines <JSON: the line and up to 10 before it, with their cids>
//
// A line goes to the room's gateways (its `gw` set, as the engine's events do) on their event
// streams as an `audience` delivery (gateway-events.ts, internal.ts): the hub there sends it to the
// channel's readers, leaving out those who muted its author.
//
// Written by the gateway's chat script (services/gateway/src/redis/chat-store.ts), which builds
// the line around its number (known only inside the script) from the two halves made here.
import type { ChatChannel, ChatLine } from '../server.js';

export interface StoredChatLine extends ChatLine { cid?: string }

/**
 * The said message and its stored form as text around the line number: `said = pre + n + post`,
 * `stored = pre + n + storedPost`. The number goes right after "n": so JSON's field order is the
 * reading order of SaidMsg.
 */
export function chatLineHalves(room: string, channel: ChatChannel, by: ChatLine['by'], text: string, at: number, cid?: string): { pre: string; post: string; storedPost: string } {
  const pre = `{"t":"said","room":${JSON.stringify(room)},"channel":"${channel}","n":`;
  const rest = `,"by":${JSON.stringify({ playerId: by.playerId, name: by.name })},"text":${JSON.stringify(text)},"at":${at}`;
  return { pre, post: `${rest}}`, storedPost: cid ? `${rest},"cid":${JSON.stringify(cid)}}` : `${rest}}` };
}

/** A stored line, or null when the text is not one (skipped, never fatal). */
export function decodeStoredChatLine(text: string): StoredChatLine | null {
  let raw: Partial<StoredChatLine>;
  try {
    raw = JSON.parse(text) as Partial<StoredChatLine>;
  } catch {
    return null;
  }
  const ok = typeof raw.room === 'string' && (raw.channel === 'players' || raw.channel === 'spectators') && typeof raw.n === 'number'
    && typeof raw.by?.playerId === 'string' && typeof raw.by.name === 'string' && typeof raw.text === 'string' && typeof raw.at === 'number';
  if (!ok) return null;
  const line: StoredChatLine = { room: raw.room!, channel: raw.channel!, n: raw.n!, by: { playerId: raw.by!.playerId, name: raw.by!.name }, text: raw.text!, at: raw.at! };
  if (typeof raw.cid === 'string') line.cid = raw.cid;
  return line;
}

/** What a socket receives of a stored line (never its cid). */
export function chatLineView(l: StoredChatLine): ChatLine {
  return { room: l.room, channel: l.channel, n: l.n, by: l.by, text: l.text, at: l.at };
}

/** The `audience` delivery of a line, as text around the said message (the script puts the line in between). */
export function chatDeliveryHalves(room: string, channel: ChatChannel, by: string): { pre: string; post: string } {
  return { pre: `{"k":"audience","room":${JSON.stringify(room)},"to":"${channel}","by":${JSON.stringify(by)},"msg":`, post: '}' };
}

export interface ChatReport {
  reporter: string; room: string; channel: ChatChannel; n: number; reason: string; at: number;
  /** The reported line and up to 10 before it, as stored (with their cids). */
  lines: StoredChatLine[];
}

/** A report's stream entry fields. */
export function encodeChatReport(r: ChatReport): string[] {
  return ['reporter', r.reporter, 'room', r.room, 'channel', r.channel, 'n', String(r.n), 'reason', r.reason, 'at', String(r.at), 'lines', JSON.stringify(r.lines)];
}

/** A report from its stream entry's fields; null when it is not one. */
export function decodeChatReport(fields: readonly string[]): ChatReport | null {
  const f = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
  const channel = f.get('channel');
  if (channel !== 'players' && channel !== 'spectators') return null;
  let lines: StoredChatLine[];
  try {
    lines = (JSON.parse(f.get('lines') ?? '') as unknown[]).map((l) => decodeStoredChatLine(JSON.stringify(l))).filter((l): l is StoredChatLine => l !== null);
  } catch {
    return null;
  }
  const [reporter, room, n, at] = [f.get('reporter'), f.get('room'), Number(f.get('n')), Number(f.get('at'))];
  return reporter && room && Number.isInteger(n) && Number.isFinite(at) ? { reporter, room, channel, n, reason: f.get('reason') ?? '', at, lines } : null;
}
