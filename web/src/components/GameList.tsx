// A player's finished games, newest first, 20 at a time ("More" follows the cursor); each row
// links to the game's replay.
import { useState } from 'preact/hooks';
import { api, type GamePage, type GameSummary } from '../api.js';
import { apiErrorText } from '../errors.js';
import { OUTCOME_TEXT, formatDate, resultSentence, sideName, tcLabel } from '../format.js';
import { gamePath } from '../routes.js';

const nextCursor = (page: GamePage): string | null => page.next ?? page.cursor ?? null;

function GameRow({ g }: { g: GameSummary }) {
  return (
    <li>
      <a class="game-row" href={gamePath(g.gameId)} data-testid="game-row" data-game={g.gameId}>
        <span class={`outcome ${g.outcome}`}>{OUTCOME_TEXT[g.outcome]}</span>
        <span class="vs">vs <strong>{g.opponent.name}</strong> <span class="muted">as {sideName(g.color)}</span></span>
        <span class="why muted">{resultSentence(g.result, g.reason)}</span>
        <span class="meta muted">{tcLabel(g.tc)} · {formatDate(g.endedAt)}</span>
      </a>
    </li>
  );
}

export function GameList({ playerId, first }: { playerId: string; first: GamePage }) {
  const [games, setGames] = useState(first.games);
  const [cursor, setCursor] = useState(nextCursor(first));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const more = async () => {
    if (!cursor) return;
    setBusy(true);
    setProblem(null);
    try {
      const page = await api.playerGames(playerId, cursor);
      setGames((g) => [...g, ...page.games]);
      setCursor(nextCursor(page));
    } catch (err) {
      setProblem(apiErrorText(err));
    } finally {
      setBusy(false);
    }
  };
  if (games.length === 0) return <p class="muted" data-testid="no-games">No finished games yet.</p>;
  return (
    <>
      <ol class="game-list" data-testid="game-list">
        {games.map((g) => <GameRow key={g.gameId} g={g} />)}
      </ol>
      {problem && <p class="form-error" role="alert">{problem}</p>}
      {cursor && <button type="button" data-testid="more-games" disabled={busy} onClick={more}>{busy ? 'Loading…' : 'More'}</button>}
    </>
  );
}
