import { expect, test } from '@jest/globals';
import { deletionCosts, likelyRemoved } from './deletion-cost.js';

test('the cost is the connection count: an empty pod, or one that reports nothing, goes first', () => {
  expect(deletionCosts([
    { name: 'a', connections: 120 },
    { name: 'b', connections: 0 },
    { name: 'c', connections: null },
    { name: 'd', connections: 7.9 },
  ])).toEqual([{ name: 'a', cost: '120' }, { name: 'b', cost: '0' }, { name: 'c', cost: '0' }, { name: 'd', cost: '7' }]);
});

test('pods already annotated with their cost are not patched again', () => {
  expect(deletionCosts([{ name: 'a', connections: 5, currentCost: '5' }, { name: 'b', connections: 6, currentCost: '5' }])).toEqual([{ name: 'b', cost: '6' }]);
});

test('costs stay within int32 and never go negative', () => {
  expect(deletionCosts([{ name: 'a', connections: 1e12 }, { name: 'b', connections: -3 }, { name: 'c', connections: Number.NaN }]))
    .toEqual([{ name: 'a', cost: '2147483647' }, { name: 'b', cost: '0' }, { name: 'c', cost: '0' }]);
});

test('no pods: nothing to do', () => {
  expect(deletionCosts([])).toEqual([]);
  expect(likelyRemoved([], 3, 1)).toEqual([]);
});

test('the pods a scale-down removes are the emptiest', () => {
  const pods = [{ name: 'a', connections: 50 }, { name: 'b', connections: 3 }, { name: 'c', connections: null }, { name: 'd', connections: 900 }];
  expect(likelyRemoved(pods, 4, 2)).toEqual(['c', 'b']);
  expect(likelyRemoved(pods, 4, 4)).toEqual([]);
  expect(likelyRemoved(pods, 6, 1)).toEqual(['c', 'b', 'a', 'd']);
});
