// `make soak`: SOAK_CONNECTIONS (10,000) sockets, SOAK_GAMES (1,000) games in play at a time, for
// SOAK_SECONDS (600), SOAK_FINALIZER_HEAP_MB (unset: Node's default). Samples each process's memory and open file descriptors every 10 s and
// reports growth per hour (least-squares slope after a warm-up). Not part of `make test`.
import { afterAll, expect, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { startProcessStack, type ProcessStack } from '../support/processes.js';
import { TestPlayer, guest } from '../support/player.js';
import { prng } from '../support/fuzz.js';
import { randomLine, rssKiB } from '../support/games.js';
import { ResilientPlayer } from '../chaos/player.js';
import { aliveGateways } from '../chaos/run.js';

const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 10_000);
const GAMES = Number(process.env.SOAK_GAMES ?? 1_000);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
// Caps the finalizer's V8 heap (MiB), to tell a leak (it would run out) from a heap V8 simply
// lets grow while it has room.
const FINALIZER_HEAP_MB = process.env.SOAK_FINALIZER_HEAP_MB;

let stack: ProcessStack;
afterAll(async () => { await stack?.stop(); });

const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

function slopePerHour(points: [number, number][]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const num = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const den = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return den ? (num / den) * 3_600_000 : 0;
}

test(`soak: ${CONNECTIONS} connections, ${GAMES} games, ${SECONDS} s`, async () => {
  const limits = { MAX_CONNECTIONS_PER_IP: String(CONNECTIONS * 2), JOIN_RATE_PER_MIN: '10000000', RATE_PER_SEC: '1000', RATE_BURST: '1000' };
  const finalizer: Record<string, string> = FINALIZER_HEAP_MB ? { NODE_OPTIONS: `--max-old-space-size=${Number(FINALIZER_HEAP_MB)}` } : {};
  stack = await startProcessStack({ logLevel: 'error', env: { gateway: limits, finalizer } });
  await stack.start('gateway', limits);
  const gateways = () => aliveGateways(stack);
  const idle: TestPlayer[] = [];
  const idleCount = Math.max(0, CONNECTIONS - GAMES * 2);
  const token = (await guest(gateways()[0]!, 'idle')).token;
  for (let i = 0; i < idleCount; i += 200) {
    idle.push(...(await Promise.all(Array.from({ length: Math.min(200, idleCount - i) }, (_, j) => TestPlayer.connect(gateways()[(i + j) % 2]!, 'idle', { token })))));
  }

  const r = prng(99);
  let finished = 0;
  let stopping = false;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((res) => { stop = res; });
  const playOne = async (slot: number): Promise<void> => {
    while (!stopping) {
      const moves = randomLine(r, 40);
      const w = new ResilientPlayer('w', (await guest(gateways()[0]!, `w${slot}`)).token, gateways, moves, () => 500 + r() * 1500, slot);
      const b = new ResilientPlayer('b', (await guest(gateways()[0]!, `b${slot}`)).token, gateways, moves, () => 500 + r() * 1500, slot + 1);
      await Promise.all([w.connect(), b.connect()]);
      const created = w.next((m) => m.t === 'created');
      w.send({ t: 'create', tc: { initialMs: 600_000, incrementMs: 0 }, color: 'white' });
      const joined = b.next((m) => m.t === 'joined');
      b.send({ t: 'join', room: String((await created).room) });
      await joined;
      const over = await Promise.race([Promise.all([w.next((m) => m.t === 'ended'), b.next((m) => m.t === 'ended')]).then(() => true), stopped.then(() => false)]);
      w.stop();
      b.stop();
      if (over) finished += 1;
    }
  };
  const slots = Array.from({ length: GAMES }, (_, i) => playOne(i).catch((err) => { if (!stopping) throw err; }));

  for (const p of stack.procs) {
    p.child.once('exit', (code, signal) => { if (!stopping) console.error(`${p.name}:${p.port} died (${code ?? signal}):\n${p.lines.slice(-15).join('\n')}`); });
  }
  const samples: { t: number; [k: string]: number }[] = [];
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    await new Promise((res) => setTimeout(res, 10_000));
    const s: { t: number; [k: string]: number } = { t: Date.now() - started };
    for (const p of stack.procs) if (p.child.pid && p.child.exitCode === null) {
      s[`${p.name}:${p.port}:rssKiB`] = rssKiB(p.child.pid);
      s[`${p.name}:${p.port}:fds`] = fds(p.child.pid);
    }
    samples.push(s);
  }
  stopping = true;
  stop();
  await Promise.all(slots);
  idle.forEach((p) => p.close());

  const warm = samples.slice(Math.floor(samples.length / 5));
  const keys = Object.keys(samples[0] ?? {}).filter((k) => k !== 't');
  const rows = keys.map((k) => {
    const pts = warm.map((s) => [s.t, s[k] ?? 0] as [number, number]);
    return `| ${k} | ${samples[0]?.[k]} | ${samples.at(-1)?.[k]} | ${slopePerHour(pts).toFixed(0)} |`;
  });
  console.log(`soak: ${CONNECTIONS} connections, ${GAMES} games at a time, ${SECONDS} s, ${finished} games finished\n| series | first | last | growth per hour |\n|---|---|---|---|\n${rows.join('\n')}`);
  for (const p of stack.procs) if (p.name !== 'finalizer') expect({ name: p.name, exit: p.child.exitCode }).toEqual({ name: p.name, exit: null });
  expect(finished).toBeGreaterThan(0);
}, (SECONDS + 600) * 1000);
