// The finalizer's read API as caches see it: a stored game has a strong ETag and may be cached
// for an hour (an account job can still rewrite a name in it), If-None-Match answers 304 with no
// body, HEAD answers the headers only, player pages are never stored; an erase changes the ETag.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningFinalizer } from '../../services/finalizer/src/app.js';
import { gameRecord, getJson, jobsHandled, publishJob, startFixture, storeGames, type Fixture } from './finalizer-fixture.js';

let f: Fixture;
let fin: RunningFinalizer;

beforeAll(async () => {
  f = await startFixture('readapi');
  fin = await f.start('main');
}, 20_000);

afterAll(async () => {
  await fin?.close();
  await f?.stop();
});

describe('GET /api/games/:id caching', () => {
  it('answers with a strong ETag and a one-hour cache, 304 to If-None-Match, headers only to HEAD; a new ETag after an erase', async () => {
    const alice = { playerId: 'u_alice-ra', name: 'Alice' }, bob = { playerId: 'g_bob-ra', name: 'Bob' };
    const game = gameRecord(alice, bob);
    await storeGames(f, fin, [game]);
    const path = `/api/games/${game.gameId}`;

    const first = await getJson(fin.port, path);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ...game, storedAt: expect.any(Number) });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect(first.headers.get('cache-control')).toBe('public, max-age=3600');
    // The same bytes every time: the same ETag.
    expect((await getJson(fin.port, path)).headers.get('etag')).toBe(etag);

    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await fetch(`http://127.0.0.1:${fin.port}${path}`, { headers: { 'if-none-match': header } });
      expect({ header, status: res.status, body: await res.text() }).toEqual({ header, status: 304, body: '' });
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    }
    expect((await getJson(fin.port, path, { headers: { 'if-none-match': '"stale"' } })).status).toBe(200);

    const head = await fetch(`http://127.0.0.1:${fin.port}${path}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(head.headers.get('etag')).toBe(etag);
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(JSON.stringify(first.body)));

    // Player pages change with every game: never stored, no validator.
    for (const p of [`/api/players/${alice.playerId}`, `/api/players/${alice.playerId}/games`]) {
      const res = await getJson(fin.port, p);
      expect({ p, status: res.status, cache: res.headers.get('cache-control'), etag: res.headers.get('etag') })
        .toEqual({ p, status: 200, cache: 'no-store', etag: null });
    }
    expect((await getJson(fin.port, '/api/games/no-such-game')).headers.get('cache-control')).toBe('no-store');

    // An erase rewrites the record: the old ETag no longer matches.
    await publishJob(f, { kind: 'erase', jobId: 'erase-ra', playerId: alice.playerId, tombstone: 'deleted-ra' });
    await jobsHandled(fin.port, 'erase', 0);
    const after = await getJson(fin.port, path, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.body.white).toEqual({ playerId: expect.stringMatching(/^deleted:/), name: 'deleted-ra' });
    expect(after.headers.get('etag')).not.toBe(etag);
    expect((await getJson(fin.port, path, { headers: { 'if-none-match': after.headers.get('etag')! } })).status).toBe(304);
  });

  it('refuses other methods', async () => {
    const res = await getJson(fin.port, '/api/games/x', { method: 'DELETE' });
    expect(res).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
  });
});
