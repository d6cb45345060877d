// `/room/<code>` (and the older `/?room=<code>`): the live game. Opening the URL resumes our game
// or joins the room (watching when it is full or over); the creator sees the waiting card first.
// The screen-reader announcements (Announcer) stay through loading, waiting and the game alike, and
// players get the move box (MoveInput) under the board.
import { useEffect } from 'preact/hooks';
import { useBodyView } from '../hooks.js';
import { other, turn } from '../game.js';
import { looksLikeCode, normalizeCode, signInHref } from '../routes.js';
import { Announcer } from '../components/Announcer.js';
import { BoardView } from '../components/BoardView.js';
import { GamePanel } from '../components/GamePanel.js';
import { LivePlayerBar } from '../components/LivePlayerBar.js';
import { MoveInput } from '../components/MoveInput.js';
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
  // The region first, in the same place in every state: it must outlive the switch to the game.
  if (screen === 'loading') return <><Announcer /><p id="loading" class="view-loading">{live.joining === code ? 'Joining…' : 'Connecting…'}</p></>;
  if (screen === 'waiting') return <><Announcer /><Waiting room={code} /></>;
  const bottom = live.orientation();
  return (
    <>
      <Announcer />
      <section id="game" class="game">
        <div class="board-col">
          {/* Opponent on top, us (or White, for spectators) below. */}
          <div class="slot"><LivePlayerBar key={other(bottom)} side={other(bottom)} /></div>
          <BoardView id="board" onBoard={(b) => live.attachBoard(b)} onMove={(uci) => live.onBoardMove(uci)} />
          <div class="slot"><LivePlayerBar key={bottom} side={bottom} /></div>
          <MoveInput />
        </div>
        <GamePanel />
      </section>
    </>
  );
}
