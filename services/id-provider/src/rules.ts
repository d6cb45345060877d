// What a sign-up must satisfy and what the sign-in pages say, in words: pure rules, no I/O.
// Usernames follow the platform's one rule (@gambit/protocol), so a name accepted here is one the
// accounts service and the page accept too.
import { z } from 'zod';
import { usernameProblem } from '@gambit/protocol';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
export const EMAIL_MAX = 254;

/** The one answer to a wrong password and to an unknown username: it must not tell which. */
export const WRONG_CREDENTIALS = 'Wrong username or password.';
export const USERNAME_TAKEN = 'That username is taken. Choose another one.';

export function passwordProblem(password: string, username: string): string | null {
  if (password.length < PASSWORD_MIN) return `A password has at least ${PASSWORD_MIN} characters.`;
  if (password.length > PASSWORD_MAX) return `A password has at most ${PASSWORD_MAX} characters.`;
  if (password.toLowerCase() === username.toLowerCase()) return 'The password must not be the username.';
  return null;
}

const emailSchema = z.email();

/** An optional email: empty is fine, anything else must look like an address. */
export function emailProblem(email: string): string | null {
  if (email === '') return null;
  if (email.length > EMAIL_MAX || !emailSchema.safeParse(email).success) return 'That email address does not look right.';
  return null;
}

export interface SignUpForm { username: string; password: string; email: string }

/** The first problem with a sign-up form, or null when it can be stored. */
export function signUpProblem(form: SignUpForm): string | null {
  return usernameProblem(form.username) ?? passwordProblem(form.password, form.username) ?? emailProblem(form.email);
}

/** "Try again in ..." for a block lasting `seconds` more: minutes when it is long, seconds when short. */
export function retryMessage(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const when = s < 90 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`;
  return `Too many failed sign-ins. Try again in ${when}.`;
}

export interface FailureCounts {
  account: number;
  address: number;
  /** Seconds each counter still lives (its window's rest). */
  accountTtl: number;
  addressTtl: number;
}

export interface Limits { perAccount: number; perAddress: number }

/** Seconds until a sign-in may be tried again, or 0 when it may be tried now. */
export function blockedFor(c: FailureCounts, limits: Limits): number {
  const account = c.account >= limits.perAccount ? c.accountTtl : 0;
  const address = c.address >= limits.perAddress ? c.addressTtl : 0;
  return Math.max(account, address, 0);
}
