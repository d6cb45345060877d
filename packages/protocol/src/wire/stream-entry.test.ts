// The transport entry: written as p k d, read back; long names read too; malformed entries named.
import { describe, expect, test } from '@jest/globals';
import { decodeEntry, encodeEntry, encodeEntryText } from './stream-entry.js';

const cmd = { t: 'move', room: 'ABCDEFGH', uci: 'e2e4', ply: 0 };

describe('transport entries', () => {
  test('written as p, k and d; read back as they were', () => {
    expect(encodeEntry('move', 'ABCDEFGH', cmd)).toEqual(['p', 'move', 'k', 'ABCDEFGH', 'd', JSON.stringify(cmd)]);
    expect(decodeEntry('1-0', encodeEntry('move', 'ABCDEFGH', cmd))).toEqual({ id: '1-0', pattern: 'move', key: 'ABCDEFGH', data: cmd });
    expect(encodeEntryText({ pattern: 'game.ended', key: 'ABCDEFGH', json: '{"a":1}' })).toEqual(['p', 'game.ended', 'k', 'ABCDEFGH', 'd', '{"a":1}']);
  });

  test('the long names pattern, key and data are read too (for the release that writes them)', () => {
    expect(decodeEntry('1-0', ['pattern', 'move', 'key', 'ABCDEFGH', 'data', JSON.stringify(cmd)])).toEqual({ id: '1-0', pattern: 'move', key: 'ABCDEFGH', data: cmd });
  });

  test('fields in any order, unknown fields ignored; no key: keyed by its id; no data: null', () => {
    expect(decodeEntry('1-0', ['x', 'y', 'd', '[1]', 'p', 'move', 'k', 'K'])).toEqual({ id: '1-0', pattern: 'move', key: 'K', data: [1] });
    expect(decodeEntry('2-0', ['p', 'move', 'd', '{}'])).toEqual({ id: '2-0', pattern: 'move', key: '2-0', data: {} });
    expect(decodeEntry('3-0', ['p', 'move', 'k', 'K'])).toEqual({ id: '3-0', pattern: 'move', key: 'K', data: null });
  });

  test('no pattern, or data that is not JSON: malformed, with its key', () => {
    const noPattern = decodeEntry('1-0', ['k', 'K', 'd', '{}']);
    expect(noPattern).toEqual({ id: '1-0', key: 'K', malformed: 'no pattern' });
    expect('malformed' in noPattern).toBe(true);
    expect(decodeEntry('2-0', ['p', 'move', 'k', 'K', 'd', '{oops'])).toEqual({ id: '2-0', key: 'K', malformed: 'data is not JSON' });
    expect(decodeEntry('3-0', [])).toEqual({ id: '3-0', key: '3-0', malformed: 'no pattern' });
    expect('malformed' in decodeEntry('4-0', encodeEntry('move', 'K', cmd))).toBe(false);
  });

  test('the trace context rides in traceparent and tracestate; entries without it decode as before', () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const fields = encodeEntry('move', 'ABCDEFGH', cmd, { traceparent: tp, tracestate: 'v=1' });
    expect(fields).toEqual(['p', 'move', 'k', 'ABCDEFGH', 'd', JSON.stringify(cmd), 'traceparent', tp, 'tracestate', 'v=1']);
    expect(decodeEntry('1-0', fields)).toEqual({ id: '1-0', pattern: 'move', key: 'ABCDEFGH', data: cmd, trace: { traceparent: tp, tracestate: 'v=1' } });
    expect(decodeEntry('2-0', encodeEntry('move', 'K', cmd, { traceparent: tp }))).toEqual({ id: '2-0', pattern: 'move', key: 'K', data: cmd, trace: { traceparent: tp } });
    // A tracestate alone is no context; an old entry has no `trace` at all.
    expect(decodeEntry('3-0', ['p', 'move', 'k', 'K', 'tracestate', 'v=1'])).toEqual({ id: '3-0', pattern: 'move', key: 'K', data: null });
    expect('trace' in decodeEntry('4-0', encodeEntry('move', 'K', cmd))).toBe(false);
  });
});
