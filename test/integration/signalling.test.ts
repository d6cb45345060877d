// Video calls' signalling over real sockets, the two players on different gateway processes: an
// offer, its answer to the one socket that sent it, ICE candidates both ways, all through the room;
// only the two seated players may signal, and only to each other; the large frames an offer needs
// are allowed for `signal` alone; `ice` hands out TURN credentials coturn can check (TURN REST),
// never the secret; `video` reports are counted in the metrics.
import { describe, expect, test } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { useTwoGateways } from '../support/two-gateways.js';
import { TestPlayer, play, playOnceAllowed, startGame } from '../support/player.js';

const SECRET = 'a-turn-secret-for-tests';
const t = useTwoGateways({ gateway: { TURN_URLS: 'turn:127.0.0.1:3478?transport=udp', TURN_SECRET: SECRET, STUN_URLS: 'stun:127.0.0.1:3478', TURN_TTL_SECONDS: '600' } });
const SDP = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n${'a=x-filler:0123456789abcdef\r\n'.repeat(300)}`; // about 9 KB, as a real offer with video can be

describe('signalling through the room', () => {
  test('offer to the opponent\'s sockets, answer to the offering socket only, candidates both ways; the game goes on', async () => {
    const w = await t.connect('wes');
    const b = await t.connect('bea', t.second);
    const room = await startGame(w, b);
    const bTab = await TestPlayer.connect(t.stack.httpUrl, 'bea', { token: b.token }); // bea's second tab, on the other gateway
    expect(await bTab.ask({ t: 'join', room })).toMatchObject({ t: 'joined', color: 'black' }); // seated there too
    expect(SDP.length).toBeGreaterThan(4096);
    w.send({ t: 'signal', room, kind: 'offer', sdp: SDP });
    const [offer, offer2] = await Promise.all([b.next('signal'), bTab.next('signal')]);
    expect(offer).toEqual({ t: 'signal', room, from: expect.any(String), kind: 'offer', sdp: SDP });
    expect(offer2).toEqual(offer); // every socket of the opponent hears the offer
    b.send({ t: 'signal', room, to: offer.from, kind: 'answer', sdp: 'v=0 answer' });
    const answer = await w.next('signal');
    expect(answer).toMatchObject({ kind: 'answer', sdp: 'v=0 answer' });
    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    w.send({ t: 'signal', room, to: String(answer.from), kind: 'candidate', candidate });
    b.send({ t: 'signal', room, to: String(offer.from), kind: 'candidate', candidate });
    expect(await b.next('signal', (m) => m.kind === 'candidate')).toMatchObject({ candidate });
    expect(await w.next('signal', (m) => m.kind === 'candidate')).toMatchObject({ candidate, from: answer.from });
    // bea's other tab got only the offer: the rest was addressed to the socket that answered.
    b.send({ t: 'signal', room, to: String(offer.from), kind: 'hangup' });
    await w.next('signal', (m) => m.kind === 'hangup');
    expect(bTab.inbox.filter((m) => m.t === 'signal').map((m) => m.kind)).toEqual(['offer']);
    await play(room, w, b, ['e2e4', 'e7e5']);
    bTab.close();
  });

  test('refused: a spectator, an unknown room, a gone socket, malformed signals; a large frame of any other kind still closes the socket', async () => {
    const w = await t.connect('wil');
    const b = await t.connect('bob', t.second);
    const room = await startGame(w, b);
    const spy = await t.connect('spy', t.second);
    expect(await spy.ask({ t: 'watch', room })).toMatchObject({ t: 'state' });
    expect(await spy.ask({ t: 'signal', room, kind: 'offer', sdp: 'v=0' })).toMatchObject({ t: 'error', code: 'not_a_player' });
    expect(await w.ask({ t: 'signal', room: 'ZZZZZZZZ', kind: 'offer', sdp: 'v=0' })).toMatchObject({ t: 'error', code: 'room_not_found' });
    expect(await w.ask({ t: 'signal', room, to: 'gone-socket', kind: 'hangup' })).toMatchObject({ t: 'error', code: 'peer_unavailable' });
    expect(await w.ask({ t: 'signal', room, kind: 'offer' })).toMatchObject({ t: 'error', code: 'bad_request', message: 'sdp: an offer or answer carries sdp, nothing else does' });
    expect(await w.ask({ t: 'signal', room, kind: 'candidate', sdp: 'v=0' })).toMatchObject({ t: 'error', code: 'bad_request' });
    expect(await w.ask({ t: 'signal', room, kind: 'offer', sdp: 'x'.repeat(12_001) })).toMatchObject({ t: 'error', code: 'bad_request' });
    // Nothing reached bob: his next message is the move.
    w.send({ t: 'move', room, uci: 'e2e4', ply: 0 });
    await b.next('moved');
    expect(b.inbox.filter((m) => m.t === 'signal')).toEqual([]);
    // A large frame that is not a signal: too_large, then the socket closes (v1).
    const closed = new Promise<number>((resolve) => spy.ws.once('close', (code) => resolve(code)));
    spy.send({ t: 'say', room, text: 'x'.repeat(6000) });
    expect(await closed).toBe(1009);
  });

  test('a flood of signals is cut by the socket\'s rate limit; the opponent and the game are unaffected', async () => {
    const w = await t.connect('fay');
    const b = await t.connect('fox', t.second);
    const room = await startGame(w, b);
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    for (let i = 0; i < 50; i++) w.send({ t: 'signal', room, kind: 'candidate', candidate }); // ten past the burst (twenty would close it)
    expect(await w.next('error')).toMatchObject({ code: 'rate_limited' });
    // bob got at most what the bucket let through (a burst of 40), and the game goes on for both
    // once the bucket has room again.
    await playOnceAllowed(room, w, b, 'e2e4', 0);
    expect(b.inbox.filter((m) => m.t === 'signal').length).toBeLessThanOrEqual(40);
  });

  test('after the end, a player back on a new socket (resume or watch) can be called: the room attaches it to their seat', async () => {
    const w = await t.connect('wyn');
    const b = await t.connect('bay', t.second);
    const room = await startGame(w, b);
    b.send({ t: 'resign', room });
    await w.next('ended');
    b.close();
    const back = await TestPlayer.connect(t.second, 'bay', { token: b.token, resume: { room, seq: 0 } });
    await back.next('ended'); // the replay
    const tab = await TestPlayer.connect(t.stack.httpUrl, 'bay', { token: b.token });
    expect(await tab.ask({ t: 'watch', room })).toMatchObject({ t: 'state', status: 'ended' });
    w.send({ t: 'signal', room, kind: 'offer', sdp: 'v=0' });
    expect(await back.next('signal')).toMatchObject({ kind: 'offer' });
    expect(await tab.next('signal')).toMatchObject({ kind: 'offer' });
    back.close();
    tab.close();
  });

  test('ice: for a seated player, STUN and TURN with credentials for this player that coturn can check, no secret in them; nobody else gets any', async () => {
    const p = await t.connect('ivy');
    const stranger = await t.connect('sly', t.second);
    expect(await stranger.ask({ t: 'ice' })).toMatchObject({ t: 'error', code: 'not_a_player' });
    expect(await p.ask({ t: 'create', tc: { initialMs: 60_000, incrementMs: 0 } })).toMatchObject({ t: 'created' }); // seated, waiting
    await p.next('state');
    const before = Math.floor(Date.now() / 1000);
    const ice = await p.ask({ t: 'ice' });
    expect(ice).toMatchObject({ t: 'ice', ttlS: 600 });
    const [stun, turn] = ice.iceServers as { urls: string[]; username?: string; credential?: string }[];
    expect(stun).toEqual({ urls: ['stun:127.0.0.1:3478'] });
    expect(turn!.urls).toEqual(['turn:127.0.0.1:3478?transport=udp']);
    const [expiry, who] = turn!.username!.split(':');
    expect(who).toBe(p.playerId);
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + 600);
    expect(turn!.credential).toBe(createHmac('sha1', SECRET).update(turn!.username!).digest('base64'));
    expect(JSON.stringify(ice)).not.toContain(SECRET);
  });

  test('video reports are counted once per room and state, only for a room the socket is in', async () => {
    const w = await t.connect('vic');
    const b = await t.connect('val', t.second);
    const room = await startGame(w, b);
    const metric = async (name: string) => {
      const text = await (await fetch(`${t.stack.httpUrl}/metrics`)).text();
      return Number(/^(\S+) (\S+)$/m.exec(text.split('\n').filter((l) => l.startsWith(name)).join('\n'))?.[2] ?? NaN);
    };
    const connected = 'gambit_video_sessions_total{state="connected"}';
    const [c0, r0] = [await metric(connected), await metric('gambit_video_relayed_total')];
    w.send({ t: 'video', room, state: 'connected', relay: true });
    w.send({ t: 'video', room, state: 'connected', relay: true }); // the same call again: once
    w.send({ t: 'video', room: 'ZZZZZZZZ', state: 'connected' }); // not its room: not counted
    expect(await w.ask({ t: 'ping' })).toMatchObject({ t: 'pong' }); // frames are handled in order: the three are done
    expect(await metric(connected)).toBe(c0 + 1);
    expect(await metric('gambit_video_relayed_total')).toBe(r0 + 1);
  });
});
