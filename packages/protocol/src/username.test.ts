import { describe, expect, it } from '@jest/globals';
import { usernameKey, usernameProblem } from './username.js';

describe('usernames', () => {
  it('accepts 3-20 of A-Z a-z 0-9 _ -', () => {
    for (const ok of ['abc', 'Magnus_C', 'a-b_c-123', 'x'.repeat(20)]) expect([ok, usernameProblem(ok)]).toEqual([ok, null]);
  });

  it('says what is wrong with anything else', () => {
    expect(usernameProblem('ab')).toMatch(/at least 3/);
    expect(usernameProblem('x'.repeat(21))).toMatch(/at most 20/);
    for (const bad of ['a b', 'émile', 'a.b', 'a@b', 'a/b', '../x']) expect(usernameProblem(bad)).toMatch(/only letters/);
    expect(usernameProblem('deleted-abc123')).toMatch(/deleted-/);
    expect(usernameProblem('Deleted-x')).toMatch(/deleted-/);
  });

  it('is unique regardless of case', () => {
    expect(usernameKey('Magnus')).toBe(usernameKey('mAGNUS'));
  });
});
