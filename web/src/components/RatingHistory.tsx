// A player's recent rating per speed, from their games list (each rated game's row carries the
// rating after it): a small inline SVG line, oldest to newest, with the first and last values.
import { SPEEDS, speedOf, type Speed } from '@gambit/protocol/speed';
import type { GameSummary } from '../api.js';
import { ratingText, sparkline } from '../ratings.js';

const W = 120, H = 24;

export function RatingHistory({ games }: { games: GameSummary[] }) {
  const bySpeed = new Map<Speed, GameSummary[]>();
  for (const g of [...games].reverse()) { // the list is newest first
    if (g.rating) bySpeed.set(speedOf(g.tc), [...(bySpeed.get(speedOf(g.tc)) ?? []), g]);
  }
  if (bySpeed.size === 0) return null;
  return (
    <ul class="rating-history" data-testid="rating-history">
      {SPEEDS.filter((sp) => bySpeed.has(sp)).map((sp) => {
        const rated = bySpeed.get(sp)!;
        const values = [rated[0]!.rating!.before, ...rated.map((g) => g.rating!.after)];
        const last = rated.at(-1)!.rating!;
        return (
          <li key={sp} data-speed={sp}>
            <span class="muted">{sp}</span>
            <svg width={W} height={H} viewBox={`-1 -1 ${W + 2} ${H + 2}`} role="img" aria-label={`${sp} rating: ${values.map(Math.round).join(', ')}`}>
              <polyline points={sparkline(values, W, H)} fill="none" stroke="currentColor" stroke-width="1.5" />
            </svg>
            <span>{Math.round(values[0]!)} → {ratingText(last.after, last.rd)}</span>
          </li>
        );
      })}
    </ul>
  );
}
