// Pure wording for the site's pages: results and reasons in words, time controls, dates and
// "last seen". No DOM and no I/O, so the sentences are unit-tested (format.test.ts).
import type { EndReason, Result, Side, TimeControl } from '@gambit/protocol';

export const tcLabel = (tc: TimeControl): string => `${tc.initialMs / 60_000} + ${tc.incrementMs / 1000}`;

export const sideName = (side: Side): string => (side === 'white' ? 'White' : 'Black');

/** "White wins by checkmate", "Draw by agreement", "Black wins: White resigned", "Game aborted". */
export function resultSentence(result: Result | null, reason: EndReason | null): string {
  if (result === null || reason === 'aborted') return 'Game aborted';
  if (result === '1/2-1/2') {
    const why: Partial<Record<EndReason, string>> = {
      agreement: 'agreement', stalemate: 'stalemate', insufficient_material: 'insufficient material',
      threefold_repetition: 'threefold repetition', fifty_moves: 'the fifty-move rule',
      timeout: 'timeout against insufficient material',
    };
    return reason && why[reason] ? `Draw by ${why[reason]}` : 'Draw';
  }
  const winner: Side = result === '1-0' ? 'white' : 'black';
  const loser = sideName(winner === 'white' ? 'black' : 'white');
  const won = `${sideName(winner)} wins`;
  switch (reason) {
    case 'checkmate': return `${won} by checkmate`;
    case 'resign': return `${won}: ${loser} resigned`;
    case 'timeout': return `${won} on time`;
    case 'abandoned': return `${won}: ${loser} left the game`;
    default: return won;
  }
}

/** The score as chess players write it: 1-0, 0-1, ½-½ (— for an aborted game). */
export const scoreText = (result: Result | null): string => (result === '1/2-1/2' ? '½-½' : (result ?? '—'));

export type Outcome = 'win' | 'loss' | 'draw' | 'none';
export const OUTCOME_TEXT: Record<Outcome, string> = { win: 'Won', loss: 'Lost', draw: 'Draw', none: 'Aborted' };

/** A calendar date, e.g. "30 Nov 2026" (the reader's time zone unless one is given). */
export function formatDate(ms: number, timeZone?: string): string {
  return new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', ...(timeZone ? { timeZone } : {}) });
}

/** "Member since November 2026". */
export function memberSince(ms: number, timeZone?: string): string {
  return `Member since ${new Date(ms).toLocaleDateString('en-GB', { month: 'long', year: 'numeric', ...(timeZone ? { timeZone } : {}) })}`;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000], ['month', 30 * 86_400_000], ['week', 7 * 86_400_000],
  ['day', 86_400_000], ['hour', 3_600_000], ['minute', 60_000],
];

/** "5 minutes ago", "yesterday", "just now". */
export function ago(ms: number, now: number): string {
  const elapsed = Math.max(0, now - ms);
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (elapsed >= size) return rtf.format(-Math.floor(elapsed / size), unit);
  }
  return 'just now';
}

/** "Online now", "Last seen 3 hours ago", or "Not seen online yet". */
export function presenceText(online: boolean, lastSeen: number | null, now: number): string {
  if (online) return 'Online now';
  return lastSeen === null ? 'Not seen online yet' : `Last seen ${ago(lastSeen, now)}`;
}
