// The UCI adapter against a fake worker that answers as Stockfish does.
import { describe, expect, test } from '@jest/globals';
import { levelOf } from './levels.js';
import { EngineGone, parseLine, SearchAbandoned, UciEngine, type EngineWorker } from './uci.js';

const START = 'rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1';

class FakeWorker implements EngineWorker {
  sent: string[] = [];
  terminated = false;
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  /** Answers by command, like the engine would (a `go` waits for `finish`). */
  private goes = 0;
  constructor(private readonly auto = true) {}
  postMessage(message: string): void {
    this.sent.push(message);
    if (!this.auto) return;
    if (message === 'uci') this.say('id name Stockfish 17.1 Lite WASM\noption name Skill Level type spin default 20 min 0 max 20\nuciok');
    if (message === 'isready') this.say('readyok');
    if (message.startsWith('go')) this.goes++;
    if (message === 'stop' && this.goes > 0) this.finish('a2a3'); // a stopped search still prints its bestmove
  }
  terminate(): void {
    this.terminated = true;
  }
  say(lines: string): void {
    queueMicrotask(() => this.onmessage?.({ data: lines } as MessageEvent));
  }
  finish(move: string): void {
    this.goes--;
    this.say(`info depth 1 seldepth 1 multipv 1 score cp 20 nodes 20 pv ${move}\nbestmove ${move} ponder e7e5`);
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('uci lines', () => {
  test('uciok, readyok, bestmove (a move, a promotion, none); everything else is other', () => {
    expect(parseLine('uciok')).toEqual({ kind: 'uciok' });
    expect(parseLine('readyok\r')).toEqual({ kind: 'readyok' });
    expect(parseLine('bestmove e2e4 ponder e7e5')).toEqual({ kind: 'bestmove', move: 'e2e4' });
    expect(parseLine('bestmove a7a8q')).toEqual({ kind: 'bestmove', move: 'a7a8q' });
    expect(parseLine('bestmove (none)')).toEqual({ kind: 'bestmove', move: null });
    expect(parseLine('bestmove 0000')).toEqual({ kind: 'bestmove', move: null });
    for (const line of ['bestmove', 'bestmove e9e4', 'bestmove e2e4k', 'info depth 5 pv e2e4', 'id name Stockfish', '', 'readyok now']) {
      expect(parseLine(line)).toEqual({ kind: 'other' });
    }
  });
});

describe('UciEngine', () => {
  test('start: uci until uciok, then isready until readyok; once however often it is asked', async () => {
    const w = new FakeWorker();
    const e = new UciEngine(w);
    await Promise.all([e.start(), e.start()]);
    expect(w.sent).toEqual(['uci', 'isready']);
    await e.newGame();
    expect(w.sent).toEqual(['uci', 'isready', 'ucinewgame', 'isready']);
  });

  test("a move: the level's skill, the game from its start with its moves, the go line; bestmove answers it", async () => {
    const w = new FakeWorker();
    const e = new UciEngine(w);
    const move = e.bestMove(START, ['e2e4', 'e7e5'], levelOf(3), { white: 60_000, black: 59_000, incrementMs: 0 });
    await flush();
    expect(w.sent.slice(2)).toEqual([
      'setoption name Skill Level value 6',
      `position fen ${START} moves e2e4 e7e5`,
      'go depth 5 movetime 150 wtime 60000 btime 59000 winc 0 binc 0',
    ]);
    w.finish('g1f3');
    await expect(move).resolves.toBe('g1f3');
    const none = e.bestMove(START, [], levelOf(1));
    await flush();
    expect(w.sent.at(-2)).toBe(`position fen ${START}`);
    w.say('bestmove (none)');
    await expect(none).resolves.toBeNull();
  });

  test('a new search abandons the running one: stop is sent and its late bestmove is not taken for the new one', async () => {
    const w = new FakeWorker();
    const e = new UciEngine(w);
    const first = e.bestMove(START, [], levelOf(8));
    await flush();
    const second = e.bestMove(START, ['e2e4'], levelOf(8));
    await expect(first).rejects.toBeInstanceOf(SearchAbandoned);
    await flush();
    expect(w.sent.filter((c) => c === 'stop')).toHaveLength(1);
    w.finish('e7e5');
    await expect(second).resolves.toBe('e7e5'); // not the stopped search's a2a3
  });

  test('terminate ends the worker and rejects whatever waits; a failing worker does the same', async () => {
    const w = new FakeWorker();
    const e = new UciEngine(w);
    await e.start();
    const move = e.bestMove(START, [], levelOf(1));
    await flush();
    e.terminate();
    await expect(move).rejects.toBeInstanceOf(EngineGone);
    expect(w.terminated).toBe(true);
    expect(w.sent.at(-1)).toBe('quit');
    expect(e.alive).toBe(false);
    await expect(e.bestMove(START, [], levelOf(1))).rejects.toBeInstanceOf(EngineGone);

    const broken = new FakeWorker(false); // never answers: the .wasm did not load
    const e2 = new UciEngine(broken);
    const starting = e2.start();
    broken.onerror?.({} as ErrorEvent);
    await expect(starting).rejects.toThrow('failed to load');
  });
});
