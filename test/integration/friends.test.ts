// Friends through the gateway, the accounts service and DynamoDB (dynalite), all real, driven by
// cookie-keeping HTTP clients: a request, an acceptance, both lists (one query each), presence of
// a friend with an open socket, removal, blocks (which also keep the two apart in quick pairing),
// and everything refused: oneself, an unknown name, twice, without a session, from another site;
// and the copies of friends and blocks in Redis that the gateway reads (healed by a list, gone with
// a deleted account).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { keys as makeKeys } from '@gambit/common';
import { startStack, type Stack } from '../support/stack.js';
import { HttpBrowser } from '../support/http-browser.js';
import { TestPlayer } from '../support/player.js';

let stack: Stack;
beforeAll(async () => { stack = await startStack({ accounts: true }); }, 60_000);
afterAll(async () => { await stack?.stop(); });

interface Person { username: string; playerId: string; online?: boolean }
interface Lists { friends: Person[]; incoming: Person[]; outgoing: Person[]; blocked: Person[] }

async function person(username: string): Promise<HttpBrowser> {
  const b = new HttpBrowser(stack.httpUrl);
  await b.signUp(username, 'correct horse battery');
  return b;
}
const act = async (b: HttpBrowser, username: string, action: string, headers: Record<string, string> = {}) => {
  const r = await b.request(`${stack.httpUrl}/api/friends/${username}`, { method: 'POST', body: JSON.stringify({ action }), headers });
  return { status: r.status, json: JSON.parse(r.body || '{}') as Record<string, unknown> };
};
const lists = async (b: HttpBrowser): Promise<Lists> => JSON.parse((await b.request(`${stack.httpUrl}/api/friends`)).body) as Lists;
const names = (ps: Person[]) => ps.map((p) => p.username);

describe('friends', () => {
  it('request, accept: both lists say friends; presence follows an open socket; remove ends it both ways', async () => {
    const [ana, bo] = [await person('ana_f'), await person('bo_f')];
    expect(await act(ana, 'BO_F', 'request')).toMatchObject({ status: 200, json: { username: 'bo_f', rel: 'sent' } }); // any case
    expect(await lists(ana)).toEqual({ friends: [], incoming: [], outgoing: [expect.objectContaining({ username: 'bo_f' })], blocked: [] });
    expect(names((await lists(bo)).incoming)).toEqual(['ana_f']);
    expect(await act(bo, 'ana_f', 'accept')).toMatchObject({ status: 200, json: { rel: 'friend' } });
    expect((await lists(ana)).friends).toEqual([expect.objectContaining({ username: 'bo_f', online: false })]);

    // bo opens a socket: ana sees him online.
    const token = JSON.parse((await bo.request(`${stack.httpUrl}/api/session`, { method: 'POST', body: '{}' })).body).token as string;
    const socket = await TestPlayer.connect(stack.httpUrl, 'bo_f', { token });
    try {
      expect((await lists(ana)).friends[0]).toMatchObject({ username: 'bo_f', online: true });
    } finally {
      socket.close();
    }
    expect(await act(ana, 'bo_f', 'remove')).toMatchObject({ status: 200 });
    expect(await lists(bo)).toEqual({ friends: [], incoming: [], outgoing: [], blocked: [] });
  });

  it('refused: oneself, nobody, twice, nothing to accept, no session, another site; nothing changes', async () => {
    const [cy, di] = [await person('cy_f'), await person('di_f')];
    expect(await act(cy, 'cy_f', 'request')).toMatchObject({ status: 400, json: { error: 'yourself' } });
    expect(await act(cy, 'nobody_here', 'request')).toMatchObject({ status: 404, json: { error: 'not_found' } });
    expect(await act(cy, 'di_f', 'accept')).toMatchObject({ status: 409, json: { error: 'no_request' } });
    expect(await act(cy, 'di_f', 'hug')).toMatchObject({ status: 400, json: { error: 'bad_request' } });
    await act(cy, 'di_f', 'request');
    expect(await act(cy, 'di_f', 'request')).toMatchObject({ status: 409, json: { error: 'already_requested' } });
    expect(await act(di, 'cy_f', 'remove', { origin: 'https://evil.example' })).toMatchObject({ status: 403, json: { error: 'cross_site' } });
    const stranger = new HttpBrowser(stack.httpUrl);
    expect((await stranger.request(`${stack.httpUrl}/api/friends`)).status).toBe(401);
    expect((await act(stranger, 'cy_f', 'request')).status).toBe(401);
    expect(names((await lists(di)).incoming)).toEqual(['cy_f']);
    expect(names((await lists(cy)).outgoing)).toEqual(['di_f']);
  });

  it('a block ends the friendship, stops requests either way, keeps them apart in quick pairing, and only its author lifts it', async () => {
    const [ed, fi] = [await person('ed_f'), await person('fi_f')];
    await act(ed, 'fi_f', 'request');
    await act(fi, 'ed_f', 'accept');
    expect(await act(fi, 'ed_f', 'block')).toMatchObject({ status: 200, json: { blocks: true } });
    expect(await lists(ed)).toEqual({ friends: [], incoming: [], outgoing: [], blocked: [] }); // ed is not told
    expect(names((await lists(fi)).blocked)).toEqual(['ed_f']);
    expect(await act(ed, 'fi_f', 'request')).toMatchObject({ status: 403, json: { error: 'cannot_befriend' } });
    expect(await act(ed, 'fi_f', 'unblock')).toMatchObject({ status: 409, json: { error: 'not_blocked' } });
    // ed blocks back and lifts it: his answers never say that fi blocked him.
    expect(await act(ed, 'fi_f', 'block')).toEqual({ status: 200, json: { username: 'fi_f', blocks: true } });
    expect(await act(ed, 'fi_f', 'unblock')).toEqual({ status: 200, json: { username: 'fi_f' } });

    // Both click the same pool, alone in it: never paired with each other. A third player who
    // arrives is paired with one of them, so the pool was being matched all along.
    const tokenOf = async (b: HttpBrowser) => JSON.parse((await b.request(`${stack.httpUrl}/api/session`, { method: 'POST', body: '{}' })).body).token as string;
    const [se, sf] = [await TestPlayer.connect(stack.httpUrl, 'ed_f', { token: await tokenOf(ed) }), await TestPlayer.connect(stack.httpUrl, 'fi_f', { token: await tokenOf(fi) })];
    const third = await TestPlayer.connect(stack.httpUrl, 'gus');
    try {
      await se.ask({ t: 'pool', pool: '15+10' });
      await sf.ask({ t: 'pool', pool: '15+10' });
      await third.ask({ t: 'pool', pool: '15+10' });
      const paired = await third.next('paired');
      const opponent = await Promise.race([se.next('paired').then(() => se), sf.next('paired').then(() => sf)]);
      expect(opponent.inbox.some((m) => m.t === 'paired' && m.room === paired.room)).toBe(true);
      const left = opponent === se ? sf : se;
      expect(left.inbox.some((m) => m.t === 'paired')).toBe(false);
    } finally {
      [se, sf, third].forEach((p) => p.close());
    }
    expect(await act(fi, 'ed_f', 'unblock')).toMatchObject({ status: 200 });
    expect(await act(ed, 'fi_f', 'request')).toMatchObject({ status: 200, json: { rel: 'sent' } });
  });

  it('the copies in Redis the gateway reads: friends after accept, gone after remove, back after a loss once the list is read; a deleted account leaves none', async () => {
    const [gi, ho] = [await person('gi_f'), await person('ho_f')];
    await act(gi, 'ho_f', 'request');
    await act(ho, 'gi_f', 'accept');
    const hoId = (await lists(gi)).friends[0]!.playerId;
    const giId = (await lists(ho)).friends[0]!.playerId;
    const k = makeKeys(stack.keyPrefix);
    const redis = new Redis(stack.redisUrl);
    try {
      const copies = async () => [await redis.smembers(k.friends(giId)), await redis.smembers(k.friends(hoId))];
      expect(await copies()).toEqual([[hoId], [giId]]);
      await redis.del(k.friends(giId), k.friendsCopied(giId)); // Redis lost them (a restart without persistence)
      await lists(gi);
      expect(await copies()).toEqual([[hoId], [giId]]);
      expect(await act(gi, 'ho_f', 'remove')).toMatchObject({ status: 200 });
      expect(await copies()).toEqual([[], []]);

      await act(gi, 'ho_f', 'request');
      await act(ho, 'gi_f', 'accept');
      expect(await copies()).toEqual([[hoId], [giId]]);
      const gone = await gi.request(`${stack.httpUrl}/api/account`, { method: 'DELETE', body: JSON.stringify({ confirm: 'gi_f' }) });
      expect(gone.status).toBe(204);
      expect(await lists(ho)).toEqual({ friends: [], incoming: [], outgoing: [], blocked: [] });
      expect(await copies()).toEqual([[], []]);
    } finally {
      redis.disconnect();
    }
  });
});
