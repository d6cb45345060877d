// The live game's aria-live region: what announce.ts says about each change of the game (moves,
// ours and the opponent's, offers, takebacks, the result), for screen readers, visually hidden.
// It lives as long as the game screen, from the loading and waiting states on: a live region
// must exist before its text changes to be read, and so the start of the game is heard too.
// Sentences are added as lines, never replaced: screen readers read what is added, so the same
// sentence twice is still heard; only the last few lines are kept.
import { useEffect, useRef, useState } from 'preact/hooks';
import { announcements } from '../announce.js';
import type { GameView } from '../game.js';
import { useLive } from './live-context.js';

const KEEP = 6;

export function Announcer() {
  const live = useLive();
  const v = live.view;
  const seen = useRef<GameView | null>(null);
  const count = useRef(0);
  const [lines, setLines] = useState<{ id: number; text: string }[]>([]);
  useEffect(() => {
    const said = announcements(seen.current, v);
    seen.current = v;
    if (said.length === 0) return;
    setLines((old) => [...old, ...said.map((text) => ({ id: ++count.current, text }))].slice(-KEEP));
  }, [v]);
  return (
    <div id="announcer" data-testid="announcer" class="sr-only" role="log" aria-live="polite" aria-label="Game announcements">
      {lines.map((l) => <p key={l.id}>{l.text}</p>)}
    </div>
  );
}
