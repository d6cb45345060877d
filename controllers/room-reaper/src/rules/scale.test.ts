import { describe, expect, test } from '@jest/globals';
import { decideScale, parseSpec, scalingBlocker, type Ownership, type ScaleInput, type ScalePolicy } from './scale.js';

const policy: ScalePolicy = { targetPerPod: 100, minReplicas: 2, maxReplicas: 10, tolerance: 0.1, scaleUpWindowMs: 0, scaleDownWindowMs: 0 };
const T0 = 1_000_000;
const input = (over: Partial<ScaleInput>): ScaleInput => ({ policy, currentReplicas: 4, counts: [100, 100, 100, 100], history: [], observingSince: 0, now: T0, ...over });

describe('desired replicas', () => {
  test('load at the target holds; above asks for more; below for fewer', () => {
    expect(decideScale(input({})).desired).toBe(4);
    expect(decideScale(input({ counts: [250, 250, 250, 250] }))).toMatchObject({ desired: 10, recommendation: 10, reason: 'Load', totalConnections: 1000 });
    expect(decideScale(input({ counts: [50, 50, 50, 60] }))).toMatchObject({ desired: 3, reason: 'Load' });
  });

  test('within the tolerance nothing moves', () => {
    expect(decideScale(input({ counts: [109, 109, 109, 109] }))).toMatchObject({ desired: 4, reason: 'WithinTolerance' });
    expect(decideScale(input({ counts: [91, 91, 91, 91] }))).toMatchObject({ desired: 4, reason: 'WithinTolerance' });
    expect(decideScale(input({ counts: [112, 112, 112, 112] })).desired).toBe(5);
  });

  test('no data: no pod reports a count, so the size holds', () => {
    expect(decideScale(input({ counts: [null, null, null, null] }))).toMatchObject({ desired: 4, recommendation: null, reason: 'NoMetrics', reportingPods: 0 });
    expect(decideScale(input({ counts: [] }))).toMatchObject({ desired: 4, reason: 'NoMetrics' });
  });

  test('stale counts: a pod without a count never drives a change', () => {
    // The others are busy: the silent pod is assumed empty, so the ask is smaller, not larger.
    expect(decideScale(input({ counts: [300, 300, 300, null] }))).toMatchObject({ desired: 9, reportingPods: 3 });
    // The others are idle: the silent pod is assumed full, so we do not scale it away on a guess.
    expect(decideScale(input({ counts: [0, 0, 0, null] }))).toMatchObject({ desired: 2, reportingPods: 3 });
    expect(decideScale(input({ counts: [95, 95, 95, null] }))).toMatchObject({ desired: 4, reason: 'WithinTolerance' });
    // Slightly above target only because of the guess: assuming the silent pod empty flips it below: hold.
    expect(decideScale(input({ counts: [120, 120, 120, null] }))).toMatchObject({ desired: 4, reason: 'WithinTolerance' });
  });

  test('a pod with zero connections counts as zero, and all-zero goes to the minimum', () => {
    expect(decideScale(input({ counts: [0, 0, 0, 0] }))).toMatchObject({ desired: 2, recommendation: 0, limited: 'min' });
    expect(decideScale(input({ counts: [0, 200, 200, 0] })).desired).toBe(4);
  });

  test('min/max clamps, and a Deployment outside the range is brought into it even without data', () => {
    expect(decideScale(input({ counts: [1000, 1000, 1000, 1000] }))).toMatchObject({ desired: 10, recommendation: 40, limited: 'max' });
    expect(decideScale(input({ currentReplicas: 1, counts: [null] }))).toMatchObject({ desired: 2, reason: 'BelowMin', limited: 'min' });
    expect(decideScale(input({ currentReplicas: 14, counts: [] }))).toMatchObject({ desired: 10, reason: 'AboveMax', limited: 'max' });
  });

  test('a Deployment scaled to zero by someone is left alone', () => {
    expect(decideScale(input({ currentReplicas: 0, counts: [] }))).toMatchObject({ desired: 0, reason: 'ScalingDisabled' });
  });

  test('flapping load with windows: up only to the lowest ask of the up window, down only to the highest of the down window', () => {
    const p = { ...policy, scaleUpWindowMs: 30_000, scaleDownWindowMs: 60_000 };
    const run = (current: number, perPod: number[], history: ScaleInput['history'], start = 0) => perPod.map((load, i) => {
      const d = decideScale({ policy: p, currentReplicas: current, counts: Array(current).fill(load), history, observingSince: 0, now: T0 + start + i * 10_000 });
      history = d.history;
      current = d.desired;
      return current;
    });
    // Load swinging every 10 s between 4 and 16-18 pods' worth: the size does not follow it.
    expect(run(4, [100, 400, 100, 450, 80, 420, 90], [])).toEqual([4, 4, 4, 4, 4, 4, 4]);
    // High load that lasts the whole up window: up (to the max), once the last low ask left the window.
    expect(run(4, [300, 300, 300, 300], [{ at: T0 - 5_000, replicas: 4 }])).toEqual([4, 4, 4, 10]);
    // A drop must last the whole down window before the size follows it.
    expect(run(8, [20, 20, 20, 20, 20, 20, 20], [{ at: T0 - 5_000, replicas: 8 }])).toEqual([8, 8, 8, 8, 8, 8, 2]);
  });

  test('a new leader waits for a full window before moving in its direction', () => {
    const p = { ...policy, scaleDownWindowMs: 60_000 };
    const early = decideScale({ policy: p, currentReplicas: 8, counts: Array(8).fill(10), history: [], observingSince: T0 - 10_000, now: T0 });
    expect(early).toMatchObject({ desired: 8, reason: 'Stabilizing' });
    const later = decideScale({ policy: p, currentReplicas: 8, counts: Array(8).fill(10), history: early.history, observingSince: T0 - 10_000, now: T0 + 51_000 });
    expect(later.desired).toBe(2);
    // Upward moves with a zero window are immediate, leader or not.
    expect(decideScale({ policy: p, currentReplicas: 2, counts: [500, 500], history: [], observingSince: T0, now: T0 }).desired).toBe(10);
  });

  test('history older than the longest window is dropped', () => {
    const p = { ...policy, scaleUpWindowMs: 10_000, scaleDownWindowMs: 20_000 };
    const d = decideScale({ policy: p, currentReplicas: 4, counts: [100, 100, 100, 100], history: [{ at: T0 - 30_000, replicas: 9 }, { at: T0 - 5_000, replicas: 5 }], observingSince: 0, now: T0 });
    expect(d.history).toEqual([{ at: T0 - 5_000, replicas: 5 }, { at: T0, replicas: 4 }]);
  });
});

describe('spec', () => {
  const spec = { scaleTargetRef: { kind: 'Deployment', name: 'gateway' }, targetConnectionsPerPod: 2000, maxReplicas: 20 };
  test('defaults as in the CRD', () => {
    expect(parseSpec(spec)).toEqual({
      ok: true, target: 'gateway',
      policy: { targetPerPod: 2000, minReplicas: 1, maxReplicas: 20, tolerance: 0.1, scaleUpWindowMs: 0, scaleDownWindowMs: 300_000 },
    });
    expect(parseSpec({ ...spec, behavior: { scaleUp: { stabilizationWindowSeconds: 15 } } })).toMatchObject({ policy: { scaleUpWindowMs: 15_000, scaleDownWindowMs: 300_000 } });
  });
  test('every problem is named', () => {
    const r = parseSpec({ ...spec, targetConnectionsPerPod: 0, minReplicas: 30, scaleTargetRef: { kind: 'StatefulSet', name: 'x' } });
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems.join('\n');
    expect(problems).toMatch(/spec.targetConnectionsPerPod/);
    expect(problems).toMatch(/spec.scaleTargetRef.kind/);
    expect(parseSpec({ ...spec, minReplicas: 30 })).toEqual({ ok: false, problems: ['spec.minReplicas: minReplicas must not exceed maxReplicas'] });
    expect(parseSpec(undefined).ok).toBe(false);
  });
});

describe('who may scale the Deployment', () => {
  const base: Ownership = { target: 'gateway', self: { name: 'b', createdAt: 200 }, scalers: [], hpas: [], scale: { replicas: 3, selector: 'app=gateway' } };
  test('nobody else: go', () => expect(scalingBlocker(base)).toBeNull());
  test('an HPA on the same Deployment blocks; one on another does not', () => {
    expect(scalingBlocker({ ...base, hpas: [{ name: 'cpu', kind: 'Deployment', target: 'gateway' }] })).toMatchObject({ reason: 'ConflictingHPA' });
    expect(scalingBlocker({ ...base, hpas: [{ name: 'cpu', kind: 'Deployment', target: 'engine' }, { name: 's', kind: 'StatefulSet', target: 'gateway' }] })).toBeNull();
  });
  test('the oldest scaler of a Deployment wins; ties by name', () => {
    expect(scalingBlocker({ ...base, scalers: [{ name: 'a', target: 'gateway', createdAt: 100 }] })).toMatchObject({ reason: 'ConflictingScaler' });
    expect(scalingBlocker({ ...base, scalers: [{ name: 'c', target: 'gateway', createdAt: 300 }] })).toBeNull();
    expect(scalingBlocker({ ...base, scalers: [{ name: 'a', target: 'gateway', createdAt: 200 }] })).toMatchObject({ reason: 'ConflictingScaler' });
    expect(scalingBlocker({ ...base, scalers: [{ name: 'b', target: 'gateway', createdAt: 200 }] })).toBeNull();
  });
  test('a missing Deployment, or one whose /scale has no selector', () => {
    expect(scalingBlocker({ ...base, scale: null })).toMatchObject({ reason: 'DeploymentNotFound' });
    expect(scalingBlocker({ ...base, scale: { replicas: 3, selector: undefined } })).toMatchObject({ reason: 'NoSelector' });
  });
});
