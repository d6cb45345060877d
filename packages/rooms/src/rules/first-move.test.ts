// The first-move timer (lichess's limits by speed): a side that never moves aborts the game with
// no result, through the deadline scan (tick) or when its late first move arrives.
import { describe, expect, test } from '@jest/globals';
import { FIRST_MOVE_MS, firstMoveDeadline, firstMoveLimitMs } from '@gambit/protocol';
import { B, Room, W } from './test-room.js';

const endOf = (r: Room) => r.events.find((e) => e.t === 'ended');

test('the limit follows the speed: 20 s bullet, 25 s blitz, 30 s rapid, 35 s classical', () => {
  expect(firstMoveLimitMs({ initialMs: 60_000, incrementMs: 0 })).toBe(20_000);
  expect(firstMoveLimitMs({ initialMs: 180_000, incrementMs: 2_000 })).toBe(25_000);
  expect(firstMoveLimitMs({ initialMs: 600_000, incrementMs: 5_000 })).toBe(30_000);
  expect(firstMoveLimitMs({ initialMs: 1_800_000, incrementMs: 20_000 })).toBe(35_000);
  expect(Object.values(FIRST_MOVE_MS)).toEqual([20_000, 25_000, 30_000, 35_000]);
});

describe('the deadline', () => {
  test("opens at the start for White, at White's first move for Black, and closes after both moved", () => {
    const r = new Room().started();
    const start = r.now;
    expect(firstMoveDeadline(r.state!)).toBe(start + 20_000);
    r.now += 7_000;
    r.play('e2e4');
    expect(firstMoveDeadline(r.state!)).toBe(start + 7_000 + 20_000);
    r.now += 3_000;
    r.play('e7e5');
    expect(firstMoveDeadline(r.state!)).toBeNull();
  });

  test('a waiting or finished game has none', () => {
    const r = new Room();
    r.run({ t: 'create', origin: W, tc: r.tc, color: 'white' });
    expect(firstMoveDeadline(r.state!)).toBeNull();
    r.run({ t: 'join', origin: B, room: 'ABCDEFGH' });
    r.run({ t: 'resign', origin: B, room: 'ABCDEFGH' });
    expect(firstMoveDeadline(r.state!)).toBeNull();
  });
});

describe('aborting', () => {
  test('White never moves: the scan aborts the game at the limit, not a millisecond before', () => {
    const r = new Room().started();
    r.now += 19_999;
    r.run({ t: 'tick' });
    expect(r.state!.status).toBe('active');
    r.now += 1;
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ result: null, reason: 'aborted' });
    expect(r.record).toMatchObject({ result: null, reason: 'aborted', winner: null });
  });

  test('Black never answers: aborted too, with no result', () => {
    const r = new Room({ initialMs: 180_000, incrementMs: 2_000 }).started();
    r.play('d2d4');
    r.now += 25_000;
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ result: null, reason: 'aborted' });
  });

  test('a first move arriving after the limit is refused and the game is aborted', () => {
    const r = new Room().started();
    r.now += 20_500;
    const d = r.move(W, 'e2e4');
    expect(d.kind).toBe('commit');
    if (d.kind !== 'commit') return;
    expect(d.replies[0]!.msg).toMatchObject({ t: 'error', code: 'game_over' });
    expect(r.state!.moves).toEqual([]);
    expect(endOf(r)).toMatchObject({ reason: 'aborted' });
  });

  test('once both have moved, thinking longer than the limit is only the clock', () => {
    const r = new Room().started();
    r.play('e2e4', 'e7e5');
    r.now += 30_000;
    r.run({ t: 'tick' });
    expect(r.state!.status).toBe('active');
    r.play('g1f3');
    expect(r.state!.moves).toHaveLength(3);
  });

  test('a grace that ran out before the limit still ends the game as abandoned', () => {
    const r = new Room().started();
    r.run({ t: 'disconnect', origin: B, room: 'ABCDEFGH' });
    r.now += 25_000; // the scan comes late for both deadlines: the grace (12 s) was first
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ result: '1-0', reason: 'abandoned' });
  });
});

describe('with clocks and courtesies', () => {
  test('a clock shorter than the limit: the flag before a first move aborts, never a loss on time', () => {
    const r = new Room({ initialMs: 15_000, incrementMs: 0 }).started();
    r.now += 15_000 + 2_000; // past the flag and any lag grace, before the 20 s limit
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ result: null, reason: 'aborted' });
  });

  test('moretime to the side to move does not open its first-move window anew', () => {
    const r = new Room().started();
    const deadline = firstMoveDeadline(r.state!);
    r.now += 15_000;
    r.run({ t: 'moretime', origin: W, room: 'ABCDEFGH' }); // White gives Black 15 s...
    r.run({ t: 'moretime', origin: B, room: 'ABCDEFGH' }); // ...and Black gives White 15 s back
    expect(firstMoveDeadline(r.state!)).toBe(deadline);
    r.now += 5_000;
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ reason: 'aborted' });
  });
});

test('after the flag, a player cannot accept a draw in the lag grace: the game ends on time first', () => {
  const r = new Room().started();
  r.play('e2e4', 'e7e5', 'g1f3');
  r.run({ t: 'draw', origin: W, room: 'ABCDEFGH', action: 'offer' });
  r.now += 60_000 + 100; // Black's clock: 60 s, run out 100 ms ago (inside any grace a move gets)
  const d = r.run({ t: 'draw', origin: B, room: 'ABCDEFGH', action: 'accept' });
  expect(d.kind === 'commit' && d.replies[0]!.msg).toMatchObject({ t: 'error', code: 'game_over' });
  expect(endOf(r)).toMatchObject({ result: '1-0', reason: 'timeout' });
});
