// The workload's games: a fixed set of legal move sequences, generated once from a seed with
// chess.js (`npm run -w bench gen-games`) and committed as bench/data/games.json, which the k6
// scripts read too. Every sequence ends the way a real game does: the server sees checkmate,
// stalemate or a draw by the rules after the last move, or the side to move resigns.
import { readFileSync } from 'node:fs';
import { Chess } from 'chess.js';

export type GameEnd = 'checkmate' | 'stalemate' | 'insufficient_material' | 'threefold_repetition' | 'fifty_moves' | 'resign';

export interface GameSeq {
  /** UCI moves, space separated (promotions carry the piece). */
  moves: string;
  /** How the game ends after the last move: by the position, or the side to move resigns. */
  end: GameEnd;
  result: '1-0' | '0-1' | '1/2-1/2';
}

export interface GameSet {
  seed: number;
  generator: string;
  games: GameSeq[];
}

export const GAMES_FILE = new URL('../data/games.json', import.meta.url);

/** The committed game set. Works from src/ (jest) and from dist/src/ (compiled). */
export function loadGames(): GameSet {
  const candidates = [GAMES_FILE, new URL('../../data/games.json', import.meta.url)];
  for (const url of candidates) {
    try {
      return JSON.parse(readFileSync(url, 'utf8')) as GameSet;
    } catch {
      // next candidate
    }
  }
  throw new Error('bench/data/games.json not found (run npm run -w bench gen-games)');
}

/** mulberry32: a small seeded generator, the same numbers on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Plays `count` games with a crude but legal policy: mate when it can, capture often, otherwise a
 * random move. Games that have not ended by `maxPlies` (drawn from [minPlies, maxPlies] per game)
 * end with the side to move resigning. Deterministic for a seed.
 */
export function generateGames(seed: number, count: number, minPlies = 30, maxPlies = 140): GameSet {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const games: GameSeq[] = [];
  for (let g = 0; g < count; g++) {
    const chess = new Chess();
    const limit = minPlies + Math.floor(rand() * (maxPlies - minPlies + 1));
    const uci: string[] = [];
    while (!chess.isGameOver() && uci.length < limit) {
      const moves = chess.moves({ verbose: true });
      const mates = moves.filter((m) => m.san.endsWith('#'));
      const captures = moves.filter((m) => m.captured);
      const m = mates.length ? pick(mates) : captures.length && rand() < 0.6 ? pick(captures) : pick(moves);
      chess.move(m);
      uci.push(m.from + m.to + (m.promotion ?? ''));
    }
    let end: GameEnd;
    let result: GameSeq['result'];
    if (chess.isCheckmate()) {
      end = 'checkmate';
      result = chess.turn() === 'w' ? '0-1' : '1-0';
    } else if (chess.isStalemate()) {
      [end, result] = ['stalemate', '1/2-1/2'];
    } else if (chess.isInsufficientMaterial()) {
      [end, result] = ['insufficient_material', '1/2-1/2'];
    } else if (chess.isThreefoldRepetition()) {
      [end, result] = ['threefold_repetition', '1/2-1/2'];
    } else if (chess.isDrawByFiftyMoves()) {
      [end, result] = ['fifty_moves', '1/2-1/2'];
    } else {
      end = 'resign';
      result = chess.turn() === 'w' ? '0-1' : '1-0';
    }
    games.push({ moves: uci.join(' '), end, result });
  }
  return { seed, generator: `generateGames(seed, ${count}, ${minPlies}, ${maxPlies})`, games };
}

/** The UCI list of a sequence. */
export function movesOf(g: GameSeq): string[] {
  return g.moves ? g.moves.split(' ') : [];
}
