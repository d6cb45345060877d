// The log-volume guards: a warning at most once a period, a budget of lines a second.
import { afterEach, expect, jest, test } from '@jest/globals';
import { atMostEvery, logBudget } from './logger.js';

afterEach(() => {
  jest.restoreAllMocks();
});

test('atMostEvery: the first call passes, then none until the period has passed', () => {
  let now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  const warn = atMostEvery(60_000);
  expect(warn()).toBe(true);
  now += 59_999;
  expect(warn()).toBe(false);
  now += 1;
  expect(warn()).toBe(true);
  expect(warn()).toBe(false);
});

test('logBudget: lines past the budget are dropped and reported by the next that passes', () => {
  let now = 1_000_000;
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  const budget = logBudget(2);
  expect([budget(), budget(), budget(), budget()].map((b) => b.ok)).toEqual([true, true, false, false]);
  now += 1_000;
  expect(budget()).toEqual({ ok: true, dropped: 2 });
  expect(budget()).toEqual({ ok: true, dropped: 0 });
});
