// Account jobs against a real redis-server and dynalite: games stored through the finalize
// stream, then an erase (a deleted account) or an adopt (a guest who signed up) on the
// account-jobs stream. Each must end complete and correct however often it runs, and after a
// run cut halfway. No sleeps: every wait polls for the finalizer's counters or the stored state.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { FINALIZER_GROUP } from '@gambit/common';
import { decodeDeadLetter, type AccountJob, type GameRecord, type PlayerRef } from '@gambit/protocol';
import { AccountStore } from '../../services/finalizer/src/account-store.js';
import type { RunningFinalizer } from '../../services/finalizer/src/app.js';
import { replayDeadLetters } from '../../services/finalizer/src/replay.js';
import { fromItem } from '../../services/finalizer/src/rules/attributes.js';
import { seatChange, tombstoneId } from '../../services/finalizer/src/rules/account-jobs.js';
import { startProxy } from '../support/proxy.js';
import {
  eventually, gameRecord, getJson, jobsHandled, metric, publishJob, startFixture, storeGames, type Fixture,
} from './finalizer-fixture.js';

let f: Fixture;
let fin: RunningFinalizer;
let n = 0;
/** Fresh players per test: the tests share the tables. */
const player = (kind: 'u' | 'g', name: string): PlayerRef => ({ playerId: `${kind}_${name.toLowerCase()}-${String(++n).padStart(4, '0')}`, name });

beforeAll(async () => {
  f = await startFixture('acctjobs');
  fin = await f.start('main');
}, 20_000);

afterAll(async () => {
  await fin?.close();
  await f?.stop();
});

/** Every item of the games table, as plain objects. */
async function allItems(): Promise<Record<string, unknown>[]> {
  const out = await f.dynamo.send(new ScanCommand({ TableName: f.names.games, ConsistentRead: true }));
  return (out.Items ?? []).map(fromItem).sort((a, b) => String(a.gameId).localeCompare(String(b.gameId)));
}
const mentions = (items: unknown[], text: string) => items.filter((i) => JSON.stringify(i).includes(text));
const seatOf = (g: GameRecord, p: PlayerRef) => (g.white.playerId === p.playerId ? 'white' : 'black');

/** Alice (a user) against Bob three times and Carol once, Bob against Carol once. */
async function aliceHistory() {
  const alice = player('u', 'AliceErased'), bob = player('g', 'Bob'), carol = player('u', 'Carol');
  const games = [
    gameRecord(alice, bob), gameRecord(bob, alice, { result: '1/2-1/2', reason: 'agreement', winner: null }),
    gameRecord(alice, bob, { result: '0-1', winner: 'black' }), gameRecord(carol, alice), gameRecord(bob, carol),
  ];
  await storeGames(f, fin, games);
  return { alice, bob, carol, games, aliceGames: games.filter((g) => g.white === alice || g.black === alice) };
}

describe('erase', () => {
  it('puts the tombstone in every game of the player, deletes their stats, and leaves the others\' history intact; twice is once', async () => {
    const { alice, bob, aliceGames, games } = await aliceHistory();
    const bobStats = await f.store.getPlayer(bob.playerId);
    const job: AccountJob = { kind: 'erase', jobId: `erase-${n}`, playerId: alice.playerId, tombstone: 'deleted-7f3a' };
    const dead = { playerId: tombstoneId(job.jobId), name: 'deleted-7f3a' };
    const before = await metric(fin.port, 'gambit_finalizer_account_jobs_total', { kind: 'erase', outcome: 'done' });
    const fields = await publishJob(f, job);
    await jobsHandled(fin.port, 'erase', before);

    for (const g of aliceGames) {
      const stored = (await f.store.getGame(g.gameId))!;
      const seat = seatOf(g, alice);
      expect(stored[seat]).toEqual(dead);
      expect(stored[seat === 'white' ? 'black' : 'white']).toEqual(g[seat === 'white' ? 'black' : 'white']);
      expect(stored.pgn).toContain(`[${seat === 'white' ? 'White' : 'Black'} "deleted-7f3a"]`);
      expect(stored.pgn).not.toContain('AliceErased');
      expect({ uci: stored.uci, san: stored.san, fens: stored.fens, clockHistory: stored.clockHistory }).toEqual(
        { uci: g.uci, san: g.san, fens: g.fens, clockHistory: g.clockHistory });
    }
    // Nothing stored names Alice or carries her id any more: records, rows, index.
    const items = await allItems();
    expect(mentions(items, 'AliceErased')).toEqual([]);
    expect(mentions(items, alice.playerId)).toEqual([]);
    expect((await getJson(fin.port, `/api/players/${alice.playerId}`)).status).toBe(404);
    expect((await getJson(fin.port, `/api/players/${alice.playerId}/games`)).body).toEqual({ games: [], next: null });
    expect((await f.store.listPlayerGames(dead.playerId)).games).toHaveLength(aliceGames.length);

    // Bob still lists every game, against the tombstone, under his own name; his stats are as they were.
    const bobList = (await getJson(fin.port, `/api/players/${bob.playerId}/games`)).body.games as { gameId: string; opponent: PlayerRef }[];
    expect(bobList.map((g) => g.gameId).sort()).toEqual(games.filter((g) => g.white === bob || g.black === bob).map((g) => g.gameId).sort());
    for (const g of bobList) expect(g.opponent.name).not.toBe('AliceErased');
    expect(bobList.filter((g) => g.opponent.playerId === dead.playerId)).toHaveLength(3);
    expect(await f.store.getPlayer(bob.playerId)).toEqual(bobStats);
    const bobGame = (await f.store.getGame(aliceGames[0]!.gameId))!;
    expect(bobGame.pgn).toContain('[Black "Bob"]');

    // The same entry again (a redelivery, a duplicate): nothing changes, not even a revision.
    await publishJob(f, fields);
    await jobsHandled(fin.port, 'erase', before, 2);
    expect(await allItems()).toEqual(items);
    expect(await f.store.getPlayer(bob.playerId)).toEqual(bobStats);
  });

  it('completes a run cut halfway: some games done, one cut between its writes, the entry held by a crashed finalizer', async () => {
    const { alice, bob, aliceGames } = await aliceHistory();
    const job: AccountJob = { kind: 'erase', jobId: `erase-${n}`, playerId: alice.playerId, tombstone: 'deleted-b00c' };
    const change = seatChange(job);
    // Two games handed over, then a third cut after its first write (the game item), as the
    // item-by-item transaction on dynalite would be by a SIGKILL.
    for (const g of aliceGames.slice(0, 2)) expect(await f.accounts.rewriteSeat(g.gameId, seatOf(g, alice), change)).toBe('rewritten');
    const cut = new AccountStore(f.dynamo, f.names, async (items) => {
      await f.store.transactWrite(items.slice(0, 1));
      throw new Error('killed');
    });
    const third = aliceGames[2]!;
    await expect(cut.rewriteSeat(third.gameId, seatOf(third, alice), change)).rejects.toThrow('killed');
    expect((await f.store.getGame(third.gameId))![seatOf(third, alice)]).toEqual(change.to);
    expect((await f.store.listPlayerGames(alice.playerId)).games).toHaveLength(2); // the cut game still lists under Alice

    // A finalizer takes the entry and dies with it (DynamoDB cut off behind a proxy, then a crash).
    const proxy = await startProxy(f.dynalite.port);
    const first = await f.start('first', {
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${proxy.port}`, FINALIZE_BACKOFF_BASE_MS: '5000', CLAIM_IDLE_MS: '60000', CREATE_TABLES: 'false',
    });
    proxy.cut();
    // The main finalizer is a consumer of the same group: keep it from taking the entry first.
    await fin.close();
    await publishJob(f, job);
    await eventually('entry pending at the first finalizer', async () => {
      const [count, , , consumers] = (await f.redis.xpending(f.k.accountJobs, FINALIZER_GROUP)) as [number, string, string, [string, string][]];
      return count === 1 && consumers?.[0]?.[0] === 'first';
    });
    first.crash();
    await proxy.close();
    fin = await f.start('main', { CLAIM_IDLE_MS: '200' });
    await jobsHandled(fin.port, 'erase', 0);

    for (const g of aliceGames) expect((await f.store.getGame(g.gameId))![seatOf(g, alice)]).toEqual(change.to);
    const items = await allItems();
    expect(mentions(items, alice.name)).toEqual([]);
    expect(mentions(items, alice.playerId)).toEqual([]);
    // The cut game's item was not written twice: one revision.
    expect(items.find((i) => i.gameId === third.gameId)).toMatchObject({ rev: 1 });
    expect(await f.store.getPlayer(alice.playerId)).toBeNull();
    expect((await f.store.listPlayerGames(bob.playerId)).games.filter((g) => g.opponent.playerId === change.to.playerId)).toHaveLength(3);
    await eventually('entry acknowledged', async () => ((await f.redis.xpending(f.k.accountJobs, FINALIZER_GROUP)) as [number])[0] === 0);
  });
});

describe('two jobs on the same games at once', () => {
  it('erases both players of the same games concurrently without losing either rewrite', async () => {
    const ann = player('u', 'AnnBoth'), ben = player('u', 'BenBoth');
    const games = [gameRecord(ann, ben), gameRecord(ben, ann), gameRecord(ann, ben)];
    await storeGames(f, fin, games);
    const jobs: [PlayerRef, AccountJob][] = [
      [ann, { kind: 'erase', jobId: `erase-a${n}`, playerId: ann.playerId, tombstone: 'deleted-aaaa' }],
      [ben, { kind: 'erase', jobId: `erase-b${n}`, playerId: ben.playerId, tombstone: 'deleted-bbbb' }],
    ];
    // Jobs of different accounts run at the same time (different keys); here every seat of both at once,
    // so reads and writes of the same game item interleave (the revision check must keep both).
    await Promise.all(jobs.flatMap(([p, job]) => games.map((g) => f.accounts.rewriteSeat(g.gameId, seatOf(g, p), seatChange(job)))));
    for (const g of games) {
      const stored = (await f.store.getGame(g.gameId))!;
      expect([stored.white.name, stored.black.name].sort()).toEqual(['deleted-aaaa', 'deleted-bbbb']);
      expect(stored.pgn).toContain(`[White "${stored.white.name}"]`);
      expect(stored.pgn).toContain(`[Black "${stored.black.name}"]`);
    }
    expect(mentions(await allItems(), 'Both')).toEqual([]);
  });
});

describe('adopt', () => {
  it('moves a guest\'s games to the user and adds the guest\'s stats once, however often the entry comes', async () => {
    const guest = player('g', 'Guesty'), user = { ...player('u', 'x'), name: 'newuser' };
    const dave = player('u', 'Dave'), erin = player('u', 'Erin');
    const guestGames = [
      gameRecord(guest, dave), gameRecord(dave, guest), gameRecord(guest, erin, { result: '1/2-1/2', reason: 'agreement', winner: null }),
    ];
    const userGame = gameRecord(erin, user);
    await storeGames(f, fin, [...guestGames, userGame]);
    const [guestStats, userStats] = [(await f.store.getPlayer(guest.playerId))!, (await f.store.getPlayer(user.playerId))!];
    expect(guestStats).toMatchObject({ games: 3, wins: 1, losses: 1, draws: 1 });
    expect(userStats).toMatchObject({ games: 1, wins: 0, losses: 1, draws: 0 });

    const job: AccountJob = { kind: 'adopt', jobId: `adopt-${n}`, from: guest.playerId, to: user.playerId, name: 'newuser' };
    const before = await metric(fin.port, 'gambit_finalizer_account_jobs_total', { kind: 'adopt', outcome: 'done' });
    const fields = await publishJob(f, job);
    await publishJob(f, fields);
    await jobsHandled(fin.port, 'adopt', before, 2);

    const page = (await getJson(fin.port, `/api/players/${user.playerId}/games`)).body.games as { gameId: string }[];
    expect(page.map((g) => g.gameId).sort()).toEqual([...guestGames, userGame].map((g) => g.gameId).sort());
    expect((await getJson(fin.port, `/api/players/${user.playerId}`)).body).toEqual({
      playerId: user.playerId, name: 'newuser', games: 4, wins: 1, losses: 2, draws: 1,
      createdAt: userStats.createdAt, updatedAt: expect.any(Number),
      // The per-speed counts are merged too (these test games are all blitz).
      speeds: {
        bullet: { games: 0, wins: 0, losses: 0, draws: 0 }, blitz: { games: 4, wins: 1, losses: 2, draws: 1 },
        rapid: { games: 0, wins: 0, losses: 0, draws: 0 }, classical: { games: 0, wins: 0, losses: 0, draws: 0 },
      },
      ratings: expect.any(Object), // casual games: no rated games (test/integration/ratings.test.ts)
    });
    expect(await f.store.getPlayer(guest.playerId)).toBeNull();
    expect((await f.store.listPlayerGames(guest.playerId)).games).toEqual([]);
    for (const g of guestGames) {
      const stored = (await f.store.getGame(g.gameId))!;
      expect(stored[seatOf(g, guest)]).toEqual(user);
      expect(stored.pgn).toContain(`[${seatOf(g, guest) === 'white' ? 'White' : 'Black'} "newuser"]`);
    }
    const daveList = (await f.store.listPlayerGames(dave.playerId)).games;
    expect(daveList.map((g) => g.opponent)).toEqual([user, user]);
    expect(await f.store.getPlayer(dave.playerId)).toMatchObject({ games: 2, wins: 1, losses: 1 });

    // A third run, straight on the store: the merge is recorded, nothing is added again.
    expect(await f.accounts.mergeStats(job.jobId, guest.playerId, user, Date.now())).toBe('nothing');
  });

  it('merges once even when the guest\'s stats come back after the merge (a late guest game)', async () => {
    const guest = player('g', 'Latecomer'), user = player('u', 'Signed');
    await storeGames(f, fin, [gameRecord(guest, player('u', 'Opp'))]);
    const job: AccountJob = { kind: 'adopt', jobId: `adopt-${n}`, from: guest.playerId, to: user.playerId, name: user.name };
    expect(await f.accounts.mergeStats(job.jobId, guest.playerId, user, 1)).toBe('merged');
    await storeGames(f, fin, [gameRecord(player('u', 'Opp2'), guest)]);
    expect(await f.accounts.mergeStats(job.jobId, guest.playerId, user, 2)).toBe('already');
    expect(await f.store.getPlayer(user.playerId)).toMatchObject({ games: 1, wins: 1 });
  });
});

describe('bad jobs and failures', () => {
  it('parks an invalid job in the dead letters at once, and a job DynamoDB keeps refusing after its retries; a replay runs it', async () => {
    const deadBefore = await f.redis.xlen(f.k.accountJobsDead);
    await publishJob(f, ['p', 'account.erase', 'k', 'u_x', 'd', JSON.stringify({ jobId: 'j', playerId: 'bad#id', tombstone: 'x' })]);
    await eventually('invalid job parked', async () => (await f.redis.xlen(f.k.accountJobsDead)) === deadBefore + 1);
    const [id, fieldsOut] = (await f.redis.xrevrange(f.k.accountJobsDead, '+', '-', 'COUNT', 1))[0]!;
    expect(decodeDeadLetter(id, fieldsOut)).toMatchObject({ original: { pattern: 'account.erase', key: 'u_x' }, error: expect.stringMatching(/invalid account.erase job/) });
    await f.redis.xdel(f.k.accountJobsDead, id);

    // DynamoDB away: 2 attempts, then the dead letters; back: the replay puts it on the stream again.
    const { alice, aliceGames } = await aliceHistory();
    const proxy = await startProxy(f.dynalite.port);
    await fin.close();
    fin = await f.start('main', { DYNAMODB_ENDPOINT: `http://127.0.0.1:${proxy.port}`, FINALIZE_MAX_ATTEMPTS: '2', CREATE_TABLES: 'false' });
    try {
      proxy.cut();
      const job: AccountJob = { kind: 'erase', jobId: `erase-${n}`, playerId: alice.playerId, tombstone: 'deleted-dead' };
      await publishJob(f, job);
      await jobsHandled(fin.port, 'erase', 0, 1, 'dead_letter');
      expect(await metric(fin.port, 'gambit_finalizer_account_job_dead_letters')).toBe(1);
      proxy.restore();
      expect(await replayDeadLetters(f.redis, { finalize: f.k.accountJobs, finalizeDead: f.k.accountJobsDead })).toBe(1);
      await jobsHandled(fin.port, 'erase', 0);
      for (const g of aliceGames) expect((await f.store.getGame(g.gameId))![seatOf(g, alice)].name).toBe('deleted-dead');
    } finally {
      await fin.close();
      await proxy.close();
      fin = await f.start('main');
    }
  });
});
