import { describe, expect, it } from '@jest/globals';
import { fromItem, toAttr, toItem } from './attributes.js';

describe('attribute values', () => {
  it('round-trips JSON values', () => {
    const value = { s: 'x', e: '', n: -1.5, b: false, z: null, l: ['a', 1, [true]], m: { deep: { k: 2 } }, none: [] };
    expect(fromItem(toItem(value))).toEqual(value);
  });

  it('uses the DynamoDB wire shapes', () => {
    expect(toItem({ a: 'x', n: 3, u: undefined })).toEqual({ a: { S: 'x' }, n: { N: '3' } });
    expect(toAttr([null])).toEqual({ L: [{ NULL: true }] });
  });

  it('refuses values DynamoDB cannot hold', () => {
    expect(() => toAttr(Number.NaN)).toThrow(/NaN/);
    expect(() => toAttr(() => 1)).toThrow(/function/);
  });
});
