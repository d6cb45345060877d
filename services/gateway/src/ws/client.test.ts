// A socket's owner from upgrade to close: what it counts in and out, the disconnects its seats
// get on close (before or after hello), and a seat the engine gives it after it closed.
import { EventEmitter } from 'node:events';
import { describe, expect, test } from '@jest/globals';
import type { WebSocket } from 'ws';
import { createLogger, Registry } from '@gambit/common';
import type { EngineCommand, GatewayDelivery } from '@gambit/protocol';
import { gatewayMetrics } from '../metrics.js';
import { Client, type ClientDeps } from './client.js';
import { deliveryHandler } from './deliveries.js';
import { Hub } from './hub.js';
import { LateSeats } from './late-seats.js';
import { MoveLatency } from './move-latency.js';
import { PerIp } from './per-ip.js';
import { RecentlyClosed } from './recently-closed.js';

/** What the Client uses of a `ws` socket; `close` ends it at once, as the peer's answer would. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: unknown[] = [];
  closedWith: number | undefined;
  send(data: string | Buffer): void { this.sent.push(JSON.parse(String(data))); }
  close(code: number): void {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.closedWith = code;
    this.emit('close', code, Buffer.alloc(0));
  }
  terminate(): void { this.close(1006); }
  pings: Buffer[] = [];
  ping(payload: Buffer): void { this.pings.push(payload); }
  frame(msg: unknown): void { this.emit('message', Buffer.from(JSON.stringify(msg)), false); }
}

function setup(helloTimeoutMs = 60_000) {
  const calls: string[] = [];
  const commands: EngineCommand[] = [];
  const metrics = gatewayMetrics(new Registry());
  const hub = new Hub();
  const perIp = new PerIp(2, 60);
  const closedRecently = new RecentlyClosed();
  const moveLatency = new MoveLatency(() => undefined);
  const forward = async (cmd: EngineCommand) => {
    calls.push(`forward ${cmd.t}${'room' in cmd ? ` ${cmd.room}` : ''}`);
    commands.push(cmd);
  };
  const deps: ClientDeps = {
    gatewayId: 'gw1', log: createLogger('test', 'silent'), forward, metrics, hub, perIp, closedRecently, moveLatency,
    auth: { verify: async (token: string) => (token === 'good' ? { playerId: 'p1', name: 'alice' } : null) },
    registry: {
      add: async (conn) => { calls.push(`registry add ${conn}`); },
      rooms: async (conn, rooms) => { calls.push(`registry rooms ${conn} ${[...rooms].join(',')}`); },
      remove: async (conn) => { calls.push(`registry remove ${conn}`); },
    },
    pools: {
      join: async (ref, e) => { calls.push(`pool join ${ref.pool} ${ref.rated} ${e.playerId} ${e.conn} ${e.rating}`); },
      leave: async (playerId, conn) => { calls.push(`pool leave ${playerId} ${conn ?? '*'}`); return true; },
      rating: async () => { throw new Error('a guest has no rating to read'); },
      playing: async () => null,
      blocks: async () => [],
    },
    seeks: {
      add: async () => 'seek1234', cancel: async () => true, accept: async () => 'accepted',
      removeConn: async (conn) => { calls.push(`seeks remove ${conn}`); return 0; },
    },
    lobby: { follow: async () => undefined, unfollow: () => undefined },
    presence: { follow: async () => undefined, unfollow: () => undefined },
    challenges: {
      open: async () => ({ refused: 'not_friends' }), get: async () => null, list: async () => ({ incoming: [], outgoing: [] }),
      end: async () => false, areFriends: async () => false, accept: async () => 'challenge_not_found',
    },
    players: { sockets: async () => [], tell: async () => 0 },
    chat: { say: async () => 1, lines: async () => ({ lines: [], spectators: true }), mode: async () => true, report: async () => true, mute: async () => true },
    mutes: { acquire: async () => undefined, release: () => undefined, set: () => undefined, has: () => false },
    wordFilter: (text) => text,
    chatRates: { take: () => true },
    turn: { turnUrls: [], ttlS: 60, stunUrls: [] },
    settings: { helloTimeoutMs, ratePerSec: 100, rateBurst: 100, rateStrikes: 3 },
    logBudget: () => ({ ok: true, dropped: 0 }),
  };
  const deliver = deliveryHandler({ hub, metrics, moveLatency, lateSeats: new LateSeats(closedRecently, forward), crowd: () => undefined });
  const open = (id = 'c1') => {
    const ws = new FakeSocket();
    const client = new Client(ws as unknown as WebSocket, '10.0.0.1', deps, id);
    return { ws, client };
  };
  const value = async (m: { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> }, labels: Record<string, string> = {}) =>
    (await m.get()).values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
  return { calls, commands, metrics, hub, perIp, closedRecently, deliver, open, value };
}

const settle = () => new Promise((r) => setTimeout(r, 5));
const seat = (conn: string, room: string): GatewayDelivery => ({ k: 'conn', conn, sub: room, msg: { t: 'joined', room, color: 'white' } });

describe('a socket and its owner', () => {
  test('the upgrade counts it in; a close before hello counts it out and tells nobody', async () => {
    const s = setup();
    const { ws } = s.open();
    expect(s.hub.clients.has('c1')).toBe(true);
    expect(await s.value(s.metrics.opened)).toBe(1);
    expect(await s.value(s.metrics.connections)).toBe(1);
    const second = s.open('c2');
    expect(s.perIp.full('10.0.0.1')).toBe(true);
    second.ws.close(1000);
    expect(s.perIp.full('10.0.0.1')).toBe(false);
    s.open('c3');

    ws.close(1001);
    await settle();
    expect(s.hub.clients.has('c1')).toBe(false);
    expect(s.perIp.full('10.0.0.1')).toBe(false);
    expect(await s.value(s.metrics.connections)).toBe(1);
    s.hub.clients.get('c3')!.close(1000, 'done');
    expect(await s.value(s.metrics.closes, { code: '1001' })).toBe(1);
    expect(s.calls).toEqual([]);
    expect(s.closedRecently.get('c1')).toBeUndefined();
  });

  test('hello: registry entry, then welcome; the hello timer no longer runs', async () => {
    const s = setup(20);
    const { ws, client } = s.open();
    ws.frame({ t: 'hello', token: 'good', id: 'h' });
    await settle();
    expect(client.identity).toEqual({ playerId: 'p1', name: 'alice' });
    expect(s.calls).toEqual(['registry add c1']);
    expect(ws.sent).toEqual([expect.objectContaining({ t: 'welcome', id: 'h', playerId: 'p1' })]);
    await new Promise((r) => setTimeout(r, 40));
    expect(ws.closedWith).toBeUndefined();
  });

  test('moves carry the lag: pinged at hello and with the next frame after a move, the pongs measured, a claim bounded by them', async () => {
    const s = setup();
    const { ws } = s.open();
    ws.frame({ t: 'hello', token: 'good' });
    await settle();
    expect(ws.pings).toHaveLength(1); // at once, not at the next heartbeat
    await new Promise((r) => setTimeout(r, 60));
    ws.emit('pong', ws.pings[0]); // a round trip of about 60 ms
    ws.emit('pong', Buffer.from('made up')); // no sample
    ws.frame({ t: 'move', room: 'AAAAAAAA', uci: 'e2e4', ply: 0 });
    ws.frame({ t: 'move', room: 'AAAAAAAA', uci: 'e2e4', ply: 0, lag: 90 });
    ws.frame({ t: 'move', room: 'AAAAAAAA', uci: 'e2e4', ply: 0, lag: 60_000 });
    await settle();
    const lags = s.commands.map((c) => (c.t === 'move' ? c.lag : undefined));
    expect(lags[0]).toBeGreaterThanOrEqual(55);
    expect(lags[0]).toBeLessThan(200);
    expect(lags[1]).toBe(90); // the client's word, within what we measured
    expect(Math.abs(lags[2]! - (lags[0]! * 1.5 + 100))).toBeLessThanOrEqual(1); // the claim cut to the bound
    // The ping a move owes goes with the next frame to the socket (its `moved`): one for the three.
    expect(ws.pings).toHaveLength(1);
    s.deliver({ k: 'conn', conn: 'c1', msg: { t: 'error', code: 'stale_ply', message: 'x' } }, Date.now());
    expect(ws.pings).toHaveLength(2);
    s.deliver({ k: 'conn', conn: 'c1', msg: { t: 'error', code: 'stale_ply', message: 'x' } }, Date.now());
    expect(ws.pings).toHaveLength(2); // none owed
  });

  test('no hello in time: 4408, counted as a hello timeout', async () => {
    const s = setup(10);
    const { ws } = s.open();
    await new Promise((r) => setTimeout(r, 30));
    expect(ws.closedWith).toBe(4408);
    expect(await s.value(s.metrics.authFailures, { reason: 'hello_timeout' })).toBe(1);
    expect(await s.value(s.metrics.closes, { code: '4408' })).toBe(1);
    expect(s.hub.clients.size).toBe(0);
  });

  test('a close after joining forwards a disconnect for each room, after remembering itself and before leaving the registry', async () => {
    const s = setup();
    const { ws } = s.open();
    ws.frame({ t: 'hello', token: 'good' });
    await settle();
    s.deliver(seat('c1', 'AAAAAAAA'), Date.now());
    s.deliver({ k: 'replay', conn: 'c1', room: 'BBBBBBBB', events: [] }, Date.now());
    expect(await s.value(s.metrics.rooms)).toBe(2);
    s.calls.length = 0;

    ws.close(1006);
    await settle();
    expect(s.calls).toEqual(['forward disconnect AAAAAAAA', 'forward disconnect BBBBBBBB', 'registry remove c1']);
    const remembered = s.closedRecently.get('c1')!;
    expect(remembered).toMatchObject({ gw: 'gw1', conn: 'c1', playerId: 'p1', cid: 'c1.1' });
    expect(s.commands.map((c) => c.origin.cid)).toEqual(['c1.2', 'c1.3']);
    expect(s.hub.roomCount()).toBe(0);
    expect(await s.value(s.metrics.rooms)).toBe(0);
  });

  test('the registry follows the rooms the engine puts the socket in and takes it out of', async () => {
    const s = setup();
    const { ws } = s.open();
    ws.frame({ t: 'hello', token: 'good' });
    await settle();
    s.calls.length = 0;
    s.deliver(seat('c1', 'AAAAAAAA'), Date.now());
    s.deliver({ k: 'conn', conn: 'c1', msg: { t: 'pong', serverTime: 0 } }, Date.now());
    s.deliver({ k: 'conn', conn: 'c1', unsub: 'AAAAAAAA', msg: { t: 'pong', serverTime: 0 } }, Date.now());
    await settle();
    expect(s.calls).toEqual(['registry rooms c1 AAAAAAAA', 'registry rooms c1 ']);
  });

  test('a seat the engine gives after the close still gets its disconnect, with the closed socket as origin', async () => {
    const s = setup();
    const { ws } = s.open();
    ws.frame({ t: 'hello', token: 'good' });
    await settle();
    ws.close(1006);
    s.calls.length = 0;

    s.deliver(seat('c1', 'CCCCCCCC'), Date.now());
    s.deliver(seat('unknown', 'DDDDDDDD'), Date.now()); // never on this pod: nothing to say
    await settle();
    expect(s.calls).toEqual(['forward disconnect CCCCCCCC']);
    expect(s.commands.at(-1)!.origin).toBe(s.closedRecently.get('c1'));
    expect(s.hub.roomCount()).toBe(0);
  });

  test('pool: a guest waits casual at 1500, is refused rated, and its close takes only its own entry away', async () => {
    const s = setup();
    const { ws } = s.open();
    ws.frame({ t: 'hello', token: 'good' });
    await settle();
    ws.frame({ t: 'pool', id: 'r', pool: '3+0', rated: true });
    ws.frame({ t: 'pool', id: 'p', pool: '3+0' });
    await settle();
    expect(ws.sent.slice(1)).toEqual([
      expect.objectContaining({ t: 'error', id: 'r', code: 'rated_needs_account' }),
      { t: 'pooled', id: 'p', pool: '3+0', rated: false },
    ]);
    ws.close(1001);
    await settle();
    expect(s.calls.filter((c) => c.startsWith('pool'))).toEqual(['pool join 3+0 false p1 c1 1500', 'pool leave p1 c1']);
  });

  test('pool: creating a game leaves the pool first; unpool is answered even when nothing waited', async () => {
    const s = setup();
    const { ws } = s.open();
    ws.frame({ t: 'hello', token: 'good' });
    ws.frame({ t: 'unpool', id: 'u' });
    ws.frame({ t: 'pool', pool: '1+0' });
    ws.frame({ t: 'create', tc: { initialMs: 60_000, incrementMs: 0 } });
    await settle();
    expect(s.calls.filter((c) => !c.startsWith('registry'))).toEqual(['pool leave p1 *', 'pool join 1+0 false p1 c1 1500', 'pool leave p1 *', 'forward create']);
    expect(ws.sent.slice(1).map((m) => (m as { t: string }).t)).toEqual(['unpooled', 'pooled', 'unpooled']);
    ws.close(1000);
    await settle();
    expect(s.calls.at(-1)).toBe('registry remove c1'); // no longer pooled: nothing to leave
  });
});

