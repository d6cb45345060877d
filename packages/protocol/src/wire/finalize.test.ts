// The finalize entry and its dead letter: written, read back, and a dead letter back to its original.
import { describe, expect, test } from '@jest/globals';
import type { GameRecord } from '../internal.js';
import { decodeDeadLetter, decodeFinalize, encodeDeadLetter, encodeFinalize } from './finalize.js';
import { decodeEntry, encodeEntryText } from './stream-entry.js';

const record = { gameId: 'g1', room: 'ABCDEFGH', result: '1-0', reason: 'resign' } as unknown as GameRecord;

describe('finalize entries', () => {
  test('a transport entry with pattern game.ended, key = the room, data = the record', () => {
    const fields = encodeFinalize('ABCDEFGH', record);
    expect(fields).toEqual(['p', 'game.ended', 'k', 'ABCDEFGH', 'd', JSON.stringify(record)]);
    expect(decodeEntry('1-0', fields)).toEqual({ id: '1-0', pattern: 'game.ended', key: 'ABCDEFGH', data: record });
    expect(decodeFinalize('1-0', fields)).toEqual({ id: '1-0', room: 'ABCDEFGH', record });
  });

  test('the trace context of the commit that ended the game rides along when there is one', () => {
    const trace = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    const fields = encodeFinalize('ABCDEFGH', record, trace);
    expect(fields.slice(6)).toEqual(['traceparent', trace.traceparent]);
    expect(decodeFinalize('1-0', fields)).toEqual({ id: '1-0', room: 'ABCDEFGH', record, trace });
    // A dead letter keeps it, so a replayed game is finished in the same trace.
    const dead = decodeDeadLetter('9-0', encodeDeadLetter({ pattern: 'game.ended', key: 'ABCDEFGH', json: JSON.stringify(record), trace }, { error: 'e', failedAt: 't', entry: '1-0' }));
    expect(dead).toMatchObject({ original: { trace } });
  });

  test('another pattern or a broken entry is malformed', () => {
    expect(decodeFinalize('1-0', ['p', 'move', 'k', 'ABCDEFGH', 'd', '{}'])).toEqual({ id: '1-0', key: 'ABCDEFGH', malformed: 'pattern move, not game.ended' });
    expect(decodeFinalize('2-0', ['k', 'ABCDEFGH', 'd', '{}'])).toMatchObject({ malformed: 'no pattern' });
  });
});

describe('dead letters', () => {
  const original = { pattern: 'game.ended', key: 'ABCDEFGH', json: JSON.stringify(record) };
  const failure = { error: 'TimeoutError: no answer', failedAt: '2026-11-18T10:02:03.123Z', entry: '1795418516612-0' };

  test('the original entry\'s fields, then error, failedAt and entry', () => {
    expect(encodeDeadLetter(original, failure)).toEqual([
      'p', 'game.ended', 'k', 'ABCDEFGH', 'd', original.json,
      'error', failure.error, 'failedAt', failure.failedAt, 'entry', failure.entry,
    ]);
  });

  test('decoded back to the original entry, text unchanged, for a replay', () => {
    const dead = decodeDeadLetter('9-0', encodeDeadLetter(original, failure));
    expect(dead).toEqual({ id: '9-0', original, ...failure });
    // A replay writes the original back: the finalize entry reads as the one that failed.
    expect(decodeFinalize('10-0', encodeEntryText((dead as { original: typeof original }).original))).toEqual({ id: '10-0', room: 'ABCDEFGH', record });
  });

  test('an invalid payload travels as its text, whatever it is', () => {
    const bad = { ...original, json: '{"gameId":"bad-1","white":"nobody"}' };
    expect(decodeDeadLetter('9-0', encodeDeadLetter(bad, failure))).toMatchObject({ original: bad });
  });

  test('without the original pattern or data it is not a finalizer\'s dead letter: malformed', () => {
    expect(decodeDeadLetter('9-0', ['k', 'ABCDEFGH', 'd', '{}', 'error', 'x'])).toMatchObject({ malformed: expect.any(String) });
    expect(decodeDeadLetter('9-0', ['p', 'game.ended', 'k', 'ABCDEFGH'])).toMatchObject({ malformed: expect.any(String) });
    // Without a key it keeps its own id as the key, as the transport would.
    expect(decodeDeadLetter('9-0', ['p', 'game.ended', 'd', '{}'])).toMatchObject({ original: { pattern: 'game.ended', key: '9-0', json: '{}' } });
  });
});
