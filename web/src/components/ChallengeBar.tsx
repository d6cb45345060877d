// The open challenges between this player and their friends, under the header on every screen: a
// friend's challenge, to accept or decline wherever the player is, and their own challenges still
// waiting for an answer, to cancel. Nothing shows when there are none (or for a guest).
import type { ChallengeView } from '@gambit/protocol';
import { tcLabel } from '../format.js';
import { useLive } from './live-context.js';

/** "5 + 3 rated, random colour": the terms, with the colour as `side` (the receiver or the challenger) plays. */
export function challengeTerms(c: ChallengeView, side: 'from' | 'to'): string {
  const mine = side === 'from' ? c.color : c.color === 'white' ? 'black' : c.color === 'black' ? 'white' : 'random';
  const colour = mine === 'random' ? 'random colour' : `you play ${mine === 'white' ? 'White' : 'Black'}`;
  return `${tcLabel(c.tc)} ${c.rated ? 'rated' : 'casual'}, ${colour}`;
}

export function ChallengeBar() {
  const live = useLive();
  const { incoming, outgoing } = live.challenges;
  if (incoming.length === 0 && outgoing.length === 0) return null;
  return (
    <ul class="challenge-bar" aria-label="Challenges" data-testid="challenge-bar">
      {incoming.map((c) => (
        <li key={c.id} class="incoming" role="alert" data-testid="incoming-challenge" data-from={c.from.name} data-challenge={c.id}>
          <span><strong>{c.from.name}</strong> challenges you: {challengeTerms(c, 'to')}</span>
          <span class="actions">
            <button type="button" class="primary" data-testid="challenge-accept" disabled={!live.online} onClick={() => live.challenges.accept(c.id)}>Accept</button>
            <button type="button" data-testid="challenge-decline" disabled={!live.online} onClick={() => live.challenges.decline(c.id)}>Decline</button>
          </span>
        </li>
      ))}
      {outgoing.map((c) => (
        <li key={c.id} data-testid="outgoing-challenge" data-to={c.to.name} data-challenge={c.id}>
          <span>You challenged <strong>{c.to.name}</strong>: {challengeTerms(c, 'from')} · waiting…</span>
          <span class="actions">
            <button type="button" data-testid="challenge-cancel" disabled={!live.online} onClick={() => live.challenges.cancel(c.id)}>Cancel</button>
          </span>
        </li>
      ))}
    </ul>
  );
}
