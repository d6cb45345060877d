// A thin UCI adapter over the Stockfish Web Worker (the `stockfish` package's lite single-threaded
// WASM build; web/build.js copies it to /engine/). One owner per worker: the screen that plays the
// computer makes one `UciEngine`, asks it for one move at a time and terminates it when it leaves.
// The worker is injected, so the protocol is unit-tested with a fake (uci.test.ts).
import type { Level, GoClock } from './levels.js';
import { goCommand } from './levels.js';

/** What the adapter needs of a Worker (a real one, or a fake in the tests). */
export interface EngineWorker {
  postMessage(message: string): void;
  terminate(): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
}

export type UciLine =
  | { kind: 'uciok' }
  | { kind: 'readyok' }
  /** `move` is null for `bestmove (none)`: the side to move has no legal move. */
  | { kind: 'bestmove'; move: string | null }
  | { kind: 'other' };

const UCI_MOVE = /^[a-h][1-8][a-h][1-8][qrbn]?$/;

/** One line the engine printed. A `bestmove` that is not a move reads as `other` (ignored). */
export function parseLine(raw: string): UciLine {
  const line = raw.trim();
  if (line === 'uciok') return { kind: 'uciok' };
  if (line === 'readyok') return { kind: 'readyok' };
  const words = line.split(/\s+/);
  if (words[0] === 'bestmove') {
    const move = words[1] ?? '';
    if (move === '(none)' || move === '0000') return { kind: 'bestmove', move: null };
    if (UCI_MOVE.test(move)) return { kind: 'bestmove', move };
  }
  return { kind: 'other' };
}

/** The engine stopped (terminated by its owner, or the worker failed to load or crashed). */
export class EngineGone extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EngineGone';
  }
}

/** A search whose answer nobody wants any more: a newer one replaced it. */
export class SearchAbandoned extends Error {
  constructor() {
    super('search abandoned');
    this.name = 'SearchAbandoned';
  }
}

interface Waiter<T> { resolve(v: T): void; reject(e: Error): void }

export class UciEngine {
  private gone: EngineGone | null = null;
  private ready: Waiter<void>[] = []; // each `isready` sent, oldest first
  private uciok: Waiter<void> | null = null;
  private searches: (Waiter<string | null> | null)[] = []; // each `go` sent; null once abandoned
  private started: Promise<void> | null = null;

  constructor(private readonly worker: EngineWorker) {
    worker.onmessage = (e) => {
      if (typeof e.data === 'string') for (const line of e.data.split('\n')) this.onLine(line);
    };
    worker.onerror = () => this.fail(new EngineGone('the engine failed to load or crashed'));
  }

  /** `uci` until `uciok`, then `isready` until `readyok`; once, however often it is called. */
  start(): Promise<void> {
    this.started ??= new Promise<void>((resolve, reject) => {
      if (this.gone) return reject(this.gone);
      this.uciok = { resolve, reject };
      this.send('uci');
    }).then(() => this.isReady());
    return this.started;
  }

  /** A new game: the engine forgets its hash table (`ucinewgame`), then is ready again. */
  async newGame(): Promise<void> {
    await this.start();
    this.send('ucinewgame');
    await this.isReady();
  }

  /**
   * The engine's move at `level` in the game from `startFen` after `moves` (UCI), or null when it
   * has none. A search still running is abandoned (`stop`; its answer is dropped).
   */
  async bestMove(startFen: string, moves: readonly string[], level: Level, clock?: GoClock): Promise<string | null> {
    await this.start();
    this.abandon();
    this.send(`setoption name Skill Level value ${level.skill}`);
    this.send(`position fen ${startFen}${moves.length ? ` moves ${moves.join(' ')}` : ''}`);
    return new Promise<string | null>((resolve, reject) => {
      if (this.gone) return reject(this.gone);
      this.searches.push({ resolve, reject });
      this.send(goCommand(level, clock));
    });
  }

  /** Drops the answer of every search still running and tells the engine to stop. */
  abandon(): void {
    if (!this.searches.some((s) => s !== null)) return;
    this.searches = this.searches.map((s) => {
      s?.reject(new SearchAbandoned());
      return null;
    });
    this.send('stop');
  }

  /** The owner leaves: the worker ends, and whatever waits on it is rejected. */
  terminate(): void {
    if (this.gone) return;
    this.send('quit');
    this.worker.terminate();
    this.fail(new EngineGone('terminated'));
  }

  get alive(): boolean {
    return this.gone === null;
  }

  private isReady(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.gone) return reject(this.gone);
      this.ready.push({ resolve, reject });
      this.send('isready');
    });
  }

  private send(command: string): void {
    if (!this.gone) this.worker.postMessage(command);
  }

  private onLine(raw: string): void {
    const line = parseLine(raw);
    switch (line.kind) {
      case 'uciok':
        this.uciok?.resolve();
        this.uciok = null;
        return;
      case 'readyok':
        this.ready.shift()?.resolve();
        return;
      case 'bestmove':
        // Answers come in the order the searches were started; an abandoned one is a placeholder.
        this.searches.shift()?.resolve(line.move);
        return;
      default:
        return; // id, option, info lines: not needed to play
    }
  }

  private fail(err: EngineGone): void {
    if (this.gone) return;
    this.gone = err;
    this.uciok?.reject(err);
    this.uciok = null;
    for (const w of this.ready.splice(0)) w.reject(err);
    for (const s of this.searches.splice(0)) s?.reject(err);
  }
}
