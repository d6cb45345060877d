// A paired room from the matchmaker's command, through decide() as the engine runs it.
import { describe, expect, test } from '@jest/globals';
import type { EngineCommand, Origin } from '@gambit/protocol';
import { decide, type Decision } from './decide.js';
import { replay } from './chess.js';

const A: Origin = { gw: 'gw1', conn: 'c1', playerId: 'u_a', name: 'alice', cid: 'pair.x' };
const B: Origin = { gw: 'gw2', conn: 'c2', playerId: 'u_b', name: 'bob', cid: 'pair.x' };
const cmd = (over: Partial<Extract<EngineCommand, { t: 'pair' }>> = {}): EngineCommand =>
  ({ t: 'pair', origin: A, opponent: B, tc: { initialMs: 180_000, incrementMs: 2_000 }, rated: false, pool: '3+2', ...over });
const run = (c: EngineCommand, coin = true): Decision =>
  decide(null, c, { now: 5_000, cmdId: '1-0', newGameId: () => 'game-1', coin: () => coin, game: () => replay([]) }, 'PAIRPAIR');

describe('pair', () => {
  test('both seated, the clock running for White, each socket told and subscribed before `started`', () => {
    const d = run(cmd());
    if (d.kind !== 'commit') throw new Error('expected a commit');
    expect(d.state).toMatchObject({
      status: 'active', gameId: 'game-1', startedAt: 5_000, seq: 1,
      white: { playerId: 'u_a', conns: ['gw1/c1'] }, black: { playerId: 'u_b', conns: ['gw2/c2'] },
      clock: { white: 180_000, black: 180_000, running: 'white', at: 5_000 },
    });
    expect(d.replies).toEqual([
      { gw: 'gw1', conn: 'c1', sub: 'PAIRPAIR', msg: { t: 'paired', room: 'PAIRPAIR', color: 'white', pool: '3+2', rated: false } },
      { gw: 'gw2', conn: 'c2', sub: 'PAIRPAIR', msg: { t: 'paired', room: 'PAIRPAIR', color: 'black', pool: '3+2', rated: false } },
    ]);
    expect(d.events).toEqual([expect.objectContaining({ t: 'started', seq: 1, room: 'PAIRPAIR', white: { playerId: 'u_a', name: 'alice', connected: true } })]);
  });

  test('the coin picks the colours', () => {
    const d = run(cmd(), false);
    expect(d.kind === 'commit' && d.state?.white?.playerId).toBe('u_b');
  });

  test('rated only between accounts, never a player against themselves: such a command changes nothing', () => {
    expect(run(cmd({ rated: true }))).toMatchObject({ kind: 'commit', state: { rated: true } });
    expect(run(cmd({ rated: true, opponent: { ...B, playerId: 'g_guest' } }))).toEqual({ kind: 'reply', replies: [] });
    expect(run(cmd({ opponent: { ...B, playerId: 'u_a' } }))).toEqual({ kind: 'reply', replies: [] });
  });
});

describe('pair in the friends\' own room (an accepted challenge)', () => {
  const challenge = (over: Partial<Extract<EngineCommand, { t: 'pair' }>> = {}) =>
    cmd({ pool: undefined, challenge: 'ch-1', room: 'PAIRPAIR', color: 'black', ...over });
  const ctx = (cmdId: string, now = 9_000) => ({ now, cmdId, newGameId: () => `game-${cmdId}`, coin: () => true, game: () => replay([]) });
  /** Their first game, ended: alice had White and won. */
  const ended = () => {
    const d = decide(null, challenge({ color: 'white' }), ctx('1-0', 5_000), 'PAIRPAIR');
    if (d.kind !== 'commit' || !d.state) throw new Error('expected a commit');
    return { ...d.state, status: 'ended' as const, result: '1-0' as const, reason: 'resign' as const, endedAt: 8_000, series: { game: 1, score: { u_a: 1, u_b: 0 } } };
  };

  test('a room that is gone is made, and `paired` names the challenge', () => {
    const d = decide(null, challenge(), ctx('1-0'), 'PAIRPAIR');
    if (d.kind !== 'commit') throw new Error('expected a commit');
    expect(d.state).toMatchObject({ code: 'PAIRPAIR', white: { playerId: 'u_b' }, black: { playerId: 'u_a' }, series: { game: 1 } });
    expect(d.replies.map((r) => r.msg)).toEqual([
      { t: 'paired', room: 'PAIRPAIR', color: 'white', rated: false, challenge: 'ch-1' },
      { t: 'paired', room: 'PAIRPAIR', color: 'black', rated: false, challenge: 'ch-1' },
    ]);
  });

  test('their finished game\'s room plays the next game: the challenge\'s clock and colours, the series goes on', () => {
    const room = ended();
    const d = decide(room, challenge({ tc: { initialMs: 60_000, incrementMs: 0 }, rated: true }), ctx('2-0'), 'PAIRPAIR');
    if (d.kind !== 'commit' || !d.state) throw new Error('expected a commit');
    expect(d.state).toMatchObject({
      status: 'active', gameId: 'game-2-0', tc: { initialMs: 60_000, incrementMs: 0 }, rated: true, seq: room.seq + 1,
      white: { playerId: 'u_b' }, black: { playerId: 'u_a' }, moves: [], result: null, startedAt: 9_000,
      series: { game: 2, score: { u_a: 1, u_b: 0 } }, clock: { white: 60_000, black: 60_000, running: 'white', at: 9_000 },
    });
    expect(d.events).toEqual([expect.objectContaining({ t: 'started', seq: room.seq + 1, rated: true, series: { game: 2, score: { u_a: 1, u_b: 0 } } })]);
    // A reload since the last game: the old socket stays with the seat, the answering one is added.
    expect(d.state.black!.conns).toEqual(['gw1/c1']);
  });

  test('a redelivered command changes nothing the second time', () => {
    const d = decide(ended(), challenge(), ctx('2-0'), 'PAIRPAIR');
    if (d.kind !== 'commit' || !d.state) throw new Error('expected a commit');
    expect(decide(d.state, challenge(), ctx('2-0'), 'PAIRPAIR')).toEqual({ kind: 'reply', replies: [] });
  });

  test('a game still in play there is not replaced: the accepter hears in_game', () => {
    const room = { ...ended(), status: 'active' as const, result: null, reason: null, endedAt: null };
    expect(decide(room, challenge({ opponent: { ...B, id: 'a1' } }), ctx('2-0'), 'PAIRPAIR')).toEqual({
      kind: 'reply', replies: [{ gw: 'gw2', conn: 'c2', msg: { t: 'error', id: 'a1', code: 'in_game', message: 'your game in room PAIRPAIR is still being played', room: 'PAIRPAIR' } }],
    });
  });

  test('a room of other players under that code is left alone (the engine finds them a fresh one)', () => {
    const others = { ...ended(), white: { ...ended().white!, playerId: 'u_x' } };
    expect(decide(others, challenge(), ctx('2-0'), 'PAIRPAIR')).toEqual({ kind: 'reply', replies: [] });
  });
});

describe('the seats of the next game in the friends\' room', () => {
  const ctx = (cmdId: string) => ({ now: 9_000, cmdId, newGameId: () => `game-${cmdId}`, coin: () => true, game: () => replay([]) });
  test('a tab still on the finished game stays seated; one that left the room does not', () => {
    const first = decide(null, cmd({ pool: undefined, room: 'PAIRPAIR', challenge: 'c1', color: 'white' }), ctx('1-0'), 'PAIRPAIR');
    if (first.kind !== 'commit' || !first.state) throw new Error('expected a commit');
    const over = { ...first.state, status: 'ended' as const, result: '1/2-1/2' as const, reason: 'agreement' as const };
    const again = cmd({ pool: undefined, room: 'PAIRPAIR', challenge: 'c2', color: 'white', origin: { ...A, conn: 'c7' } });
    const stayed = decide(over, again, ctx('2-0'), 'PAIRPAIR');
    expect(stayed.kind === 'commit' && stayed.state?.white?.conns).toEqual(['gw1/c1', 'gw1/c7']);
    const left = decide({ ...over, white: { ...over.white!, left: true } }, again, ctx('2-0'), 'PAIRPAIR');
    expect(left.kind === 'commit' && left.state?.white).toMatchObject({ conns: ['gw1/c7'] });
    expect(left.kind === 'commit' && left.state?.white?.left).toBeUndefined();
  });
});
