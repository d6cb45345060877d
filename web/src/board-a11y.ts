// The board for keyboards and screen readers: cm-chessboard 8's own Accessibility extension, set up
// for this site. Why this and not focusable squares of our own: the extension already gives what a
// screen-reader user needs to *read* the position (the board as an 8x8 table and each side's pieces
// as lists, under headings, visually hidden but kept current on every move), and what a keyboard
// user needs to *play* on the board itself (the board takes the focus; the arrow keys walk the
// squares with a focus frame and say each square and its piece; Enter or Space picks the piece and
// then its square; Escape drops it; the promotion dialog takes the arrow keys too). Its moves go
// through the same input callback as a mouse move (board.ts onInput), so legality, the promotion
// dialog and the way to the server are one path. Its own move form (two boxes, from and to) is
// left out: the move box under the live board (MoveInput.tsx) takes squares (e2e4) and SAN alike,
// and says why a move is refused. What happens in the game is said by Announcer.tsx.
import { Accessibility } from 'cm-chessboard/src/extensions/accessibility/Accessibility.js';

export const accessibleBoard = {
  class: Accessibility,
  props: {
    language: 'en', // the site is in English, whatever the browser's language
    movePieceForm: false,
    boardAsTable: true,
    piecesAsList: true,
    keyboardMoveInput: true,
    brailleNotationInAlt: false, // an `alt` on an <svg> is read by nothing; the table says it
    visuallyHidden: true,
  },
};

/**
 * Escape on the focused board: the extension forgets the picked piece, but the legal-move dots are
 * ours (board.ts) and would stay: `cancel` removes them.
 */
export function onKeyboardCancel(el: HTMLElement, cancel: () => void): void {
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') cancel();
  });
}
