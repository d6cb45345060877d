// Friends and blocks between two accounts, as seed 001 stores them: one row per direction (mine
// about them, theirs about me), so a player's whole list is one query. Pure: given both rows and
// what one player asks, the two rows to store, or why not (an error code for the API).

export type Rel = 'friend' | 'sent' | 'received';

/** One player's row about another. `rel` absent: neither friends nor a request between them. */
export interface Row {
  rel?: Rel;
  /** This player blocked the other. */
  blocks?: boolean;
  /** The other blocked this player (never shown to them: they see "cannot"). */
  blockedBy?: boolean;
}

export const FRIEND_ACTIONS = ['request', 'accept', 'decline', 'remove', 'block', 'unblock'] as const;
export type FriendAction = (typeof FRIEND_ACTIONS)[number];

export type FriendError = 'cannot_befriend' | 'already_friends' | 'already_requested' | 'no_request' | 'not_friends' | 'not_blocked';

/** Both rows after the action (null: delete the row), or the reason it is refused. */
export type FriendOutcome = { mine: Row | null; theirs: Row | null } | { error: FriendError };

const empty = (r: Row): boolean => !r.rel && !r.blocks && !r.blockedBy;
const keep = (r: Row): Row | null => (empty(r) ? null : r);

/** Only the relation of a row (a stored item carries keys and a version besides). */
const relation = (r: Row | null): Row => ({
  ...(r?.rel ? { rel: r.rel } : {}), ...(r?.blocks ? { blocks: true } : {}), ...(r?.blockedBy ? { blockedBy: true } : {}),
});

export function decideFriend(action: FriendAction, mine: Row | null, theirs: Row | null): FriendOutcome {
  const m = relation(mine), t = relation(theirs);
  switch (action) {
    case 'request':
      if (m.blocks || m.blockedBy) return { error: 'cannot_befriend' };
      if (m.rel === 'friend') return { error: 'already_friends' };
      if (m.rel === 'sent') return { error: 'already_requested' };
      // They asked first: asking back is accepting.
      if (m.rel === 'received') return { mine: { ...m, rel: 'friend' }, theirs: { ...t, rel: 'friend' } };
      return { mine: { ...m, rel: 'sent' }, theirs: { ...t, rel: 'received' } };
    case 'accept':
      if (m.rel !== 'received') return { error: 'no_request' };
      return { mine: { ...m, rel: 'friend' }, theirs: { ...t, rel: 'friend' } };
    case 'decline':
      if (m.rel !== 'received') return { error: 'no_request' };
      return { mine: keep({ ...m, rel: undefined }), theirs: keep({ ...t, rel: undefined }) };
    case 'remove':
      // Also withdraws one's own request.
      if (m.rel !== 'friend' && m.rel !== 'sent') return { error: 'not_friends' };
      return { mine: keep({ ...m, rel: undefined }), theirs: keep({ ...t, rel: undefined }) };
    case 'block':
      // A block ends the friendship and any request, both ways.
      return { mine: { blocks: true, ...(m.blockedBy ? { blockedBy: true } : {}) }, theirs: { blockedBy: true, ...(t.blocks ? { blocks: true } : {}) } };
    case 'unblock':
      if (!m.blocks) return { error: 'not_blocked' };
      return { mine: keep({ ...m, blocks: undefined }), theirs: keep({ ...t, blockedBy: undefined }) };
  }
}

/** Whether either blocked the other (the matchmaker never pairs them; neither may challenge). */
export const isBlocked = (r: Row | null): boolean => Boolean(r?.blocks || r?.blockedBy);
