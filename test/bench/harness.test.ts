// A seconds-long smoke run of the benchmark harness (the real benchmark is `make bench`): the
// seeded games are legal, the histogram and the plot work, and the load generator plays real
// games against Gambit (in-process stack), the Colyseus peer and the flow peer, and holds idle sockets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Chess } from 'chess.js';
import { startStack, type Stack } from '../support/stack.js';
import { IdleRunner, LoadRunner } from '../../bench/src/load.js';
import { startColyseusPeer, type RunningPeer } from '../../bench/peers/colyseus/server.js';
import { startFlowEngine, type FlowEngine } from '../../bench/peers/flow/engine.js';
import { startFlowGateway, type FlowGateway } from '../../bench/peers/flow/gateway.js';
import { startRedis, type RedisHandle } from '../support/redis.js';
import { GambitSocket } from '../../bench/src/drivers.js';
import { Histogram } from '../../bench/src/hist.js';
import { generateGames, loadGames, movesOf } from '../../bench/src/games.js';
import { lineChart } from '../../bench/src/svg.js';
import { readProc } from '../../bench/src/meters.js';
import { medianRow, passes, type LoadRow } from '../../bench/src/scenarios.js';

describe('bench building blocks', () => {
  it('takes percentiles within a bucket (1 %) of the true value, and survives a JSON round trip', () => {
    const h = new Histogram();
    for (let i = 1; i <= 10_000; i++) h.record(i / 100); // 0.01 .. 100 ms
    const back = Histogram.from(JSON.parse(JSON.stringify(h.toJSON())));
    for (const [q, want] of [[0.5, 50], [0.9, 90], [0.99, 99], [0.999, 99.9]] as const) {
      expect(Math.abs(back.quantile(q) - want) / want).toBeLessThan(0.011);
    }
    expect(back.summary().max).toBe(100);
    expect(back.count).toBe(10_000);
  });

  it('ships legal seeded games that end the way they say, and regenerates them from the seed', () => {
    const set = loadGames();
    expect(set.games.length).toBeGreaterThanOrEqual(100);
    expect(generateGames(set.seed, 2).games).toEqual(set.games.slice(0, 2));
    for (const g of set.games) {
      const chess = new Chess();
      for (const uci of movesOf(g)) chess.move({ from: uci.slice(0, 2), to: uci.slice(2, 4), ...(uci[4] ? { promotion: uci[4] } : {}) });
      if (g.end === 'resign') expect(chess.isGameOver()).toBe(false);
      else expect(chess.isGameOver()).toBe(true);
      if (g.end === 'checkmate') expect(chess.isCheckmate()).toBe(true);
    }
  });

  it('judges a ladder rung on the window with the median p99 (the higher middle for an even count)', () => {
    const row = (games: number, p99: number, moves = 5000) => ({ games, moves, latency: { p99 } }) as unknown as LoadRow;
    const rows = [row(500, 5), row(500, 3), row(500, 9), row(100, 1), row(500, 50, 0)];
    expect(medianRow(rows, 500)?.latency.p99).toBe(5); // the empty window (no moves) does not count
    expect(medianRow([row(500, 3), row(500, 7)], 500)?.latency.p99).toBe(7);
    expect(medianRow(rows, 100)?.latency.p99).toBe(1);
    expect(medianRow(rows, 2000)).toBeUndefined();
  });

  it('draws an SVG plot with one path per series and the reference lines', () => {
    const svg = lineChart([
      { label: 'a p99', color: '#00f', points: [{ x: 100, y: 3 }, { x: 500, y: 12 }] },
      { label: 'b p99', color: '#f00', dash: '4 4', points: [{ x: 100, y: 2 }, { x: 900, y: 30 }] },
    ], { title: 't <x>', xLabel: 'moves/s', yLabel: 'ms', refs: [{ y: 40, label: 'p99 40 ms' }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('t &lt;x&gt;');
    expect(svg).toContain('p99 40 ms');
  });

  it('reads CPU and memory of a process from /proc', () => {
    const me = readProc(process.pid)!;
    expect(me.rssKiB).toBeGreaterThan(1000);
    expect(me.hwmKiB).toBeGreaterThanOrEqual(me.rssKiB);
    expect(readProc(2 ** 22 + 12345)).toBeNull();
  });

  it('passes a search step only with the p99 bound, 90 % of the offered rate and no errors', () => {
    const row = { latency: { p99: 80 }, achieved: 950, offered: 1000, errors: {}, moves: 9500 } as unknown as LoadRow;
    expect(passes(row, 100)).toBe(true);
    expect(passes(row, 50)).toBe(false);
    expect(passes({ ...row, achieved: 800 }, 100)).toBe(false);
    expect(passes({ ...row, errors: { stale_ply: 1 } }, 100)).toBe(false);
  });
});

describe('bench load generator against Gambit', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Every simulated player comes from 127.0.0.1: lift the per-address limits as the bench does.
    stack = await startStack({ gateway: { MAX_CONNECTIONS_PER_IP: '100000', JOIN_RATE_PER_MIN: '1000000' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('plays real games (moves measured, games ended and restarted) without errors', async () => {
    const r = new LoadRunner({ target: { kind: 'gambit', httpUrl: stack.httpUrl }, games: 4, thinkMs: 10, maxPlies: 6 });
    try {
      const setup = await r.start();
      expect(setup).toMatchObject({ ready: 4, failed: 0 });
      r.mark();
      await r.until((w) => w.moves >= 30 && w.ended >= 4 && w.started >= 2);
      const w = r.collect();
      expect(w.errors).toEqual({});
      const lat = Histogram.from(w.latency).summary();
      expect(lat.count).toBe(w.moves);
      expect(lat.p50).toBeGreaterThan(0);
      expect(lat.p50).toBeLessThan(1000);
      expect(w.cpuMs).toBeGreaterThan(0);
    } finally {
      await r.stop();
    }
  });

  it('holds authenticated idle connections', async () => {
    const idle = new IdleRunner({ target: { kind: 'gambit', httpUrl: stack.httpUrl }, connections: 20, players: 5, concurrency: 5 });
    try {
      const s = await idle.open();
      expect(s).toMatchObject({ opened: 20, failed: 0, closed: 0 });
    } finally {
      await idle.close();
    }
  });
});

/** Four pairs play short games on a peer: every move measured, every game ended, no errors. */
async function playsGames(target: { kind: 'colyseus' | 'flow'; httpUrl: string }): Promise<void> {
  const r = new LoadRunner({ target, games: 4, thinkMs: 10, maxPlies: 6 });
  try {
    expect(await r.start()).toMatchObject({ ready: 4, failed: 0 });
    r.mark();
    await r.until((w) => w.moves >= 30 && w.ended >= 4);
    const w = r.collect();
    expect(w.errors).toEqual({});
    expect(Histogram.from(w.latency).count).toBe(w.moves);
  } finally {
    await r.stop();
  }
}

describe('bench load generator against the Colyseus peer', () => {
  let peer: RunningPeer;
  beforeAll(async () => {
    peer = await startColyseusPeer({ port: 0 });
  });
  afterAll(async () => {
    await peer?.close();
  });

  it('plays the same games through @colyseus/sdk', async () => {
    await playsGames({ kind: 'colyseus', httpUrl: `http://127.0.0.1:${peer.port}` });
  });

  it('refuses a move out of turn and an illegal one, like Gambit', async () => {
    const { Client } = await import('@colyseus/sdk');
    const url = `http://127.0.0.1:${peer.port}`;
    const token = async (name: string) =>
      ((await (await fetch(`${url}/api/guest`, { method: 'POST', body: JSON.stringify({ name }) })).json()) as { token: string }).token;
    const client = new Client(url.replace('http', 'ws'));
    const white = await client.create('chess', { token: await token('w'), tc: { initialMs: 60_000, incrementMs: 0 }, color: 'white' });
    const errors: string[] = [];
    const started = new Promise<void>((resolve) => white.onMessage('started', () => resolve()));
    white.onMessage('error', (m: { code: string }) => errors.push(m.code));
    white.onMessage('moved', () => undefined);
    const black = await client.joinById(white.roomId, { token: await token('b') });
    const blackErr = new Promise<string>((resolve) => black.onMessage('error', (m: { code: string }) => resolve(m.code)));
    black.onMessage('*', () => undefined);
    await started;
    black.send('move', { uci: 'e7e5', ply: 0 });
    expect(await blackErr).toBe('not_your_turn');
    const whiteErr = new Promise<string>((resolve) => white.onMessage('error', (m: { code: string }) => resolve(m.code)));
    white.send('move', { uci: 'e2e5', ply: 0 });
    expect(await whiteErr).toBe('illegal_move');
    await Promise.all([white.leave(true), black.leave(true)]);
  });
});

describe('bench load generator against the flow peer', () => {
  let redis: RedisHandle;
  let engine: FlowEngine;
  let gateway: FlowGateway;
  beforeAll(async () => {
    redis = await startRedis();
    engine = await startFlowEngine({ redisUrl: redis.url });
    gateway = await startFlowGateway({ port: 0, host: '127.0.0.1', redisUrl: redis.url, pingIntervalMs: 5000 });
  });
  afterAll(async () => {
    await gateway?.close();
    await engine?.close();
    await redis?.stop();
  });

  it('plays the same games through the command and event streams', async () => {
    await playsGames({ kind: 'flow', httpUrl: `http://127.0.0.1:${gateway.port}` });
  });

  it('refuses a move out of turn and an illegal one, like Gambit', async () => {
    const url = `http://127.0.0.1:${gateway.port}`;
    const hello = async (name: string) => {
      const { token } = (await (await fetch(`${url}/api/guest`, { method: 'POST', body: JSON.stringify({ name }) })).json()) as { token: string };
      const s = await GambitSocket.open(`${url.replace('http', 'ws')}/ws`);
      expect(await s.ask({ t: 'hello', token })).toMatchObject({ t: 'welcome', name });
      return s;
    };
    const [white, black] = [await hello('w'), await hello('b')];
    try {
      const created = await white.ask({ t: 'create', tc: { initialMs: 60_000, incrementMs: 0 }, color: 'white' });
      const started = white.waitFor((m) => m.t === 'started');
      expect(await black.ask({ t: 'join', room: created.room })).toMatchObject({ t: 'joined', color: 'black' });
      await started;
      expect(await black.ask({ t: 'move', room: created.room, uci: 'e7e5', ply: 0 })).toMatchObject({ t: 'error', code: 'not_your_turn' });
      expect(await white.ask({ t: 'move', room: created.room, uci: 'e2e5', ply: 0 })).toMatchObject({ t: 'error', code: 'illegal_move' });
      const moved = black.waitFor((m) => m.t === 'moved');
      white.send({ t: 'move', room: created.room, uci: 'e2e4', ply: 0 });
      expect(await moved).toMatchObject({ ply: 1, san: 'e4', kind: 'move' });
    } finally {
      white.close();
      black.close();
    }
  });
});
