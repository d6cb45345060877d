// The protocol fuzzer: FUZZ_FRAMES hostile frames from many sockets against real gateway, engine
// and finalizer processes, while two honest players play a whole game. Nothing may crash, every
// bad frame gets its answer, nothing is kept per frame, the game is unharmed. `make test` sends 20,000
// (the quick variant); `make fuzz` sends 100,000.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Chess } from 'chess.js';
import { heapAfterGc, heapProbe, startProcessStack, type ProcessStack } from '../support/processes.js';
import { TestPlayer, play, startGame } from '../support/player.js';
import { fuzzFrame, prng } from '../support/fuzz.js';
import { randomLine, rssKiB } from '../support/games.js';
import { waitForProgress } from '../support/progress.js';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 20_000);
const SOCKETS = 25;
const SEED = Number(process.env.FUZZ_SEED ?? 20261123);

let stack: ProcessStack;
const open: TestPlayer[] = [];
beforeAll(async () => {
  stack = await startProcessStack({
    logLevel: 'warn',
    nodeArgs: { gateway: heapProbe },
    env: { gateway: { RATE_PER_SEC: '1000000', RATE_BURST: '1000000', JOIN_RATE_PER_MIN: '100000000', MAX_CONNECTIONS_PER_IP: '1000' } },
  });
}, 30_000);
afterAll(async () => { open.forEach((p) => p.close()); await stack?.stop(); });


test(`${FRAMES} hostile frames: no crash, each answered, bounded memory, honest game unharmed`, async () => {
  const gateway = stack.procs.find((p) => p.name === 'gateway')!;
  const rssBefore = rssKiB(gateway.child.pid!);
  const fuzzers = await Promise.all(Array.from({ length: SOCKETS }, (_, i) => TestPlayer.connect(stack.httpUrl, `fuzz${i}`)));
  open.push(...fuzzers);
  const w = await TestPlayer.connect(stack.httpUrl, 'alice');
  const b = await TestPlayer.connect(stack.httpUrl, 'bob');
  open.push(w, b);
  const room = await startGame(w, b, { initialMs: 600_000, incrementMs: 0 });
  const line = randomLine(prng(SEED), 60);

  // Four waves: a leak grows from wave to wave; a high-water mark (buffers of the first flood) does not.
  const WAVES = 4;
  const per = Math.ceil(FRAMES / SOCKETS / WAVES);
  const sent = fuzzers.map(() => 0);
  const rss: number[] = [];
  const kept: number[] = []; // KiB alive after a full GC (heap + external) at the end of each wave
  const answered = (f: TestPlayer) => f.inbox.filter((m) => m.t === 'error' || m.t === 'pong').length;
  const generators = fuzzers.map((_, i) => prng(SEED + i));
  let honest: Promise<void> | undefined;
  for (let wave = 0; wave < WAVES; wave++) {
    fuzzers.forEach((f, i) => {
      for (let n = 0; n < per; n++) f.send(fuzzFrame(generators[i]!));
      sent[i]! += per;
    });
    // The honest game is played while the gateway and engine work through the flood.
    // With the rate limit lifted, the honest moves queue behind the flood's commands (a whole
    // wave on a slow machine): a move may wait as long as the flood keeps being answered.
    honest ??= play(room, w, b, line, 0, 240_000);
    // However slow the machine, answers keep coming until all are in: fail only when they stop.
    await waitForProgress(() => {
      const got = fuzzers.reduce((n, f) => n + answered(f), 0);
      const want = sent.reduce((n, x) => n + x, 0);
      return { done: got >= want, progress: got, detail: `${got} of ${want} frames answered` };
    }, { stallMs: 30_000, message: `wave ${wave + 1}: the flood stopped being answered` });
    fuzzers.forEach((f, i) => expect({ socket: i, answered: answered(f) }).toEqual({ socket: i, answered: sent[i] }));
    rss.push(rssKiB(gateway.child.pid!));
    const heap = await heapAfterGc(gateway);
    kept.push(Math.round((heap.heapUsed + heap.external) / 1024));
  }
  await honest;

  // Nothing crashed; every error was one of the protocol's codes.
  for (const p of stack.procs) expect({ name: p.name, exit: p.child.exitCode, signal: p.child.signalCode }).toEqual({ name: p.name, exit: null, signal: null });
  const codes = new Set(fuzzers.flatMap((f) => f.inbox.filter((m) => m.t === 'error').map((m) => String(m.code))));
  expect([...codes].every((c) => ['bad_request', 'unauthorized', 'room_not_found', 'rate_limited'].includes(c))).toBe(true);

  // The honest game: every move applied, in order, and the position is chess.js's.
  const chess = new Chess();
  for (const u of line) chess.move({ from: u.slice(0, 2), to: u.slice(2, 4), promotion: u[4] });
  const last = w.inbox.filter((m) => m.t === 'moved').at(-1)!;
  expect(last).toMatchObject({ ply: line.length, fen: chess.fen() });

  // Memory: what the gateway still holds after a full GC, at the end of wave 2 and of wave 4 (the
  // first wave warms up: compiled code, caches). RSS is only logged: it also counts garbage V8 has
  // not collected yet and heap it keeps for later, which grow for several waves under a flood
  // (an old generation of ~110 MB before its first mark-compact, a young generation grown to
  // ~105 MB) and depend on the machine's speed. Between the two measurements lie half of FRAMES:
  // 4 MiB catches a leak of 0.08 KiB a frame in `make fuzz` (100,000) and of 0.4 KiB in the quick
  // variant (20,000); without a leak the difference stays within ±0.2 MiB.
  console.log(`fuzz: ${sent.reduce((x, y) => x + y, 0)} frames, codes ${[...codes].join(',')}, gateway RSS KiB before ${rssBefore}, after each wave ${rss.join(', ')}; heap+external KiB after a full GC ${kept.join(', ')}`);
  expect(kept[WAVES - 1]! - kept[1]!).toBeLessThan(4 * 1024);
}, 1_200_000);

test('invalid UTF-8 in a text frame closes that socket (1007) and nobody else', async () => {
  const p = await TestPlayer.connect(stack.httpUrl, 'bytes');
  const q = await TestPlayer.connect(stack.httpUrl, 'bystander');
  open.push(p, q);
  p.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
  expect((await p.closed).code).toBe(1007);
  expect((await q.ask({ t: 'ping' })).t).toBe('pong');
});
