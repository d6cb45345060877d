// Helpers shared by the load-bearing tests (fuzz, chaos, soak).
import { readFileSync } from 'node:fs';
import { Chess } from 'chess.js';

/** A legal game of up to `plies` random moves (UCI), stopping early if it ends. `r` is a seeded PRNG. */
export function randomLine(r: () => number, plies: number): string[] {
  const chess = new Chess();
  const out: string[] = [];
  while (out.length < plies && !chess.isGameOver()) {
    const moves = chess.moves({ verbose: true });
    const m = moves[Math.floor(r() * moves.length)]!;
    chess.move(m);
    out.push(m.from + m.to + (m.promotion ?? ''));
  }
  return out;
}

/** Resident memory of a process (KiB), from /proc. */
export const rssKiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
