import { describe, expect, test } from '@jest/globals';
import { goCommand, isLevel, LEVELS, levelOf, stockSkill } from './levels.js';

describe('computer levels', () => {
  test("eight levels with lichess's move times and depths", () => {
    expect(LEVELS.map((l) => l.level)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(LEVELS.map((l) => l.movetimeMs)).toEqual([50, 100, 150, 200, 300, 400, 500, 1000]);
    expect(LEVELS.map((l) => l.depth)).toEqual([5, 5, 5, 5, 5, 8, 13, 22]);
  });

  test("lichess's skill -9..20 lands on stock Stockfish's 0..20, every level its own, rising", () => {
    expect(stockSkill(-9)).toBe(0);
    expect(stockSkill(20)).toBe(20);
    const skills = LEVELS.map((l) => l.skill);
    expect(skills).toEqual([0, 3, 6, 8, 11, 14, 17, 20]);
    for (const s of skills) expect(s >= 0 && s <= 20 && Number.isInteger(s)).toBe(true);
  });

  test('only 1-8 are levels', () => {
    expect([0, 1, 8, 9, 2.5, '3', null].map(isLevel)).toEqual([false, true, true, false, false, false, false]);
    expect(levelOf(6)).toEqual({ level: 6, skill: 14, depth: 8, movetimeMs: 400 });
  });

  test('the go line: depth and move time, and the clocks when there are any', () => {
    expect(goCommand(levelOf(1))).toBe('go depth 5 movetime 50');
    expect(goCommand(levelOf(8), { white: 61_234.7, black: 0, incrementMs: 2000 }))
      .toBe('go depth 22 movetime 1000 wtime 61234 btime 1 winc 2000 binc 2000'); // never 0: some engines read it as "no clock"
  });
});
