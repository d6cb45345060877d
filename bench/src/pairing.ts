// Pairing latency: players cycle through the quick-pairing pools (a random pool, `pool`, wait for
// `paired` and the room's `started`, abort the game, 1-5 s, the next pool) on a two-engine stack, so two
// matchmakers race as in production. Latency is from sending `pool` (the click) to `started`.
// Gambit only: the Colyseus peer has no rating pools to compare with.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { POOL_IDS } from '@gambit/protocol/pools';
import { gambitHello, guestToken, type GambitSocket } from './drivers.js';
import { Histogram, type Percentiles } from './hist.js';
import { startGambit } from './stack.js';

export interface PairingResult {
  players: number;
  seconds: number;
  /** Games started by the matchmakers in the window (each counted once). */
  pairings: number;
  /** Click (`pool` sent) to `started`, per player. */
  latencyMs: Percentiles;
  /** Players who never got a game within their wait bound. */
  timeouts: number;
  load1: number;
}

export interface PairingConfig { players: number; seconds: number; localAddresses: string[]; log: (line: string) => void }

const WAIT_MS = 30_000;

export async function pairing(cfg: PairingConfig): Promise<PairingResult> {
  const stack = await startGambit({ engines: 2 });
  const sockets: GambitSocket[] = [];
  try {
    const ws = stack.httpUrl.replace(/^http/, 'ws') + '/ws';
    for (let i = 0; i < cfg.players; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, cfg.players - i) }, async (_, j) =>
        gambitHello(ws, await guestToken(stack.httpUrl, `p${i + j}`), cfg.localAddresses[(i + j) % cfg.localAddresses.length])));
      sockets.push(...batch);
    }
    const latency = new Histogram();
    const rooms = new Set<string>();
    let timeouts = 0;
    let stop = false;
    const cycle = async (s: GambitSocket) => {
      while (!stop) {
        // Waiters first: `paired` and `started` may arrive together.
        const paired = s.waitFor((m) => m.t === 'paired', WAIT_MS, 'no_pairing');
        const started = s.waitFor((m) => m.t === 'started', WAIT_MS, 'no_start');
        started.catch(() => undefined); // awaited below unless the pairing fails first
        const t0 = performance.now();
        s.send({ t: 'pool', pool: POOL_IDS[Math.floor(Math.random() * POOL_IDS.length)] });
        let room: string;
        try {
          room = String((await paired).room);
          await started;
        } catch {
          if (stop) return; // the socket closed at the end of the window
          timeouts += 1;
          s.send({ t: 'unpool' });
          continue;
        }
        if (stop) return;
        latency.record(performance.now() - t0);
        rooms.add(room);
        // Not played: either player aborts (the other's abort is refused), and both pick again.
        const ended = s.waitFor((m) => m.t === 'ended' && m.room === room, WAIT_MS, 'no_end');
        s.send({ t: 'abort', room });
        await ended.catch(() => undefined);
        s.send({ t: 'leave', room });
        // A look at the result before the next click: 1-5 s, as people do (back to back, 1,000
        // players would be 500 games a second, and the stack's cost of a game, not pairing, is measured).
        await new Promise((r) => setTimeout(r, 1000 + Math.random() * 4000));
      }
    };
    cfg.log(`  ${cfg.players} players cycling through ${POOL_IDS.length} pools for ${cfg.seconds} s (two engines, two matchmakers)`);
    const t0 = performance.now();
    const loops = sockets.map((s) => cycle(s));
    await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
    stop = true;
    const seconds = (performance.now() - t0) / 1000;
    for (const s of sockets) s.close(); // ends the waits of the loops still in one
    await Promise.allSettled(loops);
    const result: PairingResult = { players: cfg.players, seconds, pairings: rooms.size, latencyMs: latency.summary(), timeouts, load1: loadavg()[0]! };
    const l = result.latencyMs;
    cfg.log(`  ${result.pairings} games started (${Math.round(result.pairings / seconds)}/s); click -> started p50 ${l.p50.toFixed(0)} ms, p99 ${l.p99.toFixed(0)} ms, max ${l.max.toFixed(0)} ms; ${timeouts} waits over ${WAIT_MS / 1000} s`);
    return result;
  } finally {
    for (const s of sockets) s.close();
    await stack.stop();
  }
}
