// The moves as numbered pairs. Live: follows the newest move. Replay: each move is a button that
// jumps to its position, and the shown one is marked.
import { useEffect, useRef } from 'preact/hooks';
import { moveRows } from '../replay.js';

interface Props {
  id: string;
  san: string[];
  /** Replay only: the ply shown, and what a click on a move does. */
  current?: number;
  onPick?(ply: number): void;
}

export function MoveList({ id, san, current, onPick }: Props) {
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const el = list.current;
    if (!el) return;
    const marked = el.querySelector<HTMLElement>('[aria-current="true"]');
    if (current === undefined) el.scrollTop = el.scrollHeight;
    else if (marked) {
      // Only the list scrolls (scrollIntoView would move the whole page on a phone).
      const top = marked.offsetTop;
      const bottom = top + marked.offsetHeight;
      if (top < el.scrollTop) el.scrollTop = top;
      else if (bottom > el.scrollTop + el.clientHeight) el.scrollTop = bottom - el.clientHeight;
    }
  }, [san.length, current]);
  const move = (m: { ply: number; san: string }) =>
    onPick ? (
      <button type="button" class="san" data-ply={m.ply} aria-current={m.ply === current ? 'true' : undefined} onClick={() => onPick(m.ply)}>
        {m.san}
      </button>
    ) : (
      <span class="san">{m.san}</span>
    );
  return (
    <ol id={id} data-testid={id} class="moves" ref={list}>
      {moveRows(san).map((row) => (
        <li key={row.num}>
          <span class="num">{row.num}.</span>
          {move(row.white)}
          {row.black && move(row.black)}
        </li>
      ))}
    </ol>
  );
}
