// Chat over real sockets: two players and their spectators spread over two gateway processes. The
// players' lines reach the players only, the spectators' the spectators only, each channel in
// order; a socket that was away catches up; mutes, reports (stored with their context and
// correlation ids), the word filter, the players' switch that closes the spectators' chat, guests'
// limits, floods and bad frames: each refused with its code, and the game goes on untouched.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { keys as makeKeys, type Keys } from '@gambit/common';
import { decodeChatReport } from '@gambit/protocol';
import { useTwoGateways } from '../support/two-gateways.js';
import { TestPlayer, play, startGame } from '../support/player.js';

const t = useTwoGateways({ gateway: { CHAT_WORD_FILTER: 'darn,heck' } });
let k: Keys;
beforeAll(() => { k = makeKeys(t.stack.keyPrefix); });

type Msg = TestPlayer['inbox'][number];
const said = (p: TestPlayer) => p.inbox.filter((m) => m.t === 'said');
const texts = (ms: Msg[]) => ms.map((m) => m.text);

/** A game between two guests on different gateways, with a signed-in spectator on each gateway and a guest one. */
async function table() {
  const w = await t.connect('wanda');
  const b = await t.connect('boris', t.second);
  const room = await startGame(w, b);
  const s1 = await t.connect('sam', t.stack.httpUrl, true);
  const s2 = await t.connect('sue', t.second, true);
  const g = await t.connect('gus', t.second);
  for (const s of [s1, s2, g]) expect(await s.ask({ t: 'watch', room })).toMatchObject({ t: 'state' });
  return { w, b, s1, s2, g, room };
}

describe('chat', () => {
  test('two channels: the players\' lines reach the players, the spectators\' the spectators, in order, on both gateways', async () => {
    const { w, b, s1, s2, g, room } = await table();
    w.send({ t: 'say', room, text: 'good luck' });
    await b.next('said', (m) => m.n === 1); // lines from two gateways at once may be numbered either way: one after the other
    b.send({ t: 'say', room, text: '  you too  ' });
    for (const p of [w, b]) {
      expect(await p.next('said', (m) => m.n === 2)).toMatchObject({ room, channel: 'players', n: 2, by: { playerId: b.playerId, name: 'boris' }, text: 'you too' });
      expect(texts(said(p))).toEqual(['good luck', 'you too']);
    }
    s1.send({ t: 'say', room, text: 'nice opening' });
    for (const p of [s1, s2, g]) expect(await p.next('said', (m) => m.channel === 'spectators')).toMatchObject({ n: 1, by: { name: 'sam' }, text: 'nice opening' });
    // A spectator's line came after the players' two on every gateway: had those reached a spectator, they would be here first.
    for (const p of [s1, s2, g]) expect(said(p).map((m) => m.channel)).toEqual(['spectators']);
    // The players never see the spectators' line: b says one more, and it is the next they get.
    b.send({ t: 'say', room, text: 'gg soon' });
    for (const p of [w, b]) expect(await p.next('said', (m) => m.n === 3)).toMatchObject({ text: 'gg soon' });
    for (const p of [w, b]) expect(said(p).map((m) => m.channel)).toEqual(['players', 'players', 'players']);
    // A guest may talk with the opponent, not with strangers.
    expect(await g.ask({ t: 'say', room, text: 'hello?' })).toMatchObject({ t: 'error', code: 'chat_needs_account' });
    // The game goes on.
    await play(room, w, b, ['e2e4', 'e7e5']);
  });

  test('catching up: lines after `after` for the socket\'s own channel; a socket that resumes gets the lines it missed', async () => {
    const { w, b, s2, room } = await table();
    w.send({ t: 'say', room, text: 'one' });
    await b.next('said', (m) => m.text === 'one');
    w.close();
    b.send({ t: 'say', room, text: 'two, while you were away' });
    await b.next('said', (m) => m.n === 2);
    const back = await TestPlayer.connect(t.stack.httpUrl, 'wanda', { token: w.token, resume: { room, seq: 1 } });
    await back.next('presence');
    const caught = await back.ask({ t: 'chat', room, after: 1 });
    expect(caught).toMatchObject({ t: 'chat', room, channel: 'players', spectators: true });
    expect(texts(caught.lines as Msg[])).toEqual(['two, while you were away']);
    expect((caught.lines as Msg[])[0]).not.toHaveProperty('cid'); // kept for reports, never sent
    expect(texts((await back.ask({ t: 'chat', room })).lines as Msg[])).toEqual(['one', 'two, while you were away']);
    expect(await s2.ask({ t: 'chat', room })).toMatchObject({ channel: 'spectators', lines: [] });
    back.close();
  });

  test('mutes: the muted player\'s lines stop reaching the player who muted them, live and when catching up; unmute brings them back', async () => {
    const { w, b, room } = await table();
    expect(await b.ask({ t: 'mute', playerId: w.playerId })).toMatchObject({ t: 'muted', playerId: w.playerId, on: true });
    w.send({ t: 'say', room, text: 'muted line' });
    await w.next('said', (m) => m.text === 'muted line');
    b.send({ t: 'say', room, text: 'after it' }); // n 2: b's own line arrives after where w's would have
    await b.next('said', (m) => m.n === 2);
    expect(texts(said(b))).toEqual(['after it']);
    expect(texts((await b.ask({ t: 'chat', room })).lines as Msg[])).toEqual(['after it']);
    // Another socket of b's on the other gateway reads the mute when it says hello.
    const bTab = await TestPlayer.connect(t.stack.httpUrl, 'boris', { token: b.token });
    expect(await bTab.ask({ t: 'watch', room })).toMatchObject({ t: 'state' });
    expect(texts((await bTab.ask({ t: 'chat', room })).lines as Msg[])).toEqual(['after it']);
    expect(await b.ask({ t: 'mute', playerId: w.playerId, on: false })).toMatchObject({ t: 'muted', on: false });
    w.send({ t: 'say', room, text: 'heard again' });
    expect(await b.next('said', (m) => m.n === 3)).toMatchObject({ text: 'heard again' });
    expect(await b.ask({ t: 'mute', playerId: b.playerId })).toMatchObject({ t: 'error', code: 'bad_request' });
    bTab.close();
  });

  test('reports are stored with the line, the lines before it and their correlation ids; the word filter masks before anyone reads', async () => {
    const { w, b, room } = await table();
    for (const [i, text] of ['hi', 'well played', 'darn it, HECK'].entries()) {
      w.send({ t: 'say', room, text });
      await b.next('said', (m) => m.n === i + 1);
    }
    expect(said(b).at(-1)).toMatchObject({ n: 3, text: '**** it, ****' });
    expect(await w.next('said', (m) => m.n === 3)).toMatchObject({ text: '**** it, ****' }); // the sender sees what everyone sees
    expect(await b.ask({ t: 'report', room, channel: 'players', n: 3, reason: 'rude' })).toMatchObject({ t: 'reported', room, channel: 'players', n: 3 });
    const entries = await t.redis.xrange(k.chatReports, '-', '+');
    const report = entries.map(([, f]) => decodeChatReport(f)).find((r) => r?.room === room);
    expect(report).toMatchObject({ reporter: b.playerId, channel: 'players', n: 3, reason: 'rude' });
    expect(report!.lines.map((l) => l.text)).toEqual(['hi', 'well played', '**** it, ****']);
    for (const l of report!.lines) expect(l.cid).toMatch(/^[A-Za-z0-9_-]+\.\d+$/);
    expect(await b.ask({ t: 'report', room, channel: 'players', n: 99 })).toMatchObject({ t: 'error', code: 'line_not_found' });
    expect(await b.ask({ t: 'report', room, channel: 'spectators', n: 1 })).toMatchObject({ t: 'error', code: 'line_not_found' });
  });

  test('a player closes the spectators\' chat: every spectator is told, their lines are refused, the players\' chat goes on; opened again, they talk', async () => {
    const { w, b, s1, s2, room } = await table();
    expect(await w.ask({ t: 'chat_mode', room, spectators: false })).toMatchObject({ t: 'chat_mode', room, spectators: false });
    for (const p of [s1, s2, b]) expect(await p.next('chat_mode')).toMatchObject({ room, spectators: false });
    expect(await s1.ask({ t: 'say', room, text: 'anyone?' })).toMatchObject({ t: 'error', code: 'chat_closed' });
    expect(await s2.ask({ t: 'chat', room })).toMatchObject({ spectators: false });
    expect(await s2.ask({ t: 'chat_mode', room, spectators: true })).toMatchObject({ t: 'error', code: 'not_a_player' });
    b.send({ t: 'say', room, text: 'quiet now' });
    await w.next('said', (m) => m.text === 'quiet now');
    expect(await b.ask({ t: 'chat_mode', room, spectators: true })).toMatchObject({ spectators: true });
    await s1.next('chat_mode', (m) => m.spectators === true);
    s1.send({ t: 'say', room, text: 'thanks' });
    expect(await s2.next('said')).toMatchObject({ channel: 'spectators', n: 1, text: 'thanks' });
  });

  test('a room made anew under an old code (two friends\' own room) starts its chat anew: numbers from 1, no old lines', async () => {
    const { w, b, room } = await table();
    w.send({ t: 'say', room, text: 'from the old room' });
    await b.next('said', (m) => m.n === 1);
    // The room goes and comes back under its code (as the engine makes a pair room again): its hash is new.
    const hash = await t.redis.hgetall(k.room(room));
    await t.redis.multi().del(k.room(room)).hset(k.room(room), 'v', hash.v!, 's', hash.s!).pexpire(k.room(room), 3_600_000).exec();
    w.send({ t: 'say', room, text: 'from the new room' });
    expect(await b.next('said', (m) => m.text === 'from the new room')).toMatchObject({ n: 1 });
    expect(texts((await b.ask({ t: 'chat', room })).lines as Msg[])).toEqual(['from the new room']);
  });

  test('bad input: not in the room, no room, oversized, empty, a flood; nothing is said and the game is untouched', async () => {
    const { w, b, s1, room } = await table();
    const outsider = await t.connect('olly', t.second, true);
    expect(await outsider.ask({ t: 'say', room, text: 'let me in' })).toMatchObject({ t: 'error', code: 'not_in_room' });
    expect(await outsider.ask({ t: 'chat', room })).toMatchObject({ t: 'error', code: 'not_in_room' });
    expect(await outsider.ask({ t: 'report', room, channel: 'players', n: 1 })).toMatchObject({ t: 'error', code: 'not_in_room' });
    expect(await w.ask({ t: 'say', room, text: 'x'.repeat(141) })).toMatchObject({ t: 'error', code: 'bad_request', message: 'text: text is limited to 140 characters' });
    expect(await w.ask({ t: 'say', room, text: '   ' })).toMatchObject({ t: 'error', code: 'bad_request' });
    expect(await w.ask({ t: 'say', room: 'not-a-code', text: 'hi' })).toMatchObject({ t: 'error', code: 'bad_request' });
    expect(await w.ask({ t: 'report', room, channel: 'players', n: 0 })).toMatchObject({ t: 'error', code: 'bad_request' });
    // A guest has three lines at once, then one every five seconds.
    const answers = await Promise.all([1, 2, 3, 4].map((i) => w.ask({ t: 'say', room, text: `line ${i}` }, 2_000).catch(() => null)));
    expect(answers.filter((a) => a?.code === 'rate_limited')).toHaveLength(1);
    const heard = await b.next('said', (m) => m.n === 3);
    expect(heard).toMatchObject({ text: 'line 3' });
    // The spectators heard nothing of it, and the game goes on.
    s1.send({ t: 'say', room, text: 'still here' });
    await s1.next('said', (m) => m.text === 'still here');
    expect(said(s1).map((m) => m.channel)).toEqual(['spectators']);
    await play(room, w, b, ['d2d4', 'd7d5']);
    expect(texts(said(b))).toEqual(['line 1', 'line 2', 'line 3']);
  });
});
