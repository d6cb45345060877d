// A game against the computer, kept entirely in the browser (pure: `now` is always passed in, and
// storage is handed in). chess.js decides legality and the end of the game by the position; the
// clocks are this module's, in wall-clock milliseconds, in the protocol's Clock shape so clock.ts
// counts them down like a live game's. As on lichess, the clocks start once both sides have made
// their first move (so the engine loading in the background never costs anyone time); from then
// on the mover's clock stops at each move, gets the increment, and the other one runs.
import { Chess } from 'chess.js';
import type { Clock, EndReason, Result, Side, TimeControl } from '@gambit/protocol';
import { remainingMs } from '../clock.js';
import { START_FEN } from '../game.js';
import { checkTc } from '../tc.js';
import { isLevel, levelName, type GoClock, type LevelNumber } from './levels.js';

export interface ComputerGame {
  version: 1;
  level: LevelNumber;
  /** The person's colour; the computer plays the other. */
  human: Side;
  humanName: string;
  tc: TimeControl;
  moves: string[]; // UCI
  san: string[];
  fen: string; // after the last move
  clock: Clock; // `at`: wall-clock ms of the last change
  status: 'active' | 'ended';
  result: Result | null;
  reason: EndReason | null;
  startedAt: number;
  endedAt: number | null;
}

export interface NewGame { level: LevelNumber; human: Side; humanName: string; tc: TimeControl }

const other = (side: Side): Side => (side === 'white' ? 'black' : 'white');

export function newComputerGame(opts: NewGame, now: number): ComputerGame {
  return {
    version: 1, level: opts.level, human: opts.human, humanName: opts.humanName, tc: { ...opts.tc },
    moves: [], san: [], fen: START_FEN,
    clock: { white: opts.tc.initialMs, black: opts.tc.initialMs, running: null, at: now },
    status: 'active', result: null, reason: null, startedAt: now, endedAt: null,
  };
}

export const turnOf = (g: ComputerGame): Side => (g.fen.split(' ')[1] === 'b' ? 'black' : 'white');
export const humanToMove = (g: ComputerGame): boolean => g.status === 'active' && turnOf(g) === g.human;
export const computerToMove = (g: ComputerGame): boolean => g.status === 'active' && turnOf(g) !== g.human;

/** Both clocks at `now`. */
export function clocksAt(g: ComputerGame, now: number): { white: number; black: number } {
  return { white: remainingMs(g.clock, 'white', now), black: remainingMs(g.clock, 'black', now) };
}

/** What the engine is told of the clocks for its next search. */
export function goClock(g: ComputerGame, now: number): GoClock {
  return { ...clocksAt(g, now), incrementMs: g.tc.incrementMs };
}

/** The side whose flag has fallen by `now`, if any. */
export function flagged(g: ComputerGame, now: number): Side | null {
  const side = g.clock.running;
  return g.status === 'active' && side && remainingMs(g.clock, side, now) <= 0 ? side : null;
}

/** The moment the running clock reaches zero, or null when none runs. */
export function flagAt(g: ComputerGame): number | null {
  return g.status === 'active' && g.clock.running ? g.clock.at + g.clock[g.clock.running] : null;
}

/**
 * A fallen flag loses, unless the other side cannot checkmate by any series of legal moves (FIDE
 * 6.9): the clear cases, as the server counts them, are a bare king, or a king and one minor piece
 * against a bare king.
 */
export function canWinOnTime(fen: string, side: Side): boolean {
  const colour = side === 'white' ? 'w' : 'b';
  const mine: string[] = [];
  let theirs = 0;
  for (const row of new Chess(fen).board()) {
    for (const sq of row) {
      if (!sq || sq.type === 'k') continue;
      if (sq.color === colour) mine.push(sq.type);
      else theirs++;
    }
  }
  if (mine.length === 0) return false;
  return !(mine.length === 1 && (mine[0] === 'n' || mine[0] === 'b') && theirs === 0);
}

function ended(g: ComputerGame, result: Result, reason: EndReason, at: number, clock: Clock): ComputerGame {
  return { ...g, status: 'ended', result, reason, endedAt: at, clock: { ...clock, running: null, at } };
}

/** The game as it stands at `now`: ended on time if the running side's flag has fallen. */
export function settle(g: ComputerGame, now: number): ComputerGame {
  const side = flagged(g, now);
  if (!side) return g;
  const at = flagAt(g) ?? now;
  const winner = other(side);
  const result: Result = canWinOnTime(g.fen, winner) ? (winner === 'white' ? '1-0' : '0-1') : '1/2-1/2';
  return ended(g, result, 'timeout', at, { ...g.clock, [side]: 0 });
}

/** The position after `moves` from the start, with its history (threefold repetition needs it). */
export function replay(moves: readonly string[]): Chess | null {
  const chess = new Chess();
  for (const m of moves) {
    try {
      chess.move({ from: m.slice(0, 2), to: m.slice(2, 4), promotion: m[4] });
    } catch {
      return null;
    }
  }
  return chess;
}

function positionalEnd(chess: Chess): { result: Result; reason: EndReason } | null {
  if (chess.isCheckmate()) return { result: chess.turn() === 'w' ? '0-1' : '1-0', reason: 'checkmate' };
  if (chess.isStalemate()) return { result: '1/2-1/2', reason: 'stalemate' };
  if (chess.isInsufficientMaterial()) return { result: '1/2-1/2', reason: 'insufficient_material' };
  if (chess.isThreefoldRepetition()) return { result: '1/2-1/2', reason: 'threefold_repetition' };
  if (chess.isDrawByFiftyMoves()) return { result: '1/2-1/2', reason: 'fifty_moves' };
  return null;
}

/**
 * `uci` played at `now` by the side to move. The game at `now` comes first: a move after the flag
 * fell is not played (the game comes back ended on time). Null for an illegal move or a game over.
 */
export function play(g: ComputerGame, uci: string, now: number): ComputerGame | null {
  const at = settle(g, now);
  if (at !== g) return at;
  if (g.status !== 'active') return null;
  const chess = replay(g.moves);
  if (!chess) return null;
  let san: string;
  try {
    san = chess.move({ from: uci.slice(0, 2), to: uci.slice(2, 4), promotion: uci[4] }).san;
  } catch {
    return null;
  }
  const mover = turnOf(g);
  const plies = g.moves.length + 1;
  const clock: Clock = { ...g.clock, at: now };
  if (g.clock.running === mover) clock[mover] = remainingMs(g.clock, mover, now) + g.tc.incrementMs;
  clock.running = plies >= 2 ? other(mover) : null; // each side's first move is off the clock
  const next: ComputerGame = { ...g, moves: [...g.moves, uci], san: [...g.san, san], fen: chess.fen(), clock };
  const end = positionalEnd(chess);
  return end ? ended(next, end.result, end.reason, now, clock) : next;
}

/** The person resigns (the computer never does). */
export function resign(g: ComputerGame, now: number): ComputerGame {
  const at = settle(g, now);
  if (at.status !== 'active') return at;
  const clock: Clock = { ...clocksAt(g, now), running: null, at: now };
  return ended(g, g.human === 'white' ? '0-1' : '1-0', 'resign', now, clock);
}

export const playerNames = (g: ComputerGame): Record<Side, string> => {
  const engine = levelName(g.level);
  return g.human === 'white' ? { white: g.humanName, black: engine } : { white: engine, black: g.humanName };
};

const TERMINATION: Partial<Record<EndReason, string>> = { timeout: 'Time forfeit' };
const tag = (k: string, v: string) => `[${k} "${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`;

/** The PGN: the Seven Tag Roster, the time control and how it ended (as the server writes its own), and the moves. */
export function pgnOf(g: ComputerGame, site: string): string {
  const started = new Date(g.startedAt);
  const names = playerNames(g);
  const result = g.result ?? '*';
  const tags = [
    tag('Event', 'Gambit game against the computer'),
    tag('Site', site),
    tag('Date', started.toISOString().slice(0, 10).replace(/-/g, '.')),
    tag('Round', '-'),
    tag('White', names.white),
    tag('Black', names.black),
    tag('Result', result),
    tag('UTCTime', started.toISOString().slice(11, 19)),
    tag('TimeControl', `${Math.round(g.tc.initialMs / 1000)}+${Math.round(g.tc.incrementMs / 1000)}`),
    tag('Termination', g.reason ? `${TERMINATION[g.reason] ?? 'Normal'} (${g.reason})` : 'Unterminated'),
  ];
  const body = g.san.map((san, i) => (i % 2 === 0 ? `${i / 2 + 1}. ${san}` : san));
  body.push(result);
  return `${tags.join('\n')}\n\n${body.join(' ')}\n`;
}

// Kept in localStorage, so a reload (or coming back later) resumes the game.

export const STORAGE_KEY = 'gambit:computer-game';

type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export function saveGame(storage: KeyValue, g: ComputerGame | null): void {
  try {
    if (g) storage.setItem(STORAGE_KEY, JSON.stringify(g));
    else storage.removeItem(STORAGE_KEY);
  } catch {
    // storage full or refused (private mode): the game still plays, it just won't survive a reload
  }
}

const isSide = (x: unknown): x is Side => x === 'white' || x === 'black';
const isMs = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
const RESULTS: readonly unknown[] = ['1-0', '0-1', '1/2-1/2'];
const REASONS: readonly unknown[] = ['checkmate', 'resign', 'timeout', 'stalemate', 'insufficient_material', 'threefold_repetition', 'fifty_moves'];

/** The stored game, checked field by field and its moves replayed (SAN and FEN are recomputed); null if absent or broken. */
export function loadGame(storage: KeyValue): ComputerGame | null {
  let raw: unknown;
  try {
    raw = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null');
  } catch {
    return null;
  }
  if (!raw || typeof raw !== 'object') return null;
  const g = raw as Partial<Record<keyof ComputerGame, unknown>>;
  const tc = g.tc as Partial<TimeControl> | undefined;
  const clock = g.clock as Partial<Clock> | undefined;
  if (g.version !== 1 || !isLevel(g.level) || !isSide(g.human) || typeof g.humanName !== 'string') return null;
  if (!tc || !isMs(tc.initialMs) || !isMs(tc.incrementMs)) return null;
  if (!checkTc(String(tc.initialMs / 60_000), String(tc.incrementMs / 1000)).ok) return null;
  if (!clock || !isMs(clock.white) || !isMs(clock.black) || !isMs(clock.at) || !(clock.running === null || isSide(clock.running))) return null;
  if (!Array.isArray(g.moves) || !g.moves.every((m) => typeof m === 'string')) return null;
  if (!isMs(g.startedAt) || !(g.endedAt === null || isMs(g.endedAt))) return null;
  const active = g.status === 'active';
  if (!active && (g.status !== 'ended' || !RESULTS.includes(g.result) || !REASONS.includes(g.reason))) return null;
  const chess = replay(g.moves as string[]);
  if (!chess) return null;
  const san = chess.history();
  return {
    version: 1, level: g.level, human: g.human, humanName: g.humanName,
    tc: { initialMs: tc.initialMs, incrementMs: tc.incrementMs },
    moves: [...(g.moves as string[])], san, fen: chess.fen(),
    clock: { white: clock.white, black: clock.black, running: active ? clock.running : null, at: clock.at },
    status: active ? 'active' : 'ended',
    result: active ? null : (g.result as Result), reason: active ? null : (g.reason as EndReason),
    startedAt: g.startedAt, endedAt: active ? null : ((g.endedAt as number | null) ?? clock.at),
  };
}

