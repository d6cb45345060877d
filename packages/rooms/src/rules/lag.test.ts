// Lag compensation (scalachess's LagTracker): the quota's numbers from the issue, the account move
// by move, and through decide() as the engine runs it: the time charged, late moves and late flags,
// the record, takebacks, rematches and rooms from before.
import { describe, expect, test } from '@jest/globals';
import { MAX_LAG_MS, type MovedMsg } from '@gambit/protocol';
import type { Decision } from './decide.js';
import { compensate, flagGrace, newTracker, quotaGain } from './lag.js';
import { stateMsg } from './state.js';
import { B, Room, W } from './test-room.js';

const tc = (minutes: number, incrementS = 0) => ({ initialMs: minutes * 60_000, incrementMs: incrementS * 1000 });
const errorOf = (d: Decision) => (d.kind === 'commit' && d.replies[0]?.msg.t === 'error' ? d.replies[0].msg.code : null);
const endOf = (r: Room) => r.events.find((e) => e.t === 'ended');
const lastMoved = (r: Room) => r.events.filter((e): e is MovedMsg => e.t === 'moved').at(-1)!;
/** A move that reached the gateway `thinkMs` after the mover's clock started, with `lag` estimated. */
function lagged(r: Room, uci: string, thinkMs: number, lag?: number): Decision {
  r.now += thinkMs;
  const o = r.state!.moves.length % 2 === 0 ? W : B;
  return r.run({ t: 'move', origin: o, room: 'ABCDEFGH', uci, ply: r.state!.moves.length, ...(lag === undefined ? {} : { lag }) });
}

describe('the quota', () => {
  test('gains min(100, (initial + 40 x increment) x 2/5 + 15) cs a move: 0.39 s at 1+0, 0.87 s at 3+0, 1 s from 5+0', () => {
    expect(quotaGain(tc(1))).toBe(390);
    expect(quotaGain(tc(3))).toBe(870);
    expect(quotaGain(tc(5))).toBe(1000);
    expect(quotaGain(tc(15, 10))).toBe(1000);
    expect(quotaGain(tc(2, 1))).toBe(790); // 120 + 40 s: 64 + 15 cs
    expect(quotaGain({ initialMs: 15_000, incrementMs: 0 })).toBe(210); // 1/4+0: 6 + 15 cs
  });

  test('starts at three gains and holds at most seven', () => {
    expect(newTracker(tc(1))).toEqual({ gain: 390, quota: 1_170, max: 2_730 });
    let t = newTracker(tc(3));
    for (let i = 0; i < 10; i++) t = compensate(t, 0).tracker;
    expect(t.quota).toBe(7 * 870);
  });

  test('a steady lag under the gain is compensated in full, every move', () => {
    let t = newTracker(tc(1));
    for (let i = 0; i < 50; i++) {
      const r = compensate(t, 300);
      expect(r.comp).toBe(300);
      t = r.tracker;
    }
  });

  test('a huge lag gets the quota, then one gain a move: never more', () => {
    let t = newTracker(tc(1));
    const comps: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = compensate(t, 10_000);
      comps.push(r.comp);
      t = r.tracker;
    }
    expect(comps).toEqual([1_170, 390, 390, 390, 390]);
  });

  test('the flag waits for what a late move could still get: the quota, 2 s at most', () => {
    expect(flagGrace(newTracker(tc(1)))).toBe(1_170);
    expect(flagGrace(newTracker(tc(5)))).toBe(MAX_LAG_MS); // 3 s of quota, capped
    expect(flagGrace(compensate(newTracker(tc(1)), 1_170).tracker)).toBe(390);
  });
});

describe('moves', () => {
  test('the mover is charged the time minus the compensation; moved carries the lag; the record keeps both', () => {
    const r = new Room(tc(1)).started();
    lagged(r, 'e2e4', 2_300, 300); // 2 s thinking, 0.3 s on the wire
    expect(lastMoved(r)).toMatchObject({ lag: 300, clock: { white: 58_000 } });
    lagged(r, 'e7e5', 1_000, 5_000); // a claim past the time the clock ran: the lag is at most that
    expect(lastMoved(r)).toMatchObject({ lag: 1_000, clock: { black: 60_000 } });
    lagged(r, 'g1f3', 4_000); // no estimate (a gateway of an earlier release): nothing off
    expect(lastMoved(r).lag).toBeUndefined();
    expect(lastMoved(r).clock.white).toBe(54_000);
    lagged(r, 'b8c6', 3_000, 9_999); // past MAX_LAG_MS; Black's quota: 1 170 + 390 - 1 000 = 560
    expect(lastMoved(r)).toMatchObject({ lag: MAX_LAG_MS, clock: { black: 60_000 - 3_000 + 560 } });
    expect(r.state!.lag!.black.quota).toBe(390); // 560 + 390 - 560
    r.run({ t: 'resign', origin: W, room: 'ABCDEFGH' });
    expect(r.record).toMatchObject({ lagHistory: [300, 1_000, 0, MAX_LAG_MS], compHistory: [300, 1_000, 0, 560], clockHistory: [58_000, 60_000, 54_000, 57_560] });
  });

  test('a move arriving past zero by less than the compensation its quota allows is played; by more, it flags', () => {
    // (After both first moves: before them a flag aborts the game, first-move.test.ts.)
    const saved = new Room({ initialMs: 5_000, incrementMs: 0 }).started(); // gain 170 ms, quota 510
    saved.play('e2e4', 'e7e5');
    const d = lagged(saved, 'g1f3', 5_400, 450);
    expect(errorOf(d)).toBeNull();
    expect(lastMoved(saved).clock.white).toBe(50); // 5 000 - (5 400 - 450)
    const late = new Room({ initialMs: 5_000, incrementMs: 0 }).started();
    late.play('e2e4', 'e7e5');
    expect(errorOf(lagged(late, 'g1f3', 5_400, 350))).toBe('game_over'); // 50 ms short
    expect(endOf(late)).toMatchObject({ result: '0-1', reason: 'timeout' });
    expect(late.state!.moves).toEqual(['e2e4', 'e7e5']);
  });

  test('an illegal move spends no quota', () => {
    const r = new Room(tc(1)).started();
    lagged(r, 'e2e5', 1_000, 800);
    expect(r.state!.lag).toBeUndefined();
    lagged(r, 'e2e4', 0, 800);
    expect(r.state!.lag!.white.quota).toBe(1_170 + 390 - 800);
  });
});

describe('the flag with nobody sending', () => {
  test('falls the quota-limited grace after zero, not before', () => {
    const r = new Room({ initialMs: 5_000, incrementMs: 0 }).started();
    lagged(r, 'e2e4', 1_000, 100); // White: quota 510 + 170 - 100
    lagged(r, 'e7e5', 0, 0); // Black: 510 + 170 - 0 (both have moved: a flag now loses, first-move.test.ts)
    lagged(r, 'g1f3', 0, 0);
    const grace = 680; // Black's quota
    r.now += 5_000 + grace - 1;
    expect(r.run({ t: 'tick' }).kind).toBe('reply');
    r.now += 1;
    r.run({ t: 'tick' });
    expect(endOf(r)).toMatchObject({ result: '1-0', reason: 'timeout' });
    expect(r.state!.clock).toMatchObject({ black: 0, running: null });
  });
});

describe('the game around it', () => {
  test('a takeback takes the undone plies\' lag with them; the quota spent stays spent', () => {
    const r = new Room(tc(1)).started();
    lagged(r, 'e2e4', 1_000, 200);
    lagged(r, 'e7e5', 1_000, 100);
    r.run({ t: 'takeback', origin: B, room: 'ABCDEFGH', action: 'offer' });
    r.run({ t: 'takeback', origin: W, room: 'ABCDEFGH', action: 'accept' });
    expect(r.state).toMatchObject({ moves: ['e2e4'], lagHistory: [200], compHistory: [200] });
    expect(r.state!.lag!.black.quota).toBe(1_170 + 390 - 100);
    lagged(r, 'd7d5', 1_000, 50);
    expect(r.state!.lagHistory).toEqual([200, 50]);
  });

  test('state carries each side\'s last lag while playing', () => {
    const r = new Room(tc(1)).started();
    expect(stateMsg(r.state!).lag).toBeUndefined();
    lagged(r, 'e2e4', 1_000, 200);
    lagged(r, 'e7e5', 1_000, 40);
    lagged(r, 'g1f3', 1_000, 180);
    expect(stateMsg(r.state!).lag).toEqual({ white: 180, black: 40 });
  });

  test('a rematch starts both accounts and histories afresh', () => {
    const r = new Room(tc(1)).started();
    lagged(r, 'e2e4', 1_000, 900);
    r.run({ t: 'resign', origin: B, room: 'ABCDEFGH' });
    r.run({ t: 'rematch', origin: W, room: 'ABCDEFGH', action: 'offer' });
    r.run({ t: 'rematch', origin: B, room: 'ABCDEFGH', action: 'accept' });
    expect(r.state).toMatchObject({ status: 'active', moves: [] });
    expect(r.state!.lag ?? null).toBeNull();
    expect(r.state!.lagHistory ?? []).toEqual([]);
  });

  test('a room from before lag compensation: earlier plies count 0, both accounts start fresh', () => {
    const r = new Room(tc(1)).started();
    r.play('e2e4', 'e7e5'); // no lag on these commands, as from an earlier release's gateway...
    delete r.state!.lag; // ...and an earlier release's engine, which kept nothing of it
    delete r.state!.lagHistory;
    delete r.state!.compHistory;
    lagged(r, 'g1f3', 1_000, 250);
    expect(r.state).toMatchObject({ lagHistory: [0, 0, 250], compHistory: [0, 0, 250], lag: { black: { quota: 1_170 } } });
    r.run({ t: 'resign', origin: B, room: 'ABCDEFGH' });
    expect(r.record).toMatchObject({ lagHistory: [0, 0, 250], compHistory: [0, 0, 250] });
  });
});
