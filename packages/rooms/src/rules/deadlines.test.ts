// planDeadlines: which due rooms a scan ticks and which it expires, each once per round.
import { expect, test } from '@jest/globals';
import { planDeadlines } from './deadlines.js';

test('each due room is handled once per round: ticks (flag, grace) before expiries', () => {
  expect(planDeadlines({ flags: ['A', 'B'], graces: ['B', 'C'], expiries: ['D', 'A', 'D'] })).toEqual({ tick: ['A', 'B', 'C'], expire: ['D'] });
  expect(planDeadlines({ flags: [], graces: [], expiries: [] })).toEqual({ tick: [], expire: [] });
});
