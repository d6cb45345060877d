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
