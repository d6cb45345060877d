// The page's chat from server messages alone: lines merged by number whichever way they came (live,
// catch-up, twice), mutes that hide an author's lines (those shown already too) and outlive a
// reload, unmuting that fetches the lines the server left out, the catch-up after a reconnect (and
// its retry when the socket was not in the room yet), sending a line, and the spectators' switch.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { MAX_CHAT_CHARS, type ChatLine, type ClientFrame } from '@gambit/protocol';
import { Chat, CHAT_MAX, isChatMsg, mergeLines, RETRY_MS, type MuteStorage } from './chat.js';
import { toastMessage } from './toast.js';

const ROOM = 'K7M2QX9P';
const me = { playerId: 'g_me', name: 'mia' };
const opp = { playerId: 'g_opp', name: 'otto' };

const line = (n: number, by = opp, text = `line ${n}`): ChatLine => ({ room: ROOM, channel: 'players', n, by, text, at: 1_000 + n });
const said = (n: number, by = opp, text?: string) => ({ t: 'said' as const, ...line(n, by, text) });
const answer = (lines: ChatLine[], spectators = true) => ({ t: 'chat' as const, room: ROOM, channel: 'players' as const, lines, spectators });

function memory(): MuteStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

function setup(storage = memory()) {
  const sent: ClientFrame[] = [];
  let n = 0;
  let online = true;
  const host = {
    view: { room: ROOM as string | null, color: 'white', status: 'active' },
    send: (f: ClientFrame) => online && (sent.push(f), true),
    conn: { send: (f: ClientFrame) => online && (sent.push(f), true) },
    frameId: (k: string) => `${k}-${++n}`,
    render: () => undefined,
    identity: { me: { kind: 'guest', ...me } },
  };
  const chat = new Chat(host as unknown as ConstructorParameters<typeof Chat>[0], storage);
  return { chat, sent, host, storage, setOnline: (on: boolean) => (online = on) };
}

/** A socket welcomed in the room and its first catch-up answered with `lines`. */
function inRoom(lines: ChatLine[] = [], s = setup()) {
  s.chat.welcomed();
  s.chat.seen(ROOM);
  s.chat.handle(answer(lines));
  s.sent.length = 0;
  return s;
}

const numbers = (ls: ChatLine[]) => ls.map((l) => l.n);

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

describe('chat in the page', () => {
  test('which messages are ours; the page\'s limit is the protocol\'s', () => {
    expect(isChatMsg(said(1))).toBe(true);
    expect(isChatMsg({ t: 'chat_mode', room: ROOM, spectators: false })).toBe(true);
    expect(isChatMsg({ t: 'crowd', room: ROOM, count: 1, names: [] })).toBe(false);
    expect(CHAT_MAX).toBe(MAX_CHAT_CHARS);
  });

  test('lines merge by n: out of order, twice (live and caught up), another room\'s never', () => {
    expect(numbers(mergeLines([line(1), line(3)], [line(2), line(3)]))).toEqual([1, 2, 3]);
    const { chat } = inRoom([line(1), line(2)]);
    chat.handle(said(4));
    chat.handle(said(3));
    chat.handle(said(4));
    chat.handle({ ...said(5), room: 'ZZZZZZZZ' });
    chat.handle(answer([line(2), line(3), line(4)]));
    expect(numbers(chat.shown)).toEqual([1, 2, 3, 4]);
    expect(chat.lastN).toBe(4);
    expect(chat.ready).toBe(true);
  });

  test('a mute hides the author\'s lines, those shown already too, once the server confirms; it outlives a reload', () => {
    const s = inRoom([line(1), line(2, me)]);
    const { chat, sent } = s;
    chat.mute(me); // oneself: nothing sent
    chat.mute(opp);
    expect(sent).toEqual([{ t: 'mute', id: 'mute-2', playerId: opp.playerId }]);
    expect(numbers(chat.shown)).toEqual([1, 2]);
    chat.handle({ t: 'muted', id: 'mute-2', playerId: opp.playerId, on: true });
    expect(numbers(chat.shown)).toEqual([2]);
    chat.handle(said(3)); // from another gateway that had not heard of the mute yet
    expect(numbers(chat.shown)).toEqual([2]);
    expect([...chat.muted]).toEqual([[opp.playerId, 'otto']]);

    // A reload: a new page, the same player and storage, knows whom it muted.
    const again = setup(s.storage);
    again.chat.welcomed();
    expect([...again.chat.muted]).toEqual([[opp.playerId, 'otto']]);
    again.chat.seen(ROOM);
    again.chat.handle(answer([line(2, me), line(3)]));
    expect(numbers(again.chat.shown)).toEqual([2]);
  });

  test('unmuting shows the kept lines and asks for the whole channel again (the server left the rest out)', () => {
    const { chat, sent } = inRoom([line(1)]);
    chat.handle({ t: 'muted', id: 'x', playerId: opp.playerId, on: true });
    chat.unmute(opp.playerId);
    expect(sent).toEqual([{ t: 'mute', id: 'mute-2', playerId: opp.playerId, on: false }]);
    chat.handle({ t: 'muted', id: 'mute-2', playerId: opp.playerId, on: false });
    expect(numbers(chat.shown)).toEqual([1]);
    expect(chat.muted.size).toBe(0);
    expect(sent.at(-1)).toEqual({ t: 'chat', id: 'chat-3', room: ROOM, after: 0 });
    chat.handle(answer([line(1), line(2), line(3)]));
    expect(numbers(chat.shown)).toEqual([1, 2, 3]);
  });

  test('after a reconnect: the first message of the room asks for the lines after the highest n seen, and they merge', () => {
    const { chat, sent, setOnline } = inRoom([line(1), line(2)]);
    chat.handle(said(3));
    setOnline(false); // lines 4 and 5 go by while the socket is away
    chat.welcomed();
    expect(chat.ready).toBe(false);
    setOnline(true);
    expect(sent).toEqual([]); // not in the room yet: the resume's replay is on its way
    chat.seen(ROOM); // e.g. the replayed `moved`, or the `presence` of our return
    expect(sent).toEqual([{ t: 'chat', id: 'chat-2', room: ROOM, after: 3 }]);
    chat.seen(ROOM); // once per socket
    expect(sent).toHaveLength(1);
    chat.handle(said(5)); // live, before the answer
    chat.handle(answer([line(4), line(5)]));
    expect(numbers(chat.shown)).toEqual([1, 2, 3, 4, 5]);
    expect(chat.ready).toBe(true);
  });

  test('a line heard before the catch-up does not move where it starts; a gap heard live is filled in', () => {
    const { chat, sent, setOnline } = inRoom([line(1), line(2)]);
    setOnline(false); // lines 3 and 4 go by while the socket is away
    chat.welcomed();
    setOnline(true);
    chat.handle(said(5)); // live, before this socket asked for what it missed
    expect(chat.lastN).toBe(2);
    chat.seen(ROOM);
    expect(sent).toEqual([{ t: 'chat', id: 'chat-2', room: ROOM, after: 2 }]);
    chat.handle(answer([line(3), line(4), line(5)]));
    expect(chat.lastN).toBe(5);
    sent.length = 0;
    chat.handle(said(7)); // 6 never came (its author is muted, or it was lost): ask from 5
    expect(sent).toEqual([{ t: 'chat', id: 'chat-3', room: ROOM, after: 5 }]);
    chat.handle(answer([line(7)]));
    chat.handle(said(8));
    expect(chat.lastN).toBe(8);
    expect(numbers(chat.shown)).toEqual([1, 2, 3, 4, 5, 7, 8]);
  });

  test('a catch-up refused as not_in_room is asked again, silently; a resume that brings no message asks anyway', () => {
    const { chat, sent } = inRoom([line(1)]);
    chat.welcomed();
    jest.advanceTimersByTime(RETRY_MS); // nothing of the room came
    expect(sent).toEqual([{ t: 'chat', id: 'chat-2', room: ROOM, after: 1 }]);
    expect(chat.failed({ t: 'error', id: 'chat-2', code: 'not_in_room', message: '' })).toBe(true);
    jest.advanceTimersByTime(RETRY_MS);
    expect(sent.at(-1)).toEqual({ t: 'chat', id: 'chat-3', room: ROOM, after: 1 });
    chat.handle(answer([line(2)]));
    jest.advanceTimersByTime(10 * RETRY_MS);
    expect(sent).toHaveLength(2);
    expect(numbers(chat.shown)).toEqual([1, 2]);
  });

  test('a new room starts an empty chat; leaving forgets it', () => {
    const { chat, sent } = inRoom([line(1)]);
    chat.seen('ABCDEFGH');
    expect(chat.lines).toEqual([]);
    expect(sent).toEqual([{ t: 'chat', id: 'chat-2', room: 'ABCDEFGH', after: 0 }]);
    chat.reset();
    expect(chat.room).toBeNull();
  });

  test('saying: trimmed, empty never sent; a refused line comes back to the input', () => {
    const { chat, sent } = inRoom();
    chat.draft = '   ';
    expect(chat.say()).toBe(false);
    chat.draft = '  good luck  ';
    expect(chat.say()).toBe(true);
    expect(sent).toEqual([{ t: 'say', id: 'say-2', room: ROOM, text: 'good luck' }]);
    expect(chat.draft).toBe('');
    expect(chat.failed({ t: 'error', id: 'say-2', code: 'rate_limited', message: '' })).toBe(false); // LiveGame says why
    expect(chat.draft).toBe('good luck');
  });

  test('the spectators\' switch moves at once; the server\'s chat_mode and answers set it; a report is toasted', () => {
    const { chat, sent } = inRoom();
    chat.setSpectators(false);
    expect(sent).toEqual([{ t: 'chat_mode', id: 'chatmode-2', room: ROOM, spectators: false }]);
    expect(chat.spectatorsOpen).toBe(false);
    chat.handle({ t: 'chat_mode', room: ROOM, spectators: true }); // the opponent opened it again
    expect(chat.spectatorsOpen).toBe(true);
    chat.handle(answer([], false));
    expect(chat.spectatorsOpen).toBe(false);
    chat.report(line(1));
    expect(sent.at(-1)).toEqual({ t: 'report', id: 'report-3', room: ROOM, channel: 'players', n: 1 });
    chat.handle({ t: 'reported', id: 'report-3', room: ROOM, channel: 'players', n: 1 });
    expect(toastMessage()).toBe('Reported');
  });
});
