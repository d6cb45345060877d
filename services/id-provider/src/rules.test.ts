// Sign-up rules, the retry message and the limit decision.
import { describe, expect, test } from '@jest/globals';
import { blockedFor, emailProblem, passwordProblem, retryMessage, signUpProblem } from './rules.js';

describe('sign-up rules', () => {
  test('passwords: 8 to 200 characters, not the username in any case', () => {
    expect(passwordProblem('1234567', 'alice')).toMatch(/at least 8/);
    expect(passwordProblem('12345678', 'alice')).toBeNull();
    expect(passwordProblem('x'.repeat(200), 'alice')).toBeNull();
    expect(passwordProblem('x'.repeat(201), 'alice')).toMatch(/at most 200/);
    expect(passwordProblem('Alice_123', 'alice_123')).toMatch(/not be the username/);
  });

  test('email: optional, else it must look like an address of sane length', () => {
    expect(emailProblem('')).toBeNull();
    expect(emailProblem('a@example.com')).toBeNull();
    expect(emailProblem('not an email')).not.toBeNull();
    expect(emailProblem(`${'a'.repeat(250)}@example.com`)).not.toBeNull();
  });

  test('the first problem of a form: username, then password, then email', () => {
    expect(signUpProblem({ username: 'a', password: 'x', email: 'y' })).toMatch(/at least 3 characters/);
    expect(signUpProblem({ username: 'alice', password: 'x', email: 'y' })).toMatch(/password/i);
    expect(signUpProblem({ username: 'alice', password: 'long enough', email: 'y' })).toMatch(/email/);
    expect(signUpProblem({ username: 'alice', password: 'long enough', email: '' })).toBeNull();
  });
});

describe('sign-in limits', () => {
  const limits = { perAccount: 5, perAddress: 30 };
  test('blocked for the rest of whichever window is over its limit, the longer when both are', () => {
    expect(blockedFor({ account: 4, accountTtl: 100, address: 29, addressTtl: 200 }, limits)).toBe(0);
    expect(blockedFor({ account: 5, accountTtl: 100, address: 29, addressTtl: 200 }, limits)).toBe(100);
    expect(blockedFor({ account: 1, accountTtl: 100, address: 30, addressTtl: 200 }, limits)).toBe(200);
    expect(blockedFor({ account: 9, accountTtl: 300, address: 31, addressTtl: 200 }, limits)).toBe(300);
    // A counter without a TTL (Redis answers -1 or -2) never blocks forever.
    expect(blockedFor({ account: 9, accountTtl: -1, address: 0, addressTtl: -2 }, limits)).toBe(0);
  });

  test('the message says when to try again, in seconds or minutes', () => {
    expect(retryMessage(1)).toBe('Too many failed sign-ins. Try again in 1 second.');
    expect(retryMessage(0.2)).toBe('Too many failed sign-ins. Try again in 1 second.');
    expect(retryMessage(45)).toBe('Too many failed sign-ins. Try again in 45 seconds.');
    expect(retryMessage(900)).toBe('Too many failed sign-ins. Try again in 15 minutes.');
  });
});
