// `/computer`: a game against Stockfish, entirely in this browser. The setup (level 1-8, colour, time
// control), then the board, both clocks, the move list, the result and the PGN. Stockfish runs in
// a Web Worker (computer/uci.ts); the game (computer/local-game.ts) lives in localStorage, so a
// reload resumes it. Nothing of it goes to the servers: no frame, no request after the static files.
import type { Side } from '@gambit/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Board } from '../board.js';
import { formatClock } from '../clock.js';
import { downloadText } from '../download.js';
import { resultSentence, scoreText, tcLabel } from '../format.js';
import { useBodyView, useFrame } from '../hooks.js';
import { startEngine } from '../computer/engine.js';
import { isLevel, LEVEL_NUMBERS, levelName, levelOf, type LevelNumber } from '../computer/levels.js';
import {
  clocksAt, computerToMove, flagged, goClock, humanToMove, loadGame, newComputerGame, pgnOf, play, playerNames, resign,
  saveGame, settle, turnOf, type ComputerGame,
} from '../computer/local-game.js';
import { SearchAbandoned, type UciEngine } from '../computer/uci.js';
import { START_FEN } from '../game.js';
import { BoardView } from '../components/BoardView.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { MoveList } from '../components/MoveList.js';
import { TcFields, useTcField } from '../components/TcFields.js';
import { useLive } from '../components/live-context.js';

const storage = (): Storage | null => {
  try {
    return localStorage;
  } catch {
    return null; // storage disabled: the game still plays, without surviving a reload
  }
};

export function Computer() {
  const [game, setGame] = useState<ComputerGame | null>(() => {
    const s = storage();
    const stored = s ? loadGame(s) : null;
    return stored && settle(stored, Date.now()); // a flag that fell while the page was closed
  });
  const start = (g: ComputerGame | null) => {
    const s = storage();
    if (s) saveGame(s, g);
    setGame(g);
  };
  useBodyView(game ? 'computer' : 'computer-setup');
  // A new game gets a new screen (and so a new board and a new engine): key by its start.
  return game ? <ComputerGameView key={game.startedAt} initial={game} onNew={() => start(null)} /> : <ComputerSetup onStart={start} />;
}

function ComputerSetup({ onStart }: { onStart(g: ComputerGame): void }) {
  const live = useLive();
  const [level, setLevel] = useState<LevelNumber>(1);
  const [color, setColor] = useState<Side | 'random'>('white');
  const field = useTcField();
  const submit = (e: Event) => {
    e.preventDefault();
    const tc = field.submit();
    if (!tc) return;
    const human: Side = color === 'random' ? (Math.random() < 0.5 ? 'white' : 'black') : color;
    onStart(newComputerGame({ level, human, humanName: live.identity.me?.name || 'You', tc }, Date.now()));
  };

  return (
    <section id="computer-setup" class="card-stack">
      <form id="computer-form" class="card" onSubmit={submit}>
        <h2>Play the computer</h2>
        <p class="muted small">Stockfish runs in this browser: the game never leaves it.</p>
        <label>Level
          <select id="computer-level" data-testid="computer-level" value={String(level)} onChange={(e) => {
            const n = Number(e.currentTarget.value);
            if (isLevel(n)) setLevel(n);
          }}>
            {LEVEL_NUMBERS.map((n) => <option key={n} value={String(n)}>{n}{n === 1 ? ' · easiest' : n === 8 ? ' · strongest' : ''}</option>)}
          </select>
        </label>
        <TcFields field={field} prefix="computer-" />
        <label>Play as
          <select id="computer-color" data-testid="computer-color" value={color} onChange={(e) => setColor(e.currentTarget.value as Side | 'random')}>
            <option value="white">White</option>
            <option value="black">Black</option>
            <option value="random">Random</option>
          </select>
        </label>
        <div class="row">
          <button id="computer-start" data-testid="computer-start" type="submit" class="primary">Play</button>
        </div>
      </form>
    </section>
  );
}

type EngineState = 'loading' | 'ready' | 'failed';

function ComputerGameView({ initial, onNew }: { initial: ComputerGame; onNew(): void }) {
  const [game, setGame] = useState(initial);
  const [engineState, setEngineState] = useState<EngineState>('loading');
  const [bottom, setBottom] = useState<Side>(initial.human);
  const current = useRef(game);
  const board = useRef<Board | null>(null);
  const engine = useRef<UciEngine | null>(null);
  const shownPly = useRef(-1);

  const update = (next: ComputerGame) => {
    if (next === current.current) return;
    current.current = next;
    const s = storage();
    if (s) saveGame(s, next);
    setGame(next);
  };

  // One engine for this game, terminated when the screen goes.
  useEffect(() => {
    let eng: UciEngine;
    try {
      eng = startEngine();
    } catch {
      setEngineState('failed'); // no Web Workers here
      return;
    }
    engine.current = eng;
    const prepare = current.current.moves.length === 0 ? eng.newGame() : eng.start();
    prepare.then(() => setEngineState('ready'), () => eng.alive && setEngineState('failed'));
    return () => {
      engine.current = null;
      eng.terminate();
    };
  }, []);

  // The computer's move whenever it is its turn (and the engine is up).
  useEffect(() => {
    const eng = engine.current;
    if (!eng || engineState !== 'ready' || !computerToMove(game)) return;
    const ply = game.moves.length;
    eng.bestMove(START_FEN, game.moves, levelOf(game.level), goClock(game, Date.now())).then(
      (uci) => {
        const g = current.current;
        if (g.moves.length !== ply || g.status !== 'active') return; // the game moved on meanwhile
        const next = uci ? play(g, uci, Date.now()) : null;
        if (next) update(next);
        else setEngineState('failed'); // no move, or an illegal one: should not happen, but say so
      },
      (err: unknown) => {
        if (err instanceof SearchAbandoned || engine.current !== eng) return; // a newer search, or we left
        setEngineState('failed');
      },
    );
  }, [game, engineState]);

  // The board follows the game: the position, our input when it is our move, the side at the bottom.
  const sync = (b: Board | null) => {
    if (!b) return;
    const g = current.current;
    const last = g.moves[g.moves.length - 1];
    b.show(g.fen, last ? { from: last.slice(0, 2), to: last.slice(2, 4) } : null, g.moves.length === shownPly.current + 1);
    shownPly.current = g.moves.length;
    b.setInput(humanToMove(g) ? g.human : null);
  };
  useEffect(() => sync(board.current), [game]);
  useEffect(() => board.current?.setOrientation(bottom), [bottom]);

  // A flag falls between moves too: checked every frame while the game runs.
  useFrame(() => {
    const g = current.current;
    if (flagged(g, Date.now())) update(settle(g, Date.now()));
  });

  useEffect(() => {
    document.title = humanToMove(game) ? '● Your move · Gambit' : 'Gambit';
    return () => {
      document.title = 'Gambit';
    };
  }, [game]);

  const onMove = (uci: string) => {
    const next = play(current.current, uci, Date.now());
    if (next) update(next);
    else board.current?.revert();
  };

  const over = game.status === 'ended';
  const names = playerNames(game);
  const status = over ? '' : engineState === 'failed'
    ? 'The engine stopped: reload the page to start it again (the game stays)'
    : humanToMove(game) ? 'Your move'
      : engineState === 'loading' ? 'Loading the engine…' : 'Stockfish is thinking…';
  const title = !over ? '' : game.result === '1/2-1/2' ? 'Draw' : (game.result === '1-0') === (game.human === 'white') ? 'You won' : 'You lost';
  const other = (s: Side): Side => (s === 'white' ? 'black' : 'white');
  const download = () => {
    const day = new Date(game.startedAt).toISOString().slice(0, 10);
    downloadText(pgnOf(game, location.origin), `gambit-computer-${day}.pgn`);
  };

  return (
    <section id="computer" class="game" data-status={game.status} data-ply={game.moves.length} data-turn={turnOf(game)}
      data-fen={game.fen} data-human={game.human} data-engine={engineState}>
      <div class="board-col">
        <div class="slot"><ComputerBar side={other(bottom)} name={names[other(bottom)]} you={other(bottom) === game.human} game={current} /></div>
        <BoardView id="board" onBoard={(b) => {
          board.current = b;
          shownPly.current = -1;
          b?.setOrientation(bottom);
          sync(b);
        }} onMove={onMove} />
        <div class="slot"><ComputerBar side={bottom} name={names[bottom]} you={bottom === game.human} game={current} /></div>
      </div>
      <aside class="side">
        <p id="status" data-testid="status" class="status" role="status">{status}</p>
        <p class="muted small" id="computer-info" data-testid="computer-info">
          {levelName(game.level)} · {tcLabel(game.tc)} · you play {game.human}
        </p>
        <div id="game-over" class="game-over" hidden={!over}>
          <strong id="result-title" data-testid="result-title">{title}</strong>
          <span id="result" data-testid="result">{over ? `${scoreText(game.result)} · ${resultSentence(game.result, game.reason)}` : ''}</span>
          <div class="row">
            <button id="pgn-download" data-testid="pgn-download" type="button" onClick={download}>Download PGN</button>
            <button id="new-game" data-testid="new-game" type="button" class="primary" onClick={onNew}>New game</button>
          </div>
        </div>
        <div class="actions">
          <ConfirmButton id="resign" hidden={over} onConfirm={() => update(resign(current.current, Date.now()))}>⚑ Resign</ConfirmButton>
          <button id="flip" type="button" title="Flip board" onClick={() => setBottom((s) => other(s))}>⇅ Flip</button>
        </div>
        <MoveList id="moves" san={game.san} />
      </aside>
    </section>
  );
}

/** One side's bar: the name and the clock, counted down every frame straight into the DOM. */
function ComputerBar({ side, name, you, game }: { side: Side; name: string; you: boolean; game: { current: ComputerGame } }) {
  const bar = useRef<HTMLDivElement>(null);
  const clock = useRef<HTMLSpanElement>(null);
  useFrame(() => {
    const g = game.current;
    const ms = clocksAt(g, Date.now())[side];
    const text = formatClock(ms);
    if (clock.current && clock.current.textContent !== text) clock.current.textContent = text;
    const active = g.status === 'active';
    bar.current?.classList.toggle('running', active && g.clock.running === side);
    bar.current?.classList.toggle('low', active && ms < 10_000);
  });
  return (
    <div id={`player-${side}`} class="player" data-side={side} ref={bar}>
      <span class="name">{you ? `${name} (you)` : name}</span>
      <span id={`clock-${side}`} data-testid={`clock-${side}`} class="clock" ref={clock}>{formatClock(clocksAt(game.current, Date.now())[side])}</span>
    </div>
  );
}
