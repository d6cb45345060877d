import { describe, expect, test } from '@jest/globals';
import { decideFriend, type FriendAction, type Row } from './friends.js';

/** Plays actions between A and B from nothing; returns A's and B's rows, or the first refusal. */
function run(...steps: [who: 'A' | 'B', action: FriendAction][]): { A: Row | null; B: Row | null } | string {
  const rows: { A: Row | null; B: Row | null } = { A: null, B: null };
  for (const [who, action] of steps) {
    const other = who === 'A' ? 'B' : 'A';
    const out = decideFriend(action, rows[who], rows[other]);
    if ('error' in out) return out.error;
    rows[who] = out.mine;
    rows[other] = out.theirs;
  }
  return rows;
}

describe('friends', () => {
  test('request, then accept: friends both ways', () => {
    expect(run(['A', 'request'])).toEqual({ A: { rel: 'sent' }, B: { rel: 'received' } });
    expect(run(['A', 'request'], ['B', 'accept'])).toEqual({ A: { rel: 'friend' }, B: { rel: 'friend' } });
  });

  test('asking back accepts; decline and remove leave nothing behind', () => {
    expect(run(['A', 'request'], ['B', 'request'])).toEqual({ A: { rel: 'friend' }, B: { rel: 'friend' } });
    expect(run(['A', 'request'], ['B', 'decline'])).toEqual({ A: null, B: null });
    expect(run(['A', 'request'], ['B', 'accept'], ['B', 'remove'])).toEqual({ A: null, B: null });
    expect(run(['A', 'request'], ['A', 'remove'])).toEqual({ A: null, B: null }); // a request withdrawn
  });

  test('refusals say why and change nothing', () => {
    expect(run(['A', 'request'], ['A', 'request'])).toBe('already_requested');
    expect(run(['A', 'request'], ['B', 'accept'], ['A', 'request'])).toBe('already_friends');
    expect(run(['A', 'accept'])).toBe('no_request');
    expect(run(['A', 'request'], ['A', 'accept'])).toBe('no_request'); // one's own request
    expect(run(['A', 'decline'])).toBe('no_request');
    expect(run(['A', 'remove'])).toBe('not_friends');
    expect(run(['A', 'unblock'])).toBe('not_blocked');
  });

  test('a block ends the friendship, stops requests both ways, and only its author lifts it', () => {
    expect(run(['A', 'request'], ['B', 'accept'], ['B', 'block'])).toEqual({ A: { blockedBy: true }, B: { blocks: true } });
    expect(run(['B', 'block'], ['A', 'request'])).toBe('cannot_befriend');
    expect(run(['B', 'block'], ['B', 'request'])).toBe('cannot_befriend');
    expect(run(['B', 'block'], ['A', 'unblock'])).toBe('not_blocked');
    expect(run(['B', 'block'], ['B', 'unblock'])).toEqual({ A: null, B: null });
    // Both block: lifting one's own leaves the other's.
    expect(run(['A', 'block'], ['B', 'block'], ['A', 'unblock'])).toEqual({ A: { blockedBy: true }, B: { blocks: true } });
  });
});

describe('stored rows', () => {
  test('only the relation is decided on: keys, versions and dates of a stored item never pass through', () => {
    const stored = { playerId: 'A', otherId: 'B', v: 7, since: 1, rel: 'received' as const };
    const out = decideFriend('accept', stored as never, { playerId: 'B', otherId: 'A', v: 7, since: 1, rel: 'sent' } as never);
    expect(out).toEqual({ mine: { rel: 'friend' }, theirs: { rel: 'friend' } });
  });
});
