// The computer's eight levels, as lichess plays them. lichess's own numbers (its fishnet client,
// src/api.rs `SkillLevel`: time, skill_level and depth per level 1-8):
//   movetime ms  50, 100, 150, 200, 300, 400, 500, 1000
//   depth         5,   5,   5,   5,   5,   8,   13,   22
//   Skill Level  -9,  -5,  -1,   3,   7,  11,   16,   20
// lichess's Stockfish build accepts a negative Skill Level; the stock Stockfish of the `stockfish`
// npm package takes 0-20 and silently ignores anything else (the engine would then play at full
// strength). So lichess's range -9..20 is mapped linearly onto 0..20 (rounded): eight distinct
// strengths, level 8 still at full skill, level 1 at Stockfish's weakest. Pure: no worker here.

export const LEVEL_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8] as const;
export type LevelNumber = (typeof LEVEL_NUMBERS)[number];

export interface Level {
  level: LevelNumber;
  /** UCI option `Skill Level` (0-20). */
  skill: number;
  /** `go depth`: the search stops at this depth... */
  depth: number;
  /** ...or after this long (`go movetime`), whichever comes first. */
  movetimeMs: number;
}

const LICHESS_MOVETIME = [50, 100, 150, 200, 300, 400, 500, 1000];
const LICHESS_DEPTH = [5, 5, 5, 5, 5, 8, 13, 22];
const LICHESS_SKILL = [-9, -5, -1, 3, 7, 11, 16, 20];

/** lichess's skill -9..20 onto stock Stockfish's 0..20. */
export const stockSkill = (lichessSkill: number): number => Math.round(((lichessSkill + 9) * 20) / 29);

export const LEVELS: readonly Level[] = LEVEL_NUMBERS.map((level, i) => ({
  level,
  skill: stockSkill(LICHESS_SKILL[i]!),
  depth: LICHESS_DEPTH[i]!,
  movetimeMs: LICHESS_MOVETIME[i]!,
}));

export const isLevel = (n: unknown): n is LevelNumber => typeof n === 'number' && (LEVEL_NUMBERS as readonly number[]).includes(n);

export function levelOf(n: LevelNumber): Level {
  return LEVELS[n - 1]!;
}

/** The clocks as the engine is told them (ms): it then never thinks longer than its time allows. */
export interface GoClock { white: number; black: number; incrementMs: number }

/**
 * The `go` line for a level: its depth and move time, and (as fishnet does) the clocks, so that on
 * a short clock Stockfish's own time management cuts the search before its flag falls.
 */
export function goCommand(level: Level, clock?: GoClock): string {
  const parts = ['go', 'depth', String(level.depth), 'movetime', String(level.movetimeMs)];
  if (clock) {
    const ms = (n: number) => String(Math.max(1, Math.floor(n)));
    parts.push('wtime', ms(clock.white), 'btime', ms(clock.black), 'winc', String(clock.incrementMs), 'binc', String(clock.incrementMs));
  }
  return parts.join(' ');
}

/** The computer's name on the page and in the PGN: "Stockfish level 3". */
export const levelName = (n: LevelNumber): string => `Stockfish level ${n}`;
