// Mounts a cm-chessboard (board.ts) into a box and hands it to the owner, who drives it; the board
// is destroyed with the box when the screen changes.
import { useLayoutEffect, useRef } from 'preact/hooks';
import { Board } from '../board.js';

interface Props {
  id: string;
  onBoard(board: Board | null): void;
  onMove?(uci: string): void;
}

export function BoardView({ id, onBoard, onMove }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const handlers = useRef({ onBoard, onMove });
  handlers.current = { onBoard, onMove };
  useLayoutEffect(() => {
    const board = new Board(box.current!, (uci) => handlers.current.onMove?.(uci));
    handlers.current.onBoard(board);
    return () => {
      handlers.current.onBoard(null);
      board.destroy();
    };
  }, []);
  return <div id={id} data-testid={id} class="board-box" ref={box} />;
}
