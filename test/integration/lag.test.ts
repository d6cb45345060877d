// Lag compensation over real sockets and the real services (rooms rules/lag.ts, gateway
// ws/lag-estimate.ts). A player behind a proxy that delays every byte 150 ms each way is charged the
// time they thought and not the line's 300 ms round trip; a client that claims a huge lag, and delays
// its pongs to back the claim, gains no more than its quota (a claim without the delayed pongs, not
// even that); with nobody sending, the flag still falls, the quota's grace after zero.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientOptions } from 'ws';
import type { Clock } from '@gambit/protocol';
import { startStack, type Stack } from '../support/stack.js';
import { TestPlayer, guest, startGame } from '../support/player.js';
import { startDelayingProxy } from '../support/proxy.js';
import { waitFor } from '../support/redis.js';

const ONE_WAY_MS = 150;
/**
 * How far the time charged may be from the time thought, per move. Left over after compensation:
 * the server's own path from committing the opponent's move to the socket (Redis stream, gateway:
 * a few ms), the proxy's timers late by a ms or two on each of the two crossings, the same for the
 * pings the estimate is made of, and whole milliseconds everywhere: 30 ms. Plus twice the longest
 * stall of this process's event loop during the game (services, proxy and players all run in it:
 * a stall delays one end of a measurement), so a machine busy with other work does not fail the
 * test. Without compensation the charge would be 300 ms over.
 */
const TOLERANCE_MS = 30;
/** The quota at 1+0 (rules/lag.ts): 0.39 s a move, three of those to start with. */
const GAIN_1_0 = 390;

let stack: Stack;
let players: TestPlayer[] = [];
const closers: (() => Promise<void>)[] = [];
beforeAll(async () => { stack = await startStack(); });
afterEach(async () => {
  players.forEach((p) => p.close());
  players = [];
  await Promise.all(closers.splice(0).map((c) => c()));
});
afterAll(async () => { await stack?.stop(); });

/** When each `started` / `moved` reached each player (performance.now), by the ply after it. */
const seenBy = new Map<TestPlayer, Map<number, number>>();

function arrivals(p: TestPlayer): Map<number, number> {
  const at = new Map<number, number>();
  p.ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { t: string; ply?: number };
    if (m.t === 'started' || m.t === 'moved') at.set(m.ply ?? 0, performance.now());
  });
  return at;
}

/** A guest on `httpUrl`; `ws` options for the socket, `onSocket` before hello (nothing the server sends is missed). */
async function connect(httpUrl: string, name: string, ws?: ClientOptions, onSocket?: (p: TestPlayer) => void): Promise<TestPlayer> {
  const { token } = await guest(httpUrl, name);
  const p = await TestPlayer.open(httpUrl.replace(/^http/, 'ws') + '/ws', name, ws);
  onSocket?.(p);
  seenBy.set(p, arrivals(p));
  p.send({ t: 'hello', token });
  p.playerId = String((await p.next('welcome')).playerId);
  players.push(p);
  return p;
}

/** The stored game, through the gateway's proxy of the finalizer's read API, once it is there. */
async function stored(gameId: string): Promise<{ lagHistory: number[]; compHistory: number[]; clockHistory: number[] }> {
  let body: unknown = null;
  await waitFor(async () => {
    const res = await fetch(`${stack.httpUrl}/api/games/${gameId}`);
    if (res.status !== 200) return false;
    body = await res.json();
    return true;
  }, 10_000, `game ${gameId} never reached DynamoDB`);
  return body as { lagHistory: number[]; compHistory: number[]; clockHistory: number[] };
}

const WHITE = ['e2e4', 'g1f3', 'f1c4', 'b1c3', 'd2d3'];
const BLACK = ['e7e5', 'b8c6', 'g8f6', 'f8c5', 'd7d6'];

/**
 * White thinks `thinks[i]` ms before its i-th move (from the moment the event that started its
 * clock reached it), Black answers after `blackMs`; each White move's charge is compared with the
 * time White really thought. Returns per White move: thought, charged, and `moved.lag`.
 */
async function playTimed(room: string, w: TestPlayer, b: TestPlayer, thinks: number[], claim?: number, blackMs = 50, blackClaim?: number) {
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  try {
    const moves = await playMoves(room, w, b, thinks, claim, blackMs, blackClaim);
    return { moves, slack: TOLERANCE_MS + 2 * Math.round(loop.max / 1e6) };
  } finally {
    loop.disable();
  }
}

async function playMoves(room: string, w: TestPlayer, b: TestPlayer, thinks: number[], claim: number | undefined, blackMs: number, blackClaim: number | undefined) {
  const seen = seenBy.get(w)!;
  const out: { thought: number; charged: number; lag: number | undefined }[] = [];
  let before = b.inbox.find((m) => m.t === 'started' && m.room === room)!.clock as Clock; // startGame waited for it
  for (let i = 0; i < thinks.length; i++) {
    const ply = 2 * i;
    await sleep(thinks[i]!);
    const sentAt = performance.now();
    w.send({ t: 'move', room, uci: WHITE[i], ply, ...(claim === undefined ? {} : { lag: claim }) });
    const mine = await b.next('moved', (m) => m.ply === ply + 1, 10_000); // Black sees it without the proxy
    const clock = mine.clock as Clock;
    out.push({ thought: sentAt - seen.get(ply)!, charged: before.white - clock.white, lag: mine.lag as number | undefined });
    await sleep(blackMs);
    b.send({ t: 'move', room, uci: BLACK[i], ply: ply + 1, ...(blackClaim === undefined ? {} : { lag: blackClaim }) });
    before = (await b.next('moved', (m) => m.ply === ply + 2, 10_000)).clock as Clock;
    await w.next('moved', (m) => m.ply === ply + 2, 10_000); // White's clock runs from the server's switch; White waits to see it
  }
  return out;
}

describe('lag compensation', () => {
  test('a player 150 ms away each way is charged within a few ms of the time they thought, move after move', async () => {
    const proxy = await startDelayingProxy(Number(new URL(stack.httpUrl).port), ONE_WAY_MS);
    closers.push(proxy.close);
    const far = await connect(`http://127.0.0.1:${proxy.port}`, 'far');
    const near = await connect(stack.httpUrl, 'near');
    const room = await startGame(far, near);
    const thinks = [400, 700, 250, 900, 500];
    const { moves, slack } = await playTimed(room, far, near, thinks);
    for (const m of moves) {
      expect(m.lag).toBeGreaterThanOrEqual(2 * ONE_WAY_MS); // the line's round trip was measured...
      expect(m.lag).toBeLessThan(2 * ONE_WAY_MS + 30 + slack);
      expect(Math.abs(m.charged - m.thought)).toBeLessThanOrEqual(slack); // ...and given back
    }
    far.send({ t: 'resign', room });
    const ended = await near.next('ended');
    const record = await stored(String(ended.gameId));
    const farPlies = (h: number[]) => h.filter((_, i) => i % 2 === 0);
    expect(farPlies(record.lagHistory)).toEqual(moves.map((m) => m.lag));
    expect(farPlies(record.compHistory)).toEqual(moves.map((m) => m.lag)); // 0.3 s a move: well inside the quota
    expect(Math.max(...record.lagHistory.filter((_, i) => i % 2 === 1))).toBeLessThan(slack); // Black next door
  });

  test('a client claiming a huge lag gains no more than its quota; a claim our pings do not back gains almost nothing', async () => {
    // White claims a minute of lag on every move and backs it by answering our pings 1.5 s late: the
    // claim is taken up to MAX_LAG_MS (2 s) and the quota gives 1.17 s, then 0.39 s a move (1+0).
    let pongs = 0;
    const cheat = await connect(stack.httpUrl, 'cheat', { autoPong: false }, (p) => p.ws.on('ping', (data) => {
      setTimeout(() => { if (p.ws.readyState === p.ws.OPEN) { p.ws.pong(data); pongs += 1; } }, 1_500);
    }));
    const liar = await connect(stack.httpUrl, 'liar');
    // The late pong to the ping sent at hello is out; a frame after it, answered, means the gateway
    // has read the pong too (one socket, in order): the estimate holds that 1.5 s sample now.
    await waitFor(() => pongs >= 1, 15_000, 'the server never pinged the cheat');
    cheat.send({ t: 'ping', id: 'after-pong' });
    await cheat.next('pong', (m) => m.id === 'after-pong', 10_000);
    const room = await startGame(cheat, liar);
    const thinks = [1_300, 1_300, 1_300, 1_300];
    const { moves, slack } = await playTimed(room, cheat, liar, thinks, 60_000, 50, 60_000);
    const quota = [3 * GAIN_1_0, GAIN_1_0, GAIN_1_0, GAIN_1_0];
    moves.forEach((m, i) => {
      // The claim, cut to what the clock could have run: about the time thought, more than the quota.
      expect(Math.abs(m.lag! - m.thought)).toBeLessThanOrEqual(slack);
      expect(m.thought - m.charged).toBeLessThanOrEqual(quota[i]! + slack);
      expect(m.thought - m.charged).toBeGreaterThanOrEqual(quota[i]! - slack);
    });
    cheat.send({ t: 'resign', room });
    const ended = await liar.next('ended');
    const record = await stored(String(ended.gameId));
    expect(record.compHistory.filter((_, i) => i % 2 === 0)).toEqual(quota); // exactly the quota, never more
    // Black claimed a minute too, with honest pongs: believed up to 1.5 x our measurement + 100 ms.
    expect(Math.max(...record.lagHistory.filter((_, i) => i % 2 === 1))).toBeLessThanOrEqual(100 + 1.5 * slack);
  });

  test('with nobody sending, the flag falls: the quota\'s grace after zero, and no later', async () => {
    const w = await connect(stack.httpUrl, 'slow');
    const b = await connect(stack.httpUrl, 'quick');
    const room = await startGame(w, b, { initialMs: 3_000, incrementMs: 0 });
    w.send({ t: 'move', room, uci: 'e2e4', ply: 0 });
    await b.next('moved', (m) => m.ply === 1);
    b.send({ t: 'move', room, uci: 'e7e5', ply: 1 });
    const zero = (await w.next('moved', (m) => m.ply === 2)).clock as Clock; // White's clock runs; White sends nothing more
    const ended = await b.next('ended', () => true, 8_000);
    expect(ended).toMatchObject({ reason: 'timeout', result: '0-1' });
    const record = await stored(String(ended.gameId));
    // 3+0: a gain of 160 ms, 480 to start with; White's one move spent compHistory[0] of it.
    const grace = Math.min(480 + 160 - record.compHistory[0]!, 7 * 160, 2_000);
    const late = (ended.clock as Clock).at - (zero.at + zero.white);
    expect(late).toBeGreaterThanOrEqual(grace);
    // The scan runs every 20 ms here; the bound is loose for a busy machine (the end itself is the point).
    expect(late).toBeLessThan(grace + 2_000);
  });
});
