import { describe, expect, test } from '@jest/globals';
import { clientFrame, ERROR_CODES, timeControl } from '@gambit/protocol';
import { errorText } from './errors.js';
import { checkPreset, checkTc, TC_LIMITS } from './tc.js';

describe('time control check', () => {
  test('the page mirrors the server schema bounds exactly', () => {
    expect(timeControl.shape.initialMs.minValue).toBe(TC_LIMITS.initialMs.min);
    expect(timeControl.shape.initialMs.maxValue).toBe(TC_LIMITS.initialMs.max);
    expect(timeControl.shape.incrementMs.minValue).toBe(TC_LIMITS.incrementMs.min);
    expect(timeControl.shape.incrementMs.maxValue).toBe(TC_LIMITS.incrementMs.max);
  });

  test('0 min + 5 s is refused in words; what the page accepts the server accepts', () => {
    const zero = checkTc('0', '5');
    expect(zero.ok).toBe(false);
    expect(!zero.ok && zero.message).toMatch(/needs time on the clock/);
    for (const [min, inc] of [['0', '5'], ['0', '0'], ['-1', '0'], ['181', '0'], ['5', '181'], ['5', '-1'], ['', '0'], ['x', '0'],
      ['0.5', '0'], ['0.0001', '0'], ['180', '180'], ['1', '0'], ['2.5', '1.5']] as const) {
      const page = checkTc(min, inc);
      const server = timeControl.safeParse(page.ok ? page.tc : {
        initialMs: Math.round(Number(min) * 60_000), incrementMs: Math.round(Number(inc) * 1000),
      });
      expect([min, inc, page.ok]).toEqual([min, inc, server.success]);
      if (page.ok) expect(clientFrame.safeParse({ t: 'create', tc: page.tc }).success).toBe(true);
    }
    for (const preset of ['1+0', '3+0', '3+2', '5+0', '10+0', '15+10']) expect(checkPreset(preset).ok).toBe(true);
  });

  test('every error code has a sentence, with no schema text', () => {
    for (const code of ERROR_CODES) expect(errorText(code, 'ABCDEFGH')).toMatch(/^[A-Z][^:]*(:[^:]+)?$/);
    expect(errorText('room_not_found', 'ABCDEFGH', 'join')).toContain('ABCDEFGH');
    expect(errorText('something_new')).toBe('Something went wrong: try again');
  });
});
