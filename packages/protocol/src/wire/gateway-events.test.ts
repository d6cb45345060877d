// A gateway's event stream entries: what is written now, and what older engines wrote (still read).
import { describe, expect, test } from '@jest/globals';
import type { GatewayDelivery } from '../internal.js';
import { decodeGatewayEntry, encodeDelivery, encodeRoomEvent } from './gateway-events.js';

const moved = '{"t":"moved","seq":3,"room":"ABCDEFGH","ply":2,"uci":"e7e5"}';

describe('gateway event entries', () => {
  test('a room event is written as room, type, ply (moved only) and its text, which is read back exactly', () => {
    // This release writes the short names an earlier gateway reads (see the codec's opening comment).
    expect(encodeRoomEvent('ABCDEFGH', 'moved', 2, moved)).toEqual(['r', 'ABCDEFGH', 't', 'moved', 'p', '2', 'e', moved]);
    expect(encodeRoomEvent('ABCDEFGH', 'draw_offered', undefined, '{"t":"draw_offered"}')).toEqual(['r', 'ABCDEFGH', 't', 'draw_offered', 'e', '{"t":"draw_offered"}']);
    const d = decodeGatewayEntry(encodeRoomEvent('ABCDEFGH', 'moved', 2, moved));
    expect(d).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'moved', ply: 2, text: moved });
    expect((d as { text: string }).text).toBe(moved); // the very string: sent to sockets without re-encoding
    // The layout's own names, which the next release writes, are read already.
    expect(decodeGatewayEntry(['room', 'ABCDEFGH', 'type', 'draw_offered', 'event', '{"t":"draw_offered"}'])).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'draw_offered', text: '{"t":"draw_offered"}' });
    expect(decodeGatewayEntry(['room', 'ABCDEFGH', 'type', 'moved', 'ply', '2', 'event', moved])).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'moved', ply: 2, text: moved });
    expect(decodeGatewayEntry(['delivery', JSON.stringify({ k: 'conn', conn: 'c1', msg: { t: 'pong', serverTime: 1 } })])).toEqual({ k: 'conn', conn: 'c1', msg: { t: 'pong', serverTime: 1 } });
  });

  test('every kind of delivery reads back as it was written', () => {
    const all: GatewayDelivery[] = [
      { k: 'room', room: 'ABCDEFGH', t: 'moved', ply: 2, text: moved },
      { k: 'room', room: 'ABCDEFGH', t: 'closed', text: '{"t":"closed","seq":1,"room":"ABCDEFGH","reason":"left"}' },
      { k: 'conn', conn: 'c1', msg: { t: 'error', code: 'stale_ply', message: 'x' } },
      { k: 'conn', conn: 'c1', msg: { t: 'joined', id: 'j1', room: 'ABCDEFGH', color: 'black' }, sub: 'ABCDEFGH' },
      { k: 'conn', conn: 'c1', msg: { t: 'pong', serverTime: 1 }, unsub: 'ABCDEFGH' },
      { k: 'replay', conn: 'c1', room: 'ABCDEFGH', events: [JSON.parse(moved) as never] },
    ];
    for (const d of all) expect(decodeGatewayEntry(encodeDelivery(d))).toEqual(d);
    expect(encodeDelivery(all[2]!)).toEqual(['d', JSON.stringify(all[2])]);
  });

  test('old layout: a room event as r, t, p (the ply) and e', () => {
    expect(decodeGatewayEntry(['r', 'ABCDEFGH', 't', 'moved', 'p', '2', 'e', moved])).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'moved', ply: 2, text: moved });
    expect(decodeGatewayEntry(['r', 'ABCDEFGH', 't', 'draw_offered', 'e', '{"t":"draw_offered"}'])).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'draw_offered', text: '{"t":"draw_offered"}' });
  });

  test('old layout: any other delivery as JSON under d', () => {
    const d = { k: 'conn', conn: 'c1', msg: { t: 'error', code: 'stale_ply', message: 'x' } };
    expect(decodeGatewayEntry(['d', JSON.stringify(d)])).toEqual(d);
  });

  test('oldest layout: a room event as an object under d, turned into its text once', () => {
    const ev = JSON.parse(moved) as Record<string, unknown>;
    expect(decodeGatewayEntry(['d', JSON.stringify({ k: 'room', room: 'ABCDEFGH', ev })])).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'moved', ply: 2, text: JSON.stringify(ev) });
    const offer = { t: 'draw_offered', seq: 4, room: 'ABCDEFGH', by: 'white' };
    expect(decodeGatewayEntry(['d', JSON.stringify({ k: 'room', room: 'ABCDEFGH', ev: offer })])).toEqual({ k: 'room', room: 'ABCDEFGH', t: 'draw_offered', text: JSON.stringify(offer) });
  });

  test('broken entries are refused or skipped, never half-read', () => {
    expect(() => decodeGatewayEntry(['room', 'ABCDEFGH', 'type', 'moved'])).toThrow('a room event needs room, type and event');
    expect(() => decodeGatewayEntry(['r', 'ABCDEFGH', 't', 'moved'])).toThrow('a room event needs room, type and event');
    expect(() => decodeGatewayEntry(['delivery', '{not json'])).toThrow();
    expect(() => decodeGatewayEntry(['d', '{not json'])).toThrow();
    expect(decodeGatewayEntry(['x', 'y'])).toBeNull();
    expect(decodeGatewayEntry(['delivery'])).toBeNull();
    expect(decodeGatewayEntry([])).toBeNull();
  });
});
