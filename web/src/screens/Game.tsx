// `/room/<code>` (and the older `/?room=<code>`): the live game. Opening the URL resumes our game
// or joins the room (watching when it is full or over); the creator sees the waiting card first.
import { useEffect } from 'preact/hooks';
import { useBodyView } from '../hooks.js';
import { other, turn } from '../game.js';
import { looksLikeCode, normalizeCode, signInHref } from '../routes.js';
import { BoardView } from '../components/BoardView.js';
import { GamePanel } from '../components/GamePanel.js';
import { LivePlayerBar } from '../components/LivePlayerBar.js';
import { Notice } from '../components/Notice.js';
import { Waiting } from '../components/Waiting.js';
import { useLive } from '../components/live-context.js';

export function Game({ code: raw }: { code: string }) {
  const live = useLive();
  const code = normalizeCode(raw);
  const valid = looksLikeCode(code);
  useEffect(() => {
    if (!valid) return;
    live.open(code);
    return () => live.close(code);
  }, [code]);

  const v = live.view;
  const here = v.room === code;
  const screen = !valid ? 'missing' : !here || v.status === 'none' ? 'loading' : v.status === 'waiting' && live.hostOf === code ? 'waiting' : 'game';
  useBodyView(screen);
  useEffect(() => {
    const ours = here && v.status === 'active' && v.color && turn(v) === v.color;
    document.title = ours ? '● Your move · Gambit' : 'Gambit';
    return () => {
      document.title = 'Gambit';
    };
  });

  if (screen === 'missing') {
    return <Notice title="No such room"><p>A room code has 8 letters and digits, like <code>K7M2QX9P</code>.</p></Notice>;
  }
  if (live.noSession) {
    return (
      <Notice title="Sign in to play" testid="no-session">
        <p>This server does not offer guest games. <a href={signInHref(`/room/${code}`)}>Sign in</a> to play or watch.</p>
      </Notice>
    );
  }
  if (screen === 'loading') return <p id="loading" class="view-loading">{live.joining === code ? 'Joining…' : 'Connecting…'}</p>;
  if (screen === 'waiting') return <Waiting room={code} />;
  const bottom = live.orientation();
  return (
    <section id="game" class="game">
      <div class="board-col">
        {/* Opponent on top, us (or White, for spectators) below. */}
        <div class="slot"><LivePlayerBar key={other(bottom)} side={other(bottom)} /></div>
        <BoardView id="board" onBoard={(b) => live.attachBoard(b)} onMove={(uci) => live.onBoardMove(uci)} />
        <div class="slot"><LivePlayerBar key={bottom} side={bottom} /></div>
      </div>
      <GamePanel />
    </section>
  );
}
