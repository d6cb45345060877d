// Signalling through the room: only a seated player, only to the opponent's sockets (or the one
// named), nothing stored; everyone else gets their error.
import { describe, expect, test } from '@jest/globals';
import type { EngineCommand, Origin } from '@gambit/protocol';
import { decide } from './decide.js';
import { replay } from './chess.js';
import { START_FEN, type RoomState } from './state.js';

const W: Origin = { gw: 'gw1', conn: 'cw', playerId: 'g_w', name: 'white', id: 's1' };
const B: Origin = { gw: 'gw2', conn: 'cb', playerId: 'g_b', name: 'black' };
const seat = (o: Origin, conns: string[]) => ({ playerId: o.playerId, name: o.name, conns, reconnectVersion: 0, graceUntil: null });
const room = (blackConns = ['gw2/cb', 'gw3/cb2']): RoomState => ({
  code: 'ROOMROOM', gameId: 'g', status: 'active', tc: { initialMs: 60_000, incrementMs: 0 }, white: seat(W, ['gw1/cw']), black: seat(B, blackConns),
  moves: [], san: [], fen: START_FEN, clock: { white: 60_000, black: 60_000, running: 'white', at: 0 }, clockHistory: [], drawOffer: null, seq: 3,
  result: null, reason: null, pgn: null, createdAt: 0, startedAt: 0, endedAt: null, applied: [], series: { game: 1, score: {} }, rematchOffer: null,
});
const ctx = { now: 1, cmdId: '9-0', newGameId: () => 'x', coin: () => true, game: () => replay([]) };
const sig = (over: Partial<Extract<EngineCommand, { t: 'signal' }>> = {}): EngineCommand => ({ t: 'signal', origin: W, room: 'ROOMROOM', kind: 'offer', sdp: 'v=0', ...over });

describe('signal', () => {
  test('an offer goes to every socket of the opponent, from this socket, and changes nothing', () => {
    expect(decide(room(), sig(), ctx, 'ROOMROOM')).toEqual({ kind: 'reply', replies: [
      { gw: 'gw2', conn: 'cb', msg: { t: 'signal', room: 'ROOMROOM', from: 'cw', kind: 'offer', sdp: 'v=0' } },
      { gw: 'gw3', conn: 'cb2', msg: { t: 'signal', room: 'ROOMROOM', from: 'cw', kind: 'offer', sdp: 'v=0' } },
    ] });
  });

  test('with `to`, only that socket; a candidate carries its candidate', () => {
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const d = decide(room(), sig({ origin: B, to: 'cw', kind: 'candidate', sdp: undefined, candidate }), ctx, 'ROOMROOM');
    expect(d).toEqual({ kind: 'reply', replies: [{ gw: 'gw1', conn: 'cw', msg: { t: 'signal', room: 'ROOMROOM', from: 'cb', kind: 'candidate', candidate } }] });
  });

  test('a spectator, a gone socket, an opponent without sockets: their errors', () => {
    const spectator = { ...W, playerId: 'g_s' };
    expect(decide(room(), sig({ origin: spectator }), ctx, 'ROOMROOM')).toMatchObject({ replies: [{ conn: 'cw', msg: { t: 'error', code: 'not_a_player', id: 's1' } }] });
    expect(decide(room(), sig({ to: 'nope' }), ctx, 'ROOMROOM')).toMatchObject({ replies: [{ msg: { code: 'peer_unavailable' } }] });
    expect(decide(room([]), sig(), ctx, 'ROOMROOM')).toMatchObject({ replies: [{ msg: { code: 'peer_unavailable', message: 'your opponent is not connected' } }] });
  });
});
