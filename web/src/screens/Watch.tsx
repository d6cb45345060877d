// `/watch`: the games in play, highest rated first, each with its players, time control and how
// many watch it; one click opens the game as a spectator. The list is read again every 5 s.
import { useEffect, useState } from 'preact/hooks';
import type { LiveGameView } from '@gambit/protocol';
import { api } from '../api.js';
import { apiErrorText } from '../errors.js';
import { tcLabel } from '../format.js';
import { useBodyView, useLoad } from '../hooks.js';
import { roomPath } from '../routes.js';
import { Notice } from '../components/Notice.js';

const side = (p: LiveGameView['white']) => `${p.name}${p.rating === null ? '' : ` (${p.rating})`}`;

export function Watch() {
  const [round, setRound] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setRound((n) => n + 1), 5_000);
    return () => clearInterval(t);
  }, []);
  const load = useLoad(String(round), () => api.live());
  const [games, setGames] = useState<LiveGameView[] | null>(null);
  useEffect(() => {
    if (load.state === 'done') setGames(load.data.games); // kept while the next read is on its way
  }, [load]);
  useBodyView(games ? 'watch' : 'loading');
  if (!games && load.state === 'failed') return <Notice title="Could not load the games in play"><p>{apiErrorText(load.error)}</p></Notice>;
  if (!games) return <p class="view-loading">Loading…</p>;
  return (
    <section id="watch" class="card-stack">
      <div class="card">
        <h2>Games in play</h2>
        {games.length === 0 ? <p class="muted" data-testid="no-live-games">Nobody is playing right now.</p> : (
          <table class="seeks" data-testid="live-games">
            <tbody>
              {games.map((g) => (
                <tr key={g.room} data-testid="live-game" data-room={g.room}>
                  <td><a href={roomPath(g.room)} data-testid="watch-link">{side(g.white)} – {side(g.black)}</a></td>
                  <td>{tcLabel(g.tc)}{g.rated ? ' · rated' : ''}</td>
                  <td data-testid="live-watchers">{g.watchers} watching</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
