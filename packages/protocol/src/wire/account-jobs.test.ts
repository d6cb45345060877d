// The account-job entry: written, read back, and refused when it is not a valid job.
import { describe, expect, test } from '@jest/globals';
import { accountJobKey, decodeAccountJob, encodeAccountJob, parseAccountJob, type AccountJob } from './account-jobs.js';
import { decodeEntry } from './stream-entry.js';

const erase: AccountJob = { kind: 'erase', jobId: 'job-1', playerId: 'u_alice', tombstone: 'deleted-7f3a' };
const adopt: AccountJob = { kind: 'adopt', jobId: 'job-2', from: 'g_guest', to: 'u_alice', name: 'alice' };

describe('account-job entries', () => {
  test('a transport entry: pattern account.<kind>, key = the account that stays, data = the job without its kind', () => {
    expect(encodeAccountJob(erase)).toEqual([
      'p', 'account.erase', 'k', 'u_alice', 'd', JSON.stringify({ jobId: 'job-1', playerId: 'u_alice', tombstone: 'deleted-7f3a' }),
    ]);
    const fields = encodeAccountJob(adopt);
    expect(decodeEntry('1-0', fields)).toEqual({
      id: '1-0', pattern: 'account.adopt', key: 'u_alice', data: { jobId: 'job-2', from: 'g_guest', to: 'u_alice', name: 'alice' },
    });
    expect(accountJobKey(adopt)).toBe('u_alice');
  });

  test('decoded back to the same job', () => {
    expect(decodeAccountJob('1-0', encodeAccountJob(erase))).toEqual({ id: '1-0', job: erase });
    expect(decodeAccountJob('2-0', encodeAccountJob(adopt))).toEqual({ id: '2-0', job: adopt });
  });

  test('an invalid job is refused when encoding: nothing to write', () => {
    expect(() => encodeAccountJob({ ...erase, playerId: 'has#hash' })).toThrow(/invalid account.erase job/);
    expect(() => encodeAccountJob({ ...erase, tombstone: '  ' })).toThrow(/tombstone/);
    expect(() => encodeAccountJob({ ...adopt, to: 'g_guest' })).toThrow(/same player/);
    expect(() => encodeAccountJob({ ...adopt, name: 'x'.repeat(65) })).toThrow(/name/);
    expect(() => encodeAccountJob({ kind: 'merge', jobId: 'j' } as unknown as AccountJob)).toThrow(/not an account job/);
  });

  test('an entry that is not a valid job reads as malformed, with the reason', () => {
    const bad = (pattern: string, data: unknown) => ['p', pattern, 'k', 'u_alice', 'd', JSON.stringify(data)];
    expect(decodeAccountJob('1-0', bad('account.erase', { jobId: 'j', playerId: 'u_alice' }))).toMatchObject({ key: 'u_alice', malformed: expect.stringMatching(/tombstone/) });
    expect(decodeAccountJob('1-0', bad('account.erase', { ...erase, extra: 1 }))).toMatchObject({ malformed: expect.any(String) });
    expect(decodeAccountJob('1-0', bad('game.ended', {}))).toMatchObject({ malformed: 'pattern game.ended is not an account job' });
    expect(decodeAccountJob('1-0', ['k', 'x'])).toMatchObject({ malformed: 'no pattern' });
    expect(parseAccountJob('account.adopt', null)).toMatchObject({ error: expect.stringMatching(/invalid account.adopt job/) });
  });
});
