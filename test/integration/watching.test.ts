// Watching over the real parts: the games in play are listed highest rated first (`GET /api/live`)
// and leave the list when they end; spectators on two gateways make one crowd that both players
// (and the spectators) see, with the names of signed-in spectators; a spectator who leaves or
// closes is counted out, and counted in again when they resume; a player watching their own game is
// not a spectator.
import { describe, expect, test } from '@jest/globals';
import { keys as makeKeys } from '@gambit/common';
import { CROWD_STALE_MS, encodeCrowdShare, encodeRatingCopy } from '@gambit/protocol';
import { useTwoGateways } from '../support/two-gateways.js';
import { TestPlayer, startGame } from '../support/player.js';
import { waitFor } from '../support/redis.js';

const t = useTwoGateways();
const connect = (name: string, gateway?: string, account = false) => t.connect(name, gateway, account);
type Live = { room: string; white: { name: string; rating: number | null }; black: { name: string; rating: number | null }; watchers: number };
const live = async (): Promise<Live[]> => ((await (await fetch(`${t.stack.httpUrl}/api/live`)).json()) as { games: Live[] }).games;
const crowdOf = (p: TestPlayer, count: number) => p.next('crowd', (m) => m.count === count, 5_000);

describe('watching', () => {
  test('live games highest rated first; two gateways of spectators make one crowd; leaving counts out; the end takes the game off the list', async () => {
    const [a, b, c, d] = await Promise.all([connect('ann', t.stack.httpUrl, true), connect('ben', t.second, true), connect('cat'), connect('dan')]);
    const strong = await startGame(a, b);
    const weak = await startGame(c, d);
    // Rating copies (1+0 is bullet) put ann and ben's game on top although it started first.
    const bullet = encodeRatingCopy({ rating: 2100, rd: 60 });
    await t.redis.hset(makeKeys(t.stack.keyPrefix).ratings(a.playerId), 'bullet', bullet);
    await t.redis.hset(makeKeys(t.stack.keyPrefix).ratings(b.playerId), 'bullet', bullet);
    // The list is kept a second per gateway: read it until it shows both games rated.
    let games: Live[] = [];
    await waitFor(async () => (games = await live()).length === 2 && games[0]!.white.rating !== null, 5_000, 'the live list never showed both games');
    expect(games.map((g) => g.room)).toEqual([strong, weak]);
    expect(games[0]).toMatchObject({ white: { name: 'ann', rating: 2100 }, black: { name: 'ben', rating: 2100 }, watchers: 0 });
    expect(games[1]).toMatchObject({ white: { rating: null } });

    const eve = await connect('eve', t.second, true); // signed in: named in the crowd
    const fay = await connect('fay'); // a guest: counted, not named
    expect(await eve.ask({ t: 'watch', room: strong })).toMatchObject({ t: 'state' });
    expect(await fay.ask({ t: 'watch', room: strong })).toMatchObject({ t: 'state' });
    for (const p of [a, b, eve, fay]) expect(await crowdOf(p, 2)).toMatchObject({ room: strong, names: ['eve'] });
    await waitFor(async () => (await live()).find((g) => g.room === strong)?.watchers === 2, 5_000, 'the list never counted the two spectators');
    // ann opens her own game in a second tab and watches it: still a player, not in the crowd.
    const annTab = await TestPlayer.connect(t.second, 'ann', { token: a.token });
    expect(await annTab.ask({ t: 'watch', room: strong })).toMatchObject({ t: 'state' });

    fay.send({ t: 'leave', room: strong });
    expect(await crowdOf(a, 1)).toMatchObject({ names: ['eve'] });
    eve.close();
    expect(await crowdOf(b, 0)).toMatchObject({ names: [] });
    // eve reloads her page: her resume makes her a spectator again, counted by the other gateway too.
    const eveAgain = await TestPlayer.connect(t.second, 'eve', { token: eve.token, resume: { room: strong, seq: 0 } });
    expect(await crowdOf(a, 1)).toMatchObject({ names: ['eve'] });
    eveAgain.close();
    expect(await crowdOf(b, 0)).toMatchObject({ names: [] });
    await waitFor(async () => (await live()).find((g) => g.room === strong)?.watchers === 0, 5_000, 'the list still counts spectators who left');

    a.send({ t: 'resign', room: strong });
    await b.next('ended');
    await waitFor(async () => (await live()).map((g) => g.room).join() === weak, 5_000, 'the ended game is still listed');
    annTab.close();
  });

  test('a gateway that died: its share of a crowd is counted until stale (30 s unrefreshed), then out, with nobody sending anything', async () => {
    const [a, b] = await Promise.all([connect('gus'), connect('hal', t.second)]);
    const room = await startGame(a, b);
    // A dead pod's share (three spectators), last refreshed 22 s ago: a socket joining now hears it.
    const dead = encodeCrowdShare({ n: 3, names: [], at: Date.now() - CROWD_STALE_MS + 8_000 });
    await t.redis.hset(makeKeys(t.stack.keyPrefix).crowd(room), 'gw-dead', dead);
    const ida = await connect('ida');
    expect(await ida.ask({ t: 'watch', room })).toMatchObject({ t: 'state' });
    expect(await crowdOf(ida, 4)).toMatchObject({ room });
    // Eight seconds on the dead share is stale: everyone hears the live count alone.
    for (const p of [a, b, ida]) await p.next('crowd', (m) => m.count === 1, 15_000);
    ida.close();
  });
});
