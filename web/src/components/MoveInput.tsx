// The move box under the live board: type a move (e4, Nf3, nf3, exd5, O-O, 0-0, e8=Q, e2e4:
// keyboard-move.ts) and Enter plays it by the same path as a move made on the board
// (live.onBoardMove). For people who would rather type than drag, and for screen-reader users, to
// whom the board is a picture. Shown to the players; it takes a move only on our turn. The rest of
// the time it is read-only and aria-disabled rather than disabled: a disabled field loses the
// focus, and the person would have to find it again after every move of the opponent. A refused
// move keeps its text and says why beside it (read out at once: role="alert"). "/" anywhere on
// the page outside a text field puts the focus in it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { canMove, isPlayer } from '../game.js';
import { readTypedMove } from '../keyboard-move.js';
import { useLive } from './live-context.js';

export function MoveInput() {
  const live = useLive();
  const v = live.view;
  const [text, setText] = useState('');
  const [error, setError] = useState<{ n: number; text: string } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const ours = canMove(v) && live.online && !live.pendingMove;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
      if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select, [contenteditable="true"]')) return;
      e.preventDefault(); // not the browser's quick find
      input.current?.focus();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  // A refusal was about the position it was typed in: a new position makes it stale.
  useEffect(() => setError(null), [v.fen]);

  if (!isPlayer(v) || (v.status !== 'active' && v.status !== 'ended')) return null;
  const refuse = (why: string) => setError((old) => ({ n: (old?.n ?? 0) + 1, text: why }));
  const submit = (e: Event) => {
    e.preventDefault();
    if (!ours) return refuse(v.status === 'active' && live.online ? 'Wait for your move' : 'No move can be played now');
    const typed = readTypedMove(v.fen, text);
    if (!typed.ok) return refuse(typed.error);
    setError(null);
    setText('');
    live.onBoardMove(typed.uci);
  };
  const placeholder = ours ? 'Type a move: e4, Nf3, O-O' : v.status === 'active' ? "Opponent's move…" : '';
  return (
    // After the end the box keeps its room (invisible): the board does not grow under the players.
    <form id="move-form" class={`move-form${v.status === 'active' ? '' : ' idle'}`} onSubmit={submit}>
      <label for="move-input" class="sr-only">Your move</label>
      <input id="move-input" data-testid="move-input" ref={input} type="text" value={text} placeholder={placeholder}
        readOnly={!ours} aria-disabled={!ours} aria-invalid={error ? 'true' : 'false'} aria-describedby="move-error"
        aria-keyshortcuts="/" autoComplete="off" autoCapitalize="off" spellcheck={false} enterkeyhint="go"
        onInput={(e) => {
          setText(e.currentTarget.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return;
          setText('');
          setError(null);
        }} />
      <button type="submit" data-testid="move-submit" aria-disabled={!ours}>Play</button>
      {/* Keyed by the attempt: the same refusal twice is a new alert, read again. */}
      <p id="move-error" data-testid="move-error" class="form-error move-error" role="alert" key={error?.n ?? 0}>{error?.text ?? ''}</p>
    </form>
  );
}
