import { describe, expect, it } from '@jest/globals';
import { ratingDiff, ratingText, sparkline } from './ratings.js';

describe('rating text', () => {
  it('rounds and marks provisional ratings with ?', () => {
    expect(ratingText(1662.4, 290)).toBe('1662?');
    expect(ratingText(1662.6, 60)).toBe('1663');
    expect(ratingText(1500, 110)).toBe('1500?');
  });

  it('signs a change as shown (rounded ends)', () => {
    expect(ratingDiff(1500, 1662.4)).toBe('+162');
    expect(ratingDiff(1500, 1337.6)).toBe('−162');
    expect(ratingDiff(1500.4, 1499.6)).toBe('±0');
  });
});

describe('sparkline', () => {
  it('spans the box: the lowest at the bottom, the highest at the top', () => {
    expect(sparkline([1500, 1600, 1550], 100, 20)).toBe('0,20 50,0 100,10');
  });

  it('draws a flat line and a single point without dividing by zero', () => {
    expect(sparkline([1500, 1500], 10, 20)).toBe('0,20 10,20');
    expect(sparkline([1500], 10, 20)).toBe('0,20');
    expect(sparkline([], 10, 20)).toBe('');
  });
});
