// Who plays whom in one pool: pure, so the rules are tested without Redis. Players are paired by
// rating, the accepted gap widening the longer they wait (a newcomer gets a close opponent; a
// player who waited gets a game), never with themselves (two tabs of one player) or with someone
// who blocked them. The matchmaker (matchmaker.ts) claims each pair atomically in Redis, so
// matchmakers racing on the same pool pair a player at most once whatever this returns.
import type { PoolEntry } from '@gambit/protocol';

/** One player waiting in a pool, as stored in the pool's hash (@gambit/protocol wire/pairing.ts). */
export type Waiting = PoolEntry;

export interface PairingRules {
  /** The gap accepted from the first moment (rating points). */
  initialGap: number;
  /** How much it widens per second of waiting. */
  gapPerSecond: number;
  /** Beyond this gap nobody is paired, however long they waited. */
  maxGap: number;
}

/**
 * lichess starts its pool range near ±100 and widens it over about ten seconds; ours reaches ±600
 * after 10 s and ±1000 (anyone, in practice) after 18 s.
 */
export const DEFAULT_RULES: PairingRules = { initialGap: 100, gapPerSecond: 50, maxGap: 1000 };

/** The rating gap a player who has waited since `since` accepts at `now`. */
export function acceptedGap(since: number, now: number, rules: PairingRules = DEFAULT_RULES): number {
  const waited = Math.max(0, now - since) / 1000;
  return Math.min(rules.maxGap, rules.initialGap + rules.gapPerSecond * waited);
}

/** Whether `a` or `b` blocked the other (friends' blocks; none by default). */
export type Blocked = (a: string, b: string) => boolean;

/**
 * Pairs for this round: the longest waiter first, each with the closest rating among those the
 * pair accepts (the larger of the two players' accepted gaps: whoever waited longer widens it for
 * both), ties to the longer waiter. Each player appears in at most one pair. Quadratic in the
 * pool's size: a pool of 1,000 waiting players is a million cheap comparisons, about 5 ms.
 */
export function pairUp(waiting: readonly Waiting[], now: number, blocked: Blocked = () => false, rules: PairingRules = DEFAULT_RULES): [Waiting, Waiting][] {
  const queue = [...waiting].sort((a, b) => a.since - b.since || (a.playerId < b.playerId ? -1 : 1));
  const gaps = new Map(queue.map((w) => [w, acceptedGap(w.since, now, rules)]));
  const taken = new Set<Waiting>();
  const pairs: [Waiting, Waiting][] = [];
  for (const a of queue) {
    if (taken.has(a)) continue;
    let best: Waiting | null = null;
    let bestGap = Infinity;
    for (const b of queue) {
      if (b === a || taken.has(b) || b.playerId === a.playerId) continue;
      const gap = Math.abs(a.rating - b.rating);
      if (gap > Math.max(gaps.get(a)!, gaps.get(b)!) || gap >= bestGap) continue;
      if (blocked(a.playerId, b.playerId)) continue;
      best = b;
      bestGap = gap;
    }
    if (best) {
      taken.add(a).add(best);
      pairs.push([a, best]);
    }
  }
  return pairs;
}
