// What one account job writes for one game: the seat plan, the PGN tag, the tombstone id.
import { describe, expect, test } from '@jest/globals';
import { storedId } from '@gambit/protocol';
import { planSeatRewrite, seatChange, setPgnTag, tombstoneId, type GameSeats } from './account-jobs.js';

const PGN = '[Event "Gambit casual game"]\n[White "Alice"]\n[Black "Bob \\"the rook\\""]\n[Result "1-0"]\n\n1. e4 e5 1-0\n';
const game = (over: Partial<GameSeats> = {}): GameSeats => ({
  white: { playerId: 'u_alice', name: 'Alice' }, black: { playerId: 'g_bob', name: 'Bob "the rook"' }, pgn: PGN, ...over,
});
const erase = seatChange({ kind: 'erase', jobId: 'job-1', playerId: 'u_alice', tombstone: 'deleted-7f3a' });
const adopt = seatChange({ kind: 'adopt', jobId: 'job-2', from: 'g_bob', to: 'u_bob', name: 'bob' });

describe('setPgnTag', () => {
  test('replaces the one tag, escaping quotes and backslashes as the engine writes them', () => {
    expect(setPgnTag(PGN, 'White', 'deleted-7f3a')).toBe(PGN.replace('[White "Alice"]', '[White "deleted-7f3a"]'));
    expect(setPgnTag(PGN, 'Black', 'a "b" \\ $& $1')).toBe(PGN.replace('[Black "Bob \\"the rook\\""]', () => '[Black "a \\"b\\" \\\\ $& $1"]'));
  });

  test('leaves a PGN without the tag, and the moves, alone', () => {
    expect(setPgnTag('1. e4 e5 *', 'White', 'x')).toBe('1. e4 e5 *');
    expect(setPgnTag('[WhiteElo "1500"]\n\n1. e4 *', 'White', 'x')).toBe('[WhiteElo "1500"]\n\n1. e4 *');
  });
});

describe('tombstoneId', () => {
  test('the same for a job, different between jobs, a stored id, and not the old id', () => {
    expect(tombstoneId('job-1')).toBe(tombstoneId('job-1'));
    expect(tombstoneId('job-1')).not.toBe(tombstoneId('job-2'));
    expect(storedId.safeParse(tombstoneId('job-1')).success).toBe(true);
    expect(erase).toEqual({ from: 'u_alice', to: { playerId: tombstoneId('job-1'), name: 'deleted-7f3a' } });
  });
});

describe('planSeatRewrite', () => {
  test('a seat still the player\'s: the game item at its revision, and the rows', () => {
    expect(planSeatRewrite(game(), { playerId: 'u_alice' }, 'white', erase)).toEqual({
      write: true, game: { ref: erase.to, pgn: setPgnTag(PGN, 'White', 'deleted-7f3a'), rev: 0 },
    });
    expect(planSeatRewrite(game({ rev: 3 }), { playerId: 'g_bob' }, 'black', adopt)).toEqual({
      write: true, game: { ref: { playerId: 'u_bob', name: 'bob' }, pgn: setPgnTag(PGN, 'Black', 'bob'), rev: 3 },
    });
  });

  test('the game item already handed over (a run cut before its rows): only the rows', () => {
    const written = game({ white: erase.to, pgn: setPgnTag(PGN, 'White', 'deleted-7f3a'), rev: 1 });
    expect(planSeatRewrite(written, { playerId: 'u_alice' }, 'white', erase)).toEqual({ write: true, game: null });
  });

  test('the own row moved (it moves last): done, nothing to write', () => {
    expect(planSeatRewrite(game(), { playerId: erase.to.playerId }, 'white', erase)).toEqual({ write: false, why: 'done' });
  });

  test('a row or seat of someone else, or no game: nothing to write', () => {
    expect(planSeatRewrite(game(), { playerId: 'u_carol' }, 'white', erase)).toEqual({ write: false, why: 'foreign' });
    expect(planSeatRewrite(game(), { playerId: 'u_alice' }, 'black', erase)).toEqual({ write: false, why: 'foreign' });
    expect(planSeatRewrite(null, { playerId: 'u_alice' }, 'white', erase)).toEqual({ write: false, why: 'missing' });
    expect(planSeatRewrite(game(), null, 'white', erase)).toEqual({ write: false, why: 'missing' });
  });

  test('a game against oneself: each seat on its own', () => {
    const self = game({ black: { playerId: 'u_alice', name: 'Alice' }, pgn: PGN.replace('Bob \\"the rook\\"', 'Alice') });
    const white = planSeatRewrite(self, { playerId: 'u_alice' }, 'white', erase);
    expect(white).toMatchObject({ write: true, game: { pgn: expect.stringContaining('[White "deleted-7f3a"]\n[Black "Alice"]') } });
    const afterWhite = { ...self, white: erase.to, pgn: (white as { game: { pgn: string } }).game.pgn, rev: 1 };
    expect(planSeatRewrite(afterWhite, { playerId: 'u_alice' }, 'black', erase)).toMatchObject({
      write: true, game: { rev: 1, pgn: expect.stringContaining('[White "deleted-7f3a"]\n[Black "deleted-7f3a"]') },
    });
  });
});
