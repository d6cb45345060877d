import { expect, test } from '@jest/globals';
import { failed, initialState, isLeader, nextStep, notHolding, observe, release, written, type LeaseRecord } from './leader.js';

const cfg = { identity: 'me', leaseDurationMs: 15_000, renewDeadlineMs: 10_000 };
const lease = (over: Partial<LeaseRecord> = {}): LeaseRecord => ({ holder: 'other', leaseDurationSeconds: 15, acquireTime: 0, renewTime: 0, transitions: 3, resourceVersion: '10', ...over });

test('no Lease: create it, holding it', () => {
  const s = observe(initialState(), null, 1_000);
  expect(nextStep(s, cfg, 1_000)).toEqual({ kind: 'create', lease: { holder: 'me', leaseDurationSeconds: 15, acquireTime: 1_000, renewTime: 1_000, transitions: 0 } });
});

test('held by another and renewed within its duration (by our clock): wait', () => {
  // Its renewTime is far in the past by its clock; what counts is when we saw it change.
  let s = observe(initialState(), lease({ renewTime: -1e9 }), 100_000);
  expect(nextStep(s, cfg, 110_000)).toMatchObject({ kind: 'wait', holder: 'other', expiresInMs: 5_000 });
  s = observe(s, lease({ resourceVersion: '11' }), 110_000); // it renewed
  expect(nextStep(s, cfg, 120_000)).toMatchObject({ kind: 'wait', expiresInMs: 5_000 });
  // Same record read again: no renewal seen, so the clock keeps running from 110 000.
  s = observe(s, lease({ resourceVersion: '11' }), 124_000);
  expect(nextStep(s, cfg, 124_000)).toMatchObject({ kind: 'wait', expiresInMs: 1_000 });
});

test('not renewed for its duration, or released: take it over, one more transition', () => {
  const s = observe(initialState(), lease(), 100_000);
  expect(nextStep(s, cfg, 115_000)).toEqual({ kind: 'update', resourceVersion: '10', lease: { holder: 'me', leaseDurationSeconds: 15, acquireTime: 115_000, renewTime: 115_000, transitions: 4 } });
  const released = observe(initialState(), lease({ holder: null }), 100_000);
  expect(nextStep(released, cfg, 100_001)).toMatchObject({ kind: 'update', lease: { holder: 'me', transitions: 4 } });
});

test('ours: renew, keeping the acquire time and the transitions', () => {
  const s = observe(initialState(), lease({ holder: 'me', acquireTime: 5_000 }), 100_000);
  expect(nextStep(s, cfg, 100_000)).toEqual({ kind: 'update', resourceVersion: '10', lease: { holder: 'me', leaseDurationSeconds: 15, acquireTime: 5_000, renewTime: 100_000, transitions: 3 } });
});

test('leading lasts until the renew deadline without a successful renewal', () => {
  let s = written(initialState(), lease({ holder: 'me', resourceVersion: '12' }), 100_000);
  expect(isLeader(s, cfg, 100_000)).toBe(true);
  s = failed(s, cfg, 105_000); // a conflict or an unreachable API server: still within the deadline
  expect(isLeader(s, cfg, 105_000)).toBe(true);
  expect(isLeader(s, cfg, 110_000)).toBe(false); // the deadline passes even without another round
  s = failed(s, cfg, 110_000);
  expect(s.renewedAt).toBeNull();
  // Someone else holds it now: not leading.
  const t = notHolding(written(initialState(), lease({ holder: 'me' }), 1));
  expect(isLeader(t, cfg, 1)).toBe(false);
});

test('the leader steps down before anyone may take over (renewDeadline < leaseDuration)', () => {
  const mine = written(initialState(), lease({ holder: 'me', resourceVersion: '20' }), 100_000);
  const theirs = observe(initialState(), lease({ holder: 'me', resourceVersion: '20' }), 100_000);
  for (let t = 100_000; t < 130_000; t += 500) {
    const other = nextStep(theirs, { ...cfg, identity: 'other' }, t).kind !== 'wait';
    expect(isLeader(mine, cfg, t) && other).toBe(false);
  }
});

test('release: a leader gives the Lease up with a 1 s duration; a non-leader has nothing to release', () => {
  const s = written(initialState(), lease({ holder: 'me', resourceVersion: '30' }), 100_000);
  expect(release(s, cfg, 101_000)).toEqual({ resourceVersion: '30', lease: { holder: null, leaseDurationSeconds: 1, acquireTime: null, renewTime: 101_000, transitions: 3 } });
  expect(release(initialState(), cfg, 1)).toBeNull();
});

test('durations are whole seconds, rounded up', () => {
  expect(nextStep(initialState(), { ...cfg, leaseDurationMs: 1_500 }, 0)).toMatchObject({ lease: { leaseDurationSeconds: 2 } });
});
