// A player's results per speed (bullet, blitz, rapid, classical: lichess's categories by
// initial + 40 x increment), as the finalizer counts them, with the speed's rating ("?" while
// provisional; 1500? before a first rated game).
import { SPEEDS, type Speed, type Tally } from '@gambit/protocol/speed';
import type { RatingView } from '../api.js';

const LABEL: Record<Speed, string> = { bullet: 'Bullet', blitz: 'Blitz', rapid: 'Rapid', classical: 'Classical' };
const ZERO: Tally = { games: 0, wins: 0, losses: 0, draws: 0 };
const UNRATED: RatingView = { rating: 1500, rd: 500, provisional: true, games: 0 };

export function SpeedStats({ speeds, ratings }: { speeds: Partial<Record<Speed, Tally>> | undefined; ratings?: Partial<Record<Speed, RatingView>> }) {
  return (
    <table class="speed-stats" data-testid="speed-stats">
      <thead><tr><th scope="col">Speed</th><th scope="col">Rating</th><th scope="col">Games</th><th scope="col">Won</th><th scope="col">Lost</th><th scope="col">Drawn</th></tr></thead>
      <tbody>
        {SPEEDS.map((sp) => {
          const t = speeds?.[sp] ?? ZERO;
          const r = ratings?.[sp] ?? UNRATED;
          return (
            <tr key={sp} data-speed={sp} class={t.games ? undefined : 'muted'}>
              <th scope="row">{LABEL[sp]}</th>
              <td data-testid={`rating-${sp}`} title={`${r.games} rated games, deviation ${r.rd}`}>{r.rating}{r.provisional ? '?' : ''}</td><td>{t.games}</td><td>{t.wins}</td><td>{t.losses}</td><td>{t.draws}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
