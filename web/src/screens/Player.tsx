// `/@/<username>`: a player's page: name, member since, online now or last seen, results and
// ratings overall and per speed (all zero before a first finished game), the recent rating
// history (from the first page of games) and the recent games. The username comes from the accounts
// service; stats and games from the game store (the finalizer's read API, through the gateway).
import { api, orNull, type GamePage, type PlayerStats, type UserInfo } from '../api.js';
import { apiErrorText } from '../errors.js';
import { memberSince, presenceText } from '../format.js';
import { useBodyView, useLoad } from '../hooks.js';
import { GameList } from '../components/GameList.js';
import { Notice } from '../components/Notice.js';
import { RatingHistory } from '../components/RatingHistory.js';
import { SpeedStats } from '../components/SpeedStats.js';

interface PlayerData { user: UserInfo; stats: PlayerStats | null; page: GamePage }

async function loadPlayer(username: string): Promise<PlayerData | null> {
  const user = await orNull(api.user(username));
  if (!user) return null;
  // 404 for the stats means: no finished game yet (shown as zeros).
  const [stats, page] = await Promise.all([orNull(api.player(user.playerId)), api.playerGames(user.playerId)]);
  return { user, stats, page };
}

export function Player({ username }: { username: string }) {
  const load = useLoad(username, () => loadPlayer(username));
  useBodyView(load.state === 'done' && load.data ? 'player' : 'loading');
  if (load.state === 'loading') return <p class="view-loading">Loading…</p>;
  if (load.state === 'failed') return <Notice title="Could not load this player"><p>{apiErrorText(load.error)}</p></Notice>;
  if (!load.data) {
    return <Notice title="No such player" testid="no-such-player"><p>Nobody here has the username <strong>{username}</strong>.</p></Notice>;
  }
  const { user, stats, page } = load.data;
  const s = { games: stats?.games ?? 0, wins: stats?.wins ?? 0, losses: stats?.losses ?? 0, draws: stats?.draws ?? 0 };
  return (
    <section id="player" class="card-stack">
      <div class="card">
        <h2 data-testid="player-name">{user.username}</h2>
        <p class="muted">
          <span data-testid="member-since">{memberSince(user.createdAt)}</span> ·{' '}
          <span data-testid="presence" class={user.online ? 'online' : undefined}>{presenceText(user.online, user.lastSeen, Date.now())}</span>
        </p>
        <dl class="stats" data-testid="stats">
          <div><dt>Games</dt><dd data-testid="stat-games">{s.games}</dd></div>
          <div><dt>Wins</dt><dd data-testid="stat-wins">{s.wins}</dd></div>
          <div><dt>Losses</dt><dd data-testid="stat-losses">{s.losses}</dd></div>
          <div><dt>Draws</dt><dd data-testid="stat-draws">{s.draws}</dd></div>
        </dl>
        <SpeedStats speeds={stats?.speeds} ratings={stats?.ratings} />
        <RatingHistory games={page.games} />
      </div>
      <div class="card">
        <h2>Recent games</h2>
        <GameList key={user.playerId} playerId={user.playerId} first={page} />
      </div>
    </section>
  );
}
