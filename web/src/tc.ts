// The time control of the new-game form, checked in the page before `create` is sent, so a player
// reads what is wrong in words instead of the server's schema message.
import type { TimeControl } from '@gambit/protocol';

/**
 * The bounds of `timeControl` in packages/protocol/src/client.ts (the gateway's schema), in ms.
 * The web bundle cannot import values from @gambit/protocol (its index pulls in zod and
 * node:crypto), so they are mirrored here; tc.test.ts fails when the two differ.
 */
export const TC_LIMITS = {
  initialMs: { min: 1, max: 3 * 60 * 60 * 1000 },
  incrementMs: { min: 0, max: 3 * 60 * 1000 },
} as const;

export type TcCheck = { ok: true; tc: TimeControl } | { ok: false; message: string };

const MAX_MINUTES = TC_LIMITS.initialMs.max / 60_000;
const MAX_INC_S = TC_LIMITS.incrementMs.max / 1000;

/** `minutes` and `seconds` as typed (or from a preset such as `3+2`): a time control, or why not. */
export function checkTc(minutes: string, seconds: string): TcCheck {
  if (minutes.trim() === '' || seconds.trim() === '') return { ok: false, message: 'Enter the minutes and the increment in seconds' };
  const min = Number(minutes);
  const inc = Number(seconds);
  if (!Number.isFinite(min) || !Number.isFinite(inc)) return { ok: false, message: 'The minutes and the increment must be numbers' };
  const tc = { initialMs: Math.round(min * 60_000), incrementMs: Math.round(inc * 1000) };
  if (tc.initialMs < TC_LIMITS.initialMs.min) {
    // 0 + 5 lands here: the increment comes only after a move, and the first move already needs time.
    return { ok: false, message: 'A game needs time on the clock: set more than 0 minutes (the increment only adds time after each move)' };
  }
  if (tc.initialMs > TC_LIMITS.initialMs.max) return { ok: false, message: `A game can start with at most ${MAX_MINUTES} minutes` };
  if (tc.incrementMs < TC_LIMITS.incrementMs.min || tc.incrementMs > TC_LIMITS.incrementMs.max) {
    return { ok: false, message: `The increment must be between 0 and ${MAX_INC_S} seconds` };
  }
  return { ok: true, tc };
}

/** The time controls offered in the new-game forms (value `min+sec`, label); `custom` opens minutes + increment fields. */
export const TC_PRESETS: readonly (readonly [string, string])[] = [
  ['1+0', '1 + 0 · bullet'], ['3+0', '3 + 0 · blitz'], ['3+2', '3 + 2 · blitz'], ['5+0', '5 + 0 · blitz'],
  ['10+0', '10 + 0 · rapid'], ['15+10', '15 + 10 · rapid'], ['custom', 'Custom…'],
];

/** A preset value like `3+2` (minutes + seconds). */
export function checkPreset(value: string): TcCheck {
  const [min = '', inc = ''] = value.split('+');
  return checkTc(min, inc);
}
