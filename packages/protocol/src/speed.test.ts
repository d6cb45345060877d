import { describe, expect, it } from '@jest/globals';
import { speedField, speedOf } from './speed.js';

const tc = (minutes: number, incrementS: number) => ({ initialMs: minutes * 60_000, incrementMs: incrementS * 1000 });

describe('speedOf', () => {
  it('sorts controls by initial + 40 x increment with lichess bounds', () => {
    expect(speedOf(tc(1, 0))).toBe('bullet');
    expect(speedOf(tc(2, 1))).toBe('bullet'); // 160 s
    expect(speedOf(tc(3, 0))).toBe('blitz'); // 180 s: the first blitz
    expect(speedOf(tc(5, 3))).toBe('blitz'); // 420 s
    expect(speedOf(tc(8, 0))).toBe('rapid'); // 480 s: the first rapid
    expect(speedOf(tc(15, 10))).toBe('rapid'); // 1300 s
    expect(speedOf(tc(25, 0))).toBe('classical'); // 1500 s
    expect(speedOf(tc(30, 20))).toBe('classical');
  });

  it('names per-speed fields in camel case', () => {
    expect(speedField('blitz', 'wins')).toBe('blitzWins');
    expect(speedField('classical', 'games')).toBe('classicalGames');
  });
});
