// `/game/<id>`: a finished game from the store, step by step: the board (view only), both clocks
// at the shown ply, the move list (a click jumps), first/back/forward/last and the arrow keys, the
// result in words, each move's lag and what the clock gave back for it (lag.ts), the FEN of the
// shown position and the PGN. The ply is kept in the URL (#ply),
// so a reload or a shared link shows the same position.
import type { Side } from '@gambit/protocol';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, ApiError, type StoredGame } from '../api.js';
import type { Board } from '../board.js';
import { apiErrorText } from '../errors.js';
import { formatDate, resultSentence, scoreText, tcLabel } from '../format.js';
import { other } from '../game.js';
import { useBodyView, useLoad } from '../hooks.js';
import { clocksAt, fensOf, keyStep, lastMoveAt, plyFromHash, plyLabel, step } from '../replay.js';
import { lagAt, lagSummary, lagText } from '../lag.js';
import { BoardView } from '../components/BoardView.js';
import { MoveList } from '../components/MoveList.js';
import { Notice } from '../components/Notice.js';
import { PgnTools } from '../components/PgnTools.js';
import { ReplayBar } from '../components/ReplayBar.js';
import { ReplayControls } from '../components/ReplayControls.js';

/** No such game: unknown (404) or not even a game id (400). */
const missing = (err: unknown) => err instanceof ApiError && (err.status === 404 || err.status === 400);

export function Replay({ id }: { id: string }) {
  const load = useLoad(id, () => api.game(id));
  useBodyView(load.state === 'done' ? 'replay' : 'loading');
  if (load.state === 'loading') return <p class="view-loading">Loading the game…</p>;
  if (load.state === 'failed') {
    return missing(load.error)
      ? <Notice title="No such game" testid="no-such-game"><p>No finished game has the id <code>{id}</code>.</p></Notice>
      : <Notice title="Could not load the game"><p>{apiErrorText(load.error)}</p></Notice>;
  }
  return <ReplayView key={id} game={load.data} />;
}

function ReplayView({ game }: { game: StoredGame }) {
  const total = game.uci.length;
  const fens = useMemo(() => fensOf(game), [game]);
  const [ply, setPly] = useState(() => plyFromHash(location.hash, total) ?? total);
  const [bottom, setBottom] = useState<Side>('white');
  const board = useRef<Board | null>(null);
  const shown = useRef(ply);

  // The position on the board; one step forward animates, jumps do not.
  const showOn = (b: Board | null, p: number) => b?.show(fens[p] ?? fens[fens.length - 1]!, lastMoveAt(game, p), p === shown.current + 1);
  useEffect(() => {
    showOn(board.current, ply);
    shown.current = ply;
    // The ply in the URL, without a history entry per step (Back leaves the screen).
    if (ply !== total || location.hash) history.replaceState(history.state, '', `${location.pathname}${location.search}#${ply}`);
  }, [ply]);
  useEffect(() => board.current?.setOrientation(bottom), [bottom]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // defaultPrevented: the focused board took the arrow (it walks its squares: board-a11y.ts).
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || (e.target instanceof HTMLElement && e.target.closest('input, textarea, select'))) return;
      const how = keyStep(e.key);
      if (!how) return;
      e.preventDefault();
      setPly((p) => step(p, how, total));
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [total]);

  const clocks = clocksAt(game, ply);
  const fen = fens[ply] ?? fens[fens.length - 1]!;
  const toMove: Side = fen.split(' ')[1] === 'b' ? 'black' : 'white';
  const bar = (side: Side) => (
    <ReplayBar side={side} name={game[side].name} ms={clocks[side]} toMove={ply < total && toMove === side} />
  );
  return (
    <section id="replay" class="game">
      <div class="board-col">
        <div class="slot">{bar(other(bottom))}</div>
        <BoardView id="replay-board" onBoard={(b) => {
          board.current = b;
          b?.setOrientation(bottom);
          showOn(b, ply);
        }} />
        <div class="slot">{bar(bottom)}</div>
      </div>
      <aside class="side">
        <div class="game-over">
          <strong id="replay-result" data-testid="replay-result">{scoreText(game.result)} · {resultSentence(game.result, game.reason)}</strong>
          <span class="muted">
            {game.white.name} (White) vs {game.black.name} (Black) · {tcLabel(game.tc)} · {formatDate(game.endedAt)}
          </span>
        </div>
        <ReplayControls ply={ply} total={total} onPly={setPly} />
        <p id="replay-ply" data-testid="replay-ply" data-ply={ply} class="status">{plyLabel(game.san, ply)}</p>
        <LagLine game={game} ply={ply} />
        <MoveList id="replay-moves" san={game.san} current={ply} onPick={setPly} />
        <label class="fen-label">FEN
          <code id="replay-fen" data-testid="replay-fen" class="fen">{fen}</code>
        </label>
        <PgnTools pgn={game.pgn} gameId={game.gameId} />
        <div class="row">
          <button id="replay-flip" type="button" title="Flip board" onClick={() => setBottom((s) => other(s))}>⇅ Flip</button>
        </div>
      </aside>
    </section>
  );
}

/**
 * The shown move's lag and what the clock gave back for it, then each side's mean lag and total
 * given back; nothing for a record from before lag compensation.
 */
function LagLine({ game, ply }: { game: StoredGame; ply: number }) {
  const summary = useMemo(() => lagSummary(game), [game]);
  if (!summary) return null;
  const here = lagAt(game, ply);
  const side = (s: Side) => `${game[s].name} ${lagText(summary[s].meanLag)} on average, ${lagText(summary[s].totalComp)} given back`;
  return (
    <p id="replay-lag" data-testid="replay-lag" class="muted replay-lag">
      {here ? `Lag ${lagText(here.lag)}, ${lagText(here.comp)} given back on the clock · ` : ''}
      {side('white')} · {side('black')}
    </p>
  );
}
