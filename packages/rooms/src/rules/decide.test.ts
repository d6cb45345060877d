// The room state machine without Redis: each test drives decide() like the engine does.
import { describe, expect, test } from '@jest/globals';
import type { EngineCommand, Origin } from '@gambit/protocol';
import { decide, expire, type Decision } from './decide.js';
import { replay } from './chess.js';
import { START_FEN, upgradeState, type RoomState } from './state.js';
import { B, Room, W, X } from './test-room.js';

const errorOf = (d: Decision) => (d.kind === 'reply' && d.replies[0]?.msg.t === 'error' ? d.replies[0].msg.code : null);
const cmd = (t: 'resign' | 'abort' | 'leave' | 'watch' | 'join', origin: Origin): EngineCommand => ({ t, origin, room: 'ABCDEFGH' });

describe('room lifecycle', () => {
  test('create answers created + state; join starts the game for both', () => {
    const r = new Room();
    const created = r.run({ t: 'create', origin: { ...W, id: 'a1' }, tc: r.tc, color: 'black' });
    expect(created.kind === 'commit' && created.replies[0]?.msg).toEqual({ t: 'created', id: 'a1', room: 'ABCDEFGH', color: 'black' });
    expect(r.state!.status).toBe('waiting');
    const joined = r.run(cmd('join', B));
    expect(joined.kind === 'commit' && joined.replies[0]?.msg).toMatchObject({ t: 'joined', color: 'white' });
    expect(r.state!.status).toBe('active');
    expect(r.last()).toMatchObject({ t: 'started', seq: 1, white: { playerId: 'pb' }, black: { playerId: 'pw' } });
  });

  test('a third player gets room_full; a missing room is room_not_found', () => {
    const r = new Room().started();
    expect(errorOf(r.run(cmd('join', X)))).toBe('room_full');
    expect(errorOf(new Room().run(cmd('join', X)))).toBe('room_not_found');
  });

  test('the creator leaving a waiting room closes it (gone)', () => {
    const r = new Room();
    r.run({ t: 'create', origin: W, tc: r.tc, color: 'white' });
    const d = r.run(cmd('leave', W));
    expect(d.kind === 'commit' && d.state).toBeNull();
    expect(r.last()).toMatchObject({ t: 'closed', reason: 'left' });
  });

  test('waiting and ended rooms expire; active rooms do not', () => {
    const r = new Room().started();
    expect(expire(r.state!).kind).toBe('reply');
    r.run(cmd('resign', W));
    const d = expire(r.state!);
    expect(d.kind === 'commit' && d.state).toBeNull();
  });
});

describe('moves', () => {
  test('a legal move is applied once, with SAN, FEN, clock and kind', () => {
    const r = new Room().started();
    r.now += 3_000;
    r.move(W, 'e2e4');
    expect(r.last()).toMatchObject({ t: 'moved', ply: 1, uci: 'e2e4', san: 'e4', kind: 'move', check: false, clock: { white: 57_000, running: 'black' } });
    expect(r.state!.fen).toBe('rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1');
  });

  test('rejections change nothing: illegal, stale ply, not your turn, not a player, promotion without piece', () => {
    const r = new Room().started();
    const before = JSON.stringify(r.state);
    expect(errorOf(r.move(W, 'e2e5'))).toBe('illegal_move');
    expect(errorOf(r.move(W, 'e2e4', 3))).toBe('stale_ply');
    expect(errorOf(r.move(B, 'e7e5'))).toBe('not_your_turn');
    expect(errorOf(r.move(X, 'e2e4'))).toBe('not_a_player');
    expect(JSON.stringify(r.state)).toBe(before);
    const p = new Room().started();
    p.play('a2a4', 'b7b5', 'a4b5', 'h7h6', 'b5b6', 'h6h5', 'b6a7', 'h5h4');
    expect(errorOf(p.move(W, 'a7b8'))).toBe('illegal_move');
    p.move(W, 'a7b8n');
    expect(p.last()).toMatchObject({ t: 'moved', san: 'axb8=N', kind: 'promotion' });
  });

  test('the same command delivered twice has no second effect', () => {
    const r = new Room().started();
    r.run({ t: 'move', origin: W, room: 'ABCDEFGH', uci: 'e2e4', ply: 0 }, 'entry-7');
    const again = r.run({ t: 'move', origin: W, room: 'ABCDEFGH', uci: 'e2e4', ply: 0 }, 'entry-7');
    expect(again).toEqual({ kind: 'reply', replies: [] });
    expect(r.state!.moves).toEqual(['e2e4']);
  });

  test('castling and en passant are reported as such', () => {
    const r = new Room().started();
    r.play('e2e4', 'a7a6', 'e4e5', 'd7d5');
    r.move(W, 'e5d6');
    expect(r.last()).toMatchObject({ kind: 'en_passant', san: 'exd6' });
    r.play('a6a5', 'g1f3', 'a5a4', 'f1e2', 'b7b6');
    r.move(W, 'e1g1');
    expect(r.last()).toMatchObject({ kind: 'castle', san: 'O-O' });
  });
});

describe('every end reason', () => {
  const endOf = (r: Room) => r.events.find((e) => e.t === 'ended');

  test('checkmate', () => {
    const r = new Room().started();
    r.play('f2f3', 'e7e5', 'g2g4', 'd8h4');
    expect(endOf(r)).toMatchObject({ result: '0-1', reason: 'checkmate' });
    expect(r.finalized).toBe(1);
    // The record has the FEN before the first move and after each ply; the stored room only the last.
    expect(r.record!.fens).toEqual([START_FEN, ...['f2f3', 'e7e5', 'g2g4', 'd8h4'].map((_, i, all) => replay(all.slice(0, i + 1)).chess.fen())]);
    expect(r.record!.fens.at(-1)).toBe(r.state!.fen);
    expect(r.state).not.toHaveProperty('fens');
    expect(errorOf(r.move(W, 'a2a3'))).toBe('game_over');
  });

  test('stalemate', () => {
    const r = new Room().started();
    // Sam Loyd's 10-move stalemate.
    r.play('e2e3', 'a7a5', 'd1h5', 'a8a6', 'h5a5', 'h7h5', 'h2h4', 'a6h6', 'a5c7', 'f7f6', 'c7d7', 'e8f7', 'd7b7', 'd8d3', 'b7b8', 'd3h7', 'b8c8', 'f7g6', 'c8e6');
    expect(endOf(r)).toMatchObject({ result: '1/2-1/2', reason: 'stalemate' });
  });

  test('threefold repetition', () => {
    const r = new Room().started();
    r.play('g1f3', 'g8f6', 'f3g1', 'f6g8', 'g1f3', 'g8f6', 'f3g1', 'f6g8');
    expect(endOf(r)).toMatchObject({ result: '1/2-1/2', reason: 'threefold_repetition' });
  });

  test('resign', () => {
    const r = new Room().started();
    r.run(cmd('resign', B));
    expect(endOf(r)).toMatchObject({ result: '1-0', reason: 'resign' });
    expect(r.state!.pgn).toContain('[Result "1-0"]');
  });

  test('draw: offer, decline, offer, accept', () => {
    const r = new Room().started();
    expect(errorOf(r.run({ t: 'draw', origin: B, room: 'ABCDEFGH', action: 'accept' }))).toBe('bad_request');
    r.run({ t: 'draw', origin: W, room: 'ABCDEFGH', action: 'offer' });
    expect(r.last()).toMatchObject({ t: 'draw_offered', by: 'white' });
    r.run({ t: 'draw', origin: B, room: 'ABCDEFGH', action: 'decline' });
    expect(r.last()).toMatchObject({ t: 'draw_declined', by: 'black' });
    r.run({ t: 'draw', origin: B, room: 'ABCDEFGH', action: 'offer' });
    r.run({ t: 'draw', origin: W, room: 'ABCDEFGH', action: 'accept' });
    expect(endOf(r)).toMatchObject({ result: '1/2-1/2', reason: 'agreement' });
  });

  test('abort until both sides have moved, not after', () => {
    const r = new Room().started();
    r.play('e2e4');
    r.run(cmd('abort', B));
    expect(endOf(r)).toMatchObject({ result: null, reason: 'aborted' });
    const late = new Room().started();
    late.play('e2e4', 'e7e5');
    expect(errorOf(late.run(cmd('abort', W)))).toBe('bad_request');
  });

  test('timeout by the deadline tick, with nobody sending anything', () => {
    const r = new Room({ initialMs: 5_000, incrementMs: 0 }).started();
    r.play('e2e4', 'e7e5', 'g1f3'); // both have moved: a flag before that aborts (first-move.test.ts)
    // Zero on the clock, then the grace a move still on its way could be given (lag.test.ts): at 5 s + 0,
    // Black's quota of 510 ms plus the gain of 170 its first move brought.
    r.now += 4_999 + 680;
    expect(r.run({ t: 'tick' }).kind).toBe('reply');
    r.now += 1;
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ result: '1-0', reason: 'timeout' });
    expect(r.state!.clock).toMatchObject({ black: 0, running: null });
  });

  test('a move arriving after the flag fell ends the game on time instead', () => {
    const r = new Room({ initialMs: 5_000, incrementMs: 0 }).started();
    r.play('e2e4', 'e7e5');
    r.now += 6_000;
    const d = r.move(W, 'g1f3');
    expect(d.kind === 'commit' && d.replies[0]?.msg).toMatchObject({ t: 'error', code: 'game_over' });
    expect(endOf(r)).toMatchObject({ result: '0-1', reason: 'timeout' });
    expect(r.state!.moves).toEqual(['e2e4', 'e7e5']);
  });

  test('a side with a bare king cannot win on time: draw', () => {
    const r = new Room({ initialMs: 5_000, incrementMs: 0 }).started();
    // Give black a bare king by hand: the rule under test is the flag, not how we got there.
    r.play('e2e4', 'e7e5'); // (White to move, both have moved)
    const game = replay([]);
    game.chess.load('4k3/8/8/8/8/8/8/R3K3 w - - 0 1');
    r.now += 6_000;
    const d = decide(r.state, { t: 'tick' }, { now: r.now, cmdId: 'x', graceMs: 1, newGameId: () => 'g', coin: () => true, game: () => game }, 'ABCDEFGH');
    r.apply(d);
    expect(endOf(r)).toMatchObject({ result: '1/2-1/2', reason: 'timeout' });
  });

  test('a move declines the opponent\'s standing draw offer, visibly', () => {
    const r = new Room().started();
    r.run({ t: 'draw', origin: B, room: 'ABCDEFGH', action: 'offer' });
    r.move(W, 'e2e4');
    expect(r.events.slice(-2).map((e) => e.t)).toEqual(['draw_declined', 'moved']);
    expect(r.state!.drawOffer).toBeNull();
  });

  test('a disconnect needs the grace: without ctx.graceMs the rules refuse rather than guess one', () => {
    const r = new Room().started();
    const ctx = { now: r.now, cmdId: 'cmd-x', newGameId: () => 'game-1', coin: () => true, game: () => replay(r.state!.moves) };
    expect(() => decide(r.state, { t: 'disconnect', origin: B, room: 'ABCDEFGH' }, ctx, 'ABCDEFGH')).toThrow('graceMs');
    expect(decide(r.state, { t: 'tick' }, ctx, 'ABCDEFGH')).toEqual({ kind: 'reply', replies: [] }); // deadlines do not need it
  });

  test('abandoned by both: nobody stayed, a draw', () => {
    const r = new Room().started();
    r.run({ t: 'disconnect', origin: W, room: 'ABCDEFGH' });
    r.now += 1_000;
    r.run({ t: 'disconnect', origin: B, room: 'ABCDEFGH' });
    r.now += 20_000;
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ result: '1/2-1/2', reason: 'abandoned' });
  });

  test('abandoned: the grace runs out and the player who stayed wins', () => {
    const r = new Room().started();
    r.run({ t: 'disconnect', origin: B, room: 'ABCDEFGH' });
    expect(r.last()).toMatchObject({ t: 'presence', color: 'black', connected: false, reconnectVersion: 1, graceMs: 12_000 });
    r.now += 12_000;
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ result: '1-0', reason: 'abandoned' });
  });
});

describe('reconnect', () => {
  test('resume within the grace restores the seat with a newer presence version', () => {
    const r = new Room().started();
    r.run({ t: 'disconnect', origin: W, room: 'ABCDEFGH' });
    r.now += 5_000;
    const d = r.run({ t: 'resume', origin: { ...W, conn: 'c9' }, room: 'ABCDEFGH', seq: 1 });
    expect(d.kind === 'commit' && d.replay).toEqual({ origin: { ...W, conn: 'c9' }, after: 1 });
    expect(r.last()).toMatchObject({ t: 'presence', color: 'white', connected: true, reconnectVersion: 2 });
    r.now += 10_000; // past the original grace deadline
    r.run({ t: 'tick' });
    expect(r.state!.status).toBe('active');
  });

  test('a second socket of the same player keeps the seat connected when the first closes', () => {
    const r = new Room().started();
    r.run(cmd('join', { ...B, conn: 'c2b' }));
    const seqBefore = r.state!.seq;
    r.run({ t: 'disconnect', origin: B, room: 'ABCDEFGH' });
    expect(r.state!.seq).toBe(seqBefore);
    expect(r.state!.black!.conns).toEqual(['gw2/c2b']);
  });
});

describe('stored rooms from before `fen`', () => {
  test('a room with the old list of FENs reads as the current position, and play goes on', () => {
    const r = new Room().started();
    r.play('e2e4', 'e7e5');
    const { fen, ...rest } = r.state!;
    const old = { ...rest, fens: [START_FEN, 'x', fen] } as unknown as RoomState;
    r.state = upgradeState(old);
    expect(r.state.fen).toBe(fen);
    expect(r.state).not.toHaveProperty('fens');
    r.move(W, 'g1f3');
    expect(r.last()).toMatchObject({ t: 'moved', ply: 3, san: 'Nf3' });
  });
});
