// The game-over panel's rating line: once the finalizer has stored the finished game (GET
// /api/games/<gameId> answers; until then it is 404), each player's rating before and after.
// Casual games have no `ratings` and show nothing.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type SideRating } from '../api.js';
import type { GameView } from '../game.js';
import { ratingDiff, ratingText } from '../ratings.js';

/** Waits between looks (ms): the finalizer usually stores a game within a second. */
const LOOKS = [300, 600, 1000, 2000, 3000, 5000, 8000];

async function storedRatings(gameId: string, alive: () => boolean): Promise<Record<'white' | 'black', SideRating> | null> {
  for (const wait of LOOKS) {
    try {
      return (await api.game(gameId)).ratings ?? null;
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 0))) return null;
    }
    await new Promise((r) => setTimeout(r, wait));
    if (!alive()) return null;
  }
  return null;
}

export function RatingChange({ v }: { v: GameView }) {
  const gameId = v.status === 'ended' ? v.gameId : undefined;
  const [shown, setShown] = useState<{ gameId: string; ratings: Record<'white' | 'black', SideRating> } | null>(null);
  useEffect(() => {
    if (!gameId) return;
    let alive = true;
    void storedRatings(gameId, () => alive).then((ratings) => alive && ratings && setShown({ gameId, ratings }));
    return () => { alive = false; };
  }, [gameId]);
  if (!gameId || shown?.gameId !== gameId) return null;
  return (
    <dl class="rating-change" data-testid="rating-change">
      {(['white', 'black'] as const).map((side) => {
        const r = shown.ratings[side];
        return (
          <div key={side} data-side={side}>
            <dt>{v[side]?.name ?? side}</dt>
            <dd>{ratingText(r.after, r.rd)} <span data-testid={`rating-diff-${side}`}>{ratingDiff(r.before, r.after)}</span></dd>
          </div>
        );
      })}
    </dl>
  );
}
