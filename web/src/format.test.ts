import { describe, expect, test } from '@jest/globals';
import { ago, formatDate, memberSince, presenceText, resultSentence, scoreText, tcLabel } from './format.js';

describe('format', () => {
  test('results and reasons in words', () => {
    expect(resultSentence('0-1', 'checkmate')).toBe('Black wins by checkmate');
    expect(resultSentence('1-0', 'resign')).toBe('White wins: Black resigned');
    expect(resultSentence('0-1', 'timeout')).toBe('Black wins on time');
    expect(resultSentence('1-0', 'abandoned')).toBe('White wins: Black left the game');
    expect(resultSentence('1/2-1/2', 'agreement')).toBe('Draw by agreement');
    expect(resultSentence('1/2-1/2', 'fifty_moves')).toBe('Draw by the fifty-move rule');
    expect(resultSentence('1/2-1/2', 'insufficient_material')).toBe('Draw by insufficient material');
    expect(resultSentence(null, 'aborted')).toBe('Game aborted');
    expect(scoreText('1/2-1/2')).toBe('½-½');
    expect(scoreText(null)).toBe('—');
  });

  test('time controls and dates', () => {
    expect(tcLabel({ initialMs: 300_000, incrementMs: 3_000 })).toBe('5 + 3');
    expect(tcLabel({ initialMs: 30_000, incrementMs: 0 })).toBe('0.5 + 0');
    const t = Date.UTC(2026, 10, 30, 23, 30);
    expect(formatDate(t, 'UTC')).toBe('30 Nov 2026');
    expect(formatDate(t, 'Asia/Tokyo')).toBe('1 Dec 2026');
    expect(memberSince(t, 'UTC')).toBe('Member since November 2026');
  });

  test('last seen, relative to now', () => {
    const now = Date.UTC(2026, 10, 30, 12);
    expect(presenceText(true, now - 5_000, now)).toBe('Online now');
    expect(presenceText(false, null, now)).toBe('Not seen online yet');
    expect(presenceText(false, now - 3 * 3_600_000 - 5, now)).toBe('Last seen 3 hours ago');
    expect(ago(now - 20_000, now)).toBe('just now');
    expect(ago(now - 86_400_000, now)).toBe('yesterday');
    expect(ago(now + 60_000, now)).toBe('just now'); // a clock a little ahead is not "in the future"
  });
});
