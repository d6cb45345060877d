// The gateway's reading of its event stream's entries, including what older engines wrote.
import { describe, expect, test } from '@jest/globals';
import { decodeDelivery } from './events.js';

const moved = '{"t":"moved","seq":3,"room":"ABCDEFGH","ply":2,"uci":"e7e5"}';

describe('event stream entries', () => {
  test('a room event keeps its text exactly, with type and ply beside it', () => {
    expect(decodeDelivery(['r', 'ABCDEFGH', 't', 'moved', 'p', '2', 'e', moved])).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'moved', ply: 2, text: moved });
    expect(decodeDelivery(['r', 'ABCDEFGH', 't', 'draw_offered', 'e', '{"t":"draw_offered"}'])).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'draw_offered', text: '{"t":"draw_offered"}' });
  });

  test('an answer for one socket is JSON under d', () => {
    const d = { k: 'conn', conn: 'c1', msg: { t: 'error', code: 'stale_ply', message: 'x' } };
    expect(decodeDelivery(['d', JSON.stringify(d)])).toEqual(d);
  });

  test('a room event written by an engine of the previous version is still delivered', () => {
    const ev = JSON.parse(moved) as Record<string, unknown>;
    const d = decodeDelivery(['d', JSON.stringify({ k: 'room', room: 'ABCDEFGH', ev })]);
    expect(d).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'moved', ply: 2, text: JSON.stringify(ev) });
  });

  test('broken entries are refused or skipped, never half-read', () => {
    expect(() => decodeDelivery(['r', 'ABCDEFGH', 't', 'moved'])).toThrow('a room event needs r, t and e');
    expect(() => decodeDelivery(['d', '{not json'])).toThrow();
    expect(decodeDelivery(['x', 'y'])).toBeNull();
    expect(decodeDelivery([])).toBeNull();
  });
});
