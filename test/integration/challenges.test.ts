// Challenging a friend, over real sockets against the real stack: two gateway processes on one
// Redis, an engine, the finalizer, and the accounts service. The challenger and the friend are
// always on DIFFERENT gateways, because that is where a challenge can go wrong: the challenge, its
// end and the friends' presence travel between pods through Redis (ws/challenges.ts,
// redis/players.ts, ws/presence.ts), and the accepted challenge becomes an engine `pair` in the
// two friends' own room (room-code.ts pairRoomCode, rooms/rules/pair.ts).
//
// Friendship: the first tests make friends through the accounts service's HTTP API (request,
// accept, block) and check that it copied the friendship to Redis. The others write those same
// Redis sets directly (befriend below), with the layout of packages/protocol/src/wire/challenges.ts,
// the contract between the accounts service and the gateway: it is much faster than signing every
// player up, and the first test shows the accounts service writing exactly these sets.
//
// Every frame that gets an answer carries an id, and every wait is for a specific message with a
// timeout; that nothing arrived is checked after a barrier (settled below), never after a sleep.
import { beforeAll, describe, expect, test } from '@jest/globals';
import type { Redis } from 'ioredis';
import { keys as makeKeys, type Keys } from '@gambit/common';
import { decodeEntry, encodeChallengeEntry, pairRoomCode, type ChallengeEntry, type ChallengeView, type EngineCommand } from '@gambit/protocol';
import type { Stack } from '../support/stack.js';
import { useTwoGateways } from '../support/two-gateways.js';
import { HttpBrowser } from '../support/http-browser.js';
import { startGame, type TestPlayer } from '../support/player.js';
import { waitFor } from '../support/redis.js';

type Msg = TestPlayer['inbox'][number];

const TC = { initialMs: 180_000, incrementMs: 2_000 };
/** The presence of friends is looked at every PRESENCE_POLL_MS (250 ms here) on each gateway: a change shows within a few. */
const PRESENCE_MS = 5_000;

const t = useTwoGateways({ accounts: true, gateway: { PRESENCE_POLL_MS: '250' } });
let stack: Stack, second: string, first: string, redis: Redis, k: Keys;
beforeAll(() => {
  ({ stack, second, redis } = t);
  first = stack.httpUrl;
  k = makeKeys(stack.keyPrefix);
});

let serial = 0;
/** A new signed-in player (a `u_` id, no account behind it) on `gateway`. */
const player = (name: string, gateway: string) => t.connect(`${name}${++serial}`, gateway, true);

/**
 * Makes the players friends two by two, as the accounts service copies its friends table to Redis
 * (wire/challenges.ts: `<prefix>:player:<id>:friends`, both ways).
 */
async function befriend(...pairs: [{ playerId: string }, { playerId: string }][]): Promise<void> {
  const m = redis.multi();
  for (const [a, b] of pairs) m.sadd(k.friends(a.playerId), b.playerId).sadd(k.friends(b.playerId), a.playerId);
  await m.exec();
}

/** The ids of the challenges Redis holds to (`in`) and by (`out`) a player. */
async function stored(p: { playerId: string }): Promise<{ in: string[]; out: string[] }> {
  const [inc, out] = await Promise.all([redis.hkeys(k.challengesIn(p.playerId)), redis.hkeys(k.challengesOut(p.playerId))]);
  return { in: inc.sort(), out: out.sort() };
}
const NONE = { in: [], out: [] };

/** `from` challenges `to`, which must stand: the challenge as `challenge_sent` shows it. */
async function challenge(from: TestPlayer, to: TestPlayer, extra: Record<string, unknown> = {}): Promise<ChallengeView> {
  const answer = await from.ask({ t: 'challenge', to: to.playerId, tc: TC, ...extra });
  if (answer.t !== 'challenge_sent') throw new Error(`${from.name}'s challenge to ${to.name} was refused: ${JSON.stringify(answer)}`);
  return answer.challenge as ChallengeView;
}

/** Sends `frame`, whose id is given, and waits for the answer echoing that id. */
async function asked(p: TestPlayer, frame: { id: string } & Record<string, unknown>): Promise<Msg> {
  p.send(frame);
  return heard(p, (m) => m.id === frame.id);
}

/** Sends `frame` with an error expected: the error (its id echoed). */
async function refused(p: TestPlayer, frame: Record<string, unknown>): Promise<Msg> {
  const answer = await p.ask(frame);
  expect(answer).toMatchObject({ t: 'error' });
  return answer;
}

/**
 * A message in `p`'s inbox matching `pred`, already there or within `timeoutMs`. Unlike
 * TestPlayer.next it takes nothing: several waits may look at the same messages in any order.
 */
function heard(p: TestPlayer, pred: (m: Msg) => boolean, timeoutMs = 5_000): Promise<Msg> {
  const found = p.inbox.find(pred);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const onMessage = () => {
      const m = p.inbox.at(-1)!; // TestPlayer's own listener (registered first) pushed it
      if (!pred(m)) return;
      clearTimeout(timer);
      p.ws.off('message', onMessage);
      resolve(m);
    };
    const timer = setTimeout(() => {
      p.ws.off('message', onMessage);
      reject(new Error(`${p.name}: nothing matching within ${timeoutMs} ms; last: ${JSON.stringify(p.inbox.slice(-5))}`));
    }, timeoutMs);
    p.ws.on('message', onMessage);
  });
}
const received = (p: TestPlayer, id: string) => heard(p, (m) => m.t === 'challenge_received' && (m.challenge as ChallengeView).id === id);
const gone = (p: TestPlayer, id: string) => heard(p, (m) => m.t === 'challenge_gone' && m.challenge === id);

/** `p`'s challenge_received messages of challenges by `from`; its challenge_gone messages for one challenge. */
const receivedFrom = (p: TestPlayer, from: { playerId: string }) =>
  p.inbox.filter((m) => m.t === 'challenge_received' && (m.challenge as ChallengeView).from.playerId === from.playerId);
const goneOf = (p: TestPlayer, id: string) => p.inbox.filter((m) => m.t === 'challenge_gone' && m.challenge === id);

/**
 * Barrier: whatever was told to `p` before now has reached it. A new friend (connected just now)
 * challenges `p` and `p` hears it: everything told to a socket goes on its gateway's event stream
 * and is delivered in order. The barrier's challenge is withdrawn again: nothing of it stays.
 */
async function settled(p: TestPlayer): Promise<void> {
  const pal = await player('pal', first);
  await befriend([pal, p]);
  const c = await challenge(pal, p);
  await received(p, c.id);
  expect(await pal.ask({ t: 'challenge_cancel', challenge: c.id })).toMatchObject({ t: 'challenge_gone', reason: 'canceled' });
  await gone(p, c.id);
  pal.close();
}

/** The `pair` commands the gateways put on the command streams (its room's shard's) for a challenge. */
async function pairCommands(challengeId: string): Promise<Extract<EngineCommand, { t: 'pair' }>[]> {
  const rows = (await Promise.all(k.allShards.map((s) => redis.xrange(k.commands(s), '-', '+')))).flat();
  const entries = rows.map(([id, fields]) => decodeEntry(id, fields));
  return entries
    .map((e) => ('data' in e ? (e.data as EngineCommand) : null))
    .filter((c): c is Extract<EngineCommand, { t: 'pair' }> => c?.t === 'pair' && c.challenge === challengeId);
}

/** A person signed up on the site, and a socket token of their session. */
async function account(username: string): Promise<{ browser: HttpBrowser; token: string }> {
  const browser = new HttpBrowser(first);
  await browser.signUp(username, 'correct horse battery');
  const session = await browser.request(`${first}/api/session`, { method: 'POST', body: '{}' });
  return { browser, token: (JSON.parse(session.body) as { token: string }).token };
}
async function friendAction(b: HttpBrowser, username: string, action: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await b.request(`${first}/api/friends/${username}`, { method: 'POST', body: JSON.stringify({ action }) });
  return { status: r.status, json: JSON.parse(r.body || '{}') as Record<string, unknown> };
}

describe('friends made in the accounts service', () => {
  test('a challenge reaches the friend on the other gateway at once; accepted, they play in their own room; the next accepted challenge is game 2 there', async () => {
    const [ana, bo] = [await account('ana_ch'), await account('bo_ch')];
    expect(await friendAction(ana.browser, 'bo_ch', 'request')).toMatchObject({ status: 200, json: { rel: 'sent' } });
    expect(await friendAction(bo.browser, 'ana_ch', 'accept')).toMatchObject({ status: 200, json: { rel: 'friend' } });
    const a = await t.connect('ana_ch', first, ana.token);
    const b = await t.connect('bo_ch', second, bo.token);
    // The accounts service copied the friendship to Redis, where the gateways look (wire/challenges.ts).
    expect(await redis.smembers(k.friends(a.playerId))).toEqual([b.playerId]);
    expect(await redis.smembers(k.friends(b.playerId))).toEqual([a.playerId]);

    const sent = await asked(a, { t: 'challenge', id: 'ch-1', to: b.playerId, tc: TC, color: 'white' });
    expect(sent).toMatchObject({
      t: 'challenge_sent', id: 'ch-1',
      challenge: { id: expect.any(String), tc: TC, color: 'white', rated: false, since: expect.any(Number) },
    });
    const view = sent.challenge as ChallengeView;
    // Who, and nothing of the socket that challenged (wire/challenges.ts keeps gw and conn to itself).
    expect([view.from, view.to]).toEqual([{ playerId: a.playerId, name: 'ana_ch' }, { playerId: b.playerId, name: 'bo_ch' }]);
    // At once: pushed to bo's gateway, not found by a poll.
    expect(await heard(b, (m) => m.t === 'challenge_received', 2_000)).toEqual({ t: 'challenge_received', challenge: view });
    expect(await stored(a)).toEqual({ in: [], out: [view.id] });
    expect(await stored(b)).toEqual({ in: [view.id], out: [] });

    b.send({ t: 'challenge_accept', id: 'acc-1', challenge: view.id });
    const room = pairRoomCode(a.playerId, b.playerId);
    const [pa, pb] = await Promise.all([a.next('paired'), b.next('paired')]);
    expect(pa).toEqual({ t: 'paired', room, color: 'white', rated: false, challenge: view.id });
    expect(pb).toEqual({ t: 'paired', room, color: 'black', rated: false, challenge: view.id });
    const [sa, sb] = await Promise.all([a.next('started', (m) => m.room === room), b.next('started', (m) => m.room === room)]);
    expect(sa).toMatchObject({
      white: { playerId: a.playerId, name: 'ana_ch' }, black: { playerId: b.playerId, name: 'bo_ch' },
      clock: { white: TC.initialMs, black: TC.initialMs, running: 'white' },
    });
    expect(sb.seq).toBe(sa.seq);
    for (const p of [a, b]) expect(await gone(p, view.id)).toEqual({ t: 'challenge_gone', challenge: view.id, reason: 'accepted' });
    expect(b.inbox.filter((m) => m.id === 'acc-1')).toEqual([]); // accepted: no error; `paired` is the answer
    expect([await stored(a), await stored(b)]).toEqual([NONE, NONE]);
    expect(await redis.get(k.playing(b.playerId))).toBe(room);

    // ana resigns game 1. Now bo challenges (the room is the same whoever challenges): random colours, another clock, rated.
    a.send({ t: 'resign', id: 'res-1', room });
    await Promise.all([a.next('ended', (m) => m.room === room), b.next('ended', (m) => m.room === room)]);
    const next = await challenge(b, a, { tc: { initialMs: 60_000, incrementMs: 0 }, rated: true });
    expect(next).toMatchObject({ color: 'random', rated: true, from: { playerId: b.playerId }, to: { playerId: a.playerId } });
    await received(a, next.id);
    a.send({ t: 'challenge_accept', id: 'acc-2', challenge: next.id });
    const [qa, qb] = await Promise.all([a.next('paired'), b.next('paired')]);
    expect([qa.room, qb.room]).toEqual([room, room]);
    expect([qa.challenge, qa.rated, qb.rated]).toEqual([next.id, true, true]);
    expect([qa.color, qb.color].sort()).toEqual(['black', 'white']);
    const s2 = await a.next('started', (m) => m.room === room);
    expect(s2).toMatchObject({ rated: true, series: { game: 2, score: { [a.playerId]: 0, [b.playerId]: 1 } }, clock: { white: 60_000, black: 60_000, running: 'white' } });
    expect((s2[qa.color as 'white'] as { playerId: string }).playerId).toBe(a.playerId);
    expect(await b.next('started', (m) => m.room === room)).toMatchObject({ seq: s2.seq, series: { game: 2 } });
    await Promise.all([gone(a, next.id), gone(b, next.id)]);
  });

  test('a friend who blocked you: not_friends, word for word what a stranger hears; nothing stored, nothing told', async () => {
    const [cy, di] = [await account('cy_ch'), await account('di_ch')];
    await friendAction(cy.browser, 'di_ch', 'request');
    expect(await friendAction(di.browser, 'cy_ch', 'accept')).toMatchObject({ status: 200, json: { rel: 'friend' } });
    const c = await t.connect('cy_ch', first, cy.token);
    const d = await t.connect('di_ch', second, di.token);
    expect(await redis.sismember(k.friends(c.playerId), d.playerId)).toBe(1);
    expect(await friendAction(di.browser, 'cy_ch', 'block')).toMatchObject({ status: 200, json: { blocks: true } });
    const stranger = await player('stranger', second);

    const toBlocker = await refused(c, { t: 'challenge', to: d.playerId, tc: TC });
    const toStranger = await refused(c, { t: 'challenge', to: stranger.playerId, tc: TC });
    expect(toBlocker).toMatchObject({ code: 'not_friends' });
    expect(toStranger).toMatchObject({ code: 'not_friends' });
    expect(toBlocker.message).toBe(toStranger.message);
    expect(Object.keys(toBlocker).sort()).toEqual(Object.keys(toStranger).sort());
    expect([await stored(c), await stored(d)]).toEqual([NONE, NONE]);
    await settled(d);
    expect(receivedFrom(d, c)).toEqual([]);
  });

  // A challenge made while friends must not outlive the friendship: accepting it after a block
  // would seat the two together (friendship is checked again when it is accepted).
  test('a challenger who blocks the friend after challenging is not made to play them: the standing challenge can no longer be accepted', async () => {
    const [ed, fay] = [await account('ed_ch'), await account('fay_ch')];
    await friendAction(ed.browser, 'fay_ch', 'request');
    expect(await friendAction(fay.browser, 'ed_ch', 'accept')).toMatchObject({ status: 200, json: { rel: 'friend' } });
    const e = await t.connect('ed_ch', first, ed.token);
    const f = await t.connect('fay_ch', second, fay.token);
    const c = await challenge(e, f);
    await received(f, c.id);
    expect(await friendAction(ed.browser, 'fay_ch', 'block')).toMatchObject({ status: 200, json: { blocks: true } });
    expect(await redis.sismember(k.friends(f.playerId), e.playerId)).toBe(0); // the gateway can know
    expect(await f.ask({ t: 'friends' })).toMatchObject({ online: [] });

    f.send({ t: 'challenge_accept', id: 'after-block', challenge: c.id });
    const answer = await heard(f, (m) => m.id === 'after-block' || (m.t === 'paired' && m.challenge === c.id));
    expect(answer).toMatchObject({ t: 'error' }); // today: `paired`, the game starts
    expect(['challenge_not_found', 'not_friends']).toContain(answer.code);
    expect(await pairCommands(c.id)).toEqual([]);
    expect(await redis.get(k.playing(e.playerId))).toBeNull();
  });
});

describe('a challenge ends for both players', () => {
  test('declined, withdrawn, or withdrawn by the closing of the socket that made it (only its own challenges)', async () => {
    const a = await player('al', first);
    const aTab = await t.connect(a.name, second, a.token); // al's second tab, on the other gateway
    const [b, c] = [await player('bea', second), await player('cid', first)];
    await befriend([a, b], [a, c]);

    // bea declines: her answer is the challenge_gone; al hears it on both tabs.
    const declined = await challenge(a, b);
    await received(b, declined.id);
    expect(await asked(b, { t: 'challenge_decline', id: 'dec-1', challenge: declined.id }))
      .toEqual({ t: 'challenge_gone', id: 'dec-1', challenge: declined.id, reason: 'declined' });
    for (const p of [a, aTab]) expect(await gone(p, declined.id)).toMatchObject({ reason: 'declined' });

    // al withdraws: bea (and al's other tab) are told.
    const withdrawn = await challenge(a, b, { color: 'black' });
    await received(b, withdrawn.id);
    expect(await asked(a, { t: 'challenge_cancel', id: 'can-1', challenge: withdrawn.id }))
      .toEqual({ t: 'challenge_gone', id: 'can-1', challenge: withdrawn.id, reason: 'canceled' });
    for (const p of [b, aTab]) expect(await gone(p, withdrawn.id)).toMatchObject({ reason: 'canceled' });

    // al's second tab challenges bea; al's first tab challenges cid. The tab closes: only its challenge goes.
    const byTab = await challenge(aTab, b);
    const byFirst = await challenge(a, c);
    await Promise.all([received(b, byTab.id), received(c, byFirst.id)]);
    aTab.close();
    for (const p of [b, a]) expect(await gone(p, byTab.id)).toMatchObject({ reason: 'canceled' });
    await waitFor(async () => (await stored(b)).in.length === 0, 5_000, 'the closed tab\'s challenge is still stored');
    expect(await stored(a)).toEqual({ in: [], out: [byFirst.id] });
    expect(await stored(c)).toEqual({ in: [byFirst.id], out: [] });

    // Each player heard each end once: the one who asked got it as the answer, not a second time.
    await settled(b);
    await settled(a);
    for (const [p, id] of [[b, declined.id], [a, declined.id], [b, withdrawn.id], [a, withdrawn.id], [b, byTab.id], [a, byTab.id]] as const) {
      expect([p.name, id, goneOf(p, id).length]).toEqual([p.name, id, 1]);
    }
    expect(goneOf(c, byFirst.id)).toEqual([]);
  });

  test('`challenges` lists the open challenges to and by a player, oldest first, on either gateway', async () => {
    const [a, b, c, d] = [await player('ada', first), await player('ben', second), await player('cal', first), await player('dot', second)];
    const guest = await t.connect('guest', second);
    await befriend([a, b], [a, c], [d, a]);
    const toB = await challenge(a, b);
    await received(b, toB.id);
    const toC = await challenge(a, c, { color: 'white', tc: { initialMs: 60_000, incrementMs: 1_000 } });
    const fromD = await challenge(d, a);
    // Oldest first; two made in the same millisecond by id.
    const outgoing = [toB, toC].sort((x, y) => x.since - y.since || (x.id < y.id ? -1 : 1));

    expect(await asked(a, { t: 'challenges', id: 'list-a' })).toEqual({ t: 'challenges', id: 'list-a', incoming: [fromD], outgoing });
    expect(await asked(b, { t: 'challenges', id: 'list-b' })).toEqual({ t: 'challenges', id: 'list-b', incoming: [toB], outgoing: [] });
    expect(await d.ask({ t: 'challenges' })).toMatchObject({ incoming: [], outgoing: [fromD] });
    expect(await guest.ask({ t: 'challenges' })).toMatchObject({ t: 'challenges', incoming: [], outgoing: [] });

    await a.ask({ t: 'challenge_cancel', challenge: toB.id });
    expect(await b.ask({ t: 'challenges' })).toMatchObject({ incoming: [], outgoing: [] });
    expect(await a.ask({ t: 'challenges' })).toMatchObject({ incoming: [fromD], outgoing: [toC] });
  });
});

describe('presence of friends', () => {
  test('`friends` answers with the online friends and the room each plays in, and again when one connects, disconnects or starts a game', async () => {
    const a = await player('amy', first);
    const b = await player('bob', second);
    let c = await player('cat', second);
    await player('stranger', first); // online, but nobody's friend
    // xia follows her own friends on amy's gateway: her changes show when that gateway polls (below).
    const [x, y1, y2] = [await player('xia', first), await player('yan', second), await player('yul', second)];
    await befriend([a, b], [a, c], [x, y1], [x, y2]);
    await x.ask({ t: 'friends' });
    const sorted = (...online: { playerId: string; playing?: string }[]) => online.sort((p, q) => (p.playerId < q.playerId ? -1 : 1));

    expect(await asked(a, { t: 'friends', id: 'fr-1' })).toEqual({ t: 'friends', id: 'fr-1', online: sorted({ playerId: b.playerId }, { playerId: c.playerId }) });
    expect(await asked(b, { t: 'friends', id: 'fr-2' })).toEqual({ t: 'friends', id: 'fr-2', online: [{ playerId: a.playerId }] });

    const without = (m: Msg, p: TestPlayer) => m.t === 'friends' && !(m.online as { playerId: string }[]).some((f) => f.playerId === p.playerId);
    c.close();
    expect(await a.next('friends', (m) => without(m, c), PRESENCE_MS)).toEqual({ t: 'friends', online: [{ playerId: b.playerId }] });

    c = await t.connect(c.name, second, c.token); // cat is back
    expect(await a.next('friends', (m) => !without(m, c), PRESENCE_MS)).toEqual({ t: 'friends', online: sorted({ playerId: b.playerId }, { playerId: c.playerId }) });

    const room = await startGame(b, c);
    const playing = (m: Msg) => (m.online as { playing?: string }[]).filter((f) => f.playing === room).length === 2;
    expect(await a.next('friends', playing, PRESENCE_MS))
      .toEqual({ t: 'friends', online: sorted({ playerId: b.playerId, playing: room }, { playerId: c.playerId, playing: room }) });

    b.send({ t: 'resign', id: 'res-b', room });
    await c.next('ended', (m) => m.room === room);
    expect(await a.next('friends', (m) => (m.online as { playing?: string }[]).filter((f) => f.playing === undefined).length === 2, PRESENCE_MS))
      .toEqual({ t: 'friends', online: sorted({ playerId: b.playerId }, { playerId: c.playerId }) });

    b.close();
    expect(await a.next('friends', (m) => without(m, b), PRESENCE_MS)).toEqual({ t: 'friends', online: [{ playerId: c.playerId }] });
    const updates = a.inbox.filter((m) => m.t === 'friends').map((m) => JSON.stringify(m.online));
    expect(updates.filter((u, i) => i > 0 && u === updates[i - 1])).toEqual([]); // each one a change

    // Nothing changes for amy: nothing is sent. Barrier: two changes of xia's, the second seen in a
    // later poll of their gateway than the first, so after at least one whole poll with amy unchanged.
    const amyHad = a.inbox.length;
    y1.close();
    await x.next('friends', (m) => without(m, y1), PRESENCE_MS);
    y2.close();
    await x.next('friends', (m) => without(m, y2), PRESENCE_MS);
    expect(a.inbox.slice(amyHad)).toEqual([]);
  });
});

describe('the friends\' own room, game after game', () => {
  // A socket that left the finished game must not be seated in the next game (rules/pair.ts
  // seat()), or the player would never count as gone when the tab that plays closes.
  test('a tab that left the finished game is not seated in the next one: when the tab that plays closes, the opponent is told at once', async () => {
    const a = await player('aldo', first);
    const b = await player('bice', second);
    await befriend([a, b]);
    const room = pairRoomCode(a.playerId, b.playerId);
    const c1 = await challenge(a, b);
    await received(b, c1.id);
    b.send({ t: 'challenge_accept', challenge: c1.id });
    await Promise.all([a.next('started', (m) => m.room === room), b.next('started', (m) => m.room === room)]);
    a.send({ t: 'resign', room });
    await Promise.all([a.next('ended', (m) => m.room === room), b.next('ended', (m) => m.room === room)]);
    a.send({ t: 'leave', room }); // aldo's tab leaves the finished game's room, and stays open
    expect(await a.next('state', (m) => m.room === room)).toMatchObject({ status: 'ended' });

    const aTab = await t.connect(a.name, second, a.token); // aldo's new tab takes bice's next challenge
    const c2 = await challenge(b, a);
    await received(aTab, c2.id);
    aTab.send({ t: 'challenge_accept', challenge: c2.id });
    const paired = await aTab.next('paired', (m) => m.challenge === c2.id);
    const started = await b.next('started', (m) => m.room === room);
    expect(started.series).toMatchObject({ game: 2 });
    aTab.close();
    // aldo has no socket in the room any more: bice is told, and aldo's grace period runs.
    expect(await b.next('presence', (m) => m.room === room, 5_000)).toMatchObject({ color: paired.color, connected: false });
  });
});

describe('racing accepts', () => {
  test('two sockets of the friend accept at once, three times over: each time exactly one `paired`, one pair command, one game', async () => {
    const a = await player('ari', first);
    const b1 = await player('bel', first);
    const b2 = await t.connect(b1.name, second, b1.token);
    await befriend([a, b1]);
    const room = pairRoomCode(a.playerId, b1.playerId);
    for (let round = 1; round <= 3; round++) {
      const c = await challenge(a, b1);
      await Promise.all([received(b1, c.id), received(b2, c.id)]);
      b1.send({ t: 'challenge_accept', id: `r${round}-b1`, challenge: c.id });
      b2.send({ t: 'challenge_accept', id: `r${round}-b2`, challenge: c.id });
      const outcome = (p: TestPlayer, id: string) => heard(p, (m) => (m.t === 'paired' && m.challenge === c.id) || m.id === id);
      const [o1, o2] = await Promise.all([outcome(b1, `r${round}-b1`), outcome(b2, `r${round}-b2`)]);
      const outcomes = [o1, o2].map((m) => (m.t === 'paired' ? 'paired' : `${String(m.t)} ${String(m.code)}`)).sort();
      expect(outcomes).toEqual(['error challenge_not_found', 'paired']);
      expect(await a.next('paired', (m) => m.challenge === c.id)).toMatchObject({ room });
      const started = await a.next('started', (m) => m.room === room);
      const seated = [started.white, started.black].map((s) => (s as { playerId: string }).playerId).sort();
      expect(seated).toEqual([a.playerId, b1.playerId].sort());
      if (round > 1) expect(started.series).toMatchObject({ game: round });
      expect(await pairCommands(c.id)).toHaveLength(1);
      a.send({ t: 'resign', id: `res-${round}`, room });
      await a.next('ended', (m) => m.room === room);
    }
    await settled(b1);
    await settled(b2);
    const paired = [a, b1, b2].map((p) => p.inbox.filter((m) => m.t === 'paired').length);
    expect(paired[0]).toBe(3);
    expect(paired[1]! + paired[2]!).toBe(3);
  });
});

describe('racing withdraw and accept', () => {
  test('the challenger withdraws while the friend accepts, five times over: one of them wins, the other hears challenge_not_found, both hear the same end once', async () => {
    const a = await player('cora', first);
    const b = await player('dan', second);
    await befriend([a, b]);
    const room = pairRoomCode(a.playerId, b.playerId);
    const ids: string[] = [];
    for (let round = 1; round <= 5; round++) {
      const c = await challenge(a, b);
      ids.push(c.id);
      await received(b, c.id);
      // Sent together; the withdrawal queued behind a few more of cora's frames each round (a socket's
      // frames are handled in order), so that over the rounds either may win the race.
      b.send({ t: 'challenge_accept', id: `accept-${round}`, challenge: c.id });
      for (let i = 0; i < [0, 1, 2, 3, 4][round - 1]!; i++) a.send({ t: 'challenges' });
      a.send({ t: 'challenge_cancel', id: `cancel-${round}`, challenge: c.id });
      const cancel = await heard(a, (m) => m.id === `cancel-${round}`);
      const accept = await heard(b, (m) => m.id === `accept-${round}` || (m.t === 'paired' && m.challenge === c.id));
      if (accept.t === 'paired') {
        expect(cancel).toMatchObject({ t: 'error', code: 'challenge_not_found' });
        for (const p of [a, b]) expect(await gone(p, c.id)).toMatchObject({ reason: 'accepted' });
        expect(await pairCommands(c.id)).toHaveLength(1);
        await a.next('started', (m) => m.room === room);
        a.send({ t: 'resign', room });
        await b.next('ended', (m) => m.room === room);
      } else {
        expect(cancel).toEqual({ t: 'challenge_gone', id: `cancel-${round}`, challenge: c.id, reason: 'canceled' });
        expect(accept).toMatchObject({ t: 'error', code: 'challenge_not_found' });
        expect(await gone(b, c.id)).toMatchObject({ reason: 'canceled' });
        expect(await pairCommands(c.id)).toEqual([]);
      }
      expect([await stored(a), await stored(b)]).toEqual([NONE, NONE]);
    }
    await settled(a);
    await settled(b);
    for (const p of [a, b]) expect(ids.map((id) => goneOf(p, id).length)).toEqual([1, 1, 1, 1, 1]);
  });
});

describe('refused: the error, and nothing changes', () => {
  test('oneself, a stranger, an unknown id, a guest, and malformed frames', async () => {
    const a = await player('abe', first);
    const b = await player('bia', second);
    const stranger = await player('sam', second);
    const guest = await t.connect('gus', first);
    // Even with a friends set in Redis (which the accounts service never writes for a guest), a guest has no friends.
    await befriend([a, b], [guest, a]);

    expect(await refused(a, { t: 'challenge', to: a.playerId, tc: TC })).toMatchObject({ code: 'challenge_self' });
    const toStranger = await refused(a, { t: 'challenge', to: stranger.playerId, tc: TC });
    expect(toStranger).toMatchObject({ code: 'not_friends' });
    const toNobody = await refused(a, { t: 'challenge', to: 'u_nobody_at_all', tc: TC });
    expect(toNobody).toMatchObject({ code: 'not_friends', message: toStranger.message });
    expect(await refused(guest, { t: 'challenge', to: a.playerId, tc: TC })).toMatchObject({ code: 'not_friends' });

    const malformed: Record<string, unknown>[] = [
      { t: 'challenge', to: guest.playerId, tc: TC }, // a guest's id: not an account
      { t: 'challenge', to: 'bia', tc: TC },
      { t: 'challenge', tc: TC },
      { t: 'challenge', to: b.playerId, tc: { initialMs: 0, incrementMs: 0 } },
      { t: 'challenge', to: b.playerId, tc: { initialMs: 60_000, incrementMs: 181_000 } },
      { t: 'challenge', to: b.playerId, tc: { initialMs: 60_000.5, incrementMs: 0 } },
      { t: 'challenge', to: b.playerId },
      { t: 'challenge', to: b.playerId, tc: TC, color: 'green' },
      { t: 'challenge', to: b.playerId, tc: TC, rated: 'yes' },
      { t: 'challenge_accept', challenge: 'short' },
      { t: 'challenge_decline', challenge: 'not a challenge id!' },
      { t: 'challenge_cancel' },
    ];
    for (const frame of malformed) expect([frame, (await refused(a, frame)).code]).toEqual([frame, 'bad_request']);

    for (const p of [a, b, stranger, guest]) expect([p.name, await stored(p)]).toEqual([p.name, NONE]);
    for (const p of [a, b]) expect(await redis.get(k.playing(p.playerId))).toBeNull();
    for (const p of [stranger, a, b]) await settled(p);
    expect([receivedFrom(stranger, a), receivedFrom(a, guest), receivedFrom(b, a)]).toEqual([[], [], []]);
    // The friend was not affected: a real challenge still goes through, and it is the first she hears of.
    const c = await challenge(a, b);
    await received(b, c.id);
    expect(receivedFrom(b, a).map((m) => (m.challenge as ChallengeView).id)).toEqual([c.id]);
  });

  test('a friend who is not online: friend_offline (never connected, or gone)', async () => {
    const a = await player('ann', first);
    const left = await player('lea', second);
    const never = { playerId: `u_never${Date.now()}` };
    await befriend([a, never], [a, left]);
    left.close();
    await waitFor(async () => (await redis.scard(k.playerConns(left.playerId))) === 0, 5_000, 'lea\'s socket is still registered');
    for (const to of [never, left]) expect(await refused(a, { t: 'challenge', to: to.playerId, tc: TC })).toMatchObject({ code: 'friend_offline' });
    for (const p of [a, never, left]) expect(await stored(p)).toEqual(NONE);
  });

  test('a second challenge to the same friend, from any tab: already_challenged', async () => {
    const a = await player('axl', first);
    const aTab = await t.connect(a.name, second, a.token);
    const b = await player('bas', second);
    await befriend([a, b]);
    const c = await challenge(a, b);
    expect(await refused(a, { t: 'challenge', to: b.playerId, tc: { initialMs: 60_000, incrementMs: 0 } })).toMatchObject({ code: 'already_challenged' });
    expect(await refused(aTab, { t: 'challenge', to: b.playerId, tc: TC })).toMatchObject({ code: 'already_challenged' });
    expect(await stored(a)).toEqual({ in: [], out: [c.id] });
    expect(await b.ask({ t: 'challenges' })).toMatchObject({ incoming: [c], outgoing: [] });
    await a.ask({ t: 'challenge_cancel', challenge: c.id });
    await gone(b, c.id); // after anything told about the refused ones
    expect(receivedFrom(b, a)).toHaveLength(1);
  });

  test('a fourth open challenge: too_many_challenges; once one is withdrawn, the fourth friend may be challenged', async () => {
    const a = await player('ali', first);
    const friends = [await player('fa', second), await player('fb', second), await player('fc', first), await player('fd', second)];
    await befriend(...friends.map((f) => [a, f] as [TestPlayer, TestPlayer]));
    const open = [await challenge(a, friends[0]!), await challenge(a, friends[1]!), await challenge(a, friends[2]!)];
    const fourth = friends[3]!;
    expect(await refused(a, { t: 'challenge', to: fourth.playerId, tc: TC })).toMatchObject({ code: 'too_many_challenges' });
    expect((await stored(a)).out).toEqual(open.map((c) => c.id).sort());
    expect(await stored(fourth)).toEqual(NONE);

    await a.ask({ t: 'challenge_cancel', challenge: open[0]!.id });
    const c = await challenge(a, fourth);
    await received(fourth, c.id);
    expect(receivedFrom(fourth, a).map((m) => (m.challenge as ChallengeView).id)).toEqual([c.id]);
  });

  test('a flood of challenge and withdraw: rate_limited after ten in a minute, for the player on every tab', async () => {
    const a = await player('ava', first);
    const aTab = await t.connect(a.name, second, a.token);
    const b = await player('bud', second);
    await befriend([a, b]);
    let last = '';
    for (let i = 0; i < 10; i++) {
      last = (await challenge(a, b)).id;
      expect(await a.ask({ t: 'challenge_cancel', challenge: last })).toMatchObject({ t: 'challenge_gone', reason: 'canceled' });
    }
    const flood = await asked(a, { t: 'challenge', id: 'eleventh', to: b.playerId, tc: TC });
    expect(flood).toMatchObject({ id: 'eleventh', code: 'rate_limited' });
    expect(await refused(aTab, { t: 'challenge', to: b.playerId, tc: TC })).toMatchObject({ code: 'rate_limited' });
    expect([await stored(a), await stored(b)]).toEqual([NONE, NONE]);
    await gone(b, last);
    await settled(b);
    expect(receivedFrom(b, a)).toHaveLength(10);
    expect(a.ws.readyState).toBe(a.ws.OPEN); // refused, not thrown out
    expect(await a.ask({ t: 'ping' })).toMatchObject({ t: 'pong' });
  });

  test('no such challenge: accepted twice, accepting a withdrawn one, answering or withdrawing someone else\'s: challenge_not_found', async () => {
    const a = await player('amos', first);
    const b = await player('bram', second);
    const other = await player('olaf', first);
    await befriend([a, b], [other, b]);
    const room = pairRoomCode(a.playerId, b.playerId);

    const c = await challenge(a, b, { color: 'black' });
    await received(b, c.id);
    const notFound = (p: TestPlayer, t: string, id = c.id) => refused(p, { t, challenge: id }).then((m) => expect(m).toMatchObject({ code: 'challenge_not_found' }));
    await notFound(other, 'challenge_decline'); // someone else's, to someone else
    await notFound(other, 'challenge_accept');
    await notFound(other, 'challenge_cancel');
    await notFound(b, 'challenge_cancel'); // bram's to answer, not to withdraw
    await notFound(a, 'challenge_decline'); // amos's to withdraw, not to answer
    await notFound(a, 'challenge_accept');
    await notFound(b, 'challenge_accept', 'AAAAAAAAAAAA'); // well-formed, never there
    expect(await stored(b)).toEqual({ in: [c.id], out: [] });
    expect(goneOf(b, c.id)).toEqual([]);

    b.send({ t: 'challenge_accept', id: 'acc-once', challenge: c.id });
    const paired = await Promise.all([a.next('paired', (m) => m.challenge === c.id), b.next('paired', (m) => m.challenge === c.id)]);
    expect(paired.map((m) => m.color)).toEqual(['black', 'white']); // amos chose black
    await notFound(b, 'challenge_accept'); // twice
    await notFound(b, 'challenge_decline');
    expect(await pairCommands(c.id)).toHaveLength(1);
    a.send({ t: 'resign', room });
    await b.next('ended', (m) => m.room === room);

    const withdrawn = await challenge(a, b);
    await received(b, withdrawn.id);
    await a.ask({ t: 'challenge_cancel', challenge: withdrawn.id });
    await notFound(b, 'challenge_accept', withdrawn.id);
    await notFound(b, 'challenge_decline', withdrawn.id);
    expect(await pairCommands(withdrawn.id)).toEqual([]);
    expect(await redis.get(k.playing(b.playerId))).toBeNull();
    await settled(a);
    expect(a.inbox.filter((m) => m.t === 'paired')).toHaveLength(1);
  });

  test('one game at a time: a friend waiting in a pool with a seek open accepts a challenge; neither the pool nor the seek seats them again', async () => {
    const a = await player('ines', first);
    const b = await player('jon', second);
    await befriend([a, b]);
    expect(await a.ask({ t: 'pool', pool: '1+0' })).toMatchObject({ t: 'pooled' });
    const seek = String((await a.ask({ t: 'seek', tc: { initialMs: 120_000, incrementMs: 1_000 } })).seek);
    const c = await challenge(b, a);
    await received(a, c.id);
    a.send({ t: 'challenge_accept', id: 'acc-pool', challenge: c.id });
    expect(await a.next('paired')).toMatchObject({ challenge: c.id, room: pairRoomCode(a.playerId, b.playerId) });

    // Two guests click the same pool: paired with each other, never with ines.
    const [g1, g2] = [await t.connect('kim', first), await t.connect('lou', second)];
    await g1.ask({ t: 'pool', pool: '1+0' });
    await g2.ask({ t: 'pool', pool: '1+0' });
    const [p1, p2] = await Promise.all([g1.next('paired'), g2.next('paired')]);
    expect(p1.room).toBe(p2.room);
    // A guest accepts her seek: it is off.
    const g3 = await t.connect('max', second);
    expect(await refused(g3, { t: 'accept', seek })).toMatchObject({ code: 'seek_not_found' });
    await settled(a);
    expect(a.inbox.filter((m) => m.t === 'paired')).toHaveLength(1);
  });

  test('a challenge whose challenger\'s gateway died (the close never came): accepting finds it off, the friend is told, no game', async () => {
    const b = await player('bo', second);
    const ghost = { playerId: `u_ghost${Date.now()}`, name: 'ghost' };
    await befriend([ghost, b]);
    const now = Date.now();
    const entry: ChallengeEntry = {
      id: 'ghostChallenge1', from: { ...ghost, gw: 'gw-dead', conn: 'c-dead' }, to: { playerId: b.playerId, name: b.name },
      tc: TC, color: 'random', rated: false, since: now, until: now + 600_000,
    };
    await redis.multi().hset(k.challengesIn(b.playerId), entry.id, encodeChallengeEntry(entry)).hset(k.challengesOut(ghost.playerId), entry.id, encodeChallengeEntry(entry)).exec();
    expect(await refused(b, { t: 'challenge_accept', challenge: entry.id })).toMatchObject({ code: 'challenge_not_found' });
    expect(await gone(b, entry.id)).toMatchObject({ reason: 'canceled' });
    expect([await stored(b), await stored(ghost)]).toEqual([NONE, NONE]);
    expect(await pairCommands(entry.id)).toEqual([]);
    expect(await redis.get(k.playing(b.playerId))).toBeNull();
  });

  test('in a game: accepting gets in_game (the challenge stands for later), challenging gets in_game; a challenger who started another game meanwhile withdrew', async () => {
    const a = await player('abel', first);
    const b = await player('bert', second);
    const c = await player('cleo', first);
    const e = await player('eve', second);
    await befriend([a, b], [a, e]);

    // bert plays cleo; abel challenges bert, who hears it during his game and accepts.
    const busy = await startGame(b, c);
    const ch = await challenge(a, b);
    await received(b, ch.id);
    expect(await refused(b, { t: 'challenge_accept', challenge: ch.id })).toMatchObject({ code: 'in_game', room: busy });
    expect(await stored(b)).toEqual({ in: [ch.id], out: [] });
    expect(await redis.get(k.playing(a.playerId))).toBeNull(); // abel was not held for a game that never came
    expect(await pairCommands(ch.id)).toEqual([]);
    expect(goneOf(a, ch.id)).toEqual([]);

    // The game over, the same challenge is accepted.
    b.send({ t: 'resign', room: busy });
    await c.next('ended', (m) => m.room === busy);
    b.send({ t: 'challenge_accept', id: 'later', challenge: ch.id });
    const room = pairRoomCode(a.playerId, b.playerId);
    expect(await a.next('paired', (m) => m.challenge === ch.id)).toMatchObject({ room });

    // abel, now playing, challenges eve: in_game, naming his room.
    expect(await refused(a, { t: 'challenge', to: e.playerId, tc: TC })).toMatchObject({ code: 'in_game', room });
    expect([await stored(a), await stored(e)]).toEqual([NONE, NONE]);
    await settled(e);
    expect(receivedFrom(e, a)).toEqual([]);

    // After that game, eve challenges abel, then starts a game with someone else before he answers:
    // his accept finds the challenge off, and both are told it was withdrawn.
    a.send({ t: 'resign', room });
    await b.next('ended', (m) => m.room === room);
    const late = await challenge(e, a);
    await received(a, late.id);
    const f = await player('finn', first);
    await startGame(e, f); // eve plays someone else before abel answers
    expect(await refused(a, { t: 'challenge_accept', challenge: late.id })).toMatchObject({ code: 'challenge_not_found' });
    for (const p of [a, e]) expect(await gone(p, late.id)).toMatchObject({ reason: 'canceled' });
    expect([await stored(a), await stored(e)]).toEqual([NONE, NONE]);
    expect(await pairCommands(late.id)).toEqual([]);
  });
});
