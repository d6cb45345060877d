import { expect, test } from '@jest/globals';
import { mergeConditions, newProblems } from './conditions.js';
import type { ScalerCondition } from '../crd.js';

const old: ScalerCondition[] = [
  { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00.000Z' },
  { type: 'ScalingActive', status: 'False', reason: 'NoMetrics', message: 'none', lastTransitionTime: '2026-01-01T00:00:00.000Z' },
];
const NOW = '2026-02-02T00:00:00.000Z';

test('lastTransitionTime moves only when the status changes', () => {
  const merged = mergeConditions(old, [
    { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: 'scaled' },
    { type: 'ScalingActive', status: 'True', reason: 'ValidMetric', message: 'm' },
    { type: 'ScalingLimited', status: 'False', reason: 'DesiredWithinRange', message: 'r' },
  ], NOW, 4);
  expect(merged.map((c) => [c.type, c.lastTransitionTime, c.observedGeneration])).toEqual([
    ['AbleToScale', '2026-01-01T00:00:00.000Z', 4], ['ScalingActive', NOW, 4], ['ScalingLimited', NOW, 4],
  ]);
});

test('a Warning per new problem: once per reason, never for ScalingLimited, not again while it lasts', () => {
  const next = [
    { type: 'AbleToScale' as const, status: 'False' as const, reason: 'ConflictingHPA', message: 'hpa' },
    { type: 'ScalingActive' as const, status: 'False' as const, reason: 'ConflictingHPA', message: 'hpa' },
    { type: 'ScalingLimited' as const, status: 'False' as const, reason: 'DesiredWithinRange', message: '' },
  ];
  expect(newProblems(old, next).map((c) => c.reason)).toEqual(['ConflictingHPA']);
  expect(newProblems(mergeConditions(undefined, next, NOW), next)).toEqual([]);
  // The same condition, a different problem: announced.
  expect(newProblems(mergeConditions(undefined, next, NOW), [{ ...next[0]!, reason: 'DeploymentNotFound' }]).map((c) => c.reason)).toEqual(['DeploymentNotFound']);
});
