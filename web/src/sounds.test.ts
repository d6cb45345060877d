// sounds.ts: which cue a server event plays, and when low time sounds.
import { expect, test } from '@jest/globals';
import type { MovedMsg } from '@gambit/protocol';
import { cueOf, lowTimeMs } from './sounds.js';

const moved = (extra: Partial<MovedMsg>): MovedMsg => ({
  t: 'moved', room: 'ABCDEFGH', seq: 2, ply: 1, uci: 'e2e4', san: 'e4', fen: 'x', clock: { white: 1, black: 1, running: 'black', at: 0 },
  check: false, kind: 'move', ...extra,
});

test("the server's kind and check pick the cue; check outranks the kind", () => {
  expect(cueOf(moved({}))).toBe('move');
  expect(cueOf(moved({ kind: 'capture' }))).toBe('capture');
  expect(cueOf(moved({ kind: 'en_passant' }))).toBe('capture');
  expect(cueOf(moved({ kind: 'castle' }))).toBe('castle');
  expect(cueOf(moved({ kind: 'promotion' }))).toBe('move');
  expect(cueOf(moved({ kind: 'capture', check: true }))).toBe('check');
  expect(cueOf({ t: 'ended', room: 'ABCDEFGH', seq: 3, result: '1-0', reason: 'checkmate', pgn: '' })).toBe('end');
  expect(cueOf({ t: 'pong', serverTime: 0 })).toBeNull();
});

test('low time is a tenth of the initial time, from 10 to 60 seconds', () => {
  expect(lowTimeMs({ initialMs: 60_000, incrementMs: 0 })).toBe(10_000);
  expect(lowTimeMs({ initialMs: 300_000, incrementMs: 3_000 })).toBe(30_000);
  expect(lowTimeMs({ initialMs: 1_800_000, incrementMs: 0 })).toBe(60_000);
});
