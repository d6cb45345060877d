// Quick pairing over the real parts: players on two gateways click a pool, two engines' matchmakers
// race to pair them, the pair plays in the room the engine made; a closed socket leaves its pool;
// bad pool frames get their error. Then two matchmakers racing over one crowded pool in Redis: each
// player paired exactly once.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Redis } from 'ioredis';
import { createLogger, keys as makeKeys } from '@gambit/common';
import { decodeEntry, decodeRatingCopy, encodeRatingCopy, type EngineCommand } from '@gambit/protocol';
import { Matchmaker, PoolStore } from '@gambit/pairing';
import type { Stack } from '../support/stack.js';
import { useTwoGateways } from '../support/two-gateways.js';
import { TestPlayer, play } from '../support/player.js';
import { startRedis, waitFor, type RedisHandle } from '../support/redis.js';

const MATE = ['f2f3', 'e7e5', 'g2g4', 'd8h4'];

describe('quick pairing through gateways and engines', () => {
  const t = useTwoGateways({ engines: 2 }); // two matchmakers racing on the same pools
  let stack: Stack, secondGateway: string, redis: Redis;
  beforeAll(() => { ({ stack, second: secondGateway, redis } = t); });

  const connect = (name: string, gateway?: string, as?: boolean | string) => t.connect(name, gateway, as);
  const waitingIn = async (pool: string, rated: boolean) => Object.keys(await redis.hgetall(makeKeys(stack.keyPrefix).pool(pool, rated)));

  test('two guests on different gateways click 3+0: paired in one room, opposite colours, and they play', async () => {
    const alice = await connect('alice');
    const bob = await connect('bob', secondGateway);
    expect(await alice.ask({ t: 'pool', pool: '3+0' })).toMatchObject({ t: 'pooled', pool: '3+0', rated: false });
    expect(await bob.ask({ t: 'pool', pool: '3+0' })).toMatchObject({ t: 'pooled' });
    const [pa, pb] = await Promise.all([alice.next('paired'), bob.next('paired')]);
    expect(pa.room).toBe(pb.room);
    expect([pa.color, pb.color].sort()).toEqual(['black', 'white']);
    expect(pa).toMatchObject({ pool: '3+0', rated: false });
    const [sa] = await Promise.all([alice.next('started'), bob.next('started')]);
    expect(sa.clock).toMatchObject({ white: 180_000, black: 180_000, running: 'white' });
    const room = String(pa.room);
    const [white, black] = pa.color === 'white' ? [alice, bob] : [bob, alice];
    await play(room, white, black, MATE);
    const [ended] = await Promise.all([white.next('ended'), black.next('ended')]);
    expect(ended).toMatchObject({ result: '0-1', reason: 'checkmate' });
    expect(await waitingIn('3+0', false)).toEqual([]);
  });

  test('a socket that closes leaves the pool: the next two players are paired with each other', async () => {
    const carol = await connect('carol');
    await carol.ask({ t: 'pool', pool: '10+5' });
    carol.close();
    await waitFor(async () => !(await waitingIn('10+5', false)).includes(carol.playerId), 5_000, 'carol still waits after her socket closed');
    const dave = await connect('dave', secondGateway);
    const erin = await connect('erin');
    await dave.ask({ t: 'pool', pool: '10+5' });
    await erin.ask({ t: 'pool', pool: '10+5' });
    const [pd, pe] = await Promise.all([dave.next('paired'), erin.next('paired')]);
    expect(pd.room).toBe(pe.room);
    const started = await dave.next('started');
    expect([(started.white as { name: string }).name, (started.black as { name: string }).name].sort()).toEqual(['dave', 'erin']);
  });

  test('rated pools: only accounts, paired by their ratings; a guest is refused and nothing changes', async () => {
    const guest = await connect('frank');
    expect(await guest.ask({ t: 'pool', pool: '5+0', rated: true })).toMatchObject({ t: 'error', code: 'rated_needs_account' });
    expect(await waitingIn('5+0', true)).toEqual([]);
    const gina = await connect('gina', stack.httpUrl, true);
    const hugo = await connect('hugo', secondGateway, true);
    // gina's blitz rating as the finalizer copies it: her entry carries it.
    await redis.hset(makeKeys(stack.keyPrefix).ratings(gina.playerId), 'blitz', encodeRatingCopy({ rating: 1580, rd: 60 }));
    await gina.ask({ t: 'pool', pool: '5+0', rated: true });
    const entry = JSON.parse((await redis.hget(makeKeys(stack.keyPrefix).pool('5+0', true), gina.playerId))!) as { rating: number };
    expect(entry.rating).toBe(1580);
    await hugo.ask({ t: 'pool', pool: '5+0', rated: true });
    const [pg] = await Promise.all([gina.next('paired'), hugo.next('paired')]);
    expect(pg).toMatchObject({ pool: '5+0', rated: true });
    expect(await gina.next('started')).toMatchObject({ rated: true });

    // They play it out: the finalizer stores the ratings (from DynamoDB, where both were new) and
    // copies them for the matchmaker, replacing gina's planted 1580.
    const [white, black] = pg.color === 'white' ? [gina, hugo] : [hugo, gina];
    await play(String(pg.room), white, black, MATE);
    const copy = async (p: TestPlayer) => decodeRatingCopy(await redis.hget(makeKeys(stack.keyPrefix).ratings(p.playerId), 'blitz'));
    await waitFor(async () => (await copy(white)) !== null && (await copy(gina))?.rating !== 1580, 10_000, 'the new ratings were never copied');
    const [w, b] = [(await copy(white))!, (await copy(black))!];
    expect(b.rating).toBeGreaterThan(1500); // Black mated
    expect(w.rating).toBeLessThan(1500);
    const stored = (await (await fetch(`${stack.httpUrl}/api/players/${black.playerId}`)).json()) as { ratings: { blitz: { rating: number } } };
    expect(stored.ratings.blitz.rating).toBe(Math.round(b.rating));
  });

  test('a player in a game (created and joined, or paired) gets in_game from every socket; once it ends they may wait again', async () => {
    const kate = await connect('kate');
    const leo = await connect('leo', secondGateway);
    const created = await kate.ask({ t: 'create', tc: { initialMs: 60_000, incrementMs: 0 }, color: 'white' });
    await leo.ask({ t: 'join', room: created.room });
    await kate.next('started');
    const kateAgain = await connect('kate', secondGateway, kate.token); // a second tab
    for (const p of [kate, kateAgain, leo]) expect(await p.ask({ t: 'pool', pool: '1+0' })).toMatchObject({ t: 'error', code: 'in_game', room: created.room });
    expect(await waitingIn('1+0', false)).toEqual([]);
    kate.send({ t: 'resign', room: created.room });
    await leo.next('ended');
    expect(await kateAgain.ask({ t: 'pool', pool: '1+0' })).toMatchObject({ t: 'pooled' });
    expect(await kateAgain.ask({ t: 'unpool' })).toMatchObject({ t: 'unpooled' });
  });

  test('the lobby: a seek shows on every gateway within a second; accepted, it starts with the colour asked; taken, cancelled and own seeks are refused', async () => {
    const mia = await connect('mia');
    const ned = await connect('ned', secondGateway);
    const olga = await connect('olga');
    expect(await ned.ask({ t: 'lobby' })).toMatchObject({ t: 'lobby', seeks: [] });
    const sought = await mia.ask({ t: 'seek', tc: { initialMs: 420_000, incrementMs: 2_000 }, color: 'black' });
    expect(sought).toMatchObject({ t: 'sought' });
    const seek = String(sought.seek);
    // ned (another gateway) is told without asking again.
    const shown = await ned.next('lobby', (m) => (m.seeks as { id: string }[]).some((s) => s.id === seek));
    expect((shown.seeks as unknown[])[0]).toEqual({ id: seek, playerId: mia.playerId, name: 'mia', rating: 1500, tc: { initialMs: 420_000, incrementMs: 2_000 }, color: 'black', rated: false });
    expect(await mia.ask({ t: 'accept', seek })).toMatchObject({ t: 'error', code: 'own_seek' });
    ned.send({ t: 'accept', seek });
    const [pm, pn] = await Promise.all([mia.next('paired'), ned.next('paired')]);
    expect(pm).toMatchObject({ color: 'black', seek, rated: false });
    expect(pn).toMatchObject({ color: 'white', room: pm.room });
    expect(await mia.next('started')).toMatchObject({ clock: { white: 420_000, running: 'white' } });
    expect(await olga.ask({ t: 'accept', seek })).toMatchObject({ t: 'error', code: 'seek_not_found' });
    await ned.next('lobby', (m) => (m.seeks as unknown[]).length === 0);

    // A seek cancelled, and one withdrawn by its socket's close, are gone for everyone.
    const second = String((await olga.ask({ t: 'seek', tc: { initialMs: 60_000, incrementMs: 0 } })).seek);
    expect(await mia.ask({ t: 'unseek', seek: second })).toMatchObject({ t: 'error', code: 'seek_not_found' }); // not hers
    expect(await olga.ask({ t: 'unseek', seek: second })).toMatchObject({ t: 'unsought', seek: second });
    expect(await mia.ask({ t: 'accept', seek: second })).toMatchObject({ t: 'error', code: 'in_game' });
    const third = String((await olga.ask({ t: 'seek', tc: { initialMs: 60_000, incrementMs: 0 } })).seek);
    olga.close();
    await waitFor(async () => (await redis.hexists(makeKeys(stack.keyPrefix).seeks, third)) === 0, 5_000, 'the closed socket\'s seek is still open');
  });

  test('blocks: a player never sees nor accepts the seeks of someone they blocked or who blocked them', async () => {
    const uma = await connect('uma', undefined, true);
    const vic = await connect('vic', secondGateway, true);
    const wes = await connect('wes', secondGateway);
    // The accounts service's copy of a block (wire/pairing.ts): both players' sets name the other.
    const k = makeKeys(stack.keyPrefix);
    await redis.multi().sadd(k.blocks(uma.playerId), vic.playerId).sadd(k.blocks(vic.playerId), uma.playerId).exec();
    await Promise.all([vic.ask({ t: 'lobby' }), wes.ask({ t: 'lobby' })]);
    const seek = String((await uma.ask({ t: 'seek', tc: { initialMs: 300_000, incrementMs: 0 } })).seek);
    await wes.next('lobby', (m) => (m.seeks as { id: string }[]).some((s) => s.id === seek));
    // vic follows on the same gateway: his copy of that update went out with wes's, without the seek.
    const seen = (await vic.next('lobby', (m) => m.id === undefined)).seeks as { id: string }[];
    expect(seen.map((s) => s.id)).not.toContain(seek);
    expect(((await vic.ask({ t: 'lobby' })).seeks as { id: string }[]).map((s) => s.id)).not.toContain(seek);
    expect(await vic.ask({ t: 'accept', seek })).toMatchObject({ t: 'error', code: 'seek_not_found' });
    expect(await redis.hexists(k.seeks, seek)).toBe(1); // still open for everyone else
    expect(await uma.ask({ t: 'unseek', seek })).toMatchObject({ t: 'unsought' });
  });

  test('seeks: at most three open per player, rated only for accounts, none while playing; a flood changes nothing else', async () => {
    const pia = await connect('pia');
    const tc = { initialMs: 180_000, incrementMs: 0 };
    expect(await pia.ask({ t: 'seek', tc, rated: true })).toMatchObject({ t: 'error', code: 'rated_needs_account' });
    const answers = await Promise.all(Array.from({ length: 8 }, () => pia.ask({ t: 'seek', tc })));
    expect(answers.filter((a) => a.t === 'sought')).toHaveLength(3);
    expect(answers.filter((a) => a.t === 'error' && a.code === 'too_many_seeks')).toHaveLength(5);
    expect(await pia.ask({ t: 'seek', tc: { initialMs: 0, incrementMs: 0 } })).toMatchObject({ t: 'error', code: 'bad_request' });
    expect(await pia.ask({ t: 'accept', seek: 'no such seek!' })).toMatchObject({ t: 'error', code: 'bad_request' });
    const list = await pia.ask({ t: 'lobby' });
    expect((list.seeks as { playerId: string }[]).filter((s) => s.playerId === pia.playerId)).toHaveLength(3);
  });

  test('one game at a time: two accepters of one author\'s two seeks, or one socket accepting two at once, start one game', async () => {
    const rex = await connect('rex');
    const tc = { initialMs: 300_000, incrementMs: 0 };
    const [s1, s2] = [String((await rex.ask({ t: 'seek', tc })).seek), String((await rex.ask({ t: 'seek', tc })).seek)];
    const [sam, tom] = [await connect('sam', secondGateway), await connect('tom')];
    const [as, at] = await Promise.all([sam.ask({ t: 'accept', seek: s1 }).catch(() => null), tom.ask({ t: 'accept', seek: s2 }).catch(() => null)]);
    await rex.next('paired');
    // The loser's accept was answered with an error; the winner's has no answer (paired comes).
    expect([as, at].filter((a) => a?.t === 'error').map((a) => a!.code)).toEqual(['seek_not_found']);
    expect(rex.inbox.filter((m) => m.t === 'paired')).toHaveLength(1);

    const una = await connect('una');
    const [u1, u2] = [String((await una.ask({ t: 'seek', tc })).seek), String((await una.ask({ t: 'seek', tc })).seek)];
    const vic = await connect('vic', secondGateway);
    const [first, second] = await Promise.all([vic.ask({ t: 'accept', seek: u1 }).catch(() => null), vic.ask({ t: 'accept', seek: u2 }).catch(() => null)]);
    await vic.next('paired');
    expect([first, second].filter((a) => a?.t === 'error').map((a) => a!.code)).toEqual(['in_game']);
    expect(vic.inbox.filter((m) => m.t === 'paired')).toHaveLength(1);
  });

  test('ghosts: a wait or a seek of a gateway that died (no heartbeat) is never paired and leaves the lobby', async () => {
    const keys = makeKeys(stack.keyPrefix);
    const ghost = { playerId: 'g_ghost', name: 'ghost', gw: 'gw-dead', conn: 'c-dead', rating: 1500, since: Date.now() };
    await redis.hset(keys.pool('2+1', false), ghost.playerId, JSON.stringify(ghost));
    await redis.hset(keys.seeks, 'ghostseek1', JSON.stringify({ ...ghost, id: 'ghostseek1', tc: { initialMs: 60_000, incrementMs: 0 }, color: 'random', rated: false }));
    await redis.incr(keys.seeksVersion);
    const wes = await connect('wes');
    expect(await wes.ask({ t: 'lobby' })).toMatchObject({ seeks: [] });
    await waitFor(async () => !(await waitingIn('2+1', false)).includes('g_ghost'), 5_000, 'the ghost still waits');
    expect(await wes.ask({ t: 'accept', seek: 'ghostseek1' })).toMatchObject({ t: 'error', code: 'seek_not_found' });
    expect(await redis.hexists(keys.seeks, 'ghostseek1')).toBe(0);
  });

  test('bad pool frames: an unknown pool, or before hello, get their error and nobody waits', async () => {
    const ivan = await connect('ivan');
    expect(await ivan.ask({ t: 'pool', pool: '4+0' })).toMatchObject({ t: 'error', code: 'bad_request' });
    expect(await ivan.ask({ t: 'pool', pool: '3+0', rated: 'yes' })).toMatchObject({ t: 'error', code: 'bad_request' });
    expect(await ivan.ask({ t: 'unpool' })).toMatchObject({ t: 'unpooled' });
    const anon = await TestPlayer.open(stack.wsUrl);
    expect(await anon.ask({ t: 'pool', pool: '3+0' })).toMatchObject({ t: 'error', code: 'unauthorized' });
    anon.close();
    for (const pool of ['3+0', '4+0']) expect(await waitingIn(pool, false)).toEqual([]);
    // ivan still plays normally afterwards.
    expect(await ivan.ask({ t: 'ping' })).toMatchObject({ t: 'pong' });
  });
});

describe('two matchmakers racing on one crowded pool', () => {
  let handle: RedisHandle;
  let redis: Redis;
  beforeAll(async () => {
    handle = await startRedis();
    redis = new Redis(handle.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await handle?.stop();
  });

  test('400 waiting players, two matchmakers at once: 200 pair commands, every player in exactly one', async () => {
    const keys = makeKeys('race');
    const log = createLogger('test', 'silent');
    const store = new PoolStore(redis, keys);
    const now = Date.now();
    await redis.zadd(keys.gateways, now, 'gw'); // a live gateway holds their sockets
    // Ratings close enough that anyone may be paired with several others: the race is real.
    for (let i = 0; i < 400; i++) {
      await store.join({ pool: '3+0', rated: false }, { playerId: `g_p${i}`, name: `p${i}`, gw: 'gw', conn: `c${i}`, rating: 1500 + (i % 50), since: now - i });
    }
    const conns = [redis.duplicate(), redis.duplicate()];
    const mms = conns.map((c) => new Matchmaker({ store: new PoolStore(c, keys), stream: () => keys.commands(0), maxLen: 100_000, log, everyMs: 10 }));
    // The second sees later clocks, so wider gaps and other pairs than the first: their claims
    // overlap player by player, not pair by pair.
    let rounds = 0;
    try {
      while ((await redis.hlen(keys.pool('3+0', false))) > 0 && rounds++ < 20) await Promise.all(mms.map((m, i) => m.round(Date.now() + i * 8_000)));
    } finally {
      conns.forEach((c) => c.disconnect());
    }
    const entries = (await redis.xrange(keys.commands(0), '-', '+')).map(([id, fields]) => decodeEntry(id, fields));
    const pairs = entries.map((e) => ('data' in e ? (e.data as Extract<EngineCommand, { t: 'pair' }>) : null)).filter((c) => c?.t === 'pair');
    const seated = pairs.flatMap((c) => [c!.origin.playerId, c!.opponent.playerId]);
    expect(pairs).toHaveLength(200);
    expect(new Set(seated).size).toBe(400);
    expect(await redis.hlen(keys.pool('3+0', false))).toBe(0);
  });
});
